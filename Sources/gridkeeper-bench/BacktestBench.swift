import ArgumentParser
import Backtest
import Foundation
import GridKeeperCore
import Ledger

/// Backtest speed: 30 days at 1-minute and at 1-second resolution, and a sweep's speed-up.
struct BacktestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay speed (events/s) at 1-minute and 1-second resolution, and the parallel speed-up of a sweep."
    )

    @Option(help: "Days of data.")
    var days: Double = 30

    @Flag(name: .customLong("skip-seconds"), help: "Skip the 1-second (2.6M snapshot) run.")
    var skipSeconds = false

    @Option(help: "Timed repetitions of each measurement (after one warm-up run); the median is reported.")
    var repetitions = 5

    @Option(help: "Run the 1-minute keeper backtest this many times and stop (for profiling).")
    var repeatMinute: Int?

    func run() async throws {
        let text = try String(contentsOfFile: Repository.keeper, encoding: .utf8)
        let keeper = try StrategyParser.parse(text, file: Repository.keeper)
        let clock = ContinuousClock()

        print("generating \(days) days at 1-minute resolution on the simulator…")
        let minute = try await SyntheticData.record(days: days, seed: 7, every: 60)
        let events = minute.books.count + minute.trades.count
        if let repeatMinute {
            for _ in 0..<repeatMinute {
                let start = clock.now
                let result = try await Backtester.run(keeper, on: minute, baseline: BacktestMetrics())
                let elapsed = (clock.now - start).inSeconds
                print(String(format: "30d @ 1m, keeper: %.3f s, %.1f µs/cycle", elapsed, elapsed / Double(result.cycles) * 1e6))
            }
            return
        }
        // Baseline: Auto Mode over the same data — the replay alone, no engine cycle.
        let baselines = await Timing.timed(repetitions) {
            _ = await Backtester.autoMode(minute, demand: minute.demand, settings: ReplaySettings(), auto: AutoModeSettings())
        }
        var cycles = 0
        let keeperTimes = try await Timing.timed(repetitions) { cycles = try await Backtester.run(keeper, on: minute, baseline: BacktestMetrics()).cycles }
        let elapsed = Timing.median(keeperTimes), baseline = Timing.median(baselines)
        print(String(format: "30d @ 1m: %d snapshots + %d trades, %d cycles of the keeper: %@ = %.0f events/s, %.1f µs/cycle", minute.books.count,
                     minute.trades.count, cycles, Timing.describe(keeperTimes), Double(events) / elapsed, elapsed / Double(cycles) * 1e6))
        print(String(format: "  baseline (Auto Mode replay, no engine cycle): %@; backtest/baseline = %.1f×", Timing.describe(baselines), elapsed / baseline))
        var fiveMinute = keeper
        fiveMinute.every = 300
        var fiveCycles = 0
        let fiveTimes = try await Timing.timed(repetitions) { fiveCycles = try await Backtester.run(fiveMinute, on: minute, baseline: BacktestMetrics()).cycles }
        print(String(format: "  the keeper at every: 5m over the same data: %d cycles, %@ = %.0f events/s", fiveCycles, Timing.describe(fiveTimes),
                     Double(events) / Timing.median(fiveTimes)))

        // Sweep: 8 combinations, one at a time and then two at a time.
        let axes = [try SweepAxis.parse("budget.daily=40,60,80,120"), try SweepAxis.parse("rules.emergency.when=runway < 45m and inventory == 0,runway < 1h and inventory == 0")]
        let variants = try Sweep.combinations(axes).map { c in (label: "\(c)", strategy: try Sweep.apply(c, to: text, file: "keeper.yaml")) }
        let short = minute.slice(from: nil, to: minute.start?.addingTimeInterval(7 * 86_400))
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let serialTimes = try await Timing.timed(3) {
            _ = try await Sweep.run(variants, on: short, configuration: BacktestConfiguration(), objective: .score, jobs: 1)
        }
        let parallelTimes = try await Timing.timed(3) {
            _ = try await Sweep.run(variants, on: short, configuration: BacktestConfiguration(), objective: .score, jobs: cores)
        }
        let (serial, parallel) = (Timing.median(serialTimes), Timing.median(parallelTimes))
        print(String(format: "sweep of %d backtests (7 days each): %.2f s one at a time, %.2f s on %d cores (medians of 3): speed-up %.2f×", variants.count,
                     serial, parallel, cores, serial / parallel))

        guard !skipSeconds else { return }
        print("generating \(days) days at 1-second resolution (random walk)…")
        let second = SyntheticData.randomWalk(days: days, every: 1, seed: 7)
        let secondEvents = second.books.count + second.trades.count
        let secondBaselines = await Timing.timed(3) {
            _ = await Backtester.autoMode(second, demand: second.demand, settings: ReplaySettings(), auto: AutoModeSettings())
        }
        var secondCycles = 0
        let secondTimes = try await Timing.timed(3) { secondCycles = try await Backtester.run(keeper, on: second, baseline: BacktestMetrics()).cycles }
        let secondElapsed = Timing.median(secondTimes)
        print(String(format: "30d @ 1s: %d snapshots + %d trades, %d cycles: %@ = %.0f events/s", second.books.count, second.trades.count,
                     secondCycles, Timing.describe(secondTimes), Double(secondEvents) / secondElapsed))
        print(String(format: "  baseline (Auto Mode replay): %@; backtest/baseline = %.1f×", Timing.describe(secondBaselines),
                     secondElapsed / Timing.median(secondBaselines)))
    }
}
