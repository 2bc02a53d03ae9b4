import Execution
import Foundation
import GridKeeperCore
import Ledger
import Logging

extension CycleRunner {
    // MARK: Reconciliation

    /// What reconciliation leaves: the orders still open in the ledger, and those whose
    /// outcome is still unknown.
    struct Reconciled {
        var open: [LedgerOpenOrder]
        var unresolved: [String]
    }

    /// Brings the ledger's open orders up to date with the exchange (`CycleDecider.settlement`
    /// decides for each). The open orders are read again only when something was written.
    func reconcile(strategy: Strategy, at time: Date, dry: Bool, report: inout CycleReport) async throws(EngineError) -> Reconciled {
        let open: [LedgerOpenOrder]
        do { open = try ledger.openOrders(instrument: strategy.instrument) } catch { throw .ledger(error) }
        var unresolved: [String] = []
        var wrote = false
        for order in open {
            do {
                let found: OrderTicket?
                if let id = order.exchangeOrderID {
                    found = try await exchange.order(id: id)
                } else {
                    found = try await exchange.order(clientOrderID: order.clientOrderID, marketID: order.marketID)
                }
                switch CycleDecider.settlement(of: order, on: found, at: time, grace: configuration.missingOrderGrace,
                                                     leaseHeldSince: ledger.leaseHeldSince, dry: dry) {
                case .wait:
                    unresolved.append(order.clientOrderID)
                case .expire:
                    wrote = true
                    try record { () throws(LedgerError) in
                        try ledger.updateOrder(clientOrderID: order.clientOrderID, state: .expired, reason: "never reached the exchange", at: time)
                    }
                    report.reconciled.append("\(order.clientOrderID): not on the exchange after \(Int(configuration.missingOrderGrace)) s; reservation released")
                case .settle(let changed, let cancel):
                    guard let exchangeOrder = found else { continue }
                    if order.state == .unknown || order.state == .pending {
                        report.reconciled.append("\(order.clientOrderID): found on the exchange as \(exchangeOrder.id) (\(exchangeOrder.status))")
                    }
                    if changed {
                        wrote = true
                        try await settle(clientOrderID: order.clientOrderID, order: exchangeOrder, at: time, report: &report)
                    }
                    if cancel {
                        wrote = true
                        var withID = order
                        withID.exchangeOrderID = exchangeOrder.id
                        try await self.cancel(withID, reason: "cancel_after reached", at: time, report: &report)
                    }
                }
            } catch let error as EngineError {
                throw error
            } catch {
                report.errors.append("reconcile \(order.clientOrderID): \(error)")
                if order.state == .unknown || order.state == .pending { unresolved.append(order.clientOrderID) }
            }
        }
        guard wrote else { return Reconciled(open: open, unresolved: unresolved) }
        do { return Reconciled(open: try ledger.openOrders(instrument: strategy.instrument), unresolved: unresolved) } catch { throw .ledger(error) }
    }

    /// Records an exchange order's fills and state in the ledger.
    func settle(clientOrderID: String, order: OrderTicket, at time: Date, report: inout CycleReport) async throws(EngineError) {
        let trades: [OrderFill]
        do { trades = try await exchange.fills(orderID: order.id) } catch {
            report.errors.append("fills of \(order.id): \(error.description)")
            return
        }
        let fills = trades.compactMap { trade -> FillRecord? in
            guard let quantity = Units(exactly: trade.quantity)?.rawValue, quantity > 0 else { return nil }
            return FillRecord(tradeID: trade.tradeID, clientOrderID: clientOrderID, quantity: quantity, price: trade.price, fee: trade.fee,
                              executedAt: trade.executedAt ?? time)
        }
        try record { () throws(LedgerError) in
            let added = try ledger.record(fills: fills, at: time)
            report.fillsRecorded += added
            if added > 0 { report.reconciled.append("\(clientOrderID): \(added) new fill\(added == 1 ? "" : "s")") }
            let state: OrderState = switch order.status {
            case .filled: .filled
            case .cancelled: .cancelled
            case .rejected: .rejected
            case .expired: .expired
            case .partiallyFilled: .partiallyFilled
            case .open, .other: .open
            }
            try ledger.updateOrder(clientOrderID: clientOrderID, state: state, exchangeOrderID: order.id, at: time)
        }
    }

    func record(_ body: () throws(LedgerError) -> Void) throws(EngineError) {
        do { try body() } catch { throw .ledger(error) }
    }
}
