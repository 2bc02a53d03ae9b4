import Foundation
import GridKeeperCore
import Ledger
import SimulatorCore

/// The numbers that make one regime.
struct RegimeParameters {
    /// Amplitude of the daily price cycle (0.12 = ±12 %).
    var dailyAmplitude = 0.02
    /// Compounded growth over 30 days (0.25 = +25 %).
    var trendPerMonth = 0.0
    /// Standard deviation of the log price's one-hour and one-day mean-reverting parts.
    var fastVolatility = 0.01
    var slowVolatility = 0.02
    /// Units a level.
    var depth = 20...100
    /// Half the spread, ticks.
    var halfSpread = 0.5...1.0
    var tradesPerMinute = 0.6
    var spikes = false
    var droughts = false
    var demand = DemandShape.daily

    enum DemandShape { case daily, weekdays, bursty }

    init(_ regime: Regime) {
        switch regime {
        case .calm: break
        case .intraday:
            dailyAmplitude = 0.12
            demand = .weekdays
        case .trend:
            trendPerMonth = 0.25
            slowVolatility = 0.005
        case .spikes:
            spikes = true
            depth = 8...30
            halfSpread = 0.5...1.5
            tradesPerMinute = 0.4
        case .bursty:
            demand = .bursty
        case .drought:
            droughts = true
        }
    }
}

/// Generates one regime's recording; every part draws from its own random stream, so the
/// demand of a seed does not change when the price model does.
struct RegimeModel {
    /// An episode on the snapshot grid: `[start, end)` in ms, and its size.
    struct Episode {
        var start: Int64
        var end: Int64
        var size: Double

        func contains(_ ms: Int64) -> Bool { ms >= start && ms < end }
    }

    let regime: Regime
    let seed: UInt64
    let parameters: RegimeParameters
    let startMs: Int64
    let stepMs: Int64
    let count: Int
    var price: SplitMix64
    var book: SplitMix64
    var trading: SplitMix64
    var demand: SplitMix64
    var events: SplitMix64

