import Engine
import Execution
import Foundation
import GridAPI
import GridKeeperCore
import GridKeeperMacros
import Ledger
import Logging

/// The Grid's Auto Mode, as the baseline: whenever consumption falls under `threshold` units,
/// buy `amount` units at market; filled units go straight to consumption.
@MemberwiseInit
public struct AutoModeSettings: Sendable, Codable, Equatable {
    public var threshold: Int = 5
    public var amount: Int = 20
    /// How often Auto Mode looks at the balance, seconds.
    public var every: TimeInterval = 60
}

/// How a backtest runs.
@MemberwiseInit
public struct BacktestConfiguration: Sendable {
    public var replay: ReplaySettings = ReplaySettings()
    /// Demand to replay instead of the recording's (a synthetic profile).
    public var demand: [BurnStep]? = nil
    public var from: Date? = nil
    public var to: Date? = nil
    public var timeZone: TimeZone = .gmt
    public var globalBudget: GlobalBudget? = nil
    public var autoMode: AutoModeSettings = AutoModeSettings()
    /// At most this many points per chart series.
    public var seriesPoints: Int = 1500
    /// Two book snapshots further apart than this, seconds, bound a gap in the recording (the
    /// recorder was down): no cycle runs inside it, the replay clock jumps to the next
    /// snapshot (demand and lot expiry still run through it), and the result counts it.
    public var maxGap: TimeInterval = 6 * 3600
}

/// What one way of buying cost and delivered over the replay.
public struct BacktestMetrics: Sendable, Codable, Equatable {
    public var spend: Decimal = 0
    public var fees: Decimal = 0
    public var unitsBought = 0
    /// Spend per unit bought, fees included.
    public var averagePrice: Decimal?
    public var ordersPlaced = 0
    public var cancels = 0
    /// Decisions a budget cap cut or blocked.
    public var capHits = 0
    public var consumption = ConsumptionStats()

    public var stockoutMinutes: Double { consumption.stockoutSeconds / 60 }

    /// What each unit the team used cost, counting the units that expired unused: average
    /// price paid × (used + expired) ÷ used, USD. Units still held at the end are worth what
    /// they cost and are not charged. Nil when nothing was used.
    public var costPerUnitUsed: Decimal? {
        let used = consumption.usedUnits
        guard used > 0 else { return nil }
        return (averagePrice ?? 0) * (used + consumption.expiredUnits) / used
    }

    /// Units that expired unused, as a percentage of the units bought; nil when nothing was bought.
    public var expiredPercent: Decimal? {
        guard unitsBought > 0 else { return nil }
        return consumption.expiredUnits * 100 / Decimal(unitsBought)
    }

    enum CodingKeys: String, CodingKey {
        case spend, fees, unitsBought = "units_bought", averagePrice = "average_price", ordersPlaced = "orders_placed", cancels
        case capHits = "cap_hits", consumption, stockoutMinutes = "stockout_minutes"
        case costPerUnitUsed = "cost_per_unit_used", expiredPercent = "expired_percent"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spend = try c.decode(Decimal.self, forKey: .spend)
        fees = try c.decode(Decimal.self, forKey: .fees)
        unitsBought = try c.decode(Int.self, forKey: .unitsBought)
        averagePrice = try c.decodeIfPresent(Decimal.self, forKey: .averagePrice)
        ordersPlaced = try c.decode(Int.self, forKey: .ordersPlaced)
        cancels = try c.decode(Int.self, forKey: .cancels)
        capHits = try c.decode(Int.self, forKey: .capHits)
        consumption = try c.decode(ConsumptionStats.self, forKey: .consumption)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // Exact to the micro-dollar, like the average price: the totals add up with the fills.
        try c.encode(Self.text(spend, places: 6), forKey: .spend)
        try c.encode(Self.text(fees, places: 6), forKey: .fees)
        try c.encode(unitsBought, forKey: .unitsBought)
        try c.encodeIfPresent(averagePrice.map { Self.text($0, places: 6) }, forKey: .averagePrice)
        try c.encode(ordersPlaced, forKey: .ordersPlaced)
        try c.encode(cancels, forKey: .cancels)
        try c.encode(capHits, forKey: .capHits)
        try c.encode(consumption, forKey: .consumption)
        try c.encode((stockoutMinutes * 10).rounded() / 10, forKey: .stockoutMinutes)
        try c.encodeIfPresent(costPerUnitUsed.map { Self.text($0, places: 6) }, forKey: .costPerUnitUsed)
        try c.encodeIfPresent(expiredPercent.map { Self.text($0, places: 2) }, forKey: .expiredPercent)
    }

