import ArgumentParser
import Backtest
import Daemon
import Execution
import Foundation
import GridAPI
import GridKeeperCore

struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay a strategy over recorded data and compare it with Auto Mode.",
        discussion: """
            Runs the daemon's own cycle over a recording (a GridKeeper ledger, or JSON lines from `gridkeeper recording export` or `gridkeeper sim --record`) on a simulated clock: what it spent, at what price against the period's VWAP, how long consumption ran dry, how many units expired unused, how often a cap cut a buy — and the same for The Grid's Auto Mode (a market buy of --auto-amount units whenever consumption is under --auto-threshold) on the same data.

            Market orders walk the recorded book. Resting limit orders fill at their price only when a later snapshot shows asks at or under it, or a later trade prints strictly under it. Lots expire four hours after they arrive. A stretch of more than 6 hours without book snapshots is a gap: no cycle runs in it (demand and lot expiry go on) and the summary lists it.

            JSON lines are read as a stream; a line over 1 MiB, or a time outside 2000–2099, is an error naming the line.

            --baseline FILE replays a second strategy (e.g. strategies/baselines/jit-buyer.yaml) over the same recording with the same settings and shows it beside the strategy and Auto Mode: a third column in the summary, a `baseline` object in --json (its file, name and the same metrics), its spend line in --html, and the strategy's cost per unit used divided by the baseline's.

            When a cap (daily, monthly, per_order, max_unit_price, or a global one) blocked a buy while consumption was dry or under an hour of runway (or cut one then, in a replay where the team ran dry), the summary ends with a diagnosis: how many decisions each cap blocked and cut, and about what the demand needed a day (units used plus unmet, times the average price paid, over the replay's days). --json carries it as `cap_diagnosis`; without such a block it is absent.

            --html FILE writes one self-contained page: the strategy's stockouts shaded on every chart, the cumulative spend of the strategy, Auto Mode and the baseline, and a legend under each chart.

            --sweep KEY=V1,V2,… (repeatable) runs every combination of values, in parallel,
            ranked by --objective: e.g. --sweep budget.daily=20,40 --sweep 'rules.restock.buy.price=bid,bid + tick'. With --baseline the baseline runs once and the table adds each combination's cost per unit used divided by the baseline's.
            """
    )

    @Option(help: ArgumentHelp("Recording: a ledger (.sqlite, or postgres://USER@HOST:PORT/DB) or JSON lines.", valueName: "file|url"))
    var data: String

    @Option(help: ArgumentHelp("Strategy file.", valueName: "file"))
    var strategy: String

    @Option(help: ArgumentHelp("A second strategy to replay with the same data and settings, shown beside the strategy and Auto Mode.", valueName: "file"))
    var baseline: String?

    @OptionGroup var replay: ReplayOptions

    @Option(name: .customLong("auto-threshold"), help: "Auto Mode baseline: buy when consumption is under this many units.")
    var autoThreshold: Int = 5

    @Option(name: .customLong("auto-amount"), help: "Auto Mode baseline: units per market buy.")
    var autoAmount: Int = 20

    @Flag(help: "Print JSON instead of the summary.")
    var json = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML report with charts.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Sweep a strategy key over values: KEY=V1,V2,… (repeatable).", valueName: "key=values"))
    var sweep: [String] = []

    @Option(help: "What a sweep ranks by: score (spend + stockout cost), avg-price, spend, stockout, expired.")
    var objective: String = "score"

    @Option(name: .customLong("stockout-cost"), help: "USD per minute of stockout in the score objective.")
    var stockoutCost: String = "1"

    @Option(help: "Backtests run at once in a sweep (default: one per core).")
    var jobs: Int?

    func validate() throws {
        guard autoThreshold >= 0, autoAmount >= 1 else { throw ValidationError("--auto-threshold must be ≥ 0 and --auto-amount ≥ 1") }
        try SweepFlags.validate(objective: objective)
        try SweepFlags.validate(stockoutCost: stockoutCost, jobs: jobs)
        if !sweep.isEmpty, html != nil { throw ValidationError("--html reports one backtest; drop --sweep or --html") }
        if let html {
            // Checked before the replay, so a long run is not thrown away for a bad path.
            var isDirectory: ObjCBool = false
            let directory = URL(fileURLWithPath: html).deletingLastPathComponent().path
            if FileManager.default.fileExists(atPath: html, isDirectory: &isDirectory), isDirectory.boolValue {
                throw ValidationError("--html \(html) is a directory; name the file to write")
            }
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--html \(html): the directory \(directory) does not exist")
            }
        }
    }

    func run() async throws {
        try await reportingFailures {
            let file = try StrategyFiles.read(strategy)
            let (text, parsed) = (file.text, file.strategy)
            // The baseline is read before the recording: a bad file fails fast, like --strategy.
            let baselineStrategy = try baseline.map { try StrategyFiles.read($0).strategy }
            if let baselineStrategy, baselineStrategy.instrument != parsed.instrument {
                throw CommandFailure(message: "\(baseline ?? "") keeps \(baselineStrategy.instrument) but \(strategy) keeps \(parsed.instrument): a baseline must trade the same instrument",
                                     exitCode: ExitStatus.configuration)
            }
            let recording = try replay.load(data, strategyInstrument: parsed.instrument)
            var configuration = try replay.configuration(over: recording)
            configuration.autoMode = AutoModeSettings(threshold: autoThreshold, amount: autoAmount)

            if sweep.isEmpty {
                let bar = ProgressBar("backtest")
                let started = ContinuousClock.now
                var result: BacktestResult
                do {
                    result = try await Backtester.run(parsed, on: recording, configuration: configuration) { done, total in bar.update(done, of: total, unit: "cycles") }
                    if let baselineStrategy, let baseline {
                        // Auto Mode is already known: the baseline's run reuses it.
                        let other = try await Backtester.run(baselineStrategy, on: recording, configuration: configuration, baseline: result.autoMode)
                        result.baseline = BacktestResult.Baseline(other, file: baseline)
                    }
                } catch { bar.finish(); throw CommandFailure(message: "\(error)") }
                bar.finish()
                let elapsed = ContinuousClock.now - started
                if let html {
                    do { try Data(BacktestReport.html(result).utf8).write(to: URL(fileURLWithPath: html), options: .atomic) } catch {
                        throw CommandFailure(message: "cannot write \(html): \(error.localizedDescription)")
                    }
                }
                if json {
                    Output.printJSON(result)
                } else {
                    print(BacktestReport.text(result), terminator: "")
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    print("\nreplayed \(result.snapshots + result.trades) events in \(String(format: "%.2f", seconds)) s\(html.map { "; report written to \($0)" } ?? "")")
                }
                return
            }

            // A sweep.
            let axes = try SweepFlags.axes(sweep)
            var variants: [(label: String, strategy: Strategy)] = []
            for combination in Sweep.combinations(axes) {
                do {
                    variants.append((combination.map { "\($0.key)=\($0.value)" }.joined(separator: " "), try Sweep.apply(combination, to: text, file: strategy)))
                } catch { throw CommandFailure(message: "\(error)", exitCode: ExitStatus.configuration) }
            }
            let bar = ProgressBar("sweep")
            let outcomes: [Sweep.Outcome]
            do {
                outcomes = try await Sweep.run(variants, on: recording, configuration: configuration, objective: SweepObjective(rawValue: objective) ?? .score,
                                               stockoutCost: StrictDecimal.parse(stockoutCost) ?? 1, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount) { done, total in
                    bar.update(done, of: total, unit: "backtests")
                }
            } catch { bar.finish(); throw CommandFailure(message: "\(error)") }
            var ranked = outcomes
            var baselineRun: BacktestResult?
            if let baselineStrategy, let baseline {
                // Once, with the sweep's settings and its Auto Mode; every row is compared with it.
                do {
                    let other = try await Backtester.run(baselineStrategy, on: recording, configuration: configuration, baseline: outcomes.first?.result.autoMode)
                    baselineRun = other
                    for i in ranked.indices { ranked[i].result.baseline = BacktestResult.Baseline(other, file: baseline, keepSeries: false) }
                } catch { bar.finish(); throw CommandFailure(message: "\(error)") }
            }
            bar.finish()
            if json {
                struct Row: Encodable { var rank: Int; var parameters: String; var result: BacktestResult }
                Output.printJSON(ranked.enumerated().map { Row(rank: $0.offset + 1, parameters: $0.element.label, result: $0.element.result) })
                return
            }
            print("\(variants.count) combinations of \(parsed.name), ranked by \(objective); Auto Mode spent \(Output.money(ranked.first?.result.autoMode.spend)) at \(ranked.first?.result.autoMode.averagePrice.map { BacktestMetrics.text($0, places: 4) } ?? "—")/unit")
            if let other = baselineRun {
                let m = other.metrics
                print("baseline \(other.strategy) (\(baseline ?? "")): spent \(BacktestMetrics.text(m.spend)) at \(m.averagePrice.map { BacktestMetrics.text($0, places: 4) } ?? "—")/unit, "
                      + "cost per unit used \(m.costPerUnitUsed.map { BacktestMetrics.text($0, places: 4) } ?? "—"), stockout \(String(format: "%.1f min", m.stockoutMinutes)), expired \(m.consumption.expiredUnits)")
            }
            print("")
            let labelWidth = min(60, max(10, ranked.map(\.label.count).max() ?? 10)) + 2
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
            print(pad("#", 4) + pad("parameters", labelWidth) + pad("spend", 11) + pad("units", 7) + pad("avg price", 11) + pad("stockout", 11)
                  + (baselineRun == nil ? "expired" : pad("expired", 9) + "cost/used ÷ baseline"))
            for (i, o) in ranked.enumerated() {
                let m = o.result.metrics
                let ratio = baselineRun == nil ? "" : pad("\(m.consumption.expiredUnits)", 9) + (o.result.costPerUnitUsedAgainstBaseline.map { BacktestMetrics.text($0, places: 3) } ?? "—")
                print(pad("\(i + 1)", 4) + pad(o.label, labelWidth) + pad(BacktestMetrics.text(m.spend), 11) + pad("\(m.unitsBought)", 7)
                      + pad(m.averagePrice.map { BacktestMetrics.text($0, places: 4) } ?? "—", 11) + pad(String(format: "%.1f min", m.stockoutMinutes), 11)
                      + (baselineRun == nil ? "\(m.consumption.expiredUnits)" : ratio))
            }
        }
    }
}