    init(regime: Regime, seed: UInt64, days: Double, every: TimeInterval, start: Date) {
        self.regime = regime
        self.seed = seed
        parameters = RegimeParameters(regime)
        startMs = start.ledgerMilliseconds
        stepMs = Int64(every * 1000)
        count = max(1, Int(days * 86_400 / every) + 1)
        let index = UInt64(Regime.allCases.firstIndex(of: regime) ?? 0)
        func stream(_ k: UInt64) -> SplitMix64 {
            var mixer = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ (index << 40) ^ (k << 56))
            return SplitMix64(seed: mixer.next())
        }
        price = stream(1)
        book = stream(2)
        trading = stream(3)
        demand = stream(4)
        events = stream(5)
    }

    var endMs: Int64 { startMs + Int64(count - 1) * stepMs }

    /// Episodes through the recording: gaps drawn exponentially with mean `meanGapHours` (at
    /// least `minGapHours`), lengths uniformly in `minutes`, sizes uniformly in `sizes`; starts
    /// and ends on the snapshot grid.
    mutating func episodes(meanGapHours: Double, minGapHours: Double, minutes: ClosedRange<Double>, sizes: ClosedRange<Double>) -> [Episode] {
        var out: [Episode] = []
        var t = startMs
        while true {
            let gap = max(minGapHours, -log(max(events.unit(), 1e-12)) * meanGapHours) * 3_600_000
            let length = (minutes.lowerBound + events.unit() * (minutes.upperBound - minutes.lowerBound)) * 60_000
            let size = sizes.lowerBound + events.unit() * (sizes.upperBound - sizes.lowerBound)
            let start = onGrid(t + Int64(gap)), end = onGrid(start + Int64(length.rounded()))
            guard start <= endMs else { return out }
            out.append(Episode(start: start, end: max(end, start + stepMs), size: size))
            t = end
        }
    }

    func onGrid(_ ms: Int64) -> Int64 { startMs + ((ms - startMs) + stepMs / 2) / stepMs * stepMs }

    mutating func generate(instrument: String) -> Recording {
        let p = parameters
        let spikes = p.spikes ? episodes(meanGapHours: 4.5, minGapHours: 1, minutes: 10...60, sizes: 0.4...1.2) : []
        let droughts = p.droughts ? episodes(meanGapHours: 20, minGapHours: 3, minutes: 120...360, sizes: 0...0) : []
        // Bursts about three times a day (6 h apart on average, then 1–3 h long). Calibrated on
        // Auto Mode's expiry, the one measure of an independent bursty market we have (37 % of
        // what it bought): with four a day it lost only 22–27 % here.
        let bursts = p.demand == .bursty ? episodes(meanGapHours: 6, minGapHours: 0.5, minutes: 60...180, sizes: 10...25) : []
        var spikeIndex = 0, droughtIndex = 0, burstIndex = 0
        func current(_ list: [Episode], _ index: inout Int, _ ms: Int64) -> Episode? {
            while index < list.count, list[index].end <= ms { index += 1 }
            return index < list.count && list[index].contains(ms) ? list[index] : nil
        }

        var books = RecordedBooks(depth: RecordingIO.depth)
        books.reserve(count)
        var trades: [TradePrint] = []
        var burn: [BurnStep] = []
        let base = Double(Regime.referencePrice) / Double(Regime.tick)  // ticks
        let hours = Double(stepMs) / 3_600_000
        let fastDecay = exp(-hours), slowDecay = exp(-hours / 24)
        let fastNoise = p.fastVolatility * (1 - fastDecay * fastDecay).squareRoot()
        let slowNoise = p.slowVolatility * (1 - slowDecay * slowDecay).squareRoot()
        var fast = 0.0, slow = 0.0
        var last: Int64?
        var bids: [(Int64, Int)] = [], asks: [(Int64, Int)] = []
        bids.reserveCapacity(5)
        asks.reserveCapacity(5)
        var blockRate = 0.0, block = -1

        for i in 0..<count {
            let ms = startMs + Int64(i) * stepMs
            let elapsedDays = Double(ms - startMs) / 86_400_000
            let hour = Double(((ms % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000
            let cycle = sin(2 * .pi * (hour - 9) / 24)

            // Price, in ticks (Double only here; levels are whole ticks in micro-dollars).
            fast = fast * fastDecay + fastNoise * price.gaussian()
            slow = slow * slowDecay + slowNoise * price.gaussian()
            var mid = base * pow(1 + p.trendPerMonth, elapsedDays / 30) * (1 + p.dailyAmplitude * cycle) * exp(fast + slow)
            let spike = current(spikes, &spikeIndex, ms)
            if let spike { mid *= 1 + spike.size }
            let drought = current(droughts, &droughtIndex, ms) != nil

            // The book.
            var depth = p.depth, half = p.halfSpread, spacing = 1
            if spike != nil { depth = 3...12; half = (half.lowerBound * 3)...(half.upperBound * 4); spacing = 2 }
            if drought { depth = 1...3; half = 1.5...3; spacing = 2 }
            let h = half.lowerBound + book.unit() * (half.upperBound - half.lowerBound)
            var bidTick = max(1, Int64((mid - h).rounded(.down)))
            var askTick = max(bidTick + 1, Int64((mid + h).rounded(.up)))
            bids.removeAll(keepingCapacity: true)
            asks.removeAll(keepingCapacity: true)
            func quantity() -> Int { depth.lowerBound + Int(book.next() % UInt64(depth.upperBound - depth.lowerBound + 1)) }
            for _ in 0..<RecordingIO.depth {
                if bidTick >= 1 { bids.append((bidTick * Regime.tick, quantity())) }
                asks.append((askTick * Regime.tick, quantity()))
                bidTick -= 1 + Int64(spacing > 1 ? book.next() % UInt64(spacing) : 0)
                askTick += 1 + Int64(spacing > 1 ? book.next() % UInt64(spacing) : 0)
            }
            books.append(ms: ms, bids: bids, asks: asks, last: last)

            // Trades until the next snapshot, in time order (none after the last one: the
            // recording ends with its last snapshot).
            let rate = p.tradesPerMinute * (drought ? 0.2 : 1) * Double(stepMs) / 60_000
            let n = i < count - 1 ? trading.poisson(rate) : 0
            if n > 0 {
                var offsets = (0..<n).map { _ in Int64(trading.unit() * Double(stepMs)) }
                offsets.sort()
                for offset in offsets {
                    let atBid = trading.unit() < 0.6 || bids.isEmpty
                    let level = atBid && !bids.isEmpty ? bids[0] : asks[0]
                    let size = min(level.1, 1 + Int(trading.unit() * (drought || spike != nil ? 3 : 10)))
                    guard size > 0 else { continue }
                    trades.append(TradePrint(ms: ms + offset, price: level.0, quantity: size))
                    last = level.0
                }
            }

            // Demand, in milli-units an hour: a level per quarter hour, bursts on the grid.
            let quarter = Int((ms - startMs) / 900_000)
            if quarter != block {
                block = quarter
                let noise = min(1.5, max(0.6, 1 + 0.15 * demand.gaussian()))
                switch p.demand {
                case .daily:
                    blockRate = 3 * (1 + 0.5 * cycle) * noise
                case .weekdays:
                    let weekday = ((ms / 86_400_000) % 7 + 4) % 7  // 0 is Sunday (1970-01-01 was a Thursday)
                    blockRate = weekday == 0 || weekday == 6 ? 0.5 * (1 + 0.3 * cycle) * noise : 3.6 * (1 + 0.6 * cycle) * noise
                case .bursty:
                    blockRate = min(1.1, max(0.9, 1 + 0.05 * demand.gaussian()))  // a burst's jitter
                }
            }
            var unitsPerHour = blockRate
            if p.demand == .bursty {
                if let burst = current(bursts, &burstIndex, ms) { unitsPerHour = min(25, max(10, burst.size * blockRate)) } else { unitsPerHour = 0.2 }
            }
            let milli = Int64((unitsPerHour * 1000).rounded())
            if burn.last?.milliUnitsPerHour != milli { burn.append(BurnStep(ms: ms, milliUnitsPerHour: milli)) }
        }
        return Recording(instrument: instrument, books: books, trades: trades, burn: burn, source: "regime \(regime.rawValue), seed \(seed)")
    }
}
