@testable import Daemon
import Execution
import Foundation
import GRDB
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import TestSupport

@testable import Backtest
@testable import Engine

/// Replays through the daemon's cycle: fills, no lookahead, the same decisions as the daemon,
/// metrics against Auto Mode, reports and sweeps.
@Suite struct BacktestTests {
    static let keeperPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized.path
    static var keeperText: String { get throws { try String(contentsOfFile: keeperPath, encoding: .utf8) } }

    /// The keeper with room to buy what a day of demand needs.
    static func keeper(every: String = "1m") throws -> Strategy {
        try StrategyParser.parse(try keeperText.replacingOccurrences(of: "daily: 40.00", with: "daily: 300.00")
            .replacingOccurrences(of: "monthly: 600.00", with: "monthly: 3000.00").replacingOccurrences(of: "every: 10s", with: "every: \(every)"), file: "keeper.yaml")
    }

    /// A recording whose book is fixed by the test: snapshot i has best ask 2.00 + i cents.
    static func ladder(count: Int, every: Int64 = 60_000, trades: [TradePrint] = []) -> Recording {
        var books = RecordedBooks(depth: 5)
        for i in 0..<count {
            books.append(ms: 1_790_035_200_000 + Int64(i) * every, bids: [(1_990_000 + Int64(i) * 10_000, 50)], asks: [(2_000_000 + Int64(i) * 10_000, 10), (2_010_000 + Int64(i) * 10_000, 10)], last: nil)
        }
        return Recording(instrument: "text-prime", books: books, trades: trades, burn: [BurnStep(ms: 1_790_035_200_000, milliUnitsPerHour: 3000)])
    }

