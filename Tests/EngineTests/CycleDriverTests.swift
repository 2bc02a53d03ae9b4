import Foundation
import GridKeeperCore
import Ledger
import Logging
import Synchronization
import Testing
@testable import Engine

/// The one driver of every mode, on a clock the test moves.
@Suite struct CycleDriverTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_035_200)

    static func strategy(_ name: String, every: String) throws -> Strategy {
        try StrategyParser.parse("""
            strategy: \(name)
            instrument: text-prime
            every: \(every)
            budget: { daily: 10.00, max_unit_price: 3.00 }
            rules:
              - { name: look, when: ask > 100, buy: { quantity: 1, order: market } }
            """, file: "\(name).yaml")
    }

    /// Writes down what observers are told, in order.
    final class Journal: CycleObserver {
        let lines = Mutex<[String]>([])
        func seconds(_ time: Date) -> Int { Int(time.timeIntervalSince(CycleDriverTests.t0)) }
        func willRun(_ strategy: Strategy, at time: Date) async { lines.withLock { $0.append("will \(strategy.name) \(seconds(time))") } }
        func didRun(_ strategy: Strategy, report: CycleReport, took: Duration) async {
            lines.withLock { $0.append("did \(strategy.name) \(seconds(report.asOf))") }
        }
        func missedTurn(_ strategy: Strategy, late: TimeInterval) async { lines.withLock { $0.append("late \(strategy.name) \(Int(late))") } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func driver(_ clock: any EngineClock, _ observers: [any CycleObserver]) -> CycleDriver {
        let runner = CycleRunner(exchange: ScriptedMarket(), ledger: MemoryLedger(), configuration: EngineConfiguration(mode: .live, timeZone: .gmt),
                                 logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), now: { Date.distantPast })
        return CycleDriver(runner: runner, clock: clock, observers: observers)
    }

    @Test func eachStrategyRunsOnItsOwnIntervalStampedWithTheClock() async throws {
        let clock = ManualClock(Self.t0)
        let journal = Journal()
        let fast = try Self.strategy("fast", every: "1m"), slow = try Self.strategy("slow", every: "5m")
        try await Self.driver(clock, [journal]).run([fast, slow], until: Self.t0.addingTimeInterval(600))
        let did = journal.all.filter { $0.hasPrefix("did") }
        var expected = ["did fast 0", "did slow 0"]
        for minute in 1..<10 {
            expected.append("did fast \(minute * 60)")
            if minute == 5 { expected.append("did slow 300") }
        }
        #expect(did == expected)
        #expect(journal.all.first == "will fast 0" && journal.all.dropFirst().first == "did fast 0", "told before and after each cycle")
        #expect(clock.now == Self.t0.addingTimeInterval(600), "stopped at the end, not past it")
    }

    @Test func aTurnMissedByAWholeIntervalIsReportedBeforeItRuns() async throws {
        let clock = ManualClock(Self.t0)
        let journal = Journal()
        let fast = try Self.strategy("fast", every: "1m")
        let driver = Self.driver(clock, [journal])
        var cadence = Cadence()
        try await driver.runDue([fast], cadence: &cadence)
        clock.advance(by: 119)  // 59 s past due: not a missed turn
        try await driver.runDue([fast], cadence: &cadence)
        clock.advance(by: 190)  // due at 179, now 309: 130 s late
        try await driver.runDue([fast], cadence: &cadence)
        #expect(journal.all.filter { !$0.hasPrefix("will") } == ["did fast 0", "did fast 119", "late fast 130", "did fast 309"])
    }

    @Test func aRoundStopsWhenTheDriverMayNotProceedAndTheRestStayDue() async throws {
        let clock = ManualClock(Self.t0)
        let journal = Journal()
        let a = try Self.strategy("a", every: "1m"), b = try Self.strategy("b", every: "1m")
        var cadence = Cadence()
        var asked = 0
        let reports = try await Self.driver(clock, [journal]).runDue([a, b], cadence: &cadence) {
            asked += 1
            return asked == 1
        }
        #expect(reports.map(\.strategy) == ["a"])
        #expect(!cadence.isDue(a, at: Self.t0) && cadence.isDue(b, at: Self.t0))
    }

    @Test func aCadenceGoesOnFromTheLedgersLastCycles() throws {
        let a = try Self.strategy("a", every: "1m"), b = try Self.strategy("b", every: "5m")
        let cadence = Cadence(strategies: [a, b]) { $0 == "a" ? Self.t0 : nil }
        #expect(!cadence.isDue(a, at: Self.t0.addingTimeInterval(59)) && cadence.isDue(a, at: Self.t0.addingTimeInterval(60)))
        #expect(cadence.isDue(b, at: Self.t0), "never run: due at once")
        #expect(cadence.wake(for: [a, b], after: Self.t0) == Self.t0.addingTimeInterval(60))
        #expect(Cadence().wake(for: [a], after: Self.t0) == Self.t0.addingTimeInterval(1), "nothing scheduled: look again in a second")
    }

    @Test func aManualClockMovesOnlyWhenToldAndNeverBackByWaiting() async throws {
        let clock = ManualClock(Self.t0)
        try await clock.sleep(until: Self.t0.addingTimeInterval(30))
        #expect(clock.now == Self.t0.addingTimeInterval(30))
        try await clock.sleep(until: Self.t0)
        #expect(clock.now == Self.t0.addingTimeInterval(30), "waiting for a time already past returns at once")
        clock.set(Self.t0)
        #expect(clock.now == Self.t0, "a replay may start over")
    }
}
