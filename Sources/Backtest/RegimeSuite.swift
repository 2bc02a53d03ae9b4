import Foundation
import GridKeeperCore
import GridKeeperMacros

/// A strategy against a simple baseline strategy and Auto Mode on every market regime, several
/// seeds each, judged by cost per unit used against a bar (`gridkeeper-bench strategies`).
///
/// Every run starts with the same balances (10 units in consumption, none in stock, USD to
/// spare) and the strategies' caps raised so that no cap decides anything: what is compared
/// is how each way of buying spends, not its budget.
public enum RegimeSuite {
    /// What runs.
    @MemberwiseInit
    public struct Settings: Sendable {
        public var regimes: [Regime] = Regime.allCases
        public var seeds: [UInt64] = [1, 2, 3]
        public var days: Double = 30
        public var startingUSD: Decimal = 1_000_000
        public var startingConsumption: Int = 10
        public var autoMode: AutoModeSettings = AutoModeSettings()
        /// Backtests at once.
        public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    }

    /// The bar a strategy must clear.
    public struct Bar: Sendable, Encodable {
        /// Most stockout per 30 days of a run, minutes.
        public var stockoutMinutesPer30Days: Double = 5
        /// Most units expired unused, percent of the units bought, in any regime but `bursty`…
        public var expiredPercent: Decimal = 1
        /// …and in `bursty`.
        public var burstyExpiredPercent: Decimal = 3
        /// Cost per unit used against the baseline strategy's, on average over the regimes (it
        /// must also be at most 1 in every regime).
        public var averageAgainstBaseline = Decimal(string: "0.95")!
        /// Cost per unit used against Auto Mode's, in every regime.
        public var againstAutoMode = Decimal(string: "0.70")!

        public init() {}

        func expiredLimit(_ regime: Regime) -> Decimal { regime == .bursty ? burstyExpiredPercent : expiredPercent }

        enum CodingKeys: String, CodingKey {
            case stockoutMinutesPer30Days = "stockout_minutes_per_30_days", expiredPercent = "expired_percent"
            case burstyExpiredPercent = "bursty_expired_percent", averageAgainstBaseline = "average_against_baseline", againstAutoMode = "against_auto_mode"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(stockoutMinutesPer30Days, forKey: .stockoutMinutesPer30Days)
            try c.encodeText(expiredPercent, forKey: .expiredPercent)
            try c.encodeText(burstyExpiredPercent, forKey: .burstyExpiredPercent)
            try c.encodeText(averageAgainstBaseline, forKey: .averageAgainstBaseline)
            try c.encodeText(againstAutoMode, forKey: .againstAutoMode)
        }
    }

    /// One regime and seed: the three ways of buying on the same recording.
    public struct Run: Sendable, Encodable {
        public var regime: Regime
        public var seed: UInt64
        public var strategy: BacktestMetrics
        public var baseline: BacktestMetrics
        public var autoMode: BacktestMetrics

        enum CodingKeys: String, CodingKey { case regime, seed, strategy, baseline, autoMode = "auto_mode" }
    }

    /// A pass or a fail, and the numbers behind it.
    public struct Check: Sendable, Encodable, Equatable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    /// One regime over its seeds.
    public struct Row: Sendable, Encodable {
        public var regime: Regime
        public var runs: [Run]
        /// Mean over the seeds of each cost per unit used (nil if any run used nothing).
        public var strategyCost: Decimal?
        public var baselineCost: Decimal?
        public var autoModeCost: Decimal?
        /// `strategyCost / baselineCost`.
        public var againstBaseline: Decimal?
        /// `strategyCost / autoModeCost`.
        public var againstAutoMode: Decimal?
        public var checks: [Check]
        public var passed: Bool { checks.allSatisfy(\.passed) }

        enum CodingKeys: String, CodingKey {
            case regime, runs, strategyCost = "strategy_cost_per_unit_used", baselineCost = "baseline_cost_per_unit_used"
            case autoModeCost = "auto_mode_cost_per_unit_used", againstBaseline = "against_baseline", againstAutoMode = "against_auto_mode", checks, passed
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(regime, forKey: .regime)
            try c.encode(runs, forKey: .runs)
            try c.encodeText(strategyCost, places: 6, forKey: .strategyCost)
            try c.encodeText(baselineCost, places: 6, forKey: .baselineCost)
            try c.encodeText(autoModeCost, places: 6, forKey: .autoModeCost)
            try c.encodeText(againstBaseline, places: 4, forKey: .againstBaseline)
            try c.encodeText(againstAutoMode, places: 4, forKey: .againstAutoMode)
            try c.encode(checks, forKey: .checks)
            try c.encode(passed, forKey: .passed)
        }
    }

