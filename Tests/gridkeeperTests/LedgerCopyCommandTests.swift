import Foundation
import GridKeeperCore
import Ledger
import Testing
import TestSupport

/// `gridkeeper ledger copy` as an operator runs it: SQLite into PostgreSQL, the summary, and a
/// second copy refused.
@Suite struct LedgerCopyCommandTests {
    @Test func ledgerCopyMovesASQLiteLedgerIntoPostgreSQLAndRefusesToCopyTwice() async throws {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("gk-copycmd-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: db) }
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        do {
            let ledger = try Ledger(path: db)
            let cycle = try ledger.record(CycleRecord(
                startedAt: now, mode: .live, strategy: "keeper", instrument: "text-prime", snapshotDigest: "d",
                decisions: [DecisionRecord(rule: "restock", outcome: .fired, action: .buy, quantity: 4, price: Decimal(string: "2.45"), reason: "cheap")]))
            try ledger.reserve(Decimal(string: "9.80")!, for: OrderRecord(clientOrderID: "gk-1", mode: .live, instrument: "text-prime", marketID: "m",
                                                                          type: "limit", quantity: 4, limitPrice: Decimal(string: "2.45"),
                                                                          decisionID: cycle.decisionIDs[0]), at: now)
            try ledger.record(fills: [FillRecord(tradeID: "t-1", clientOrderID: "gk-1", quantity: 4, price: Decimal(string: "2.45")!, executedAt: now)], at: now)
            try ledger.record(marketSnapshots: [MarketSnapshotRecord(instrument: "text-prime", takenAt: now, bids: [.init(price: 2, quantity: 1)],
                                                                     asks: [.init(price: 3, quantity: 1)], last: nil)])
        }
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase(prefix: "copycmd")
        let bare = cluster.url(database: database, includePassword: false)
        let environment = ["PGPASSWORD": cluster.password]

        let copied = try await CLIRunner.run(["ledger", "copy", "--from", db, "--to", bare, "--json", "--time-zone", "UTC"], environment: environment)
        #expect(copied.status == 0, "\(copied.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(copied.stdout.utf8)) as? [String: Any])
        #expect(summary["from"] as? String == db && summary["to"] as? String == bare)
        #expect(summary["copied_rows"] as? Int == 6 && summary["verified_rows"] as? Int == 6)
        let tables = try #require(summary["tables"] as? [[String: Any]])
        #expect(tables.first { $0["name"] as? String == "fills" }?["rows"] as? Int == 1)
        let spend = try #require((summary["spend_buckets"] as? [[String: Any]])?.first)
        #expect(spend["instrument"] as? String == "text-prime" && spend["cost"] as? String == "9.8" && spend["units"] as? Int == 4)
        #expect(try cluster.psql("SELECT client_order_id, state FROM orders", database: database) == "gk-1|filled")

        let again = try await CLIRunner.run(["ledger", "copy", "--from", db, "--to", cluster.url(database: database)], environment: [:])
        #expect(again.status == 1)
        #expect(again.stderr.contains("is not empty") && again.stderr.contains("orders (1 rows)") && again.stderr.contains("nothing was changed"))
        #expect(!again.stderr.contains(cluster.password) && !again.stdout.contains(cluster.password))

        // People get a table of counts and the verification line.
        let other = try cluster.createDatabase(prefix: "copycmd")
        let text = try await CLIRunner.run(["ledger", "copy", "--from", db, "--to", cluster.url(database: other, includePassword: false)], environment: environment)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("market_snapshots") && text.stdout.contains("verified 6 rows"))
    }
}
