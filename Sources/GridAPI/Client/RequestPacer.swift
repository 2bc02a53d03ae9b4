import Foundation
import Synchronization

/// Spaces signed requests so that an account stays inside its request budget (The Grid
/// allows about 100 signed requests a minute per key) by waiting, not by collecting 429s.
///
/// A token bucket: `burst` requests may leave at once, then one every `60 / refillPerMinute`
/// seconds; any 60-second window therefore carries at most `burst + refillPerMinute`
/// requests, which `init(perMinute:)` keeps at 90 % of the limit.
public final class RequestPacer: Sendable {
    public let burst: Int
    public let refillPerMinute: Int
    private let now: @Sendable () -> Duration
    private struct State {
        var tokens: Double
        var at: Duration
        var waited: Duration = .zero
        var requests = 0
    }
    private let state: Mutex<State>

    /// - Parameters:
    ///   - burst: requests that may leave back to back.
    ///   - refillPerMinute: requests a minute once the burst is spent.
    ///   - now: a monotonic clock (time since any fixed point).
    public init(burst: Int, refillPerMinute: Int, now: @escaping @Sendable () -> Duration = RequestPacer.monotonic) {
        self.burst = max(1, burst)
        self.refillPerMinute = max(1, refillPerMinute)
        self.now = now
        state = Mutex(State(tokens: Double(max(1, burst)), at: now()))
    }

    /// Time on the continuous clock since the process started.
    public static let monotonic: @Sendable () -> Duration = {
        let start = ContinuousClock.now
        return { ContinuousClock.now - start }
    }()

    /// Paces to 90 % of `limit` requests a minute, a fifth of it as burst.
    public convenience init(perMinute limit: Int, now: @escaping @Sendable () -> Duration = RequestPacer.monotonic) {
        let target = max(2, limit * 9 / 10)
        let burst = max(1, target / 5)
        self.init(burst: burst, refillPerMinute: max(1, target - burst), now: now)
    }

    /// How long requests have waited for their turn so far, and how many were paced.
    public var totals: (waited: Duration, requests: Int) { state.withLock { ($0.waited, $0.requests) } }

    /// Takes a turn, waiting (with `sleep`) until one is free.
    public func acquire(sleep: @Sendable (Duration) async throws -> Void) async throws {
        let wait: Duration = state.withLock { s in
            let now = self.now()
            let perSecond = Double(refillPerMinute) / 60
            s.tokens = min(Double(burst), s.tokens + perSecond * Double((now - s.at) / .milliseconds(1)) / 1000)
            s.at = now
            s.tokens -= 1
            s.requests += 1
            guard s.tokens < 0 else { return .zero }
            // In debt: wait until the debt is paid back (later callers queue behind it).
            let wait = Duration.milliseconds(Int64((-s.tokens / perSecond * 1000).rounded(.up)))
            s.waited += wait
            return wait
        }
        if wait > .zero { try await sleep(wait) }
    }
}
