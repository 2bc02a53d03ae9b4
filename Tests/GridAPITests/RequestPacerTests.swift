import Foundation
import GridAPI
import Synchronization
import Testing

/// The pacer keeps every minute inside the account's budget by waiting.
@Suite struct RequestPacerTests {
    /// A clock that moves only when the pacer sleeps (or the test says so).
    final class FakeClock: Sendable {
        let time = Mutex<Duration>(.zero)
        var now: @Sendable () -> Duration { { self.time.withLock { $0 } } }
        var sleep: @Sendable (Duration) async throws -> Void { { d in self.time.withLock { $0 += d } } }
    }

    @Test func noSixtySecondWindowCarriesMoreThanNinetyPercentOfTheLimit() async throws {
        let clock = FakeClock()
        let pacer = RequestPacer(perMinute: 100, now: clock.now)
        var sent: [Duration] = []
        // 400 requests as fast as the caller can, with a few idle stretches between bursts.
        for i in 0..<400 {
            if i % 97 == 0 { clock.time.withLock { $0 += .seconds(20) } }
            try await pacer.acquire(sleep: clock.sleep)
            sent.append(clock.now())
        }
        var worst = 0
        var low = 0
        for high in sent.indices {
            while sent[high] - sent[low] >= .seconds(60) { low += 1 }
            worst = max(worst, high - low + 1)
        }
        #expect(worst <= 90, "\(worst) requests inside one minute")
        #expect(worst >= 80, "the budget is used, not wasted: \(worst)")
        #expect(pacer.totals.requests == 400 && pacer.totals.waited > .zero)
    }

    @Test func aBurstWithinTheBudgetDoesNotWait() async throws {
        let clock = FakeClock()
        let pacer = RequestPacer(perMinute: 100, now: clock.now)
        for _ in 0..<pacer.burst { try await pacer.acquire(sleep: clock.sleep) }
        #expect(clock.now() == .zero)
        try await pacer.acquire(sleep: clock.sleep)
        #expect(clock.now() > .zero && clock.now() <= .seconds(1))
    }
}
