import Foundation

/// What a tune run found: the training ranking, the proposed change, both spans' metrics for
/// the current and the proposed parameters, and the verdict.
public struct TuneResult: Sendable, Encodable {
    /// One set of parameters on one span.
    public struct Candidate: Sendable, Encodable {
        /// `current`, or the combination as `key=value key=value`.
        public var label: String
        /// The objective's value (lower is better); `Decimal(Int.max)` when it has none (nothing used).
        public var score: Decimal
        public var metrics: BacktestMetrics
        /// Auto Mode on the same span.
        public var autoMode: BacktestMetrics

        /// The score, or nil when the objective had nothing to measure.
        public var scoreValue: Decimal? { score < Decimal(Int.max) ? score : nil }

        enum CodingKeys: String, CodingKey { case label, score, metrics, autoMode = "auto_mode" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(label, forKey: .label)
            try c.encodeText(scoreValue, places: 6, forKey: .score)
            try c.encode(metrics, forKey: .metrics)
            try c.encode(autoMode, forKey: .autoMode)
        }
    }

    /// One key the proposal changes.
    public struct Change: Sendable, Encodable, Equatable {
        public var key: String
        /// The file's value; nil when the file does not set the key.
        public var old: String?
        public var new: String
    }

    public enum Verdict: String, Sendable, Encodable {
        /// No combination beat the file's parameters on the training span: nothing to change.
        case currentWinsTraining = "current-wins-training"
        /// The proposal won in training and beat the current parameters on the holdout.
        case improves
        /// The proposal won in training but was not better on the holdout: keep the file.
        case worseOnHoldout = "worse-on-holdout"
    }

    public var strategy: String
    public var file: String
    public var instrument: String
    public var objective: SweepObjective
    public var stockoutCost: Decimal
    public var spans: TuneSpans
    /// Every combination and the current parameters on the training span, best first.
    public var training: [Candidate]
    /// The current parameters on the training span.
    public var current: Candidate
    /// The best combination on the training span, when it beat the current parameters.
    public var proposed: Candidate?
    /// The best other combination, when the current parameters won in training.
    public var runnerUp: Candidate?
    public var changes: [Change] = []
    public var holdoutCurrent: Candidate?
    public var holdoutProposed: Candidate?
    public var verdict: Verdict

    /// Whether the file should change.
    public var shouldWrite: Bool { verdict == .improves && !changes.isEmpty }

    enum CodingKeys: String, CodingKey {
        case strategy, file, instrument, objective, stockoutCost = "stockout_cost", spans, verdict, changes
        case trainingCurrent = "training_current", trainingProposed = "training_proposed", runnerUp = "training_runner_up"
        case holdoutCurrent = "holdout_current", holdoutProposed = "holdout_proposed", training
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(strategy, forKey: .strategy)
        try c.encode(file, forKey: .file)
        try c.encode(instrument, forKey: .instrument)
        try c.encode(objective.rawValue, forKey: .objective)
        try c.encodeText(stockoutCost, places: 6, forKey: .stockoutCost)
        try c.encode(spans, forKey: .spans)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(changes, forKey: .changes)
        try c.encode(current, forKey: .trainingCurrent)
        try c.encodeIfPresent(proposed, forKey: .trainingProposed)
        try c.encodeIfPresent(runnerUp, forKey: .runnerUp)
        try c.encodeIfPresent(holdoutCurrent, forKey: .holdoutCurrent)
        try c.encodeIfPresent(holdoutProposed, forKey: .holdoutProposed)
        try c.encode(training, forKey: .training)
    }
}
