import ArgumentParser
import Foundation
import GridKeeperCore
import Ledger

/// Writes whole batches to a ledger until killed; used by the crash test.
struct LedgerStressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-stress",
        abstract: "Write batches to a ledger until stopped (for crash testing).",
        shouldDisplay: false
    )

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "Decisions per cycle.")
    var decisions: Int = 8

    func run() async throws {
        try await reportingFailures {
            let opened = try ledger.openOrCreate()
            var batch = 0
            FileHandle.standardOutput.write(Data("ready\n".utf8))
            while true {
                batch += 1
                let now = Date()
                let decisionRecords = (0..<decisions).map { DecisionRecord(rule: "r\($0)", outcome: .skipped, reason: "batch \(batch)") }
                do {
                    try opened.record(CycleRecord(startedAt: now, mode: .paper, strategy: "stress", instrument: "text-prime",
                                                  snapshotDigest: "batch-\(batch)", decisions: decisionRecords))
                    let id = "stress-\(ProcessInfo.processInfo.processIdentifier)-\(batch)"
                    try opened.reserve(Decimal(batch), for: OrderRecord(clientOrderID: id, mode: .paper, instrument: "text-prime", marketID: nil,
                                                                        type: "market", quantity: 1, limitPrice: nil), at: now)
                    _ = try opened.record(fills: [FillRecord(tradeID: id, clientOrderID: id, quantity: 1, price: 1, executedAt: now)], at: now)
                    try opened.record(marketSnapshots: (0..<50).map { i in
                        MarketSnapshotRecord(instrument: "s\(batch % 7)", takenAt: now.addingTimeInterval(Double(i) / 1000),
                                             bids: [.init(price: 2, quantity: i)], asks: [.init(price: 3, quantity: i)], last: nil)
                    })
                } catch {
                    throw CommandFailure(message: "\(error)")
                }
            }
        }
    }
}
