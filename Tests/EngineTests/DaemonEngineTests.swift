@testable import Daemon
import Foundation
import GridAPI
import GridKeeperCore
import Hummingbird
import Ledger
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import TestSupport

@testable import Engine
@testable import Simulator

/// The daemon's scheduler, paper trading, the global budget, notifications and shutdown, on
/// simulated time against the simulator's market (in process; paper trading on loopback, for
/// the request log).
@Suite struct DaemonEngineTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The example keeper with other caps and interval.
    static func keeper(every: String = "2m", daily: String = "250.00", monthly: String = "1000.00", perOrder: String = "30.00",
                       maxUnitPrice: String = "3.00", name: String = "text-prime-keeper", instrument: String = "text-prime") throws -> Strategy {
        var text = try String(contentsOfFile: CycleRunnerTests.keeperPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "every: 10s", with: "every: \(every)")
            .replacingOccurrences(of: "daily: 40.00", with: "daily: \(daily)")
            .replacingOccurrences(of: "monthly: 600.00", with: "monthly: \(monthly)")
            .replacingOccurrences(of: "per_order: 15.00", with: "per_order: \(perOrder)")
            .replacingOccurrences(of: "max_unit_price: 3.00", with: "max_unit_price: \(maxUnitPrice)")
            .replacingOccurrences(of: "strategy: text-prime-keeper", with: "strategy: \(name)")
            .replacingOccurrences(of: "instrument: text-prime", with: "instrument: \(instrument)")
        return try StrategyParser.parse(text, file: "\(name).yaml")
    }

    @Test func theDaemonKeepsConsumptionAboveZeroForFortyEightHoursWithinItsCaps() async throws {
        // Burn follows a daily cycle: 3 units/h on average, 4.8 at the peak, 1.2 at night.
        let burn = BurnProfile(kind: .daily, unitsPerHour: 3, amplitude: 0.6, peakHourUTC: 15)
        let config = SimulatorConfiguration(startingUSD: 2000, startingConsumption: ["text-prime": 10], burn: ["text-prime": burn])
        let clock = SimulationClock(start: Date(timeIntervalSince1970: 1_790_035_200), speed: 0)  // 2026-09-22 00:00 UTC
        let strategy = try Self.keeper()
        let hours: TimeInterval = 48
        let market = SimulatedExchange(configuration: config, clock: clock)
        do {
            let ledger = try Ledger(inMemory: Migration.bundled)
            let runner = CycleRunner(exchange: InProcessExchange(market), ledger: ledger,
                                     configuration: EngineConfiguration(mode: .live, timeZone: .gmt), logger: Self.quiet, now: { clock.now })
            let state = DaemonState(strategies: [strategy], startedAt: clock.now)
            let end = clock.now.addingTimeInterval(hours * 3600)
            try await testGracefulShutdown { trigger in
                // Waiting for the next cycle moves simulated time instead of sleeping.
                let scheduler = StrategyScheduler(runner: runner, state: state, metrics: EngineMetrics(), logger: Self.quiet,
                                                  clock: ClosureClock(now: { clock.now }, sleep: { until in
                                                      await market.advance(by: max(0, until.timeIntervalSince(clock.now)))
                                                      if clock.now >= end { trigger.triggerGracefulShutdown() }
                                                  }), reload: { [strategy] })
                try await scheduler.run()
            }
            #expect(clock.now >= end)
            let status = await state.status()
            #expect(status.cycles >= Int(hours * 30) - 1 && status.cycleErrors == 0, "\(status.cycles) cycles, \(status.cycleErrors) with errors")
            let textPrime = try #require(await market.state().instruments.first { $0.symbol == "text-prime" })
            #expect(textPrime.stockoutSeconds == 0, "consumption ran dry for \(textPrime.stockoutSeconds) s")
            #expect(textPrime.burnedUnits >= 130, "the team burned what it needed: \(textPrime.burnedUnits)")
            let orders = await market.allOrders()
            #expect(Set(orders.compactMap(\.clientOrderID)).count == orders.count, "no client_order_id placed twice")
            // Every UTC day within the daily cap, every fill under max_unit_price, the ledger holds them all.
            let fills = await market.allFills()
            var byDay: [Int: Decimal] = [:]
            for fill in fills {
                let at = try Date(try #require(fill.executionTimestamp), strategy: .iso8601)
                byDay[Int(at.timeIntervalSince1970 / 86_400), default: 0] += fill.notional
            }
            #expect(byDay.count >= 2 && byDay.values.allSatisfy { $0 <= 250 }, "\(byDay)")
            #expect(fills.allSatisfy { $0.price <= 3 })
            let total = fills.reduce(Decimal(0)) { $0 + $1.notional }
            #expect(try ledger.fillTotals(instrument: "text-prime", from: .distantPast, to: .distantFuture).cost == total)
        }
    }

    @Test func theGlobalBudgetHoldsAcrossStrategies() async throws {
        let config = SimulatorConfiguration(startingUSD: 1000, startingConsumption: ["text-prime": 1, "code-prime": 1],
                                            burn: ["text-prime": .constant(30), "code-prime": .constant(30)])
        try await CycleRunnerTests.withEngine(config) { market, _, ledger in
            let runner = CycleRunner(exchange: InProcessExchange(market), ledger: ledger,
                                     configuration: EngineConfiguration(mode: .live, timeZone: .gmt, globalBudget: GlobalBudget(daily: 60)),
                                     logger: Self.quiet, now: { market.clock.now })
            // Each strategy may spend 40 a day; together they may spend 60.
            let strategies = [try Self.keeper(every: "1m", daily: "40.00", perOrder: "100.00"),
                              try Self.keeper(every: "1m", daily: "40.00", perOrder: "100.00", maxUnitPrice: "4.00", name: "code-keeper", instrument: "code-prime")]
            var notes: [String] = []
            for _ in 0..<180 {
                for s in strategies {
                    let report = try await runner.run(s)
                    notes += report.decisions.flatMap(\.guardrails)
                }
                await market.advance(by: 60)
            }
            let fills = await market.allFills()
            let spent = fills.reduce(Decimal(0)) { $0 + $1.notional }
            let total = try ledger.spend(asOf: market.clock.now, timeZone: .gmt)
            #expect(spent > 0 && spent <= 60, "every instrument together stays under the global cap: \(spent)")
            #expect(total.today <= 60)
            #expect(notes.contains { $0.contains("global daily cap 60") }, "\(Set(notes))")
            let byInstrument = try ["text-prime", "code-prime"].map { try ledger.spend(asOf: market.clock.now, timeZone: .gmt, instrument: $0).today }
            #expect(byInstrument.allSatisfy { $0 > 0 }, "both strategies bought: \(byInstrument)")
        }
    }

    @Test func paperTradingSendsNothingMutatingAndRecordsPaperFills() async throws {
        let config = SimulatorConfiguration(startingUSD: 500, startingConsumption: ["text-prime": 3], burn: ["text-prime": .constant(12)])
        try await CycleRunnerTests.withEngineOverHTTP(config) { h, _, ledger in
            let paper = PaperExchange(market: GridExchange(client: h.client), now: { h.exchange.clock.now })
            let runner = CycleRunner(exchange: paper, ledger: ledger, configuration: EngineConfiguration(mode: .paper, timeZone: .gmt),
                                     logger: Self.quiet, now: { h.exchange.clock.now })
            let strategy = try Self.keeper(every: "1m")
            var placed = 0, moved = 0
            for _ in 0..<120 {
                let report = try await runner.run(strategy)
                #expect(report.errors.isEmpty, "\(report.errors)")
                placed += report.ordersPlaced
                moved += report.actions.filter { $0.hasPrefix("moved") }.count
                await h.exchange.advance(by: 60)
            }
            #expect(placed > 0 && moved > 0, "the keeper bought and fed on paper")
            let log = await h.exchange.requestLog
            #expect(log.allSatisfy { $0.method == "GET" }, "\(log.filter { $0.method != "GET" })")
            #expect(await h.exchange.allOrders().isEmpty)
            #expect(try ledger.orderModes() == [.paper])
            let bought = try ledger.fillTotals(instrument: "text-prime", from: .distantPast, to: .distantFuture)
            #expect(bought.units > 0 && bought.cost > 0)
            // Paper balances: USD less what paper fills cost.
            let view = try await paper.view(instrument: "text-prime")
            let real = try await GridExchange(client: h.client).view(instrument: "text-prime")
            #expect(view.usdAvailable == real.usdAvailable - bought.cost)
        }
    }

    @Test func paperOrdersFillAgainstTheObservedBookOnly() async throws {
        let market = ScriptedMarket()
        let paper = PaperExchange(market: market)
        await market.set(asks: [("2.51", 50), ("2.52", 20)])
        _ = try await paper.view(instrument: "text-prime")
        // A market buy walks the book it saw.
        let buy = try await paper.place(OrderRequest(clientOrderID: "gk-1", marketID: "m", quantity: 60))
        #expect(try await paper.fills(orderID: buy.id).map(\.quantity) == [50, 10])
        #expect(try await paper.order(id: buy.id).status == .filled)
        #expect(try await paper.place(OrderRequest(clientOrderID: "gk-1", marketID: "m", quantity: 60)).id == buy.id)
        // A limit under the book rests, and fills only when a later book shows asks at its price,
        // at its own limit (the backtest's rule), never at the better ask.
        let limit = try await paper.place(OrderRequest(clientOrderID: "gk-2", marketID: "m", quantity: 30, limit: Decimal(string: "2.40")!))
        #expect(try await paper.order(id: limit.id).status == .open)
        await market.set(asks: [("2.45", 100)])
        _ = try await paper.view(instrument: "text-prime")
        #expect(try await paper.order(id: limit.id).filled == 0)
        await market.set(asks: [("2.39", 12), ("2.40", 5), ("2.41", 100)])
        let view = try await paper.view(instrument: "text-prime")
        let order = try await paper.order(id: limit.id)
        #expect(order.filled == 17 && order.status == .partiallyFilled)
        // USD: 1000 − 125.50 − 25.20 (market) − 17 × 2.40 (limit fills) − 13 × 2.40 still locked.
        #expect(view.usdAvailable == Decimal(string: "777.30")! )
        #expect(try await paper.fills(orderID: limit.id).allSatisfy { $0.price == Decimal(string: "2.40")! })
        #expect(view.inventory == 77 && view.openOrders.map(\.id) == [limit.id])
        // A transfer moves paper units into (paper) consumption.
        _ = try await paper.transferToConsumption(instrumentID: "i", quantity: 7)
        let after = try await paper.view(instrument: "text-prime")
        #expect(after.inventory == 70 && after.consumption == 7)
        #expect(try await paper.order(id: limit.id).filled == 17, "the same observed asks are not taken twice")
        try await paper.cancel(orderID: limit.id)
        #expect(try await paper.order(id: limit.id).status == .cancelled)
        await #expect(throws: ExchangeError.self) { try await paper.cancel(orderID: limit.id) }
    }

    @Test func paperBalancesCarryOverARestart() async throws {
        let market = ScriptedMarket()
        await market.set(asks: [("2.51", 50)])
        let now = Date()
        let carried = PaperCarry(spent: 100, bought: ["text-prime": 10],
                                 transfers: ["text-prime": [(at: now.addingTimeInterval(-5 * 3600), units: 2), (at: now.addingTimeInterval(-3600), units: 4)]])
        let view = try await PaperExchange(market: market, carried: carried, now: { now }).view(instrument: "text-prime")
        // USD 1000 − 100 spent; 10 bought − 6 moved; of the moved lots only the one under four hours old is still usable.
        #expect(view.usdAvailable == 900 && view.inventory == 4 && view.consumption == 4)
    }

    @Test func openOrdersAreCancelledOnExitWhenAsked() async throws {
        try await CycleRunnerTests.withEngine(SimulatorConfiguration(startingUSD: 500)) { market, _, ledger in
            let strategy = try StrategyParser.parse("""
                strategy: bidder
                instrument: text-prime
                every: 1m
                budget: { daily: 50.00, max_unit_price: 3.00 }
                rules:
                  - { name: low-bid, when: spent_today < 1.00, buy: { quantity: 5, order: limit, price: bid - tick * 20, cancel_after: 6h } }
                """, file: "bidder.yaml")
            let runner = CycleRunner(exchange: InProcessExchange(market), ledger: ledger, configuration: EngineConfiguration(mode: .live, timeZone: .gmt),
                                     logger: Self.quiet, now: { market.clock.now })
            try await testGracefulShutdown { trigger in
                let scheduler = StrategyScheduler(runner: runner, state: DaemonState(strategies: [strategy], startedAt: Date()), metrics: EngineMetrics(),
                                                  logger: Self.quiet, clock: ClosureClock(now: { market.clock.now }, sleep: { until in
                                                      await market.advance(by: max(0, until.timeIntervalSince(market.clock.now)))
                                                      trigger.triggerGracefulShutdown()
                                                  }), cancelOnExit: true, reload: { [strategy] })
                try await scheduler.run()
            }
            let orders = await market.allOrders()
            #expect(orders.count == 1 && orders.allSatisfy { $0.status == "cancelled" }, "\(orders.map(\.status))")
            #expect(try ledger.openOrders(instrument: "text-prime").isEmpty)
            #expect(try ledger.spend(asOf: market.clock.now, timeZone: .gmt).reserved == 0, "the reservation is released")
        }
    }
}

