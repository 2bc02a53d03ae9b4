import ArgumentParser
import Foundation
import GRDB
import GridKeeperCore
import Ledger

/// Ledger write and read costs, each against a baseline in the same file and run.
struct LedgerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Market-snapshot inserts per second, spend-to-date latency on 1M fills, bytes per snapshot."
    )

    @Option(help: "Market snapshots to insert.")
    var snapshots: Int = 200_000

    @Option(help: "Snapshots per transaction.")
    var batch: Int = 1_000

    @Option(help: "Fills in the spend-to-date ledger.")
    var fills: Int = 1_000_000

    @Option(help: "Directory for the benchmark files (deleted afterwards).")
    var directory: String = NSTemporaryDirectory()

    @Option(help: ArgumentHelp("An empty PostgreSQL database to run the same measures on, beside SQLite (scripts/bench-ledger-postgres makes one).", valueName: "url"))
    var postgres: String?

    func run() async throws {
        let dir = (directory as NSString).appendingPathComponent("gk-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ContinuousClock()

        // 1. Snapshot inserts against a one-integer-column table, same batches.
        let path = dir + "/snapshots.sqlite"
        let ledger = try Ledger(path: path)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let records = (0..<snapshots).map { i in
            MarketSnapshotRecord(
                instrument: "text-prime", takenAt: start.addingTimeInterval(Double(i)),
                bids: (0..<5).map { .init(price: Decimal(249 - $0) / 100, quantity: 50 + $0) },
                asks: (0..<5).map { .init(price: Decimal(251 + $0) / 100, quantity: 40 + $0) }, last: Decimal(250) / 100)
        }
        let baselineQueue = try DatabasePool(path: dir + "/baseline.sqlite")
        try await baselineQueue.write { try $0.execute(sql: "CREATE TABLE t (a INTEGER)") }
        let baselineTime = try clock.measure {
            for chunk in stride(from: 0, to: snapshots, by: batch) {
                try baselineQueue.write { db in
                    let statement = try db.makeStatement(sql: "INSERT INTO t (a) VALUES (?)")
                    for i in chunk..<min(chunk + batch, snapshots) { try statement.execute(arguments: [i]) }
                }
            }
        }
        let sizeBefore = try Self.fileSize(path, ledger: path)
        let insertTime = try clock.measure {
            for chunk in stride(from: 0, to: snapshots, by: batch) {
                try ledger.record(marketSnapshots: Array(records[chunk..<min(chunk + batch, snapshots)]))
            }
        }
        let sizeAfter = try Self.fileSize(path, ledger: path)
        let baselineBytes = try Self.fileSize(dir + "/baseline.sqlite", ledger: nil)
        let insertRate = Double(snapshots) / insertTime.inSeconds
        let baselineRate = Double(snapshots) / baselineTime.inSeconds
        print(String(format: "market-snapshot inserts     %10.0f rows/s   (baseline one-column insert %10.0f rows/s, ratio %.2f)", insertRate, baselineRate, insertRate / baselineRate))
        print(String(format: "bytes per market snapshot   %10.1f        (5 levels a side; baseline one-column row %.1f)", Double(sizeAfter - sizeBefore) / Double(snapshots), Double(baselineBytes) / Double(snapshots)))

        // 2. Spend to date with `fills` fills spread over a year.
        let spendPath = dir + "/spend.sqlite"
        let spendLedger = try Ledger(path: spendPath)
        let yearMs: Int64 = 365 * 86_400_000
        let dayMs: Int64 = 86_400_000
        let fillCount = fills
        let first = start.ledgerMilliseconds - yearMs
        // One order a day, reserved when that day began, filled through the day: spend is
        // counted on the exchange's clock and on ours at reservation, so the orders' times
        // matter as much as the fills'.
        for day in 0..<365 {
            try spendLedger.reserve(1, for: Self.benchOrder(day), at: Date(ledgerMilliseconds: first + Int64(day) * dayMs))
        }
        let pool = try DatabasePool(path: spendPath)
        try await pool.write { db in
            let orderIDs = try Int64.fetchAll(db, sql: "SELECT id FROM orders ORDER BY created_ms")
            let statement = try db.makeStatement(sql: """
                INSERT INTO fills (trade_id, order_id, instrument, quantity, price_micros, fee_micros, cost_micros, executed_ms, recorded_ms)
                VALUES (?, ?, 'text-prime', ?, ?, 0, ?, ?, ?)
                """)
            for i in 0..<fillCount {
                let at = first + Int64(i) * yearMs / Int64(fillCount)
                let quantity = 1 + i % 5
                try statement.execute(arguments: ["t\(i)", orderIDs[Int((at - first) / dayMs)], quantity, 2_500_000, 2_500_000 * Int64(quantity), at, at])
            }
        }
        try pool.close()
        let zone = TimeZone(identifier: "America/New_York") ?? .gmt
        var spend = Spend(today: 0, month: 0, reserved: 0)
        let runs = 2_000
        let baselineRead = try clock.measure { for _ in 0..<runs { _ = try spendLedger.killSwitch() } }
        let spendRead = try clock.measure { for _ in 0..<runs { spend = try spendLedger.spend(asOf: start, timeZone: zone) } }
        let perSpend = spendRead.inSeconds / Double(runs) * 1e6
        let perBaseline = baselineRead.inSeconds / Double(runs) * 1e6
        print(String(format: "spend to date (%d fills)  %8.1f µs/call (baseline one-row read %.1f µs, ratio %.2f); month %@", fillCount, perSpend, perBaseline, perSpend / perBaseline, "\(spend.month)"))

        guard let postgres else { return }
        // 3. The same measures on PostgreSQL, one ledger for both (snapshots and fills do not meet).
        let pg = try PostgresLedger(location: try PostgresLocation(url: postgres), timeout: 60)
        defer { pg.close() }
        print("postgres \(pg.path)")
        let pgInsertTime = try clock.measure {
            for chunk in stride(from: 0, to: snapshots, by: batch) {
                try pg.record(marketSnapshots: Array(records[chunk..<min(chunk + batch, snapshots)]))
            }
        }
        let pgInsertRate = Double(snapshots) / pgInsertTime.inSeconds
        print(String(format: "  market-snapshot inserts   %10.0f rows/s   (SQLite %10.0f rows/s, PostgreSQL/SQLite %.2f)", pgInsertRate, insertRate, pgInsertRate / insertRate))
        for day in 0..<365 {
            try pg.reserve(1, for: Self.benchOrder(day), at: Date(ledgerMilliseconds: first + Int64(day) * dayMs))
        }
        let fillsTable = LedgerTable.copied.first { $0.name == "fills" }!
        let ordersTable = LedgerTable.copied.first { $0.name == "orders" }!
        let orderIDs = try pg.rows(of: ordersTable, partition: nil, after: nil, limit: 1000).compactMap { $0[0].integer }
        guard orderIDs.count == 365 else { throw ValidationError("\(pg.path): the bench orders were not recorded") }
        let fillTime = try clock.measure {
            try pg.importRows { sink in
                for chunk in stride(from: 0, to: fillCount, by: 10_000) {
                    let rows: [LedgerRow] = (chunk..<min(chunk + 10_000, fillCount)).map { i in
                        let at = first + Int64(i) * yearMs / Int64(fillCount)
                        let quantity = Int64(1 + i % 5)
                        return [.integer(Int64(i + 1)), .text("t\(i)"), .integer(orderIDs[Int((at - first) / dayMs)]), .text("text-prime"), .integer(quantity), .integer(2_500_000),
                                .integer(0), .integer(2_500_000 * quantity), .integer(at), .integer(at)]
                    }
                    try sink.insert(rows, into: fillsTable)
                }
            }
        }
        print(String(format: "  (loaded %d fills in %.1f s)", fillCount, fillTime.inSeconds))
        // A running database's autovacuum would have cleaned up after a million bucket updates.
        try pg.vacuumAnalyze()
        var pgSpend = Spend(today: 0, month: 0, reserved: 0)
        let pgRuns = 500
        let pgBaselineRead = try clock.measure { for _ in 0..<pgRuns { _ = try pg.killSwitch() } }
        let pgSpendRead = try clock.measure { for _ in 0..<pgRuns { pgSpend = try pg.spend(asOf: start, timeZone: zone) } }
        let pgPerSpend = pgSpendRead.inSeconds / Double(pgRuns) * 1e6
        let pgPerBaseline = pgBaselineRead.inSeconds / Double(pgRuns) * 1e6
        print(String(format: "  spend to date (%d fills) %8.1f µs/call (baseline one-row read %.1f µs; SQLite %.1f µs, PostgreSQL/SQLite %.2f); month %@%@",
                     fillCount, pgPerSpend, pgPerBaseline, perSpend, pgPerSpend / perSpend, "\(pgSpend.month)", pgSpend == spend ? "" : " (differs from SQLite!)"))
    }

    /// File size after folding the WAL into the main file.
    static func fileSize(_ path: String, ledger: String?) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        return (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }

    static func benchOrder(_ day: Int) -> OrderRecord {
        OrderRecord(clientOrderID: "bench-\(day)", mode: .backtest, instrument: "text-prime", marketID: nil, type: "market", quantity: 1, limitPrice: nil)
    }
}
