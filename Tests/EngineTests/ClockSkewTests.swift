import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import Testing
import TestSupport

@testable import Engine
@testable import Simulator

/// The caps hold whichever clock is ahead: the exchange's fills are dated on its clock, the
/// budget is reserved on ours.
@Suite struct ClockSkewTests {
    static let strategy = """
        strategy: skew-buyer
        instrument: text-prime
        every: 1m
        budget: { daily: 20, per_order: 15, max_unit_price: 3 }
        rules:
          - name: buy
            when: ask > 0
            buy: { quantity: 5, order: market }
        """

    @Test(arguments: [600.0, 1500.0, -600.0, -1500.0])
    func theDailyCapHoldsWhenTheClocksDisagree(skew: TimeInterval) async throws {
        let clock = SimulationClock(speed: 0)
        let config = SimulatorConfiguration(startingUSD: 500, startingConsumption: ["text-prime": 6], burn: ["text-prime": .constant(1)])
        try await SimulatorHarness.with(config, clock: clock) { h throws in
            let ledger = try Ledger(inMemory: Migration.bundled)
            // Our clock reads `skew` seconds behind the exchange's.
            let runner = CycleRunner(exchange: GridExchange(client: h.client), ledger: ledger,
                                     configuration: EngineConfiguration(mode: .live, timeZone: .gmt),
                                     logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                                     now: { clock.now.addingTimeInterval(-skew) })
            let strategy = try StrategyParser.parse(Self.strategy, file: "skew.yaml")
            for _ in 0..<6 {
                _ = try await runner.run(strategy)
                await h.exchange.advance(by: 60)
            }
            let spent = await h.exchange.allFills().reduce(Decimal(0)) { $0 + $1.notional }
            #expect(spent > 0, "something was bought")
            #expect(spent <= 20, "spent \(spent) against a daily cap of 20 with the exchange \(Int(skew)) s ahead")
            let seen = try ledger.spend(asOf: clock.now.addingTimeInterval(-skew), timeZone: .gmt, instrument: "text-prime")
            #expect(seen.today == spent, "status shows what was spent: \(seen)")
        }
    }

    @Test(arguments: [-120.0, 120.0, -840.0])
    func anOrderIsCheckedAgainstEveryDayTheExchangeMayDateIt(skew: TimeInterval) async throws {
        // 23:50 in Berlin, the night summer time starts; the exchange's clock `skew` seconds off ours.
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let clock = SimulationClock(start: Date(timeIntervalSince1970: 1_774_738_200), speed: 0)  // 2026-03-28T22:50:00Z
        let config = SimulatorConfiguration(startingUSD: 500, startingConsumption: ["text-prime": 6], burn: ["text-prime": .constant(1)])
        try await SimulatorHarness.with(config, clock: clock) { h throws in
            let ledger = try Ledger(inMemory: Migration.bundled)
            let runner = CycleRunner(exchange: GridExchange(client: h.client), ledger: ledger,
                                     configuration: EngineConfiguration(mode: .live, timeZone: berlin),
                                     logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                                     now: { clock.now.addingTimeInterval(-skew) })
            let strategy = try StrategyParser.parse(Self.strategy, file: "skew.yaml")
            for _ in 0..<30 {
                _ = try await runner.run(strategy)
                await h.exchange.advance(by: 60)
            }
            var perDay: [Int64: Decimal] = [:]
            for fill in await h.exchange.allFills() {
                let at = try #require(fill.executionTimestamp.flatMap(Timestamp.parse))
                perDay[SpendPeriods(containing: at, in: berlin).dayStart, default: 0] += fill.notional
            }
            #expect(perDay.count >= 1)
            for (day, spent) in perDay {
                #expect(spent <= 20, "the exchange's day from \(Date(ledgerMilliseconds: day)) holds \(spent) against a daily cap of 20")
            }
        }
    }
}
