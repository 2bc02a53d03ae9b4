import ArgumentParser
import Backtest
import Foundation
import GridKeeperCore

/// A strategy across market regimes: cost per unit used, stockout and expiry against a
/// just-in-time buyer and Auto Mode, judged by the bar of issue 12.
struct Strategies: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A strategy against the JIT buyer and Auto Mode on every market regime (cost per unit used, stockout, expired), with the bar.",
        discussion: """
            Every regime × seed is a fresh recording (Regime.recording); each run starts with 10 units in consumption, none in stock and \
            1,000,000 USD, the strategies' caps raised so that no cap decides anything. Exits 0 whatever the bar says: it is a measurement.
            """
    )

    @Option(help: ArgumentHelp("Strategy under test (default strategies/text-prime-keeper.yaml).", valueName: "file"))
    var strategy: String?

    @Option(help: ArgumentHelp("Baseline strategy (default strategies/baselines/jit-buyer.yaml).", valueName: "file"))
    var baseline: String?

    @Option(help: "Seeds per regime (1, 2, …).")
    var seeds = 3

    @Option(help: "Days per recording.")
    var days: Double = 30

    @Option(help: ArgumentHelp("Only this regime (repeatable): \(Regime.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var regime: [String] = []

    @Option(help: "Backtests at once (default: one per core).")
    var jobs: Int?

    @OptionGroup var output: JSONOutput

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be ≥ 1") }
        guard days > 0, days <= 366 else { throw ValidationError("--days must be > 0 and at most 366") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
        for name in regime where Regime(rawValue: name) == nil {
            throw ValidationError("--regime \(name): expected one of \(Regime.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    static func load(_ path: String?, default relative: String, instrument: String? = nil) throws -> Strategy {
        let file = path ?? Repository.root.appendingPathComponent(relative).path
        guard let text = FileManager.default.contents(atPath: file).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw ValidationError("cannot read \(file)")
        }
        return try RegimeSuite.uncapped(text, file: path ?? relative, instrument: instrument)
    }

    func run() async throws {
        let tested = try Self.load(strategy, default: "strategies/text-prime-keeper.yaml")
        let jit = try Self.load(baseline, default: "strategies/baselines/jit-buyer.yaml", instrument: tested.instrument)
        let regimes = regime.isEmpty ? Regime.allCases : Regime.allCases.filter { regime.contains($0.rawValue) }
        let settings = RegimeSuite.Settings(regimes: regimes, seeds: (1...seeds).map(UInt64.init), days: days,
                                            jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        let started = ContinuousClock.now
        let outcome = try await RegimeSuite.run(strategy: tested, baseline: jit, settings: settings) { done, total, run in
            let line = String(format: "%d/%d %@ seed %llu: keeper %@ $/used, %.1f min stockout; JIT %@\n", done, total, run.regime.rawValue, run.seed,
                              run.strategy.costPerUnitUsed.map { RegimeSuite.fixed($0, places: 4) } ?? "—", run.strategy.stockoutMinutes,
                              run.baseline.costPerUnitUsed.map { RegimeSuite.fixed($0, places: 4) } ?? "—")
            FileHandle.standardError.write(Data(line.utf8))
        }
        let elapsed = ContinuousClock.now - started
        if output.json {
            try output.printJSON(outcome)
        } else {
            print(RegimeSuite.table(outcome), terminator: "")
            print(String(format: "%d backtests of %g days in %.1f s", outcome.rows.reduce(0) { $0 + $1.runs.count } * 2, days,
                         elapsed.inSeconds))
        }
    }
}
