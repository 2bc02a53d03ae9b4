import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import Testing
import TestSupport

@testable import Engine
@testable import Simulator

/// The one loop against the simulator's market, in process and (where the test reads the
/// request log or injects the server's faults) on loopback, with a real (in-memory) ledger.
@Suite struct CycleRunnerTests {
    static let keeperPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized.path
    static var keeper: Strategy { get throws { try StrategyParser.load(path: keeperPath) } }

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The simulator's market in process, its time moving only when the test advances it,
    /// from 06:00 UTC on a fixed day (a test of a few hours never crosses midnight, whenever it
    /// runs).
    static func withEngine(_ config: SimulatorConfiguration, mode: LedgerMode = .live,
                           _ body: @Sendable (SimulatedExchange, CycleRunner, Ledger) async throws -> Void) async throws {
        let clock = SimulationClock(start: Date(timeIntervalSince1970: 1_790_056_800), speed: 0)  // 2026-09-22 06:00 UTC
        let market = SimulatedExchange(configuration: config, clock: clock)
        let ledger = try Ledger(inMemory: Migration.bundled)
        let runner = CycleRunner(exchange: InProcessExchange(market), ledger: ledger, configuration: EngineConfiguration(mode: mode, timeZone: .gmt),
                                 logger: quiet, now: { clock.now })
        try await body(market, runner, ledger)
    }

    /// The same over HTTP: the simulator on loopback, reached by the signed client (for the
    /// request log and the faults the server injects).
    static func withEngineOverHTTP(_ config: SimulatorConfiguration, mode: LedgerMode = .live,
                                   _ body: @Sendable (SimulatorHarness, CycleRunner, Ledger) async throws -> Void) async throws {
        let clock = SimulationClock(start: Date(timeIntervalSince1970: 1_790_056_800), speed: 0)  // 2026-09-22 06:00 UTC
        try await SimulatorHarness.with(config, clock: clock) { h throws in
            let ledger = try Ledger(inMemory: Migration.bundled)
            let runner = CycleRunner(exchange: GridExchange(client: h.client), ledger: ledger,
                                     configuration: EngineConfiguration(mode: mode, timeZone: .gmt), logger: quiet, now: { clock.now })
            try await body(h, runner, ledger)
        }
    }

    static let draining = SimulatorConfiguration(startingUSD: 500, startingConsumption: ["text-prime": 6], burn: ["text-prime": .constant(12)])

    @Test func aDryRunSendsNoMutatingRequestButRecordsItsPlan() async throws {
        try await Self.withEngineOverHTTP(Self.draining, mode: .dry) { h, runner, ledger in
            var last: CycleReport?
            for _ in 0..<25 {
                last = try await runner.run(try Self.keeper)
                await h.exchange.advance(by: 60)
            }
            let report = try #require(last)
            #expect(report.actions.contains { $0.hasPrefix("dry run: would buy") }, "\(report.decisions.map(\.reason))")
            let log = await h.exchange.requestLog
            #expect(log.allSatisfy { $0.method == "GET" }, "\(log.filter { $0.method != "GET" })")
            #expect(try ledger.openOrders(instrument: "text-prime").isEmpty)
            #expect(try ledger.history(since: .distantPast, includeSkipped: true).count >= 25 * 3)
        }
    }

    @Test func liveCyclesKeepConsumptionStockedWithinTheCaps() async throws {
        // 4 units/h for 3 h costs about 30 USD: inside the keeper's 40 USD daily cap.
        let config = SimulatorConfiguration(startingUSD: 500, startingConsumption: ["text-prime": 6], burn: ["text-prime": .constant(4)])
        try await Self.withEngine(config) { market, runner, ledger in
            let strategy = try Self.keeper
            for _ in 0..<(3 * 60) {
                let report = try await runner.run(strategy)
                #expect(report.errors.isEmpty, "\(report.errors)")
                await market.advance(by: 60)
            }
            let state = await market.state()
            let textPrime = try #require(state.instruments.first { $0.symbol == "text-prime" })
            #expect(textPrime.stockoutSeconds <= 5 * 60, "dry for \(textPrime.stockoutSeconds) s")
            #expect(textPrime.burnedUnits >= 11, "the team got what it burned: \(textPrime.burnedUnits)")
            let orders = await market.allOrders()
            #expect(!orders.isEmpty)
            #expect(Set(orders.compactMap(\.clientOrderID)).count == orders.count, "no client_order_id placed twice")
            let fills = await market.allFills()
            let spent = fills.reduce(Decimal(0)) { $0 + $1.notional }
            #expect(spent <= 40, "daily cap")
            #expect(fills.allSatisfy { $0.price <= 3 }, "max_unit_price")
            let ledgerSpend = try ledger.spend(asOf: market.clock.now, timeZone: .gmt)
            #expect(ledgerSpend.today - ledgerSpend.reserved == spent, "the ledger holds every fill")
        }
    }

