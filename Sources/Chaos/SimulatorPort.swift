import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Simulator

/// The engine's `Exchange` port over the simulator's exchange, in process (`InProcessExchange`:
/// no sockets, no signing, the same market semantics), with faults injected at the port — the
/// network's (refused, rate-limited, gateway errors, timeouts, replies lost after the exchange
/// committed) and the process's (a crash before or after a call).
final class SimulatorPort: Exchange {
    let inner: InProcessExchange
    let process: ChaosProcess
    let network: NetworkFaults
    var autoTransfers: Bool { false }

    init(sim: SimulatedExchange, process: ChaosProcess, network: NetworkFaults) {
        self.inner = InProcessExchange(sim)
        self.process = process
        self.network = network
    }

    private static func gone(_ endpoint: String) -> ExchangeError { .unavailable("\(endpoint): the process has stopped") }

    /// A read: it may fail on the way, never with an effect.
    private func read<T: Sendable>(_ endpoint: String, _ body: () async throws(ExchangeError) -> T) async throws(ExchangeError) -> T {
        switch process.gateExchangeCall() {
        case .dead, .dieBefore: throw Self.gone(endpoint)
        case .dieAfter:
            process.die()
            throw Self.gone(endpoint)
        case .proceed: break
        }
        if let fault = network.draw(mutating: false) {
            throw fault == .rateLimited ? .rateLimited("\(endpoint): \(fault.rawValue)") : .unavailable("\(endpoint): \(fault.rawValue)")
        }
        return try await body()
    }

    /// A request with an effect: refused, lost before or after the exchange acted, or done.
    private func write<T: Sendable>(_ endpoint: String, _ body: () async throws(ExchangeError) -> T) async throws(ExchangeError) -> T {
        switch process.gateExchangeCall() {
        case .dead, .dieBefore: throw Self.gone(endpoint)
        case .dieAfter:
            _ = try? await body()
            process.die()
            throw .outcomeUnknown("\(endpoint): the process stopped before the reply")
        case .proceed: break
        }
        switch network.draw(mutating: true) {
        case .connectionRefused?: throw .unavailable("\(endpoint): connection refused")
        case .rateLimited?: throw .rateLimited("\(endpoint): rate limited")
        case .gateway?: throw .outcomeUnknown("\(endpoint): HTTP 503")
        case .timeoutBefore?: throw .outcomeUnknown("\(endpoint): timed out")
        case .lostReply?:
            _ = try? await body()
            throw .outcomeUnknown("\(endpoint): connection dropped before the reply")
        case nil:
            return try await body()
        }
    }

    func view(instrument symbol: String) async throws(ExchangeError) -> ExchangeView {
        try await read("GET view \(symbol)") { () async throws(ExchangeError) in try await inner.view(instrument: symbol) }
    }

    func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        try await write("POST /v1/orders") { () async throws(ExchangeError) in try await inner.place(order) }
    }

    func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? {
        try await read("GET /v1/orders?client_order_id") { () async throws(ExchangeError) in
            try await inner.order(clientOrderID: clientOrderID, marketID: marketID)
        }
    }

    func order(id: String) async throws(ExchangeError) -> OrderTicket {
        try await read("GET /v1/orders/\(id)") { () async throws(ExchangeError) in try await inner.order(id: id) }
    }

    func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] {
        try await read("GET /v1/trades") { () async throws(ExchangeError) in try await inner.fills(orderID: orderID) }
    }

    func cancel(orderID: String) async throws(ExchangeError) {
        try await write("DELETE /v1/orders/\(orderID)") { () async throws(ExchangeError) in try await inner.cancel(orderID: orderID) }
    }

    func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        try await write("POST /v1/transfers/trading-to-consumption") { () async throws(ExchangeError) in
            try await inner.transferToConsumption(instrumentID: instrumentID, quantity: quantity)
        }
    }
}

/// Any exchange port, with the process's crashes: a dead process sends nothing more, and a
/// crash before or after a call ends its life there (the loopback campaign's port).
struct GatedExchange: Exchange {
    let inner: any Exchange
    let process: ChaosProcess
    var autoTransfers: Bool { inner.autoTransfers }

    private func gate<T: Sendable>(_ endpoint: String, mutating: Bool, _ body: () async throws(ExchangeError) -> T) async throws(ExchangeError) -> T {
        switch process.gateExchangeCall() {
        case .dead, .dieBefore: throw .unavailable("\(endpoint): the process has stopped")
        case .dieAfter:
            _ = try? await body()
            process.die()
            throw mutating ? .outcomeUnknown("\(endpoint): the process stopped before the reply") : .unavailable("\(endpoint): the process has stopped")
        case .proceed:
            return try await body()
        }
    }

    func view(instrument: String) async throws(ExchangeError) -> ExchangeView {
        try await gate("view", mutating: false) { () async throws(ExchangeError) in try await inner.view(instrument: instrument) }
    }
    func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        try await gate("POST /v1/orders", mutating: true) { () async throws(ExchangeError) in try await inner.place(order) }
    }
    func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? {
        try await gate("GET /v1/orders", mutating: false) { () async throws(ExchangeError) in try await inner.order(clientOrderID: clientOrderID, marketID: marketID) }
    }
    func order(id: String) async throws(ExchangeError) -> OrderTicket {
        try await gate("GET /v1/orders/{id}", mutating: false) { () async throws(ExchangeError) in try await inner.order(id: id) }
    }
    func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] {
        try await gate("GET /v1/trades", mutating: false) { () async throws(ExchangeError) in try await inner.fills(orderID: orderID) }
    }
    func cancel(orderID: String) async throws(ExchangeError) {
        try await gate("DELETE /v1/orders/{id}", mutating: true) { () async throws(ExchangeError) in try await inner.cancel(orderID: orderID) }
    }
    func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        try await gate("POST /v1/transfers", mutating: true) { () async throws(ExchangeError) in
            try await inner.transferToConsumption(instrumentID: instrumentID, quantity: quantity)
        }
    }
}
