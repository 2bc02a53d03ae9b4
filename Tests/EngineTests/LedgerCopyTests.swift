import Daemon
import Foundation
import GridKeeperCore
import Ledger
import Testing
import TestSupport

/// `LedgerCopy`: a SQLite ledger with every kind of row copied into PostgreSQL, checked row by
/// row, and the destinations and differences it must refuse or report.
@Suite struct LedgerCopyTests {
    /// Near a month's end in New York, so spend periods differ by time zone.
    static let t0 = Date(timeIntervalSince1970: 1_790_809_200)  // 2026-09-30T23:00:00Z
    static let newYork = TimeZone(identifier: "America/New_York")!

    static func temp() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gk-copy-\(UUID().uuidString).sqlite").path
    }

    static func d(_ text: String) -> Decimal { Decimal(string: text)! }

    /// A SQLite ledger holding cycles with decisions, reservations and orders in every state,
    /// fills across midnight with fees, transfers, snapshots with depth, the kill switch, public
    /// trades and burn samples, for two instruments.
    static func populatedLedger(at path: String) throws -> Ledger {
        let ledger = try Ledger(path: path)
        var n = 0
        for (k, instrument) in ["text-prime", "code-prime"].enumerated() {
            for i in 0..<3 {
                let at = t0.addingTimeInterval(Double(i * 3600 + k * 60))
                let cycle = try ledger.record(CycleRecord(
                    startedAt: at, mode: .live, strategy: "keeper-\(instrument)", instrument: instrument, snapshotDigest: "d\(i)",
                    note: i == 1 ? "note with ünïcode" : nil,
                    decisions: [
                        DecisionRecord(rule: "restock", outcome: .fired, action: .buy, quantity: 4, price: d("2.45"), reason: "ask ≤ avg × 0.98",
                                       inputs: ["ask": "2.45", "avg": "2.51"]),
                        DecisionRecord(rule: "feed", outcome: .skipped, reason: "runway 3h ≥ 90m"),
                        DecisionRecord(rule: "transfer", outcome: .fired, action: .transfer, quantity: 2, reason: "runway < 90m"),
                    ]))
                n += 1
                let id = "gk-\(instrument)-\(i)"
                try ledger.reserve(d("9.80"), for: OrderRecord(clientOrderID: id, mode: .live, instrument: instrument, marketID: "m-\(k)", type: "limit",
                                                               quantity: 4, limitPrice: d("2.45"), cancelAfter: at.addingTimeInterval(900),
                                                               decisionID: cycle.decisionIDs[0]), at: at)
                switch i {
                case 0:
                    try ledger.updateOrder(clientOrderID: id, state: .open, exchangeOrderID: "ex-\(id)", at: at)
                    try ledger.record(fills: [FillRecord(tradeID: "t-\(id)-a", clientOrderID: id, quantity: 4, price: d("2.45"), fee: d("0.012345"),
                                                         executedAt: at.addingTimeInterval(7_200))], at: at.addingTimeInterval(7_300))
                case 1:
                    try ledger.updateOrder(clientOrderID: id, state: .open, exchangeOrderID: "ex-\(id)", at: at)
                    try ledger.record(fills: [FillRecord(tradeID: "t-\(id)-b", clientOrderID: id, quantity: 1, price: d("2.44"), executedAt: at)],
                                      at: at.addingTimeInterval(5))
                    try ledger.updateOrder(clientOrderID: id, state: .cancelled, reason: "cancel_after passed", at: at.addingTimeInterval(900))
                default:
                    break  // left pending: an open reservation
                }
                try ledger.record(TransferRecord(transferID: i == 2 ? nil : "tr-\(id)", mode: .live, instrument: instrument, quantity: 2,
                                                 state: i == 2 ? .unknown : .done, at: at, decisionID: cycle.decisionIDs[2]))
            }
            try ledger.record(marketSnapshots: (0..<20).map { i in
                MarketSnapshotRecord(instrument: instrument, takenAt: t0.addingTimeInterval(Double(i * 60)),
                                     bids: (0..<(i % 4)).map { .init(price: Decimal(249 - $0 - i) / 100, quantity: 50 + $0) },
                                     asks: (0..<3).map { .init(price: Decimal(251 + $0 + i) / 100, quantity: 40 + $0) },
                                     last: i % 5 == 0 ? nil : Decimal(250 + i) / 100)
            })
            try ledger.record(balanceSnapshots: (0..<5).map { i in
                BalanceSnapshotRecord(instrument: instrument, takenAt: t0.addingTimeInterval(Double(i * 600)), usd: i == 2 ? nil : d("100.25"),
                                      tradingUnits: 10 - i, consumptionUnits: i == 3 ? nil : 20 - i)
            })
            try ledger.record(publicTrades: (0..<5).map { i in
                PublicTradeRecord(instrument: instrument, tradedAt: t0.addingTimeInterval(Double(i * 30)), tradeID: i == 4 ? nil : "p-\(k)-\(i)",
                                  price: Decimal(250 + i) / 100, quantity: 1 + i)
            })
            try ledger.record(burnSamples: (0..<3).map { i in
                BurnSampleRecord(instrument: instrument, at: t0.addingTimeInterval(Double(i * 3600)), unitsPerHour: Decimal(1500 + i) / 1000)
            })
        }
        try ledger.setKillSwitch(engaged: true, reason: "invoice review", by: "ops", at: t0)
        try ledger.setKillSwitch(engaged: false, reason: "done", by: "ops", at: t0.addingTimeInterval(60))
        #expect(n == 6)
        return ledger
    }

    static func freshURL() throws -> (cluster: PostgresCluster, database: String, url: String) {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase(prefix: "copy")
        return (cluster, database, cluster.url(database: database))
    }

    @Test func aSQLiteLedgerCopiesIntoPostgreSQLRowForRowWithTheSameSpend() throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try Self.populatedLedger(at: path)
        let (cluster, _, url) = try Self.freshURL()
        var notes: [String] = []
        let summary = try LedgerCopy.copy(from: path, to: url, now: Self.t0.addingTimeInterval(4 * 3600), timeZone: Self.newYork) { notes.append($0) }

        let counts = try source.tableRowCounts()
        #expect(summary.tables.map(\.name) == LedgerTable.copied.map(\.name))
        for table in summary.tables { #expect(table.rows == counts[table.name], "\(table.name)") }
        #expect(Dictionary(uniqueKeysWithValues: summary.tables.map { ($0.name, $0.rows) }) == [
            "cycles": 6, "decisions": 18, "budget_reservations": 6, "orders": 6, "fills": 4, "transfers": 6, "balance_snapshots": 10,
            "market_snapshots": 40, "kill_switch": 2, "public_trades": 10, "burn_samples": 6,
        ])
        #expect(summary.copiedRows == 114 && summary.verifiedRows == 114)
        #expect(summary.spendBuckets.map(\.instrument) == ["code-prime", "text-prime"])
        #expect(summary.spendBuckets.allSatisfy { $0.units == 5 && $0.cost == Self.d("12.252345") })
        #expect(summary.spendInstantsCompared == 3 * 2 * 3)
        #expect(summary.to == cluster.url(database: url.split(separator: "/").last.map(String.init)!, includePassword: false))
        #expect(notes.isEmpty, "no progress lines for a small ledger")

        // The copy answers as the source does, in other zones and at other times too.
        let copy = try LedgerOpener.open(url, create: false)
        for hours: Double in [-30, 0, 2.5, 3, 26, 960] {
            for zone in [Self.newYork, TimeZone(identifier: "Asia/Tokyo")!] {
                for instrument in [nil, "text-prime", "code-prime"] {
                    let at = Self.t0.addingTimeInterval(hours * 3600)
                    #expect(try copy.spend(asOf: at, timeZone: zone, instrument: instrument) == source.spend(asOf: at, timeZone: zone, instrument: instrument))
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for at in [Self.t0, Self.t0.addingTimeInterval(5 * 3600)] {
            let a = String(decoding: try encoder.encode(copy.status(asOf: at, timeZone: Self.newYork)), as: UTF8.self)
            let b = String(decoding: try encoder.encode(source.status(asOf: at, timeZone: Self.newYork)), as: UTF8.self)
            #expect(a.replacingOccurrences(of: copy.path, with: "LEDGER") == b.replacingOccurrences(of: source.path, with: "LEDGER"))
        }
        #expect(try copy.history(since: .distantPast, includeSkipped: true) == source.history(since: .distantPast, includeSkipped: true))
        #expect(try copy.killSwitch() == source.killSwitch())
        #expect(try copy.openOrders(instrument: "text-prime") == source.openOrders(instrument: "text-prime"))

        // Identities follow the copied ids: the next cycle is number 7.
        let next = try copy.record(CycleRecord(startedAt: Self.t0, mode: .live, strategy: "s", instrument: "text-prime", snapshotDigest: "x", decisions: []))
        #expect(next.cycleID == 7)
    }

    @Test func aDestinationThatHoldsAnythingIsRefusedUnchanged() throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Self.populatedLedger(at: path)
        let (cluster, database, url) = try Self.freshURL()
        _ = try LedgerCopy.copy(from: path, to: url, now: Self.t0, timeZone: Self.newYork)
        let destination = try #require(try LedgerOpener.open(url, create: false) as? any LedgerRowAccess)
        let before = try destination.tableRowCounts()
        #expect {
            try LedgerCopy.copy(from: path, to: url, now: Self.t0, timeZone: Self.newYork)
        } throws: { error in
            guard case LedgerCopyError.destinationNotEmpty(_, let holds) = error else { return false }
            let text = "\(error)"
            return holds.contains("orders (6 rows)") && text.contains("nothing was changed") && !text.contains(cluster.password)
        }
        #expect(try destination.tableRowCounts() == before)

        // A ledger holding only a kill switch row is not empty either.
        let other = try cluster.createDatabase(prefix: "copy")
        try LedgerOpener.open(cluster.url(database: other)).setKillSwitch(engaged: true, reason: "r", by: "ops", at: Self.t0)
        #expect(throws: LedgerCopyError.destinationNotEmpty(path: cluster.url(database: other, includePassword: false), holds: ["kill_switch (1 rows)"])) {
            try LedgerCopy.copy(from: path, to: cluster.url(database: other), now: Self.t0, timeZone: Self.newYork)
        }
        #expect(try cluster.psql("SELECT count(*) FROM kill_switch", database: database) == "2")
    }

    @Test func theSourceMustExistAndDifferFromTheDestination() throws {
        let (cluster, database, url) = try Self.freshURL()
        let missing = Self.temp()
        #expect {
            try LedgerCopy.copy(from: missing, to: url, now: Self.t0, timeZone: .gmt)
        } throws: { error in
            "\(error)".contains("no ledger at \(missing)")
        }
        #expect(!FileManager.default.fileExists(atPath: missing), "the source is never created")
        #expect(try cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: database) == "0", "nor the destination")
        #expect(throws: LedgerCopyError.sameLedger(cluster.url(database: database, includePassword: false).replacingOccurrences(of: "@", with: ":***@"))) {
            try LedgerCopy.copy(from: url, to: url, now: Self.t0, timeZone: .gmt)
        }
    }

    @Test func aCopyThatFailsHalfwayLeavesTheDestinationEmpty() throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try Self.populatedLedger(at: path)
        // SQLite keeps any 64-bit integer; PostgreSQL's INTEGER position refuses this one, after the cycles went in.
        let decisions = try #require(LedgerTable.copied.first { $0.name == "decisions" })
        try source.importRows { sink in
            try sink.insert([[.integer(99), .integer(1), .integer(3_000_000_000), .text("r"), .text("skipped"), .null, .null, .null, .text("why"), .text("{}")]],
                            into: decisions)
        }
        let (_, _, url) = try Self.freshURL()
        #expect {
            try LedgerCopy.copy(from: path, to: url, now: Self.t0, timeZone: .gmt)
        } throws: { error in
            let text = "\(error)"
            return text.contains("decisions") && text.contains("out of range") && text.contains("nothing was copied")
        }
        let destination = try #require(try LedgerOpener.open(url, create: false) as? any LedgerRowAccess)
        #expect(try destination.tableRowCounts().values.allSatisfy { $0 == 0 })
        let next = try destination.record(CycleRecord(startedAt: Self.t0, mode: .live, strategy: "s", instrument: "text-prime", snapshotDigest: "x", decisions: []))
        #expect(next.cycleID == 1, "the rolled-back copy left no identity behind")
    }

    @Test(arguments: [
        ("UPDATE orders SET state_reason = 'tampered' WHERE id = 3", "orders row id=3, column state_reason: the source has NULL, the destination 'tampered'"),
        ("DELETE FROM market_snapshots WHERE instrument = 'code-prime' AND taken_ms = (SELECT MAX(taken_ms) FROM market_snapshots)",
         "market_snapshots: the source's row instrument=code-prime, taken_ms=1790810340000 is missing from the destination"),
        ("UPDATE spend_buckets SET cost_micros = cost_micros + 1 WHERE bucket_ms = (SELECT MIN(bucket_ms) FROM spend_buckets WHERE instrument = 'text-prime') AND instrument = 'text-prime'",
         "spend_buckets for text-prime: the source sums to 12.252345 USD, 5 units, the destination to 12.252346 USD, 5 units"),
        ("INSERT INTO burn_samples VALUES ('zeta-prime', 1, 1)", "burn_samples: instrument values differ; only in the source: [], only in the destination: [\"zeta-prime\"]"),
    ])
    func aCopyThatDiffersFromItsSourceIsReportedAtTheFirstDifference(change: String, report: String) throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try Self.populatedLedger(at: path)
        let (cluster, database, url) = try Self.freshURL()
        _ = try LedgerCopy.copy(from: path, to: url, now: Self.t0, timeZone: Self.newYork)
        _ = try cluster.psql(change, database: database)
        let destination = try #require(try LedgerOpener.open(url, create: false) as? any LedgerRowAccess)
        #expect(throws: LedgerCopyError.mismatch(report)) {
            try LedgerCopy.verify(source: source, destination: destination, now: Self.t0, timeZone: Self.newYork)
        }
    }
}
