import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Simulator

/// The engine's `Exchange` port over the simulator's exchange, in process: no sockets, no
/// signing, the same market semantics. Faults are injected here — the network's (refused,
/// rate-limited, gateway errors, timeouts, replies lost after the exchange committed) and the
/// process's (a crash before or after a call).
final class SimulatorPort: Exchange {
    let sim: SimulatedExchange
    let process: ChaosProcess
    let network: NetworkFaults
    var autoTransfers: Bool { false }

    init(sim: SimulatedExchange, process: ChaosProcess, network: NetworkFaults) {
        self.sim = sim
        self.process = process
        self.network = network
    }

    private static func gone(_ endpoint: String) -> ExchangeError { .unavailable("\(endpoint): the process has stopped") }

    private static func translate(_ error: SimulatorError, _ endpoint: String) -> ExchangeError {
        error.status >= 500 ? .outcomeUnknown("\(endpoint): HTTP \(error.status): \(error.detail)") : .rejected("\(endpoint): HTTP \(error.status): \(error.detail)")
    }

    /// A read: it may fail on the way, never with an effect.
    private func read<T: Sendable>(_ endpoint: String, _ body: () async throws(SimulatorError) -> T) async throws(ExchangeError) -> T {
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
        do { return try await body() } catch { throw Self.translate(error, endpoint) }
    }

    /// A request with an effect: refused, lost before or after the exchange acted, or done.
    private func write<T: Sendable>(_ endpoint: String, _ body: () async throws(SimulatorError) -> T) async throws(ExchangeError) -> T {
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
            do { return try await body() } catch { throw Self.translate(error, endpoint) }
        }
    }

    func view(instrument symbol: String) async throws(ExchangeError) -> ExchangeView {
        try await read("GET view \(symbol)") { () async throws(SimulatorError) -> ExchangeView in
            let instrument = try await sim.instrument(symbol: symbol)
            guard let market = await sim.listMarkets().first(where: { $0.associatedInstruments.contains(instrument.instrumentID) }) else {
                throw SimulatorError(404, "no market trades \(symbol)")
            }
            let consumption = await sim.consumptionAccounts(instrumentID: instrument.instrumentID).reduce(Decimal(0)) { $0 + $1.available }
            let inventory = await sim.tradingAccounts().filter { $0.instrumentID == instrument.instrumentID }.reduce(Decimal(0)) { $0 + $1.availableBalance }
            let usd = await sim.currencyAccounts().filter { $0.currency.lowercased() == "usd" }.reduce(Decimal(0)) { $0 + $1.availableBalance }
            let book = try await sim.orderBook(marketID: market.marketID, depth: 10)
            let ticker = try await sim.ticker(marketID: market.marketID)
            let open = try await sim.listOrders(query: ["market_id": market.marketID]).filter { !$0.isTerminal }
            let trades = try await sim.publicTrades(marketID: market.marketID)
            return ExchangeView(instrumentID: instrument.instrumentID, marketID: market.marketID, consumption: Units(exactly: consumption)?.rawValue ?? 0,
                                inventory: Units(exactly: inventory)?.rawValue ?? 0, usdAvailable: usd, bids: book.bids.map(\.level), asks: book.asks.map(\.level),
                                last: ticker.lastPrice, rules: market.orderControls?.rules ?? MarketRules(), openOrders: open.map(\.ticket),
                                publicTrades: trades.prefix(10).map(\.marketTrade),
                                exchangeTime: book.timestamp.flatMap(Timestamp.parse))
        }
    }

    func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        try await write("POST /v1/orders") { () async throws(SimulatorError) -> OrderTicket in try await sim.placeOrder(PlaceOrderRequest(order)).order.ticket }
    }

    func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? {
        try await read("GET /v1/orders?client_order_id") { () async throws(SimulatorError) -> OrderTicket? in
            var query = ["client_order_id": clientOrderID]
            if let marketID { query["market_id"] = marketID }
            return try await sim.listOrders(query: query).first?.ticket
        }
    }

    func order(id: String) async throws(ExchangeError) -> OrderTicket {
        try await read("GET /v1/orders/\(id)") { () async throws(SimulatorError) -> OrderTicket in try await sim.order(id: id).ticket }
    }

    func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] {
        try await read("GET /v1/trades") { () async throws(SimulatorError) -> [OrderFill] in await sim.listFills(query: ["order_id": orderID]).map(\.fill) }
    }

    func cancel(orderID: String) async throws(ExchangeError) {
        try await write("DELETE /v1/orders/\(orderID)") { () async throws(SimulatorError) in
            do throws(SimulatorError) {
                try await sim.cancelOrder(id: orderID)
            } catch {
                // Cancelling what is already cancelled succeeds, as the live client treats it.
                guard error.detail == GridAPIError.orderAlreadyCancelled else { throw error }
            }
        }
    }

    func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        try await write("POST /v1/transfers/trading-to-consumption") { () async throws(SimulatorError) -> String in
            try await sim.transfer(.tradingToConsumption, TransferRequest(instrumentID: instrumentID, quantity: quantity)).transferID
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
