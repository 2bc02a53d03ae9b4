import ArgumentParser
import Backtest
import Daemon
import Foundation
import GridAPI
import GridKeeperCore
import Synchronization

struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Choose strategy parameters walk-forward on recorded data: sweep on a training span, check on the holdout after it.",
        discussion: """
            Sweeps --sweep KEY=V1,V2,… (repeatable, as in `gridkeeper backtest`) over the training span of the recording, picks the combination with the best --objective, then replays both the file's current parameters and that choice over the holdout span that follows. Prints the proposed change (key: old → new), both spans' metrics for current and proposed, and a verdict.

            The split: --split SHARE (the first SHARE of the recording's span trains; default 0.67), or --train DURATION and/or --holdout DURATION (30d, 12h). --from/--to bound the part of the recording that is split.

            --write changes the strategy file, and only the swept keys (comments and other lines stay as they are), atomically. It refuses, with exit code 2 and the file untouched, when the proposal is not better than the current parameters on the holdout. When the current parameters already win in training, nothing is proposed or written (exit 0).

            Progress goes to stderr; --json prints the result alone on stdout.
            """
    )

    static let exitRefused: Int32 = 2

    @Option(help: ArgumentHelp("Recording: a ledger (.sqlite, or postgres://USER@HOST:PORT/DB) or JSON lines.", valueName: "file|url"))
    var data: String

    @Option(help: ArgumentHelp("Strategy file (changed only with --write).", valueName: "file"))
    var strategy: String

    @Option(help: ArgumentHelp("Sweep a strategy key over values: KEY=V1,V2,… (repeatable).", valueName: "key=values"))
    var sweep: [String] = []

    @Option(help: ArgumentHelp("Share of the recording's span that trains; the rest is the holdout (default 0.67).", valueName: "share"))
    var split: String?

    @Option(help: ArgumentHelp("Length of the training span from the start, like 20d.", valueName: "duration"))
    var train: String?

    @Option(help: ArgumentHelp("Length of the holdout span after training, like 10d.", valueName: "duration"))
    var holdout: String?

    @Option(help: "What ranks parameters (lower is better): cost-per-unit-used (with stockout minutes priced by --stockout-cost), score (spend + stockout cost), avg-price, spend, stockout, expired.")
    var objective: String = SweepObjective.costPerUnitUsed.rawValue

    @Option(name: .customLong("stockout-cost"), help: "USD per minute of stockout in the cost-per-unit-used and score objectives.")
    var stockoutCost: String = "1"

    @OptionGroup var replay: ReplayOptions

    @Option(help: "Backtests run at once (default: one per core).")
    var jobs: Int?

    @Flag(help: "Print JSON instead of the summary.")
    var json = false

    @Flag(help: "Write the proposed parameters into the strategy file when they beat the current ones on the holdout.")
    var write = false

    func validate() throws {
        guard !sweep.isEmpty else { throw ValidationError("give at least one --sweep KEY=V1,V2,… like --sweep budget.daily=20,40,80") }
        try SweepFlags.validate(objective: objective)
        if split != nil, train != nil || holdout != nil { throw ValidationError("--split and --train/--holdout both choose the split: give one or the other") }
        if let split, StrictDecimal.parse(split).map({ $0 > 0 && $0 < 1 }) != true {
            throw ValidationError("--split must be a share between 0 and 1 like 0.67, got '\(split)'")
        }
        for (flag, text) in [("--train", train), ("--holdout", holdout)] {
            if let text, StrategyParser.duration(text).map({ $0 > 0 }) != true {
                throw ValidationError("\(flag) must be a duration like 20d, 36h or 90m, got '\(text)'")
            }
        }
        try SweepFlags.validate(stockoutCost: stockoutCost, jobs: jobs)
    }

    func run() async throws {
        try await reportingFailures {
            let file = try StrategyFiles.read(strategy)
            let (original, text, parsed) = (file.contents, file.text, file.strategy)
            let axes = try SweepFlags.axes(sweep)
            // Keys and values are checked before the recording is read: a typo costs nothing.
            for combination in Sweep.combinations(axes) {
                do {
                    for (key, _) in combination { _ = try StrategyRewrite.value(at: key, in: text, file: strategy) }
                    _ = try Sweep.apply(combination, to: text, file: strategy)
                } catch { throw CommandFailure(message: "\(error)", exitCode: ExitStatus.configuration) }
            }

            let recording = try replay.load(data, strategyInstrument: parsed.instrument)
            var backtest = try replay.configuration(over: recording)
            backtest.seriesPoints = 2
            let split: TuneSplit
            if let share = self.split.flatMap(StrictDecimal.parse) {
                split = .fraction(share)
            } else if train != nil || holdout != nil {
                func seconds(_ text: String?) -> TimeInterval? { text.flatMap(StrategyParser.duration).map { NSDecimalNumber(decimal: $0).doubleValue } }
                split = .durations(training: seconds(train), holdout: seconds(holdout))
            } else {
                split = .default
            }
            let options = Tune.Options(backtest: backtest, split: split, objective: SweepObjective(rawValue: objective) ?? .costPerUnitUsed,
                                       stockoutCost: StrictDecimal.parse(stockoutCost) ?? 1, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)

            let progress = TuneProgress()
            let result: TuneResult
            do {
                result = try await Tune.run(text: text, file: strategy, axes: axes, on: recording, options: options) { phase, done, total in
                    progress.update(phase, done, total)
                }
            } catch { progress.finish(); throw CommandFailure(message: "\(error)") }
            progress.finish()

            if json { Output.printJSON(result) } else { print(result.text(), terminator: "") }

            guard write else {
                if !json, result.shouldWrite { print("run again with --write to change \(strategy)") }
                return
            }
            switch result.verdict {
            case .currentWinsTraining:
                if !json { print("\(strategy) left as it is: nothing to change") }
            case .worseOnHoldout:
                throw CommandFailure(message: "refusing to write \(strategy): the proposal (\(result.changes.map { "\($0.key)=\($0.new)" }.joined(separator: " "))) is not better than the current parameters on the holdout; the file is unchanged",
                                     exitCode: Self.exitRefused)
            case .improves:
                guard result.shouldWrite else { return }
                let rewritten: StrategyRewrite.Result
                do {
                    rewritten = try StrategyRewrite.apply(result.changes.map { ($0.key, $0.new) }, to: text, file: strategy)
                    try StrategyRewrite.write(rewritten.text, to: strategy, replacing: original)
                } catch { throw CommandFailure(message: "\(error)") }
                if !rewritten.keptFormat {
                    FileHandle.standardError.write(Data("note: \(strategy) could not be edited in place; it was rewritten from its parsed form and its comments are gone (\(rewritten.reason ?? "unknown reason"))\n".utf8))
                }
                if !json { print("wrote \(strategy): \(result.changes.map { "\($0.key) → \($0.new)" }.joined(separator: ", "))") }
            }
        }
    }
}

/// Progress of the two phases on stderr: a bar on a terminal, otherwise a line every tenth of a
/// phase (stdout stays clean for --json).
final class TuneProgress: Sendable {
    private struct State {
        var bar: ProgressBar?
        var phase = ""
    }

    private let state = Mutex(State())
    private let terminal = isatty(STDERR_FILENO) == 1

    func update(_ phase: String, _ done: Int, _ total: Int) {
        state.withLock { s in
            if phase != s.phase {
                s.bar?.finish()
                s.phase = phase
                s.bar = ProgressBar(phase)
            }
            s.bar?.update(done, of: total, unit: "backtests")
        }
        if !terminal, done == total || done * 10 / total != (done - 1) * 10 / total {
            FileHandle.standardError.write(Data("\(phase): \(done)/\(total) backtests done\n".utf8))
        }
    }

    func finish() {
        state.withLock { $0.bar?.finish() }
    }
}
