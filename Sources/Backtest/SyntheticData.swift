import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import SimulatorCore

/// Recordings made by the simulator: days of a seeded market and demand, without waiting.
public enum SyntheticData {
    /// Records `days` of `instrument` on the simulator's market for `seed`, one snapshot every
    /// `every` seconds, with demand from `burn`.
    /// - Parameter progress: called with the fraction done, now and then.
    public static func record(instrument: String = "text-prime", days: Double, seed: UInt64, every: TimeInterval = 60,
                              burn: BurnProfile = BurnProfile(kind: .daily, unitsPerHour: 3, amplitude: 0.5),
                              start: Date = Date(timeIntervalSince1970: 1_790_035_200),
                              progress: (@Sendable (Double) -> Void)? = nil) async throws(RecordingError) -> Recording {
        guard InstrumentCatalog.entry(symbol: instrument) != nil else {
            throw RecordingError("unknown instrument \(instrument); the simulator trades \(InstrumentCatalog.all.map(\.symbol).joined(separator: ", "))")
        }
        guard days > 0, every >= 1 else { throw RecordingError("--days must be > 0 and --every at least 1s") }
        let configuration = SimulatorConfiguration(market: MarketModel(seed: seed), burn: [instrument: burn], seed: seed)
        let clock = SimulationClock(start: start, speed: 0)
        let exchange = SimulatedExchange(configuration: configuration, clock: clock)
        let steps = Int(days * 86_400 / every)
        var books = RecordedBooks(depth: RecordingIO.depth)
        books.reserve(steps + 1)
        var trades: [TradePrint] = []
        var burnSteps: [BurnStep] = []
        var lastTradeMs: Int64 = .min
        var seen: Set<String> = []
        for step in 0...steps {
            if step > 0 { await exchange.advance(by: every) }
            guard let sample = await exchange.sample(symbol: instrument) else { throw RecordingError("the simulator has no market for \(instrument)") }
            let ms = clock.now.ledgerMilliseconds
            func micros(_ d: Decimal) -> Int64 { (try? Micros.exactly(d)) ?? 0 }
            books.append(ms: ms, bids: sample.bids.map { (micros($0.price), Units(exactly: $0.quantity)?.rawValue ?? 0) },
                         asks: sample.asks.map { (micros($0.price), Units(exactly: $0.quantity)?.rawValue ?? 0) }, last: sample.last.map(micros))
            for trade in sample.trades where !seen.contains(trade.tradeID) {
                seen.insert(trade.tradeID)
                let at = trade.executionTimestamp.flatMap(Timestamp.parse)?.ledgerMilliseconds ?? ms
                guard let quantity = Units(exactly: trade.quantity)?.rawValue, quantity > 0 else { continue }
                trades.append(TradePrint(ms: max(at, lastTradeMs), price: micros(trade.price), quantity: quantity))
                lastTradeMs = max(at, lastTradeMs)
            }
            if seen.count > 5000 { seen = Set(sample.trades.map(\.tradeID)) }
            let milli = Int64((sample.burnUnitsPerHour * 1000).rounded())
            if burnSteps.last?.milliUnitsPerHour != milli { burnSteps.append(BurnStep(ms: ms, milliUnitsPerHour: milli)) }
            if step % 60 == 0 {
                if step % 1440 == 0 { progress?(Double(step) / Double(max(steps, 1))) }
                await Task.yield()
            }
        }
        progress?(1)
        return Recording(instrument: instrument, books: books, trades: trades, burn: burnSteps, source: "gridkeeper sim --seed \(seed)")
    }
}

extension SyntheticData {
    /// A cheap seeded random walk (no simulator): a book of five levels a side around a
    /// mean-reverting mid with a daily cycle, a trade every `tradeEvery` snapshots, and daily
    /// demand. For benchmarks and tests that need millions of snapshots quickly.
    public static func randomWalk(instrument: String = "text-prime", days: Double, every: TimeInterval, seed: UInt64 = 1,
                                  referencePrice: Int64 = 2_500_000, tick: Int64 = 10_000, tradeEvery: Int = 20,
                                  demand: BurnProfile = BurnProfile(kind: .daily, unitsPerHour: 3, amplitude: 0.5),
                                  start: Date = Date(timeIntervalSince1970: 1_790_035_200)) -> Recording {
        var random = SplitMix64(seed: seed)
        func unit() -> Double { random.unit() }
        let count = Int(days * 86_400 / every) + 1
        var books = RecordedBooks(depth: RecordingIO.depth)
        books.reserve(count)
        var trades: [TradePrint] = []
        trades.reserveCapacity(count / max(1, tradeEvery) + 1)
        let startMs = start.ledgerMilliseconds, stepMs = Int64(every * 1000)
        let base = Double(referencePrice / tick)
        var mid = base
        let hourly = every / 3600
        var bids: [(Int64, Int)] = Array(repeating: (0, 0), count: 5), asks = bids
        for i in 0..<count {
            let ms = startMs + Int64(i) * stepMs
            let hour = Double(ms % 86_400_000) / 3_600_000
            let target = base * (1 + 0.05 * sin(2 * .pi * (hour - 9) / 24))
            mid += 0.6 * hourly * (target - mid) + 0.02 * base * hourly.squareRoot() * (unit() * 2 - 1) * 1.7
            let center = Int64(mid.rounded())
            for k in 0..<5 {
                bids[k] = ((center - 1 - Int64(k)) * tick, 50 + Int(unit() * 50))
                asks[k] = ((center + 1 + Int64(k)) * tick, 50 + Int(unit() * 50))
            }
            var last: Int64?
            if tradeEvery > 0, i % tradeEvery == 0 {
                let price = unit() < 0.5 ? bids[0].0 : asks[0].0
                trades.append(TradePrint(ms: ms, price: price, quantity: 1 + Int(unit() * 10)))
                last = price
            }
            books.append(ms: ms, bids: bids, asks: asks, last: last ?? trades.last?.price)
        }
        let end = Date(ledgerMilliseconds: startMs + Int64(count - 1) * stepMs)
        return Recording(instrument: instrument, books: books, trades: trades, burn: Demand.steps(demand, from: start, to: end),
                         source: "random walk, seed \(seed)")
    }
}