    /// The whole suite.
    public struct Outcome: Sendable, Encodable {
        public var strategy: String
        public var baseline: String
        public var days: Double
        public var seeds: [UInt64]
        public var bar: Bar
        public var rows: [Row]
        /// Mean over the regimes of `againstBaseline` (nil if any regime has none).
        public var averageAgainstBaseline: Decimal?
        /// Checks over all regimes: the average against the baseline, and every regime passing.
        public var checks: [Check]
        public var barPassed: Bool { checks.allSatisfy(\.passed) }

        enum CodingKeys: String, CodingKey {
            case strategy, baseline, days, seeds, bar, rows, averageAgainstBaseline = "average_against_baseline", checks, barPassed = "bar_passed"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(strategy, forKey: .strategy)
            try c.encode(baseline, forKey: .baseline)
            try c.encode(days, forKey: .days)
            try c.encode(seeds, forKey: .seeds)
            try c.encode(bar, forKey: .bar)
            try c.encode(rows, forKey: .rows)
            try c.encodeText(averageAgainstBaseline, places: 4, forKey: .averageAgainstBaseline)
            try c.encode(checks, forKey: .checks)
            try c.encode(barPassed, forKey: .barPassed)
        }
    }

    /// The strategy file's text with caps that decide nothing: daily, monthly and per-order
    /// caps of millions of USD and a 1,000 USD unit price ceiling; `instrument` replaces the
    /// file's when given.
    /// - Throws: `BacktestError` when the file does not parse.
    public static func uncapped(_ text: String, file: String, instrument: String? = nil) throws(BacktestError) -> Strategy {
        var assignments: [(key: String, value: String)] = [
            ("budget.daily", "10000000"), ("budget.monthly", "100000000"), ("budget.per_order", "10000000"), ("budget.max_unit_price", "1000"),
        ]
        if let instrument { assignments.append(("instrument", instrument)) }
        return try Sweep.apply(assignments, to: text, file: file)
    }

    /// Runs `strategy` and `baseline` (both as given: see `uncapped`) and Auto Mode on every
    /// regime and seed of `settings`, `settings.jobs` recordings at a time, and judges the
    /// strategy against `bar`.
    /// - Parameter progress: called with (runs done, runs in all, the run just done).
    public static func run(strategy: Strategy, baseline: Strategy, settings: Settings, bar: Bar = Bar(),
                           progress: (@Sendable (Int, Int, Run) -> Void)? = nil) async throws(BacktestError) -> Outcome {
        guard strategy.instrument == baseline.instrument else {
            throw BacktestError("\(strategy.file) keeps \(strategy.instrument) but the baseline \(baseline.file) keeps \(baseline.instrument)")
        }
        guard settings.days > 0, !settings.seeds.isEmpty, !settings.regimes.isEmpty else {
            throw BacktestError("the suite needs days > 0, at least one seed and at least one regime")
        }
        let work = settings.regimes.flatMap { regime in settings.seeds.map { (regime, $0) } }
        let configuration = BacktestConfiguration(
            replay: ReplaySettings(startingUSD: settings.startingUSD, startingConsumption: settings.startingConsumption),
            autoMode: settings.autoMode, seriesPoints: 2)
        let runs = try await BoundedRuns.run(count: work.count, jobs: settings.jobs) { i throws(BacktestError) in
            let (regime, seed) = work[i]
            return try await one(regime: regime, seed: seed, strategy: strategy, baseline: baseline, days: settings.days,
                                 configuration: configuration)
        } finished: { done, outcome in
            if case .success(let run) = outcome { progress?(done, work.count, run) }
        }
        return judge(runs, strategy: strategy.name, baseline: baseline.name, settings: settings, bar: bar)
    }

