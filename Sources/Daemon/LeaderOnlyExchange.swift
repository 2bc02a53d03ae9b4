import Engine
import GridAPI
import GridKeeperCore
import Logging

/// The exchange as a daemon sharing its ledger sees it: every order, cancel and transfer is
/// sent only while this daemon certainly leads (`Leadership.isLeading`, by its own monotonic
/// clock). A leader frozen after recording an order's reservation and woken after its lease ran
/// out therefore does not send the order; it is refused here as never sent, and the ledger
/// refuses whatever the old leader then tries to record.
///
/// The check is made twice: before the call, and by the HTTP client after it has signed the
/// request and before it sends it (`SendGate`). The second check bounds the one window left:
/// a request that leaves after a freeze carries the time of its signature, which came before
/// the last check that passed, and the exchange refuses it 30 s after that time.
struct LeaderOnlyExchange: Exchange {
    let base: any Exchange
    /// Whether this process certainly still holds the lease (by its monotonic clock).
    let isLeading: @Sendable () -> Bool

    init(base: any Exchange, leadership: Leadership) {
        self.init(base: base) { leadership.isLeading }
    }

    init(base: any Exchange, isLeading: @escaping @Sendable () -> Bool) {
        self.base = base
        self.isLeading = isLeading
    }

    var autoTransfers: Bool { base.autoTransfers }

    private func requireLeading(_ what: String) throws(ExchangeError) {
        guard isLeading() else {
            throw .rejected("not sent: \(what) — \(Self.notLeading)")
        }
    }

    private static let notLeading = "this daemon no longer holds the shared ledger's lease"

    /// Runs `body` with the client's last check before sending bound to this daemon's lease.
    private func gated<T: Sendable>(_ body: () async throws(ExchangeError) -> T) async throws(ExchangeError) -> T {
        let isLeading = isLeading
        let gate: @Sendable (String) throws -> Void = { _ in
            guard isLeading() else { throw LeaseLost() }
        }
        do {
            return try await SendGate.$check.withValue(gate) { try await body() }
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw .rejected("\(error)")
        }
    }

    private struct LeaseLost: Error, CustomStringConvertible {
        var description: String { LeaderOnlyExchange.notLeading }
    }

    func view(instrument: String) async throws(ExchangeError) -> ExchangeView { try await base.view(instrument: instrument) }

    func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        try requireLeading("order \(order.clientOrderID)")
        return try await gated { () throws(ExchangeError) in try await base.place(order) }
    }

    func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? {
        try await base.order(clientOrderID: clientOrderID, marketID: marketID)
    }

    func order(id: String) async throws(ExchangeError) -> OrderTicket { try await base.order(id: id) }

    func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] { try await base.fills(orderID: orderID) }

    func cancel(orderID: String) async throws(ExchangeError) {
        try requireLeading("cancel of \(orderID)")
        try await gated { () throws(ExchangeError) in try await base.cancel(orderID: orderID) }
    }

    func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        try requireLeading("transfer of \(quantity) units")
        return try await gated { () throws(ExchangeError) in try await base.transferToConsumption(instrumentID: instrumentID, quantity: quantity) }
    }
}

extension Deployment {
    /// The cycle runner of a daemon that shares its ledger: the deployment's, over an exchange
    /// that sends nothing mutating unless `leadership` holds the lease.
    public func runner(leadingWith leadership: Leadership, logger: Logger) -> CycleRunner {
        factory.runner(exchange: LeaderOnlyExchange(base: exchange, leadership: leadership), ledger: ledger, logger: logger)
    }
}