extension DaemonEngineTests {
    /// Runs a strategy due every minute for 15 simulated minutes against a market whose views
    /// take `delay` simulated seconds; returns the daemon's status.
    static func runLate(delay: TimeInterval) async throws -> (DaemonState.Status, String) {
        let clock = SimulationClock(start: Date(timeIntervalSince1970: 1_790_035_200), speed: 0)
        let strategy = try Self.keeper(every: "1m")
        let runner = CycleRunner(exchange: SlowMarket(clock: clock, delay: delay), ledger: try Ledger(inMemory: Migration.bundled),
                                 configuration: EngineConfiguration(mode: .live, timeZone: .gmt), logger: Self.quiet, now: { clock.now })
        let state = DaemonState(strategies: [strategy], startedAt: clock.now)
        let end = clock.now.addingTimeInterval(15 * 60)
        try await testGracefulShutdown { trigger in
            let scheduler = StrategyScheduler(runner: runner, state: state, metrics: EngineMetrics(), logger: Self.quiet,
                                              clock: ClosureClock(now: { clock.now }, sleep: { until in
                                                  clock.advance(by: max(0, until.timeIntervalSince(clock.now)))
                                                  if clock.now >= end { trigger.triggerGracefulShutdown() }
                                              }), reload: { [strategy] })
            try await scheduler.run()
        }
        return (await state.status(), strategy.name)
    }