    /// Adds the fills' cost, fees and units, and sets the average price paid.
    mutating func add(_ fills: [OrderFill]) {
        for fill in fills {
            spend += fill.cost
            fees += fill.fee
            unitsBought += Units(exactly: fill.quantity)?.rawValue ?? 0
        }
        averagePrice = unitsBought > 0 ? spend / Decimal(unitsBought) : nil
    }

    /// Money as exact text, rounded to `places`.
    public static func text(_ value: Decimal, places: Int = 2) -> String {
        var v = value, r = Decimal()
        NSDecimalRound(&r, &v, places, .plain)
        return NSDecimalNumber(decimal: r).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }
}

/// A backtest's outcome: the strategy against Auto Mode on the same data, and chart series.
public struct BacktestResult: Sendable, Encodable {
    public struct Point: Sendable, Encodable, Equatable {
        public var t: Date
        public var ask: Decimal?
        public var consumption: Int
        public var runwaySeconds: Int?
        public var spent: Decimal

        enum CodingKeys: String, CodingKey { case t, ask, consumption, runwaySeconds = "runway_seconds", spent }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(t, forKey: .t)
            try c.encodeText(ask, places: 6, forKey: .ask)
            try c.encode(consumption, forKey: .consumption)
            try c.encodeIfPresent(runwaySeconds, forKey: .runwaySeconds)
            try c.encodeText(spent, places: 6, forKey: .spent)
        }
    }

    public struct Buy: Sendable, Encodable, Equatable {
        public var t: Date
        public var price: Decimal
        public var quantity: Int

        enum CodingKeys: String, CodingKey { case t, price, quantity }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(t, forKey: .t)
            try c.encodeText(price, places: 6, forKey: .price)
            try c.encode(quantity, forKey: .quantity)
        }
    }

    public var strategy: String
    public var instrument: String
    public var from: Date
    public var to: Date
    public var cycles: Int
    public var snapshots: Int
    public var trades: Int
    /// Volume-weighted average price of the period's recorded trades.
    public var vwap: Decimal?
    /// Average best ask over the period's snapshots.
    public var averageAsk: Decimal?
    public var metrics: BacktestMetrics
    public var autoMode: BacktestMetrics
    public var autoModeSettings: AutoModeSettings
    public var dailyCap: Decimal?
    public var monthlyCap: Decimal?
    public var series: [Point]
    public var buys: [Buy]
    /// Stretches without book snapshots that the replay jumped over (no cycle ran in them).
    public var gaps: [ReplaySchedule.Gap] = []
    /// When the strategy's team ran dry, at cycle resolution.
    public var stockouts: [Stockout] = []
    /// Auto Mode's cumulative spend (empty when its metrics were given rather than replayed).
    public var autoModeSpend: [SpendPoint] = []
    /// The caps that held buys back while the team ran dry or nearly; nil when none did.
    public var capDiagnosis: CapDiagnosis?
    /// A second strategy on the same data (`--baseline FILE`).
    public var baseline: Baseline?

    enum CodingKeys: String, CodingKey {
        case strategy, instrument, from, to, cycles, snapshots, trades, vwap, averageAsk = "average_ask", metrics, autoMode = "auto_mode"
        case autoModeSettings = "auto_mode_settings", dailyCap = "daily_cap", monthlyCap = "monthly_cap", series, buys, gaps
        case stockouts, autoModeSpend = "auto_mode_spend", capDiagnosis = "cap_diagnosis", baseline
        case costPerUnitUsedAgainstBaseline = "cost_per_unit_used_against_baseline"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(strategy, forKey: .strategy)
        try c.encode(instrument, forKey: .instrument)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(cycles, forKey: .cycles)
        try c.encode(snapshots, forKey: .snapshots)
        try c.encode(trades, forKey: .trades)
        try c.encodeText(vwap, places: 6, forKey: .vwap)
        try c.encodeText(averageAsk, places: 6, forKey: .averageAsk)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(autoMode, forKey: .autoMode)
        try c.encode(autoModeSettings, forKey: .autoModeSettings)
        try c.encodeText(dailyCap, forKey: .dailyCap)
        try c.encodeText(monthlyCap, forKey: .monthlyCap)
        try c.encode(series, forKey: .series)
        try c.encode(buys, forKey: .buys)
        try c.encode(gaps, forKey: .gaps)
        try c.encode(stockouts, forKey: .stockouts)
        try c.encode(autoModeSpend, forKey: .autoModeSpend)
        try c.encodeIfPresent(capDiagnosis, forKey: .capDiagnosis)
        try c.encodeIfPresent(baseline, forKey: .baseline)
        try c.encodeText(costPerUnitUsedAgainstBaseline, places: 4, forKey: .costPerUnitUsedAgainstBaseline)
    }
}

