import Foundation
import Synchronization

/// The simulator's time: real time or accelerated (`speed` simulated seconds per real second),
/// plus explicit jumps (`advance`), plus an optional skew of the server's own clock.
public final class SimulationClock: Sendable {
    struct State {
        var speed: Double
        var anchorWall: Date
        var anchorSim: Date
        var skew: TimeInterval = 0
    }

    private let wall: @Sendable () -> Date
    private let state: Mutex<State>

    /// - Parameters:
    ///   - start: simulated time at creation; the wall clock's time when `nil`.
    ///   - speed: simulated seconds per real second (1 = real time, 60 = an hour a minute).
    ///   - wall: the real clock.
    public init(start: Date? = nil, speed: Double = 1, wall: @escaping @Sendable () -> Date = { Date() }) {
        self.wall = wall
        let now = wall()
        state = Mutex(State(speed: max(0, speed), anchorWall: now, anchorSim: start ?? now))
    }

    /// Simulated now.
    public var now: Date {
        let wallNow = wall()
        return state.withLock { $0.anchorSim.addingTimeInterval(wallNow.timeIntervalSince($0.anchorWall) * $0.speed) }
    }

    /// The server's idea of real time, used for request timestamps and `Date` headers:
    /// the wall clock plus any injected skew.
    public var serverWallTime: Date {
        let wallNow = wall()
        return wallNow.addingTimeInterval(state.withLock { $0.skew })
    }

    public var speed: Double { state.withLock { $0.speed } }

    /// Jumps simulated time forward.
    public func advance(by seconds: TimeInterval) {
        guard seconds > 0 else { return }
        state.withLock { $0.anchorSim = $0.anchorSim.addingTimeInterval(seconds) }
    }

    /// Changes the speed from now on, without a jump.
    public func setSpeed(_ speed: Double) {
        let wallNow = wall()
        state.withLock { s in
            s.anchorSim = s.anchorSim.addingTimeInterval(wallNow.timeIntervalSince(s.anchorWall) * s.speed)
            s.anchorWall = wallNow
            s.speed = max(0, speed)
        }
    }

    /// Makes the server's clock run `seconds` ahead (negative: behind) of real time.
    public func setSkew(_ seconds: TimeInterval) {
        state.withLock { $0.skew = seconds }
    }
}

/// SplitMix64: a small, fast, seedable generator, the same sequence on every platform; the
/// simulator's only source of randomness, and the one synthetic data and tests replay from.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller).
    public mutating func gaussian() -> Double {
        let u1 = max(unit(), .leastNonzeroMagnitude)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// Poisson-distributed count with mean `lambda` (Knuth; fine for small means).
    public mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        let limit = exp(-min(lambda, 30))
        var k = 0
        var p = 1.0
        repeat {
            k += 1
            p *= unit()
        } while p > limit
        return k - 1
    }
}
