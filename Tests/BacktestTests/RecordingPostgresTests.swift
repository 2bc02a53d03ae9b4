import Foundation
import GridKeeperCore
import Ledger
import Testing
import TestSupport

@testable import Backtest

/// Recordings in a PostgreSQL ledger: imported, loaded and backtested from a `postgres://` URL
/// with the same result as from a SQLite file.
@Suite struct RecordingPostgresTests {
    @Test func aRecordingInPostgreSQLLoadsAndBacktestsLikeTheSameRecordingInSQLite() async throws {
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(database: try cluster.createDatabase(prefix: "rec"))
        var recording = SyntheticData.randomWalk(days: 0.5, every: 60, seed: 7)
        recording.balances = [(recording.books.times[0], 12), (recording.books.times[30], 9), (recording.books.times[200], 4)]
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("gk-recpg-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: db) }
        #expect(try RecordingIO.writeLedger(recording, to: db))
        #expect(try RecordingIO.writeLedger(recording, to: url), "an empty database is made a ledger and said so")
        #expect(try RecordingIO.writeLedger(recording, to: url) == false)

        let fromSQLite = try RecordingIO.load(path: db)
        let fromPostgres = try RecordingIO.load(path: url, instrument: "text-prime")
        RecordingTests.same(fromPostgres, recording)
        RecordingTests.same(fromPostgres, fromSQLite)
        #expect(fromPostgres.source?.contains(cluster.password) == false, "the recording names the ledger without its password")

        let strategy = try StrategyParser.parse("""
            strategy: keeper
            instrument: text-prime
            every: 5m
            budget: { daily: 40.00, max_unit_price: 5.00 }
            rules:
              - { name: restock, when: ask > 0, buy: { quantity: 1, order: limit, price: bid + tick, cancel_after: 15m } }
            """, file: "keeper.yaml")
        let a = try await Backtester.run(strategy, on: fromSQLite, store: MemoryLedger())
        let b = try await Backtester.run(strategy, on: fromPostgres, store: MemoryLedger())
        #expect(a.cycles > 0 && a.metrics.ordersPlaced > 0)
        #expect(a.metrics == b.metrics && a.cycles == b.cycles)
    }

    @Test func aMissingPostgreSQLLedgerIsNamedWithoutItsPassword() throws {
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(database: try cluster.createDatabase(prefix: "rec"))
        #expect {
            try RecordingIO.load(path: url)
        } throws: { error in
            let text = "\(error)"
            return text.contains("no ledger at") && !text.contains(cluster.password)
        }
    }
}
