import Foundation
import GridKeeperCore

/// Told about the cycles a `CycleDriver` runs: the daemon's metrics, status and notifications,
/// the demo's printing, a backtest's accounting.
public protocol CycleObserver: Sendable {
    /// Before `strategy`'s cycle at `time` (a simulated market catches up to it here).
    func willRun(_ strategy: Strategy, at time: Date) async
    /// After the cycle, with how long it took on the host's clock.
    func didRun(_ strategy: Strategy, report: CycleReport, took: Duration) async
    /// `strategy`'s turn came `late` seconds after it was due: a whole interval or more.
    func missedTurn(_ strategy: Strategy, late: TimeInterval) async
}

extension CycleObserver {
    public func willRun(_ strategy: Strategy, at time: Date) async {}
    public func didRun(_ strategy: Strategy, report: CycleReport, took: Duration) async {}
    public func missedTurn(_ strategy: Strategy, late: TimeInterval) async {}
}

/// Runs cycles on a clock, for every mode: the daemon, `once`, the demo and the backtest. The
/// mode supplies the clock (the host's or a simulated one), the observers and, for a daemon,
/// when to stop or step aside; the cycle itself is always `CycleRunner.run`.
public struct CycleDriver: Sendable {
    public let runner: CycleRunner
    public let clock: any EngineClock
    public let observers: [any CycleObserver]

    /// - Parameter runner: its cycles are stamped with `clock` from now on.
    public init(runner: CycleRunner, clock: any EngineClock, observers: [any CycleObserver] = []) {
        self.runner = runner.on(clock)
        self.clock = clock
        self.observers = observers
    }

    /// One cycle of `strategy` at the clock's time, observers told.
    public func cycle(_ strategy: Strategy) async throws(EngineError) -> CycleReport {
        let time = clock.now
        for observer in observers { await observer.willRun(strategy, at: time) }
        let started = ContinuousClock.now
        let report = try await runner.run(strategy)
        let took = ContinuousClock.now - started
        for observer in observers { await observer.didRun(strategy, report: report, took: took) }
        return report
    }

    /// One cycle of each strategy, in order (`once`).
    public func runAll(_ strategies: [Strategy]) async throws(EngineError) -> [CycleReport] {
        var reports: [CycleReport] = []
        for strategy in strategies { reports.append(try await cycle(strategy)) }
        return reports
    }

    /// A cycle of every strategy due on `cadence` now, in order; a turn missed by a whole
    /// interval or more is reported to the observers first (never silent).
    /// - Parameter proceed: asked before each cycle; false stops the round (a daemon that no
    ///   longer leads, or is shutting down).
    /// - Throws: the first cycle's error; the cadence keeps the cycles that ran before it.
    @discardableResult
    public func runDue(_ strategies: [Strategy], cadence: inout Cadence, proceed: () async -> Bool = { true }) async throws(EngineError) -> [CycleReport] {
        let time = clock.now
        var reports: [CycleReport] = []
        for strategy in strategies where cadence.isDue(strategy, at: time) {
            guard await proceed() else { break }
            if let late = cadence.lateness(of: strategy, at: clock.now) {
                for observer in observers { await observer.missedTurn(strategy, late: late) }
            }
            reports.append(try await cycle(strategy))
            cadence.ran(strategy, startedAt: time)
        }
        return reports
    }

    /// Each strategy on its cadence until the clock reaches `end` (nil: until the task is
    /// cancelled), sleeping on the clock in between.
    public func run(_ strategies: [Strategy], until end: Date?, cadence: Cadence = Cadence()) async throws(EngineError) {
        var cadence = cadence
        while !Task.isCancelled {
            if let end, clock.now >= end { return }
            try await runDue(strategies, cadence: &cadence)
            var wake = cadence.wake(for: strategies, after: clock.now)
            if let end { wake = min(wake, end) }
            do { try await clock.sleep(until: wake) } catch { return }
        }
    }
}
