import Execution
import Foundation
import GridKeeperCore
import Ledger
import Logging

extension CycleRunner {
    // MARK: Reconciliation

    /// Brings the ledger's open orders up to date with the exchange.
    /// - Returns: client order ids whose outcome is still unknown.
    func reconcile(strategy: Strategy, view: ExchangeView, at time: Date, dry: Bool, report: inout CycleReport) async throws(EngineError) -> [String] {
        let open: [LedgerOpenOrder]
        do { open = try ledger.openOrders(instrument: strategy.instrument) } catch { throw .ledger(error) }
        var unresolved: [String] = []
        for order in open {
            do {
                let found: OrderTicket?
                if let id = order.exchangeOrderID {
                    found = try await exchange.order(id: id)
                } else {
                    found = try await exchange.order(clientOrderID: order.clientOrderID, marketID: order.marketID)
                }
                guard let exchangeOrder = found else {
                    if time.timeIntervalSince(order.createdAt) > configuration.missingOrderGrace {
                        try record { () throws(LedgerError) in
                            try ledger.updateOrder(clientOrderID: order.clientOrderID, state: .expired, reason: "never reached the exchange", at: time)
                        }
                        report.reconciled.append("\(order.clientOrderID): not on the exchange after \(Int(configuration.missingOrderGrace)) s; reservation released")
                    } else {
                        unresolved.append(order.clientOrderID)
                    }
                    continue
                }
                if order.state == .unknown || order.state == .pending {
                    report.reconciled.append("\(order.clientOrderID): found on the exchange as \(exchangeOrder.id) (\(exchangeOrder.status))")
                }
                // A resting order with no new fill has nothing to record: its fills are not read
                // again (two requests per open order per cycle otherwise).
                let unchanged = !exchangeOrder.status.isTerminal && order.exchangeOrderID != nil && (order.state == .open || order.state == .partiallyFilled)
                    && Units(exactly: exchangeOrder.filled)?.rawValue == order.filledQuantity
                if !unchanged {
                    try await settle(clientOrderID: order.clientOrderID, order: exchangeOrder, at: time, report: &report)
                }
                if !dry, !exchangeOrder.status.isTerminal, let deadline = order.cancelAfter, time >= deadline {
                    var withID = order
                    withID.exchangeOrderID = exchangeOrder.id
                    try await cancel(withID, reason: "cancel_after reached", at: time, report: &report)
                }
            } catch let error as EngineError {
                throw error
            } catch {
                report.errors.append("reconcile \(order.clientOrderID): \(error)")
                if order.state == .unknown || order.state == .pending { unresolved.append(order.clientOrderID) }
            }
        }
        return unresolved
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
