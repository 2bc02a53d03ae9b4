import Foundation
import GridKeeperCore
import Ledger

/// The writes of a trading cycle, batch after batch, for the crash test
/// (`gridkeeper ledger-stress`): a cycle with its decisions, a reservation with a fill, and
/// fifty market snapshots, each batch in the ledger's own transactions.
public enum LedgerStress {
    /// Writes batch number `batch` (from 1) with `decisions` decisions, all stamped `time`.
    /// - Throws: `DeploymentError.unavailable` when the ledger refuses a write.
    public static func write(batch: Int, decisions: Int, into ledger: any LedgerDatabase, at time: Date) throws(DeploymentError) {
        let decisionRecords = (0..<decisions).map { DecisionRecord(rule: "r\($0)", outcome: .skipped, reason: "batch \(batch)") }
        do {
            try ledger.record(CycleRecord(startedAt: time, mode: .paper, strategy: "stress", instrument: "text-prime",
                                          snapshotDigest: "batch-\(batch)", decisions: decisionRecords))
            let id = "stress-\(ProcessInfo.processInfo.processIdentifier)-\(batch)"
            try ledger.reserve(Decimal(batch), for: OrderRecord(clientOrderID: id, mode: .paper, instrument: "text-prime", marketID: nil,
                                                                type: "market", quantity: 1, limitPrice: nil), at: time)
            _ = try ledger.record(fills: [FillRecord(tradeID: id, clientOrderID: id, quantity: 1, price: 1, executedAt: time)], at: time)
            try ledger.record(marketSnapshots: (0..<50).map { i in
                MarketSnapshotRecord(instrument: "s\(batch % 7)", takenAt: time.addingTimeInterval(Double(i) / 1000),
                                     bids: [.init(price: 2, quantity: i)], asks: [.init(price: 3, quantity: i)], last: nil)
            })
        } catch {
            throw .unavailable("\(error)")
        }
    }
}