    /// One regime and seed.
    static func one(regime: Regime, seed: UInt64, strategy: Strategy, baseline: Strategy, days: Double,
                    configuration: BacktestConfiguration) async throws(BacktestError) -> Run {
        let recording = Regime.recording(regime, seed: seed, days: days, instrument: strategy.instrument)
        let auto = await Backtester.autoMode(recording, demand: recording.demand, settings: configuration.replay, auto: configuration.autoMode,
                                             maxGap: configuration.maxGap)
        let mine = try await Backtester.run(strategy, on: recording, configuration: configuration, baseline: auto)
        let theirs = try await Backtester.run(baseline, on: recording, configuration: configuration, baseline: auto)
        return Run(regime: regime, seed: seed, strategy: mine.metrics, baseline: theirs.metrics, autoMode: auto)
    }

    /// Rows and checks from runs.
    static func judge(_ runs: [Run], strategy: String, baseline: String, settings: Settings, bar: Bar) -> Outcome {
        var rows: [Row] = []
        for regime in settings.regimes {
            let mine = runs.filter { $0.regime == regime }
            let strategyCost = mean(mine.map(\.strategy.costPerUnitUsed))
            let baselineCost = mean(mine.map(\.baseline.costPerUnitUsed))
            let autoCost = mean(mine.map(\.autoMode.costPerUnitUsed))
            let againstBaseline = ratio(strategyCost, baselineCost), againstAuto = ratio(strategyCost, autoCost)
            let scale = 30 / settings.days
            let worstStockout = mine.map { $0.strategy.stockoutMinutes * scale }.max() ?? 0
            let worstExpired = mine.map { $0.strategy.expiredPercent ?? 0 }.max() ?? 0
            let limit = bar.expiredLimit(regime)
            let checks = [
                Check(name: "stockout", passed: worstStockout <= bar.stockoutMinutesPer30Days,
                      detail: String(format: "worst %.1f min per 30 d (bar ≤ %g)", worstStockout, bar.stockoutMinutesPer30Days)),
                Check(name: "expired", passed: worstExpired <= limit,
                      detail: "worst \(BacktestMetrics.text(worstExpired)) % of units bought (bar ≤ \(BacktestMetrics.text(limit)) %)"),
                Check(name: "against baseline", passed: againstBaseline.map { $0 <= 1 } ?? false,
                      detail: "cost per unit used \(percentText(againstBaseline)) of the baseline's (bar ≤ 100 %)"),
                Check(name: "against Auto Mode", passed: againstAuto.map { $0 <= bar.againstAutoMode } ?? false,
                      detail: "cost per unit used \(percentText(againstAuto)) of Auto Mode's (bar ≤ \(percentText(bar.againstAutoMode)))"),
            ]
            rows.append(Row(regime: regime, runs: mine, strategyCost: strategyCost, baselineCost: baselineCost, autoModeCost: autoCost,
                            againstBaseline: againstBaseline, againstAutoMode: againstAuto, checks: checks))
        }
        let average = mean(rows.map(\.againstBaseline))
        let failing = rows.filter { !$0.passed }.map(\.regime.rawValue)
        let checks = [
            Check(name: "average against baseline", passed: average.map { $0 <= bar.averageAgainstBaseline } ?? false,
                  detail: "cost per unit used \(percentText(average)) of the baseline's on average over the regimes (bar ≤ \(percentText(bar.averageAgainstBaseline)))"),
            Check(name: "every regime", passed: failing.isEmpty,
                  detail: failing.isEmpty ? "every regime passes" : "failing: \(failing.joined(separator: ", "))"),
        ]
        return Outcome(strategy: strategy, baseline: baseline, days: settings.days, seeds: settings.seeds, bar: bar, rows: rows,
                       averageAgainstBaseline: average, checks: checks)
    }

    /// The mean, or nil when any value is missing or there are none.
    static func mean(_ values: [Decimal?]) -> Decimal? {
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        return values.reduce(Decimal(0)) { $0 + ($1 ?? 0) } / Decimal(values.count)
    }

    static func ratio(_ a: Decimal?, _ b: Decimal?) -> Decimal? {
        guard let a, let b, b > 0 else { return nil }
        return a / b
    }

    /// `93.1 %`, or `—`.
    public static func percentText(_ fraction: Decimal?) -> String {
        guard let fraction else { return "—" }
        return fixed(fraction * 100, places: 1) + " %"
    }
}
