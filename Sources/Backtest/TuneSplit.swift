import Foundation
import GridKeeperCore
import Ledger

/// Where a recording is cut into a training span and the holdout span after it.
public enum TuneSplit: Sendable, Equatable {
    /// The first `share` (0 < share < 1) of the time span trains; the rest is the holdout.
    case fraction(Decimal)
    /// Seconds of training from the start and of holdout after it. With one of them only, the
    /// other is the rest of the span (the holdout is then the span's end).
    case durations(training: TimeInterval?, holdout: TimeInterval?)

    /// Two thirds train, one third is held out.
    public static let `default` = TuneSplit.fraction(Decimal(string: "0.67")!)

    /// The spans within `start…end`.
    /// - Throws: `BacktestError` when a share is not between 0 and 1, or the spans asked for do
    ///   not fit in the data (saying how long it is).
    public func spans(from start: Date, to end: Date) throws(BacktestError) -> TuneSpans {
        let a = start.ledgerMilliseconds, b = end.ledgerMilliseconds
        let length = b - a
        func ms(_ seconds: TimeInterval) -> Int64 { Int64((seconds * 1000).rounded()) }
        func text(_ ms: Int64) -> String { Self.length(ms) }
        let cut: Int64, holdoutEnd: Int64
        switch self {
        case .fraction(let share):
            guard share > 0, share < 1 else { throw BacktestError("--split \(share): expected a share of the recording between 0 and 1, like 0.67") }
            cut = a + NSDecimalNumber(decimal: Decimal(length) * share).int64Value
            holdoutEnd = b
        case .durations(let training, let holdout):
            for (flag, seconds) in [("--train", training), ("--holdout", holdout)] {
                if let seconds, !(seconds > 0) { throw BacktestError("\(flag) must be longer than 0") }
            }
            switch (training.map(ms), holdout.map(ms)) {
            case (let t?, let h?):
                guard t + h <= length else {
                    throw BacktestError("--train \(text(t)) and --holdout \(text(h)) need \(text(t + h)) of data; the recording covers \(text(length)) (\(start.ISO8601Format()) to \(end.ISO8601Format()))")
                }
                (cut, holdoutEnd) = (a + t, a + t + h)
            case (let t?, nil):
                guard t < length else { throw BacktestError("--train \(text(t)) leaves no holdout: the recording covers \(text(length))") }
                (cut, holdoutEnd) = (a + t, b)
            case (nil, let h?):
                guard h < length else { throw BacktestError("--holdout \(text(h)) leaves no training: the recording covers \(text(length))") }
                (cut, holdoutEnd) = (b - h, b)
            case (nil, nil):
                return try Self.default.spans(from: start, to: end)
            }
        }
        guard cut > a, cut < holdoutEnd else { throw BacktestError("the recording (\(text(length))) is too short to split into a training and a holdout span") }
        return TuneSpans(trainingFrom: start, trainingTo: Date(ledgerMilliseconds: cut),
                         holdoutFrom: Date(ledgerMilliseconds: cut + 1), holdoutTo: Date(ledgerMilliseconds: holdoutEnd))
    }
}

extension TuneSplit {
    /// Milliseconds as the two largest parts: `30d`, `20d2h`, `9h36m`, `45m`, `12s`.
    static func length(_ ms: Int64) -> String {
        let s = ms / 1000
        let parts = [(s / 86_400, "d"), (s % 86_400 / 3600, "h"), (s % 3600 / 60, "m"), (s % 60, "s")]
        guard let first = parts.firstIndex(where: { $0.0 > 0 }) else { return "0s" }
        return parts[first...].prefix(2).filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }.joined()
    }
}

/// The two spans of a tune run (both ends included; the holdout starts a millisecond after
/// training ends).
public struct TuneSpans: Sendable, Equatable, Encodable {
    public var trainingFrom: Date
    public var trainingTo: Date
    public var holdoutFrom: Date
    public var holdoutTo: Date

    enum CodingKeys: String, CodingKey {
        case trainingFrom = "training_from", trainingTo = "training_to", holdoutFrom = "holdout_from", holdoutTo = "holdout_to"
    }
}
