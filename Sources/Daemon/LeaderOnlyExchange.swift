import Engine
import GridKeeperCore
import Logging

/// The exchange as a daemon sharing its ledger sees it: every order, cancel and transfer is
/// sent only while this daemon certainly leads (`Leadership.isLeading`, by its own monotonic
/// clock). A leader frozen after recording an order's reservation and woken after its lease ran
/// out therefore does not send the order; it is refused here as never sent, and the ledger
/// refuses whatever the old leader then tries to record.
struct LeaderOnlyExchange: Exchange {
    let base: any Exchange
    let leadership: Leadership

    var autoTransfers: Bool { base.autoTransfers }

    private func requireLeading(_ what: String) throws(ExchangeError) {
        guard leadership.isLeading else {
            throw .rejected("not sent: \(what) — this daemon no longer holds the shared ledger's lease")
        }
    }

    func view(instrument: String) async throws(ExchangeError) -> ExchangeView { try await base.view(instrument: instrument) }

    func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        try requireLeading("order \(order.clientOrderID)")
        return try await base.place(order)
    }

    func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? {
        try await base.order(clientOrderID: clientOrderID, marketID: marketID)
    }

    func order(id: String) async throws(ExchangeError) -> OrderTicket { try await base.order(id: id) }

    func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] { try await base.fills(orderID: orderID) }

    func cancel(orderID: String) async throws(ExchangeError) {
        try requireLeading("cancel of \(orderID)")
        try await base.cancel(orderID: orderID)
    }

    func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        try requireLeading("transfer of \(quantity) units")
        return try await base.transferToConsumption(instrumentID: instrumentID, quantity: quantity)
    }
}

extension Deployment {
    /// The cycle runner of a daemon that shares its ledger: the deployment's, over an exchange
    /// that sends nothing mutating unless `leadership` holds the lease.
    public func runner(leadingWith leadership: Leadership, logger: Logger) -> CycleRunner {
        factory.runner(exchange: LeaderOnlyExchange(base: exchange, leadership: leadership), ledger: ledger, logger: logger)
    }
}
