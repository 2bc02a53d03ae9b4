import Foundation
import GridKeeperCore

/// The simulated market's time as an engine clock: a driver that sleeps on it runs the market
/// forward (prices, fills, consumption) to the time it waits for, at once. The demo and the
/// daemon's long tests run on it.
public struct MarketClock: EngineClock {
    public let exchange: SimulatedExchange

    public init(_ exchange: SimulatedExchange) {
        self.exchange = exchange
    }

    public var now: Date { exchange.clock.now }

    public func sleep(until time: Date) async throws {
        try Task.checkCancellation()
        let seconds = time.timeIntervalSince(now)
        if seconds > 0 { await exchange.advance(by: seconds) }
    }
}
