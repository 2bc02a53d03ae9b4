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

    @Option(help: "Run the 1-minute keeper backtest this many times and stop (for profiling).")
    var repeatMinute: Int?

    static let keeper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized.path

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    func run() async throws {
        let text = try String(contentsOfFile: Self.keeper, encoding: .utf8)
        let keeper = try StrategyParser.parse(text, file: Self.keeper)
        let clock = ContinuousClock()

        print("generating \(days) days at 1-minute resolution on the simulator…")
        let minute = try await SyntheticData.record(days: days, seed: 7, every: 60)
        let events = minute.books.count + minute.trades.count
        // Baseline: Auto Mode over the same data — the replay alone, no engine cycle.
        if let repeatMinute {
            for _ in 0..<repeatMinute {
                let start = clock.now
                let result = try await Backtester.run(keeper, on: minute, baseline: BacktestMetrics())
                let elapsed = Self.seconds(clock.now - start)
                print(String(format: "30d @ 1m, keeper: %.3f s, %.1f µs/cycle", elapsed, elapsed / Double(result.cycles) * 1e6))
            }
            return
        }
        var start = clock.now
        _ = await Backtester.autoMode(minute, demand: minute.demand, settings: ReplaySettings(), auto: AutoModeSettings())
        let baseline = Self.seconds(clock.now - start)
        start = clock.now
        let result = try await Backtester.run(keeper, on: minute, baseline: BacktestMetrics())
        let elapsed = Self.seconds(clock.now - start)
        print(String(format: "30d @ 1m: %d snapshots + %d trades, %d cycles of the keeper: %.3f s = %.0f events/s, %.1f µs/cycle", minute.books.count,
                     minute.trades.count, result.cycles, elapsed, Double(events) / elapsed, elapsed / Double(result.cycles) * 1e6))
        print(String(format: "  baseline (Auto Mode replay, no engine cycle): %.3f s; backtest/baseline = %.1f×", baseline, elapsed / baseline))
        let fiveMinute = try StrategyParser.parse(text.replacingOccurrences(of: "every: 1m", with: "every: 5m"), file: "keeper-5m.yaml")
        start = clock.now
        let five = try await Backtester.run(fiveMinute, on: minute, baseline: BacktestMetrics())
        let fiveElapsed = Self.seconds(clock.now - start)
        print(String(format: "  the keeper at every: 5m over the same data: %d cycles, %.3f s = %.0f events/s", five.cycles, fiveElapsed, Double(events) / fiveElapsed))

        // Sweep: 8 combinations, one at a time and then two at a time.
        let axes = [try SweepAxis.parse("budget.daily=40,60,80,120"), try SweepAxis.parse("rules.emergency.when=runway < 45m and inventory == 0,runway < 1h and inventory == 0")]
        let variants = try Sweep.combinations(axes).map { c in (label: "\(c)", strategy: try Sweep.apply(c, to: text, file: "keeper.yaml")) }
        let short = minute.slice(from: nil, to: minute.start?.addingTimeInterval(7 * 86_400))
        start = clock.now
        _ = try await Sweep.run(variants, on: short, configuration: BacktestConfiguration(), objective: .score, jobs: 1)
        let serial = Self.seconds(clock.now - start)
        start = clock.now
        _ = try await Sweep.run(variants, on: short, configuration: BacktestConfiguration(), objective: .score, jobs: ProcessInfo.processInfo.activeProcessorCount)
        let parallel = Self.seconds(clock.now - start)
        print(String(format: "sweep of %d backtests (7 days each): %.2f s one at a time, %.2f s on %d cores: speed-up %.2f×", variants.count, serial, parallel,
                     ProcessInfo.processInfo.activeProcessorCount, serial / parallel))

        guard !skipSeconds else { return }
        print("generating \(days) days at 1-second resolution (random walk)…")
        let second = SyntheticData.randomWalk(days: days, every: 1, seed: 7)
        let secondEvents = second.books.count + second.trades.count
        start = clock.now
        _ = await Backtester.autoMode(second, demand: second.demand, settings: ReplaySettings(), auto: AutoModeSettings())
        let secondBaseline = Self.seconds(clock.now - start)
        start = clock.now
        let secondResult = try await Backtester.run(keeper, on: second, baseline: BacktestMetrics())
        let secondElapsed = Self.seconds(clock.now - start)
        print(String(format: "30d @ 1s: %d snapshots + %d trades, %d cycles: %.3f s = %.0f events/s", second.books.count, second.trades.count,
                     secondResult.cycles, secondElapsed, Double(secondEvents) / secondElapsed))
        print(String(format: "  baseline (Auto Mode replay): %.3f s; backtest/baseline = %.1f×", secondBaseline, secondElapsed / secondBaseline))
    }
}
