import Foundation
import GridKeeperCore
import GridKeeperMacros

/// Walk-forward parameter choice: sweep some keys of a strategy file over a training span of
/// a recording, pick the best combination, then replay both the current parameters and that
/// choice over the holdout span that follows, which the choice never saw.
public enum Tune {
    /// How tune runs: the backtest's replay settings (`from`/`to` bound the part of the
    /// recording that is split), the split, and what ranks the candidates.
    @MemberwiseInit
    public struct Options: Sendable {
        public var backtest: BacktestConfiguration = BacktestConfiguration()
        public var split: TuneSplit = .default
        public var objective: SweepObjective = .costPerUnitUsed
        /// USD per minute of stockout, for the objectives that count it.
        public var stockoutCost: Decimal = 1
        public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    }

    /// The label of the strategy file as it is.
    public static let currentLabel = "current"

    /// Tunes the keys of `axes` in the strategy file `text`.
    /// - Parameters:
    ///   - file: the strategy file's name, for messages.
    ///   - progress: called with the phase ("training", "holdout"), backtests done and in all.
    /// - Throws: `BacktestError` naming the key, value, span or replay that failed.
    public static func run(text: String, file: String, axes: [SweepAxis], on recording: Recording, options: Options,
                           progress: (@Sendable (String, Int, Int) -> Void)? = nil) async throws(BacktestError) -> TuneResult {
        guard !axes.isEmpty else { throw BacktestError("tune needs at least one --sweep KEY=V1,V2,…") }
        var keys = Set<String>()
        for axis in axes where !keys.insert(axis.key).inserted { throw BacktestError("--sweep \(axis.key) is given twice; list all its values in one --sweep") }
        let current: Strategy
        do { current = try StrategyParser.parse(text, file: file) } catch { throw BacktestError(error.description) }
        guard current.instrument == recording.instrument else {
            throw BacktestError("\(file) keeps \(current.instrument) but the recording is of \(recording.instrument)")
        }
        var old: [String: String?] = [:]
        for axis in axes { old[axis.key] = try StrategyRewrite.value(at: axis.key, in: text, file: file) }

        // Every combination, validated before anything runs; one equal to the file is the current one.
        var variants: [(label: String, strategy: Strategy)] = [(currentLabel, current)]
        var assignments: [String: [(key: String, value: String)]] = [currentLabel: []]
        for combination in Sweep.combinations(axes) where !combination.allSatisfy({ old[$0.key] == $0.value }) {
            let label = combination.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            guard assignments[label] == nil else { continue }  // a value listed twice runs once
            variants.append((label, try Sweep.apply(combination, to: text, file: file)))
            assignments[label] = combination
        }

        guard let first = recording.start, let last = recording.end else { throw BacktestError("the recording has no book snapshots") }
        let lower = max(first, options.backtest.from ?? first), upper = min(last, options.backtest.to ?? last)
        guard lower < upper else { throw BacktestError("the recording has no data between \(options.backtest.from?.ISO8601Format() ?? "its start") and \(options.backtest.to?.ISO8601Format() ?? "its end")") }
        let spans = try options.split.spans(from: lower, to: upper)

        var training = options.backtest
        (training.from, training.to) = (spans.trainingFrom, spans.trainingTo)
        let trained: [Sweep.Outcome]
        do {
            trained = try await Sweep.run(variants, on: recording, configuration: training, objective: options.objective, stockoutCost: options.stockoutCost,
                                          jobs: options.jobs) { done, total in progress?("training", done, total) }
        } catch { throw BacktestError("training span: \(error.description)") }
        let changed = assignments.mapValues { $0.filter { old[$0.key] != $0.value }.count }
        let ranked = rank(trained, options, changed: changed)
        guard let currentTraining = ranked.first(where: { $0.label == currentLabel }) else { throw BacktestError("training span: the current parameters did not run") }
        let best = ranked.first { $0.label != currentLabel }

        var result = TuneResult(strategy: current.name, file: file, instrument: current.instrument, objective: options.objective, stockoutCost: options.stockoutCost,
                                spans: spans, training: ranked, current: currentTraining, verdict: .currentWinsTraining)
        guard let best, ranked.first?.label != currentLabel else {
            result.runnerUp = best
            return result
        }
        result.proposed = best
        let chosen = assignments[best.label] ?? []
        result.changes = chosen.filter { old[$0.key] != $0.value }.map { TuneResult.Change(key: $0.key, old: old[$0.key] ?? nil, new: $0.value) }

        var holdout = options.backtest
        (holdout.from, holdout.to) = (spans.holdoutFrom, spans.holdoutTo)
        let checked: [Sweep.Outcome]
        do {
            checked = try await Sweep.run(variants.filter { $0.label == currentLabel || $0.label == best.label }, on: recording, configuration: holdout,
                                          objective: options.objective, stockoutCost: options.stockoutCost, jobs: min(2, options.jobs)) { done, total in
                progress?("holdout", done, total)
            }
        } catch { throw BacktestError("holdout span: \(error.description)") }
        let scored = rank(checked, options, changed: changed)
        result.holdoutCurrent = scored.first { $0.label == currentLabel }
        result.holdoutProposed = scored.first { $0.label == best.label }
        // Only a strictly better holdout result earns a change.
        result.verdict = .worseOnHoldout
        if let c = result.holdoutCurrent, let p = result.holdoutProposed, p.score < c.score { result.verdict = .improves }
        return result
    }

    /// Candidates by objective; among equals the current parameters first (a change must earn
    /// its place), then the combinations that change fewer keys, then the cheaper.
    static func rank(_ outcomes: [Sweep.Outcome], _ options: Options, changed: [String: Int]) -> [TuneResult.Candidate] {
        let candidates = outcomes.map {
            TuneResult.Candidate(label: $0.label, score: Sweep.score($0.result, options.objective, options.stockoutCost), metrics: $0.result.metrics,
                                 autoMode: $0.result.autoMode)
        }
        return candidates.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.score != y.score { return x.score < y.score }
            if (x.label == currentLabel) != (y.label == currentLabel) { return x.label == currentLabel }
            let (cx, cy) = (changed[x.label] ?? 0, changed[y.label] ?? 0)
            if cx != cy { return cx < cy }
            if x.metrics.spend != y.metrics.spend { return x.metrics.spend < y.metrics.spend }
            return a.offset < b.offset
        }.map(\.element)
    }
}