    @Test func ordersFillConservatively() async throws {
        let t0: Int64 = 1_790_035_200_000
        // Book: asks 2.00 (10) and 2.01 (10) at t0, rising a cent a minute; trades at 2.00 and 1.95 later.
        let recording = Self.ladder(count: 10, trades: [TradePrint(ms: t0 + 90_000, price: 1_900_000, quantity: 3),
                                                         TradePrint(ms: t0 + 150_000, price: 1_890_000, quantity: 50)])
        let replay = ReplayExchange(recording: recording, settings: ReplaySettings(startingUSD: 100))
        let view = try await replay.view(instrument: "text-prime")
        #expect(view.asks.first?.price == 2 && view.usdAvailable == 100)
        // A market order walks the book; the same snapshot's liquidity is not offered twice.
        let market = try await replay.place(OrderRequest(clientOrderID: "a", marketID: view.marketID, quantity: 15))
        #expect(try await replay.fills(orderID: market.id).map(\.quantity) == [10, 5])
        #expect(try await replay.view(instrument: "text-prime").asks.map(\.quantity) == [0, 5])
        // A limit under the book rests; a trade at exactly its price would not fill it, one under does, at the limit.
        let limit = try await replay.place(OrderRequest(clientOrderID: "b", marketID: view.marketID, quantity: 5, limit: Decimal(string: "1.90")!))
        #expect(try await replay.order(id: limit.id).status == .open)
        await replay.advance(to: t0 + 100_000)
        #expect(try await replay.order(id: limit.id).filled == 0, "a trade at the limit price may have been someone ahead in the queue")
        await replay.advance(to: t0 + 160_000)
        let fills = try await replay.fills(orderID: limit.id)
        #expect(fills.map(\.quantity) == [5] && fills.allSatisfy { $0.price == Decimal(string: "1.90")! })
        // USD: 100 − 20.00 − 10.05 − 9.50.
        #expect(await replay.balances().usd == Decimal(string: "60.45")!)
        #expect(await replay.balances().inventory == 20)
        // Orders the account cannot pay for are refused.
        await #expect(throws: ExchangeError.self) {
            try await replay.place(OrderRequest(clientOrderID: "c", marketID: view.marketID, quantity: 100, limit: 2))
        }
    }

    @Test func lotsExpireAndStockoutsAreCounted() async throws {
        let recording = Self.ladder(count: 8 * 60 + 1)  // 8 hours, demand 3/h
        let replay = ReplayExchange(recording: recording, settings: ReplaySettings(startingConsumption: 6))
        await replay.advance(to: recording.books.times.last!)
        let stats = await replay.stats
        // 6 units last 2 h; then 6 h dry.
        #expect(stats.usedUnits == 6 && stats.expiredUnits == 0)
        #expect(abs(stats.stockoutSeconds - 6 * 3600) < 120, "\(stats.stockoutSeconds)")
        let lots = ReplayExchange(recording: recording, settings: ReplaySettings(startingConsumption: 30))
        await lots.advance(to: recording.books.times.last!)
        // 12 used in the lot's 4 hours, 18 expired unused, then 4 h dry.
        let lotStats = await lots.stats
        #expect(lotStats.usedUnits == 12 && lotStats.expiredUnits == 18)
    }

    @Test func aLotThatExpiresPartlyUsedLosesOnlyItsUnusedTokens() async throws {
        // Two units at 0.2 units an hour: 0.8 drawn in the lot's four hours, 1.2 expire.
        let ladder = Self.ladder(count: 6 * 60 + 1)
        let quiet = Recording(instrument: ladder.instrument, books: ladder.books, trades: [],
                              burn: [BurnStep(ms: ladder.books.times[0], milliUnitsPerHour: 200)])
        let replay = ReplayExchange(recording: quiet, settings: ReplaySettings(startingConsumption: 2))
        await replay.advance(to: quiet.books.times[0] + 3 * 3_600_000)
        // A unit in use still shows as one: 0.6 drawn, the balance reads 2.
        #expect(await replay.balances().consumption == 2)
        await replay.advance(to: quiet.books.times.last!)
        let stats = await replay.stats
        #expect(stats.usedMilliUnits == 800 && stats.expiredMilliUnits == 1_200, "\(stats)")
        #expect(stats.usedUnits == Decimal(string: "0.8")! && stats.expiredUnits == Decimal(string: "1.2")!)
        #expect(abs(stats.stockoutSeconds - 2 * 3600) < 120, "dry after the lot expired: \(stats.stockoutSeconds)")
        // The JSON carries the thousandths and reads back the same.
        let data = try JSONEncoder().encode(stats)
        #expect(String(decoding: data, as: UTF8.self).contains(#""expired_units":1.2"#))
        #expect(try JSONDecoder().decode(ConsumptionStats.self, from: data) == stats)
    }

    @Test func aStrategyNeverSeesDataNewerThanItsCycle() async throws {
        // Snapshots every minute, cycles every 90 s: each cycle must see the latest snapshot at
        // or before its time, never the next one.
        let recording = Self.ladder(count: 120)
        let strategy = try StrategyParser.parse("""
            strategy: watcher
            instrument: text-prime
            every: 90s
            budget: { daily: 10.00, max_unit_price: 1.00 }
            rules:
              - { name: look, when: ask > 0 and bid > 0, buy: { quantity: 1, order: limit, price: bid } }
            """, file: "watcher.yaml")
        let ledger = MemoryLedger()
        let result = try await Backtester.run(strategy, on: recording, store: ledger)
        #expect(result.cycles == 80)
        for cycle in ledger.cycles {
            let t = cycle.record.startedAt.ledgerMilliseconds
            let index = Int((t - recording.books.times[0]) / 60_000)  // the latest snapshot at or before t
            let expected = RecordingIO.text(recording.books.askPrices[index * 5])
            let inputs = try #require(cycle.record.decisions.first?.inputs)
            #expect(inputs["ask"] == expected, "cycle at \(t): saw ask \(inputs["ask"] ?? "-"), the book at its time was \(expected)")
        }
        // History the rules read stops at the cycle too.
        let points = try ledger.marketPoints(instrument: "text-prime", from: .distantPast, to: .distantFuture)
        #expect(zip(points, ledger.cycles).allSatisfy { $0.time == $1.record.startedAt })
    }

    @Test func unitsOnOrderKeepAStockingRuleFromStackingOrders() async throws {
        // The ladder's prices rise, so a limit at the bid never fills. Counting `on_order`, the
        // rule places one order and waits; counting only inventory, it would place one a cycle.
        let recording = Self.ladder(count: 60)
        func orders(_ condition: String, _ quantity: String, latency: TimeInterval = 0) async throws -> Int {
            let strategy = try StrategyParser.parse("""
                strategy: stocker
                instrument: text-prime
                every: 60s
                budget: { daily: 1000.00, max_unit_price: 5.00 }
                rules:
                  - { name: stock, when: "\(condition)", buy: { quantity: "\(quantity)", order: limit, price: bid, cancel_after: 20m } }
                """, file: "stocker.yaml")
            let configuration = BacktestConfiguration(replay: ReplaySettings(latency: latency))
            return try await Backtester.run(strategy, on: recording, configuration: configuration, store: MemoryLedger()).metrics.ordersPlaced
        }
        #expect(try await orders("inventory + on_order < 10", "10 - inventory - on_order") == 3, "one order per 20 minutes: placed, cancelled, replaced")
        // Orders sent but not yet on the book (five minutes of latency) count too: the ledger
        // knows them before the exchange lists them.
        #expect(try await orders("inventory + on_order < 10", "10 - inventory - on_order", latency: 300) == 3)
        #expect(try await orders("inventory < 10", "10 - inventory") >= 50)
    }

    @Test func feesCountAgainstTheCapsAndTheUSD() async throws {
        // Asks from 2.00, 30 bps: two units cost 4.012 with the fee, over a per-order cap of 4.
        let recording = Self.ladder(count: 30)
        let strategy = try StrategyParser.parse("""
            strategy: feeful
            instrument: text-prime
            every: 60s
            budget: { daily: 10.00, per_order: 4.00, max_unit_price: 5.00 }
            rules:
              - { name: buy, when: ask > 0, buy: { quantity: 2, order: market } }
            """, file: "feeful.yaml")
        let settings = ReplaySettings(startingUSD: 1_000, feeRate: Decimal(string: "0.003")!)
        let result = try await Backtester.run(strategy, on: recording, configuration: BacktestConfiguration(replay: settings), store: MemoryLedger())
        #expect(result.metrics.fees > 0)
        #expect(result.metrics.spend <= 10, "the daily cap holds with fees: \(result.metrics.spend)")
        #expect(result.metrics.unitsBought == result.metrics.ordersPlaced, "each order was cut to one unit so that it stays under per_order with its fee")
        // A limit order USD covers only without its fee is cut to what it covers with it.
        let tight = try StrategyParser.parse("""
            strategy: tight
            instrument: text-prime
            every: 60s
            budget: { daily: 100.00, max_unit_price: 5.00 }
            rules:
              - { name: buy, when: inventory + on_order < 2, buy: { quantity: 2 - inventory - on_order, order: limit, price: ask } }
            """, file: "tight.yaml")
        let poor = ReplaySettings(startingUSD: 4, feeRate: Decimal(string: "0.003")!)
        let bought = try await Backtester.run(tight, on: recording, configuration: BacktestConfiguration(replay: poor), store: MemoryLedger())
        #expect(bought.metrics.unitsBought == 1, "4 USD buys one unit at 2.00 with its fee, not none")
    }

    /// Decision logs as (time, rule, outcome, reason) rows.
    typealias Log = [String]

    @Test func theBacktestAndTheDaemonMakeTheSameDecisions() async throws {
        let recording = try await SyntheticData.record(days: 1, seed: 11, every: 60)
        let strategy = try Self.keeper()
        // The backtest.
        let memory = MemoryLedger()
        _ = try await Backtester.run(strategy, on: recording, store: memory, baseline: BacktestMetrics())
        let backtestLog: Log = memory.cycles.flatMap { c in
            c.record.decisions.map { "\(c.record.startedAt.ledgerMilliseconds) \($0.rule) \($0.outcome.rawValue) \($0.reason)" }
        }
        // The daemon: its scheduler service and SQLite ledger, over the same recording.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gk-daemon-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ledger = try Ledger(path: path)
        let exchange = ReplayExchange(recording: recording, demand: recording.demand)
        let start = recording.books.times.first!, end = recording.books.times.last!
        let clock = ManualClock(Date(ledgerMilliseconds: start))
        let runner = CycleRunner(exchange: exchange, ledger: ledger, configuration: EngineConfiguration(mode: .live, timeZone: .gmt),
                                 logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), clock: clock)
        let state = DaemonState(strategies: [strategy], startedAt: clock.now)
        try await testGracefulShutdown { trigger in
            let scheduler = StrategyScheduler(runner: runner, state: state, metrics: EngineMetrics(), logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }),
                                              clock: ClosureClock(now: { clock.now }, sleep: { until in
                                                  let next = max(until, clock.now)
                                                  if next.ledgerMilliseconds > end { trigger.triggerGracefulShutdown(); return }
                                                  clock.set(next)
                                                  await exchange.advance(to: next.ledgerMilliseconds)
                                              }), reload: { [strategy] })
            try await scheduler.run()
        }
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        let daemonLog: Log = try await queue.read { db in
            try String.fetchAll(db, sql: """
                SELECT c.started_ms || ' ' || d.rule || ' ' || d.outcome || ' ' || d.reason FROM decisions d JOIN cycles c ON c.id = d.cycle_id
                ORDER BY c.started_ms, d.position
                """)
        }
        #expect(backtestLog.count == 1441 * strategy.rules.count)
        #expect(daemonLog.count == backtestLog.count)
        let firstDifference = zip(daemonLog, backtestLog).first { $0 != $1 }
        #expect(firstDifference == nil, "daemon: \(firstDifference?.0 ?? "")\nbacktest: \(firstDifference?.1 ?? "")")
        #expect(backtestLog.contains { $0.contains(" fired ") || $0.contains(" adjusted ") }, "the strategy acted at least once")
    }

    @Test func metricsCompareTheStrategyWithAutoMode() async throws {
        let recording = try await SyntheticData.record(days: 2, seed: 5, every: 60)
        let strategy = try Self.keeper()
        let result = try await Backtester.run(strategy, on: recording, configuration: BacktestConfiguration(replay: ReplaySettings(startingConsumption: 6)))
        let m = result.metrics, auto = result.autoMode
        #expect(m.unitsBought > 0 && auto.unitsBought > 0)
        #expect(m.spend == result.buys.reduce(Decimal(0)) { $0 + $1.price * Decimal($1.quantity) }, "spend is what the fills cost")
        #expect(m.averagePrice == m.spend / Decimal(m.unitsBought))
        #expect(result.vwap != nil && result.averageAsk != nil)
        // Demand over two days is about 144 units; both feed the team, Auto Mode wastes more.
        #expect(m.consumption.usedUnits + Decimal(Int(m.consumption.unmetUnits.rounded())) >= 130)
        #expect(auto.consumption.expiredUnits > m.consumption.expiredUnits, "strategy \(m.consumption.expiredUnits), auto \(auto.consumption.expiredUnits)")
        #expect(m.stockoutMinutes < 60, "\(m.stockoutMinutes) min dry")
        // Every UTC day within the daily cap.
        var byDay: [Int: Decimal] = [:]
        for b in result.buys { byDay[Int(b.t.timeIntervalSince1970 / 86_400), default: 0] += b.price * Decimal(b.quantity) }
        #expect(byDay.values.allSatisfy { $0 <= 300 })

        // The reports.
        let text = BacktestReport.text(result)
        #expect(text.contains("Auto Mode") && text.contains("units expired unused") && text.contains("stockout"))
        let html = BacktestReport.html(result)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.components(separatedBy: "<svg").count == 4)
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://") && !html.contains("<link"), "opens offline")
        #expect(html.contains("<circle"), "buys are marked")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(result)) as? [String: Any])
        #expect((json["metrics"] as? [String: Any])?["spend"] as? String == BacktestMetrics.text(m.spend, places: 6))
        #expect(json["auto_mode"] != nil && (json["series"] as? [Any])?.isEmpty == false)
    }

    @Test func sweepsRunEveryCombinationAndRankThem() async throws {
        let recording = Self.ladder(count: 6 * 60)
        let text = try Self.keeperText
        let axes = [try SweepAxis.parse("budget.daily=5,300"), try SweepAxis.parse("rules.emergency.when=runway < 45m and inventory == 0,runway < 2h and inventory == 0")]
        #expect(axes[1].values.count == 2)
        let combos = Sweep.combinations(axes)
        #expect(combos.count == 4)
        let variants = try combos.map { c in (label: c.map { "\($0.key)=\($0.value)" }.joined(separator: " "), strategy: try Sweep.apply(c, to: text, file: "keeper.yaml")) }
        #expect(variants[0].strategy.budget.daily == 5 && variants[2].strategy.budget.daily == 300)
        let outcomes = try await Sweep.run(variants, on: recording, configuration: BacktestConfiguration(replay: ReplaySettings(startingConsumption: 2)),
                                           objective: .stockout, jobs: 2)
        #expect(outcomes.count == 4)
        let minutes = outcomes.map(\.result.metrics.stockoutMinutes)
        #expect(minutes == minutes.sorted(), "ranked by stockout")
        #expect(outcomes.first?.label.contains("budget.daily=300") == true, "\(outcomes.map(\.label))")
        // Unknown keys and invalid values are named.
        #expect(throws: BacktestError.self) { try Sweep.apply([("rules.restok.when", "true")], to: text, file: "keeper.yaml") }
        do {
            _ = try Sweep.apply([("budget.daily", "lots")], to: text, file: "keeper.yaml")
            Issue.record("accepted a bad value")
        } catch {
            #expect(error.description.contains("budget.daily=lots") && error.description.contains("expected a decimal"), "\(error.description)")
        }
        #expect(throws: BacktestError.self) { try SweepAxis.parse("budget.daily") }
    }
}
