import Foundation
import Synchronization

/// The time cycles are stamped with, and how a `CycleDriver` waits for the next one. The
/// daemon, `once` and `record` run on `SystemClock`; a backtest, the demo and tests run on a
/// clock they move themselves (`ManualClock`, or one that advances a simulated market).
public protocol EngineClock: Sendable {
    var now: Date { get }
    /// Waits towards `time`. It may return before `time` (a real clock sleeps in short steps,
    /// so that a reload or a shutdown is noticed), and the caller then looks again; a
    /// simulated clock jumps to `time` at once.
    func sleep(until time: Date) async throws
}

/// The host's clock.
public struct SystemClock: EngineClock {
    /// The longest single sleep, seconds.
    public var step: TimeInterval

    public init(step: TimeInterval = 1) {
        self.step = step
    }

    public var now: Date { Date() }

    public func sleep(until time: Date) async throws {
        let pause = max(0.05, min(time.timeIntervalSinceNow, step))
        try await Task.sleep(for: .milliseconds(Int64(pause * 1000)))
    }
}

/// A clock that moves only when told (or when a driver sleeps on it): a backtest's replay
/// time, and tests'.
public final class ManualClock: EngineClock {
    private let time: Mutex<Date>

    public init(_ start: Date) {
        time = Mutex(start)
    }

    public var now: Date { time.withLock { $0 } }

    /// Moves the clock to `date` (backwards too: a replay may start over).
    public func set(_ date: Date) {
        time.withLock { $0 = date }
    }

    public func advance(by seconds: TimeInterval) {
        time.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// Jumps to `time` at once, unless the clock is already past it.
    public func sleep(until time: Date) async throws {
        try Task.checkCancellation()
        self.time.withLock { $0 = max($0, time) }
    }
}

/// A clock made of two closures: what time it is, and what waiting until a time does (run a
/// simulated market forward to it, say, or nothing where the caller moves time itself).
public struct ClosureClock: EngineClock {
    let read: @Sendable () -> Date
    let wait: @Sendable (_ until: Date) async -> Void

    public init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (_ until: Date) async -> Void = { _ in }) {
        read = now
        wait = sleep
    }

    public var now: Date { read() }

    public func sleep(until time: Date) async throws {
        try Task.checkCancellation()
        await wait(time)
    }
}