/// A stretch of replay time, encoded with its length in seconds.
public struct ReplaySpan: Sendable, Equatable, Encodable {
    public var from: Date
    public var to: Date
    public var seconds: Int { Int(to.timeIntervalSince(from)) }

    enum CodingKeys: String, CodingKey { case from, to, seconds }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(seconds, forKey: .seconds)
    }
}

/// When a replay's cycles run: every `step` from the first snapshot, except that a stretch
/// between two snapshots longer than `maxGap` is jumped over, so replay time follows the data
/// rather than the calendar (a year without data costs nothing). Per cycle it costs a
/// comparison or two.
public struct ReplaySchedule: Sendable {
    /// A stretch without data, from the last snapshot before it to the first after it.
    public typealias Gap = ReplaySpan

    let times: [Int64]
    let step: Int64
    let maxGap: Int64
    /// The last snapshot at or before the current time.
    private var index = 0
    public private(set) var gaps: [Gap] = []

    init(times: [Int64], step: Int64, maxGap: TimeInterval) {
        self.times = times
        self.step = step
        self.maxGap = max(step, Int64(maxGap * 1000))
    }

    /// The cycle time after `t`.
    mutating func next(after t: Int64) -> Int64 {
        let n = t + step
        while index + 1 < times.count, times[index + 1] <= n { index += 1 }
        if n > times[index], index + 1 < times.count, times[index + 1] - times[index] > maxGap {
            gaps.append(Gap(from: Date(ledgerMilliseconds: times[index]), to: Date(ledgerMilliseconds: times[index + 1])))
            return times[index + 1]
        }
        return n
    }

    /// About how many cycles the schedule runs (for progress and reserving).
    var cycles: Int {
        guard let first = times.first else { return 0 }
        var total = 0, segment = first
        for i in times.indices.dropFirst() where times[i] - times[i - 1] > maxGap {
            total += Int((times[i - 1] - segment) / step) + 1
            segment = times[i]
        }
        return total + Int((times[times.count - 1] - segment) / step) + 1
    }
}

