import Foundation
import GRDB
import GridKeeperCore
import Testing

@testable import Ledger

@Suite struct LedgerTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21T14:13:20Z
    static func dec(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }

    static func order(_ id: String, quantity: Int = 10, price: String? = "2.50", type: String = "limit") -> OrderRecord {
        OrderRecord(clientOrderID: id, mode: .live, instrument: "text-prime", marketID: "m", type: type, quantity: quantity,
                    limitPrice: price.map(dec))
    }

    @Test(arguments: LedgerBackend.allCases)
    func migrationsApplyOnceAndAreRecorded(_ backend: LedgerBackend) throws {
        let ledger = try backend.make()
        let status = try ledger.schemaStatus()
        #expect(status.map(\.name) == backend.migrations.map(\.name))
        #expect(status.allSatisfy { $0.isApplied })
        #expect(backend.migrations.map(\.name).prefix(4) == Migration.bundled.map(\.name).prefix(4), "PostgreSQL keeps SQLite's steps")
        try ledger.checkIntegrity()
        if let sqlite = ledger as? Ledger { #expect(try sqlite.integrityCheck() == "ok") }
    }

    @Test(arguments: LedgerBackend.allCases)
    func aCycleAndItsDecisionsAreRecordedTogether(_ backend: LedgerBackend) throws {
        let ledger = try backend.make()
        let recorded = try ledger.record(CycleRecord(
            startedAt: Self.t0, mode: .live, strategy: "keeper", instrument: "text-prime", snapshotDigest: "abc",
            decisions: [
                DecisionRecord(rule: "feed", outcome: .fired, action: .transfer, quantity: 5, reason: "runway 40m < 1h", inputs: ["runway": "40m"]),
                DecisionRecord(rule: "restock", outcome: .skipped, reason: "ask 2.60 > 2.45"),
            ]))
        #expect(recorded.decisionIDs.count == 2)
        let history = try ledger.history(since: Self.t0.addingTimeInterval(-1))
        #expect(history.map(\.subject) == ["feed"], "skipped rules are hidden by default")
        #expect(try ledger.history(since: Self.t0.addingTimeInterval(-1), includeSkipped: true).count == 2)
        // A decision that cannot be stored leaves no half-written cycle.
        #expect(throws: LedgerError.self) {
            try ledger.record(CycleRecord(startedAt: Self.t0, mode: .live, strategy: "keeper", instrument: "text-prime", snapshotDigest: "x",
                                          decisions: [DecisionRecord(rule: "bad", outcome: .fired, action: .buy, quantity: 1, price: Self.dec("0.0000001"), reason: "")]))
        }
        #expect(try ledger.status(asOf: Self.t0, timeZone: .gmt).lastCycle?.strategy == "keeper")
    }

    @Test(arguments: LedgerBackend.allCases)
    func reservationsCountAsSpendUntilSettledByFills(_ backend: LedgerBackend) throws {
        let ledger = try backend.make()
        let day = TimeZone.gmt
        try ledger.reserve(Self.dec("25.00"), for: Self.order("gk-1"), at: Self.t0)
        #expect(try ledger.spend(asOf: Self.t0, timeZone: day) == Spend(today: 25, month: 25, reserved: 25))
        #expect(throws: LedgerError.self) { try ledger.reserve(1, for: Self.order("gk-1"), at: Self.t0) }

        try ledger.updateOrder(clientOrderID: "gk-1", state: .open, exchangeOrderID: "order_1", at: Self.t0)
        let added = try ledger.record(fills: [
            FillRecord(tradeID: "t1", clientOrderID: "gk-1", quantity: 4, price: Self.dec("2.40"), executedAt: Self.t0),
            FillRecord(tradeID: "t1", clientOrderID: "gk-1", quantity: 4, price: Self.dec("2.40"), executedAt: Self.t0),
        ], at: Self.t0)
        #expect(added == 1, "a trade is recorded once")
        // 9.60 spent, 15.40 still held.
        #expect(try ledger.spend(asOf: Self.t0, timeZone: day) == Spend(today: 25, month: 25, reserved: Self.dec("15.40")))
        _ = try ledger.record(fills: [FillRecord(tradeID: "t2", clientOrderID: "gk-1", quantity: 6, price: Self.dec("2.45"), fee: Self.dec("0.01"), executedAt: Self.t0)], at: Self.t0)
        // Filled: the reservation is consumed and the unspent 0.69 released.
        let spend = try ledger.spend(asOf: Self.t0, timeZone: day)
        #expect(spend == Spend(today: Self.dec("24.31"), month: Self.dec("24.31"), reserved: 0))
        let status = try ledger.status(asOf: Self.t0, timeZone: day)
        #expect(status.openOrders.isEmpty && status.openReservations.isEmpty)
    }

    @Test func spendIsKeptPerInstrumentAndCarriedOverFromTheFirstSchema() throws {
        // A ledger written by schema 1 (one spend total) is migrated to per-instrument spend.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gk-spend-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        func buy(_ ledger: Ledger, _ id: String, _ instrument: String, _ units: Int, _ price: String) throws {
            try ledger.reserve(Decimal(units) * Self.dec(price), for: OrderRecord(clientOrderID: id, mode: .live, instrument: instrument, marketID: "m",
                                                                              type: "market", quantity: units, limitPrice: nil), at: Self.t0)
            _ = try ledger.record(fills: [FillRecord(tradeID: "t-" + id, clientOrderID: id, quantity: units, price: Self.dec(price), executedAt: Self.t0)], at: Self.t0)
        }
        do {
            let old = try Ledger(path: path, migrations: Array(Migration.bundled.prefix(1)))
            try buy(old, "gk-a", "text-prime", 4, "2.50")
            try buy(old, "gk-b", "code-prime", 2, "3.00")
        }
        // Schema 1 kept one spend total (the current code reads only the current schema).
        let total = try DatabaseQueue(path: path).read { db in try Int64.fetchOne(db, sql: "SELECT SUM(cost_micros) FROM spend_buckets") }
        #expect(total == 16_000_000)
        let ledger = try Ledger(path: path)
        #expect(try ledger.migrationStatus().allSatisfy(\.isApplied))
        try buy(ledger, "gk-c", "text-prime", 1, "2.00")
        try ledger.reserve(5, for: OrderRecord(clientOrderID: "gk-d", mode: .live, instrument: "code-prime", marketID: "m", type: "market", quantity: 1, limitPrice: nil), at: Self.t0)
        #expect(try ledger.spend(asOf: Self.t0, timeZone: .gmt, instrument: "text-prime") == Spend(today: 12, month: 12, reserved: 0))
        #expect(try ledger.spend(asOf: Self.t0, timeZone: .gmt, instrument: "code-prime") == Spend(today: 11, month: 11, reserved: 5))
        #expect(try ledger.spend(asOf: Self.t0, timeZone: .gmt) == Spend(today: 23, month: 23, reserved: 5))
        #expect(try ledger.spend(asOf: Self.t0, timeZone: .gmt, instrument: "image-prime").today == 0)
        #expect(try ledger.orderModes() == [.live])
    }

    @Test(arguments: LedgerBackend.allCases)
    func cancelledOrdersReleaseTheirReservation(_ backend: LedgerBackend) throws {
        let ledger = try backend.make()
        try ledger.reserve(Self.dec("10"), for: Self.order("gk-2", quantity: 4), at: Self.t0)
        try ledger.updateOrder(clientOrderID: "gk-2", state: .unknown, reason: "timeout", at: Self.t0)
        #expect(try ledger.status(asOf: Self.t0, timeZone: .gmt).openOrders.map(\.state) == ["unknown"])
        try ledger.updateOrder(clientOrderID: "gk-2", state: .cancelled, exchangeOrderID: "order_2", at: Self.t0)
        #expect(try ledger.spend(asOf: Self.t0, timeZone: .gmt) == Spend(today: 0, month: 0, reserved: 0))
        #expect(throws: LedgerError.self) { try ledger.updateOrder(clientOrderID: "nope", state: .filled, at: Self.t0) }
        #expect(throws: LedgerError.self) {
            try ledger.record(fills: [FillRecord(tradeID: "t9", clientOrderID: "nope", quantity: 1, price: 1, executedAt: Self.t0)], at: Self.t0)
        }
    }

    @Test(arguments: [
        // (time zone offset hours, fill time offset from t0 in hours, counts today)
        // t0 is 14:13Z: 23:13 in UTC+9 (midnight was 15:00Z the day before), 04:13 in UTC−10.
        (0, -1.0, true), (0, -15.0, false), (9, -23.0, true), (9, -24.0, false), (-10, -5.0, false), (-10, -4.0, true),
    ] as [(Int, Double, Bool)], LedgerBackend.allCases)
    func spendTodayFollowsTheTimeZone(_ when: (Int, Double, Bool), _ backend: LedgerBackend) throws {
        let (offsetHours, fillHours, today) = when
        let ledger = try backend.make()
        let fillTime = Self.t0.addingTimeInterval(fillHours * 3600)
        try ledger.reserve(5, for: Self.order("gk-z", quantity: 2), at: fillTime)
        _ = try ledger.record(fills: [FillRecord(tradeID: "z", clientOrderID: "gk-z", quantity: 2, price: Self.dec("2.50"), executedAt: fillTime)], at: fillTime)
        let zone = TimeZone(secondsFromGMT: offsetHours * 3600)!
        let spend = try ledger.spend(asOf: Self.t0, timeZone: zone)
        #expect(spend.today == (today ? 5 : 0))
        #expect(spend.month == 5)
    }

    @Test(arguments: LedgerBackend.allCases)
    func marketAndBalanceHistoryRoundTripExactly(_ backend: LedgerBackend) throws {
        let ledger = try backend.make()
        let snapshots = (0..<5).map { i in
            MarketSnapshotRecord(instrument: "text-prime", takenAt: Self.t0.addingTimeInterval(Double(i) * 60),
                                 bids: [.init(price: Self.dec("2.49"), quantity: 50), .init(price: Self.dec("2.48"), quantity: 20)],
                                 asks: [.init(price: Self.dec("2.51") + Decimal(i) / 100, quantity: 40)], last: i == 0 ? nil : Self.dec("2.505"))
        }
        try ledger.record(marketSnapshots: snapshots)
        let read = try ledger.marketHistory(instrument: "text-prime", from: Self.t0.addingTimeInterval(60), to: Self.t0.addingTimeInterval(180))
        #expect(read == Array(snapshots[1...3]))
        try ledger.record(balanceSnapshots: [BalanceSnapshotRecord(instrument: "text-prime", takenAt: Self.t0, tradingUnits: 3, consumptionUnits: 17),
                                             BalanceSnapshotRecord(instrument: "*", takenAt: Self.t0, usd: Self.dec("123.456789"), tradingUnits: nil, consumptionUnits: nil)])
        #expect(try ledger.balanceHistory(instrument: "text-prime", from: Self.t0, to: Self.t0).first?.consumptionUnits == 17)
        #expect(try ledger.balanceHistory(instrument: "*", from: Self.t0, to: Self.t0).first?.usd == Self.dec("123.456789"))
        #expect(throws: LedgerError.self) {
            try ledger.record(marketSnapshots: [MarketSnapshotRecord(instrument: "x", takenAt: Self.t0, bids: [.init(price: Self.dec("1.0000001"), quantity: 1)], asks: [], last: nil)])
        }
    }

    @Test(arguments: LedgerBackend.allCases)
    func aLargeBatchOfSnapshotsKeepsTheLastOfARepeatedTime(_ backend: LedgerBackend) throws {
        let ledger = try backend.make()
        // More rows than one statement carries, a column that is empty throughout, one time twice.
        var batch = (0..<2_500).map { i in
            MarketSnapshotRecord(instrument: "text-prime", takenAt: Self.t0.addingTimeInterval(Double(i)), bids: [],
                                 asks: [.init(price: Self.dec("2.50") + Decimal(i % 7) / 100, quantity: i + 1)], last: nil)
        }
        batch.append(MarketSnapshotRecord(instrument: "text-prime", takenAt: Self.t0, bids: [.init(price: 2, quantity: 3)],
                                          asks: [.init(price: Self.dec("2.99"), quantity: 9), .init(price: 3, quantity: 1)], last: 2))
        try ledger.record(marketSnapshots: batch)
        let read = try ledger.marketHistory(instrument: "text-prime", from: Self.t0, to: Self.t0.addingTimeInterval(10_000))
        #expect(read.count == 2_500)
        #expect(read.first == batch.last, "the later row of a repeated time wins")
        #expect(Array(read.dropFirst()) == Array(batch[1..<2_500]))
    }

    @Test(arguments: LedgerBackend.allCases)
    func killSwitchKeepsItsHistory(_ backend: LedgerBackend) throws {
        let ledger = try backend.make()
        #expect(try ledger.killSwitch() == nil)
        try ledger.setKillSwitch(engaged: true, reason: "maintenance", by: "ops", at: Self.t0)
        try ledger.setKillSwitch(engaged: false, reason: "done", by: "ops", at: Self.t0.addingTimeInterval(60))
        #expect(try ledger.killSwitch()?.engaged == false)
        #expect(try ledger.killSwitch()?.reason == "done")
    }

    @Test func moneyConvertsExactlyOrNotAtAll() throws {
        #expect(try Micros.from(Self.dec("2.51"), field: "p") == 2_510_000)
        #expect(try Micros.from(Self.dec("45.50000000"), field: "p") == 45_500_000)
        #expect(Micros.decimal(2_510_000) == Self.dec("2.51"))
        #expect(throws: LedgerError.self) { try Micros.from(Self.dec("0.0000001"), field: "p") }
        #expect(throws: LedgerError.self) { try Micros.from(Self.dec("2.5000005"), field: "p") }
        #expect(try Micros.from(Self.dec("-3.25"), field: "p") == -3_250_000)
        #expect(try Micros.from(Decimal(string: "1e3")!, field: "p") == 1_000_000_000)
        #expect(try Micros.from(0, field: "p") == 0)
        #expect(throws: LedgerError.self) { try Micros.from(Decimal(string: "1e30")!, field: "p") }
        // The fast path agrees with exact decimal arithmetic.
        for text in ["0.01", "2.51", "123456.789012", "9999999.999999", "0.000001", "45.50000000", "-0.5", "7"] {
            let value = Self.dec(text)
            #expect(Micros.fastPath(value) == Int64(truncating: NSDecimalNumber(decimal: value * 1_000_000)), "\(text)")
        }
        #expect(Micros.fastPath(Self.dec("0.0000001")) == nil)
    }
}