    @Test func anUnknownOutcomeIsResolvedBeforeAnythingElse() async throws {
        try await Self.withEngineOverHTTP(SimulatorConfiguration(startingUSD: 500, startingConsumption: ["text-prime": 2], burn: ["text-prime": .constant(12)])) { h, runner, ledger in
            let strategy = try Self.keeper
            // Build 20 minutes of burn history first (dry on consumption, no inventory).
            var report = try await runner.run(strategy)
            for _ in 0..<20 where !report.actions.contains(where: { $0.hasPrefix("placed") }) {
                await h.exchange.advance(by: 60)
                await h.exchange.inject(Fault(method: "POST", pathPrefix: "/v1/orders", action: .dropAfterCommit))
                report = try await runner.run(strategy)
                if report.errors.contains(where: { $0.contains("outcome unknown") }) { break }
            }
            #expect(report.errors.contains { $0.contains("outcome unknown") }, "\(report)")
            let unknown = try ledger.openOrders(instrument: "text-prime")
            #expect(unknown.map(\.state) == [.unknown])
            await h.exchange.clearFaults()
            await h.exchange.advance(by: 60)
            let next = try await runner.run(strategy)
            #expect(next.reconciled.contains { $0.contains("found on the exchange") }, "\(next.reconciled)")
            #expect(try ledger.openOrders(instrument: "text-prime").allSatisfy { $0.clientOrderID != unknown[0].clientOrderID })
            let posts = await h.exchange.requestLog.filter { $0.method == "POST" && $0.path == "/v1/orders" }
            let orders = await h.exchange.allOrders()
            #expect(posts.count == orders.count, "every POST made exactly one order")
        }
    }

    @Test func theBudgetHoldsWhenBurnOutrunsIt() async throws {
        // 12 units/h would cost 30 USD an hour; the 40 USD daily cap wins.
        try await Self.withEngine(Self.draining) { market, runner, ledger in
            var blocked = false
            for _ in 0..<(3 * 60) {
                let report = try await runner.run(try Self.keeper)
                blocked = blocked || report.budgetBlocked
                await market.advance(by: 60)
            }
            let spent = await market.allFills().reduce(Decimal(0)) { $0 + $1.notional }
            #expect(spent <= 40 && spent > 30, "spent \(spent)")
            #expect(blocked, "the cycle reports the exhausted budget")
        }
    }

    @Test func injectedFaultsNeverBreakTheCapsOrDuplicateAnOrder() async throws {
        // Burn that outruns the budget, and a flaky network: lost replies after orders were
        // committed, gateway errors, rate limits and dropped reads, chosen at random.
        let config = SimulatorConfiguration(startingUSD: 500, startingConsumption: ["text-prime": 6], burn: ["text-prime": .constant(12)])
        try await Self.withEngineOverHTTP(config) { h, runner, ledger in
            var generator = SystemRandomNumberGenerator()
            let faults: [Fault] = [
                Fault(method: "POST", pathPrefix: "/v1/orders", action: .dropAfterCommit),
                Fault(method: "POST", pathPrefix: "/v1/orders", action: .status(502, detail: "bad gateway", retryAfterSeconds: nil)),
                Fault(method: "POST", pathPrefix: "/v1/orders", action: .status(429, detail: "slow down", retryAfterSeconds: 0)),
                Fault(method: "POST", pathPrefix: "/v1/transfers", action: .dropAfterCommit),
                Fault(method: "GET", pathPrefix: "/v1/orders", action: .dropBeforeCommit),
                Fault(method: "GET", pathPrefix: "/v1/consumption-accounts", action: .status(503, detail: "maintenance", retryAfterSeconds: nil), times: 5),
            ]
            for _ in 0..<(3 * 60) {
                if Int.random(in: 0..<3, using: &generator) == 0 { await h.exchange.inject(faults.randomElement(using: &generator)!) }
                _ = try await runner.run(try Self.keeper)
                await h.exchange.advance(by: 60)
            }
            // A last clean cycle settles whatever is still unknown.
            await h.exchange.clearFaults()
            _ = try await runner.run(try Self.keeper)
            let orders = await h.exchange.allOrders()
            #expect(Set(orders.compactMap(\.clientOrderID)).count == orders.count, "no client_order_id placed for two orders")
            let fills = await h.exchange.allFills()
            let spent = fills.reduce(Decimal(0)) { $0 + $1.notional }
            #expect(spent <= 40, "the daily cap holds under faults: \(spent)")
            let recorded = try ledger.spend(asOf: h.exchange.clock.now, timeZone: .gmt)
            #expect(recorded.today - recorded.reserved == spent, "every fill reached the ledger")
            let unknown = try ledger.openOrders(instrument: "text-prime").filter { $0.state == .unknown || $0.state == .pending }
            #expect(unknown.isEmpty, "\(unknown)")
        }
    }

    @Test func theKillSwitchStopsNewOrders() async throws {
        try await Self.withEngine(Self.draining) { market, runner, ledger in
            try ledger.setKillSwitch(engaged: true, reason: "test", by: "test", at: Date())
            for _ in 0..<40 {
                let report = try await runner.run(try Self.keeper)
                #expect(report.paused)
                await market.advance(by: 60)
            }
            #expect(await market.allOrders().isEmpty)
        }
    }

    @Test func clientOrderIDsAreDeterministic() {
        let t = Date(timeIntervalSince1970: 1_790_000_000)
        let a = CycleRunner.clientOrderID(strategy: "s", instrument: "text-prime", rule: "r", cycle: t)
        #expect(a == CycleRunner.clientOrderID(strategy: "s", instrument: "text-prime", rule: "r", cycle: t))
        #expect(a != CycleRunner.clientOrderID(strategy: "s", instrument: "text-prime", rule: "r", cycle: t.addingTimeInterval(60)))
        #expect(a.hasPrefix("gk-") && a.count == 32)
    }
}