/// Why a backtest could not run.
public struct BacktestError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A clock the backtest moves by hand.
/// Replays a recording through the daemon's own cycle (`CycleRunner`), on a simulated clock.
public enum Backtester {
    /// Runs `strategy` over `recording`.
    /// - Parameters:
    ///   - store: the ledger the cycle writes (an in-memory one unless given).
    ///   - progress: called with (cycles done, cycles in all) now and then.
    public static func run(_ strategy: Strategy, on full: Recording, configuration: BacktestConfiguration = BacktestConfiguration(),
                           store: (any LedgerStore)? = nil, baseline: BacktestMetrics? = nil,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(BacktestError) -> BacktestResult {
        guard strategy.instrument == full.instrument else {
            throw BacktestError("\(strategy.file) keeps \(strategy.instrument) but the recording is of \(full.instrument)")
        }
        let recording = configuration.from != nil || configuration.to != nil ? full.slice(from: configuration.from, to: configuration.to) : full
        guard let start = recording.books.times.first, let end = recording.books.times.last else {
            throw BacktestError("the recording has no book snapshots\(configuration.from != nil || configuration.to != nil ? " in that period" : "")")
        }
        for ms in [start, end] where !RecordingIO.plausibleTimes.contains(ms) {
            throw BacktestError("the recording holds a book snapshot at \(Date(ledgerMilliseconds: ms).ISO8601Format()), not a plausible time (expected from 2000 to 2099): "
                                + "fix or drop that snapshot, or replay a period with --from and --to")
        }
        let demand = configuration.demand ?? recording.demand
        guard !demand.isEmpty else {
            throw BacktestError("the recording holds no consumption demand (burn or balances): give a synthetic one with --burn")
        }
        let exchange = ReplayExchange(recording: recording, settings: configuration.replay, demand: demand)
        let ledger = store ?? MemoryLedger()
        let clock = ManualClock(Date(ledgerMilliseconds: start))
        let driver = CycleDriver(runner: CycleRunner(exchange: exchange, ledger: ledger,
                                                     configuration: EngineConfiguration(mode: .backtest, timeZone: configuration.timeZone,
                                                                                        globalBudget: configuration.globalBudget, feeRate: configuration.replay.feeRate),
                                                     logger: Logger(label: "gridkeeper.backtest", factory: { _ in SwiftLogNoOpLogHandler() }), clock: clock),
                                 clock: clock)
        let step = max(Int64(1000), Int64(NSDecimalNumber(decimal: strategy.every * 1000).int64Value))
        var schedule = ReplaySchedule(times: recording.books.times, step: step, maxGap: configuration.maxGap)
        let total = schedule.cycles
        var metrics = BacktestMetrics()
        var series: [BacktestResult.Point] = []
        series.reserveCapacity(min(total, 1 << 20))
        var spent = Decimal(0)
        var seenFills = 0
        var cycle = 0
        var caps = CapDiagnosis.Counter(budget: strategy.budget, global: configuration.globalBudget)
        var stockouts: [BacktestResult.Stockout] = []
        var dry = 0.0
        var previous = start
        var t = start
        while t <= end {
            clock.set(Date(ledgerMilliseconds: t))
            await exchange.advance(to: t)
            // A stockout since the last cycle: the team ran dry in between.
            let dryNow = await exchange.stats.stockoutSeconds
            let ranDry = dryNow > dry
            if ranDry { addStockout(&stockouts, from: previous, to: t) }
            dry = dryNow
            let report: CycleReport
            do {
                report = try await driver.cycle(strategy)
            } catch {
                throw BacktestError("cycle at \(Date(ledgerMilliseconds: t).ISO8601Format()): \(error)")
            }
            metrics.ordersPlaced += report.ordersPlaced
            metrics.capHits += report.decisions.filter { $0.budget != nil }.count
            let fills = await exchange.fills
            for fill in fills[seenFills...] { spent += fill.cost }
            seenFills = fills.count
            let balances = await exchange.balances()
            let short = ranDry || balances.consumption == 0 || report.runwaySeconds.map { $0 < CapDiagnosis.shortRunway } == true
            for decision in report.decisions where decision.cap != nil {
                caps.count(cap: decision.cap, outcome: decision.outcome, short: short)
            }
            series.append(.init(t: Date(ledgerMilliseconds: t), ask: nil, consumption: balances.consumption, runwaySeconds: report.runwaySeconds, spent: spent))
            cycle += 1
            if cycle % 32 == 0 {
                // Long replays share the cooperative threads with whatever else runs.
                if cycle % 256 == 0 { progress?(cycle, total) }
                await Task.yield()
            }
            previous = t
            t = schedule.next(after: t)
        }
        await exchange.advance(to: end)
        progress?(total, total)

        let fills = await exchange.fills
        metrics.add(fills)
        metrics.cancels = await exchange.cancels
        metrics.consumption = await exchange.stats

        var autoModeMetrics: BacktestMetrics
        var autoModeSpend: [BacktestResult.SpendPoint] = []
        if let baseline { autoModeMetrics = baseline } else {
            let auto = await autoModeRun(recording, demand: demand, settings: configuration.replay, auto: configuration.autoMode, maxGap: configuration.maxGap)
            autoModeMetrics = auto.metrics
            autoModeSpend = spendCurve(auto.fills, start: start, end: end, limit: configuration.seriesPoints)
        }
        let asks = askSeries(recording)
        for i in series.indices { series[i].ask = asks(series[i].t.ledgerMilliseconds) }
        var volume = Decimal(0), notional = Decimal(0)
        for trade in recording.trades {
            volume += Decimal(trade.quantity)
            notional += Micros.decimal(trade.price) * Decimal(trade.quantity)
        }
        var askSum: Int64 = 0, askCount: Int64 = 0
        for i in 0..<recording.books.count where recording.books.askPrices[i * recording.books.depth] > 0 {
            askSum += recording.books.askPrices[i * recording.books.depth]
            askCount += 1
        }
        let vwap = volume > 0 ? notional / volume : nil, averageAsk = askCount > 0 ? Micros.decimal(askSum / askCount) : nil
        return BacktestResult(
            strategy: strategy.name, instrument: strategy.instrument, from: Date(ledgerMilliseconds: start), to: Date(ledgerMilliseconds: end),
            cycles: cycle, snapshots: recording.books.count, trades: recording.trades.count,
            vwap: vwap, averageAsk: averageAsk,
            metrics: metrics, autoMode: autoModeMetrics, autoModeSettings: configuration.autoMode,
            dailyCap: strategy.budget.daily, monthlyCap: strategy.budget.monthly,
            series: downsample(series, to: configuration.seriesPoints),
            buys: fills.map { .init(t: $0.executedAt ?? Date(ledgerMilliseconds: end), price: $0.price,
                                    quantity: Units(exactly: $0.quantity)?.rawValue ?? 0) },
            gaps: schedule.gaps, stockouts: stockouts, autoModeSpend: autoModeSpend,
            capDiagnosis: CapDiagnosis.make(tallies: caps.tallies, metrics: metrics, vwap: vwap, averageAsk: averageAsk,
                                            seconds: Double(end - start) / 1000))
    }

    /// Auto Mode on the same data and demand, jumping the same gaps.
    public static func autoMode(_ recording: Recording, demand: [BurnStep], settings: ReplaySettings, auto: AutoModeSettings,
                                maxGap: TimeInterval = BacktestConfiguration().maxGap) async -> BacktestMetrics {
        await autoModeRun(recording, demand: demand, settings: settings, auto: auto, maxGap: maxGap).metrics
    }

    /// Auto Mode's metrics and fills.
    static func autoModeRun(_ recording: Recording, demand: [BurnStep], settings: ReplaySettings, auto: AutoModeSettings,
                            maxGap: TimeInterval) async -> (metrics: BacktestMetrics, fills: [OrderFill]) {
        var replay = settings
        replay.autoTransfers = true
        let exchange = ReplayExchange(recording: recording, settings: replay, demand: demand)
        guard let start = recording.books.times.first, let end = recording.books.times.last else { return (BacktestMetrics(), []) }
        let step = max(Int64(1000), Int64(auto.every * 1000))
        var schedule = ReplaySchedule(times: recording.books.times, step: step, maxGap: maxGap)
        var metrics = BacktestMetrics()
        var t = start
        var n = 0
        while t <= end {
            await exchange.advance(to: t)
            if let view = try? await exchange.view(instrument: recording.instrument), view.consumption < auto.threshold {
                let request = OrderRequest(clientOrderID: "auto-\(t)", marketID: view.marketID, quantity: auto.amount)
                if (try? await exchange.place(request)) != nil { metrics.ordersPlaced += 1 }
            }
            n += 1
            if n % 64 == 0 { await Task.yield() }
            t = schedule.next(after: t)
        }
        await exchange.advance(to: end)
        let fills = await exchange.fills
        metrics.add(fills)
        metrics.consumption = await exchange.stats
        return (metrics, fills)
    }

    /// Best ask at a time (the latest snapshot at or before it).
    static func askSeries(_ recording: Recording) -> (Int64) -> Decimal? {
        let times = recording.books.times, d = recording.books.depth, asks = recording.books.askPrices
        return { ms in
            var low = 0, high = times.count
            while low < high { let mid = (low + high) / 2; if times[mid] <= ms { low = mid + 1 } else { high = mid } }
            guard low > 0, asks[(low - 1) * d] > 0 else { return nil }
            return Micros.decimal(asks[(low - 1) * d])
        }
    }

    static func downsample<T>(_ items: [T], to limit: Int) -> [T] {
        guard limit > 1, items.count > limit else { return items }
        let stride = Double(items.count - 1) / Double(limit - 1)
        return (0..<limit).map { items[Int((Double($0) * stride).rounded())] }
    }
}