    @Test func aStrategyThatMissesItsTurnIsReported() async throws {
        // Every view takes 130 simulated seconds (a slow exchange, or a request budget spent).
        let (status, name) = try await Self.runLate(delay: 130)
        #expect(status.cycles >= 5)
        #expect((status.lateCycles[name] ?? 0) >= status.cycles - 2, "\(status.lateCycles) of \(status.cycles) cycles")
    }

    @Test func aStrategyOnTimeIsNotReportedLate() async throws {
        let (status, _) = try await Self.runLate(delay: 10)
        #expect(status.cycles >= 10 && status.lateCycles.isEmpty, "\(status.lateCycles)")
    }
}

/// A market whose every view takes `delay` simulated seconds.
struct SlowMarket: Exchange {
    let clock: SimulationClock
    let delay: TimeInterval
    var autoTransfers: Bool { false }

    func view(instrument: String) async throws(ExchangeError) -> ExchangeView {
        clock.advance(by: delay)
        return ExchangeView(instrumentID: "i", marketID: "m", consumption: 5, inventory: 0, usdAvailable: 1000, bids: [], asks: [], last: nil,
                            openOrders: [])
    }
    func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket { throw .rejected("slow: read only") }
    func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? { nil }
    func order(id: String) async throws(ExchangeError) -> OrderTicket { throw .rejected("slow: none") }
    func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] { [] }
    func cancel(orderID: String) async throws(ExchangeError) {}
    func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String { throw .rejected("slow: read only") }
}

/// An exchange whose book the test sets.
actor ScriptedMarket: Exchange {
    nonisolated let autoTransfers = false
    var asks: [PriceLevel] = []

    func set(asks levels: [(String, Int)]) { asks = levels.map { PriceLevel(price: Decimal(string: $0.0)!, quantity: Decimal($0.1)) } }

    func view(instrument: String) async throws(ExchangeError) -> ExchangeView {
        ExchangeView(instrumentID: "i", marketID: "m", consumption: 0, inventory: 0, usdAvailable: 1000, bids: [], asks: asks, last: nil, openOrders: [])
    }
    func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket { throw .rejected("scripted: read only") }
    func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? { nil }
    func order(id: String) async throws(ExchangeError) -> OrderTicket { throw .rejected("scripted: none") }
    func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] { [] }
    func cancel(orderID: String) async throws(ExchangeError) { throw .rejected("scripted: none") }
    func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String { throw .rejected("scripted: read only") }
}