@Suite struct DepthCodingTests {
    @Test(arguments: [
        ([(2_490_000, 50)], [(2_510_000, 40)]),
        ([(2_490_000, 50), (2_480_000, 20), (2_100_000, 1)], [(2_510_000, 40), (2_520_000, 0), (9_990_000, 123_456)]),
        ([], [(2_510_000, 40), (2_600_000, 3)]),
        ([(5, 1), (4, 2)], []),
    ] as [([(Int64, Int)], [(Int64, Int)])])
    func levelsRoundTrip(_ bids: [(Int64, Int)], _ asks: [(Int64, Int)]) throws {
        let data = DepthCoding.encode(bids: bids, asks: asks)
        let decoded = try #require(DepthCoding.decode(data, topBid: bids.first?.0, topAsk: asks.first?.0))
        #expect(decoded.bids.map(\.0) == Array(bids.dropFirst()).map(\.0) && decoded.bids.map(\.1) == Array(bids.dropFirst()).map(\.1))
        #expect(decoded.asks.map(\.0) == Array(asks.dropFirst()).map(\.0) && decoded.asks.map(\.1) == Array(asks.dropFirst()).map(\.1))
        #expect(data.count <= 1 + (bids.count + asks.count) * 6)
    }

    @Test func truncatedDepthIsRejected() {
        let data = DepthCoding.encode(bids: [(10, 1), (9, 2)], asks: [])
        #expect(DepthCoding.decode(data.dropLast(), topBid: 10, topAsk: nil) == nil)
    }
}
