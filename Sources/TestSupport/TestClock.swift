import Foundation
import GridKeeperCore

/// An engine clock made of two closures: what time it is, and what waiting until a time does
/// (typically: run a simulated market forward to it, and end the run once far enough).
public struct TestClock: EngineClock {
    let read: @Sendable () -> Date
    let wait: @Sendable (_ until: Date) async -> Void

    public init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (_ until: Date) async -> Void) {
        read = now
        wait = sleep
    }

    public var now: Date { read() }

    public func sleep(until time: Date) async throws {
        try Task.checkCancellation()
        await wait(time)
    }
}
