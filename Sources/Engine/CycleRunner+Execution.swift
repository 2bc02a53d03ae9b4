import Execution
import Foundation
import GridKeeperCore
import Ledger
import Logging

extension CycleRunner {
    // MARK: Execution

    func buy(strategy: Strategy, rule: String, decisionID: Int64, view: ExchangeView, quantity: Int, kind: Strategy.OrderKind,
                     limit: Decimal?, maxCost: Decimal, cancelAfter: Decimal?, at time: Date, report: inout CycleReport) async throws(EngineError) {
        let clientOrderID = Self.clientOrderID(strategy: strategy.name, instrument: strategy.instrument, rule: rule, cycle: time)
        // Budget is reserved, and the order recorded, before anything is sent.
        do {
            try ledger.reserve(maxCost, for: OrderRecord(
                clientOrderID: clientOrderID, mode: configuration.mode, instrument: strategy.instrument, marketID: view.marketID, type: kind.rawValue,
                quantity: quantity, limitPrice: limit, cancelAfter: cancelAfter.map { time.addingTimeInterval(NSDecimalNumber(decimal: $0).doubleValue) },
                decisionID: decisionID), at: time)
        } catch { throw .ledger(error) }
        let request = OrderRequest(clientOrderID: clientOrderID, marketID: view.marketID, quantity: quantity, limit: kind == .market ? nil : limit)
        let placed: OrderTicket
        do {
            placed = try await exchange.place(request)
        } catch {
            if error.isOutcomeUnknown {
                try record { () throws(LedgerError) in
                    try ledger.updateOrder(clientOrderID: clientOrderID, state: .unknown, reason: error.description, at: time)
                }
                report.errors.append("buy \(clientOrderID): outcome unknown; budget stays reserved until it is resolved")
            } else {
                try record { () throws(LedgerError) in
                    try ledger.updateOrder(clientOrderID: clientOrderID, state: .rejected, reason: error.description, at: time)
                }
                report.errors.append("buy \(clientOrderID) refused: \(error.description)")
            }
            return
        }
        try record { () throws(LedgerError) in
            try ledger.updateOrder(clientOrderID: clientOrderID, state: .open, exchangeOrderID: placed.id, at: time)
        }
        report.ordersPlaced += 1
        report.actions.append("placed \(kind.rawValue) buy \(quantity) \(limit.map { "@ \(ValueFormat.text($0, as: .price))" } ?? "at market") as \(clientOrderID) (\(rule))")
        // Record what filled straight away; later fills are picked up by reconciliation.
        if let order = try? await exchange.order(id: placed.id) {
            try await settle(clientOrderID: clientOrderID, order: order, at: time, report: &report)
        }
    }

    func transfer(strategy: Strategy, decisionID: Int64, view: ExchangeView, quantity: Int, at time: Date, report: inout CycleReport) async throws(EngineError) {
        let outcome: Result<String, ExchangeError>
        do {
            outcome = .success(try await exchange.transferToConsumption(instrumentID: view.instrumentID, quantity: quantity))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let transferID):
            try record { () throws(LedgerError) in
                try ledger.record(TransferRecord(transferID: transferID, mode: configuration.mode, instrument: strategy.instrument, quantity: quantity,
                                                 state: .done, at: time, decisionID: decisionID))
            }
            report.actions.append("moved \(quantity) unit\(quantity == 1 ? "" : "s") to consumption (\(transferID))")
        case .failure(let error):
            let state: TransferRecord.State = error.isOutcomeUnknown ? .unknown : .failed
            try record { () throws(LedgerError) in
                try ledger.record(TransferRecord(transferID: nil, mode: configuration.mode, instrument: strategy.instrument, quantity: quantity,
                                                 state: state, at: time, decisionID: decisionID))
            }
            report.errors.append("transfer of \(quantity) units: \(error.description)")
        }
    }

    func cancelOpen(strategy: Strategy, olderThan: Decimal?, at time: Date, report: inout CycleReport) async throws(EngineError) {
        let open: [LedgerOpenOrder]
        do { open = try ledger.openOrders(instrument: strategy.instrument) } catch { throw .ledger(error) }
        for order in CycleDecider.cancelTargets(open, olderThan: olderThan, at: time) {
            try await cancel(order, reason: "cancelled by rule", at: time, report: &report)
        }
    }

    func cancel(_ order: LedgerOpenOrder, reason: String, at time: Date, report: inout CycleReport) async throws(EngineError) {
        guard let id = order.exchangeOrderID else { return }
        do {
            try await exchange.cancel(orderID: id)
        } catch {
            report.errors.append("cancel \(order.clientOrderID): \(error.description)")
            return
        }
        if let final = try? await exchange.order(id: id) {
            try await settle(clientOrderID: order.clientOrderID, order: final, at: time, report: &report)
        } else {
            // Cancelled, but its final state could not be read: it stays open in the ledger and
            // the next reconciliation records its fills and state. Marking it cancelled now would
            // lose a fill made before the cancel, and the spend with it.
            report.actions.append("cancelled \(order.clientOrderID) (\(reason)); its final state is read next cycle")
            return
        }
        report.actions.append("cancelled \(order.clientOrderID) (\(reason))")
    }
}
