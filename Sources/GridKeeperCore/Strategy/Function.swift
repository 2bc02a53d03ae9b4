import Foundation

/// Functions of strategy expressions.
public enum Function: String, Sendable, CaseIterable {
    case avg, min, max, ewma, cover, coverStock = "cover_stock"
    /// `burn(w)`: the burn rate over the last `w` (the `burn` signal uses `burn_window`).
    case burnOver = "burn"
    /// `burn_peak(w)`: the highest burn over any quarter hour of the last `w`.
    case burnPeak = "burn_peak"
    /// `forecast(d)`: the units expected to be used in the next `d`.
    case forecast
    /// `rank(s, w)`: where the signal's value stands in its last `w` of history, 0 to 1.
    case rank

    /// The shortest duration argument it takes, in seconds.
    var shortestDuration: Decimal {
        switch self {
        case .burnOver: return 300
        case .burnPeak: return DemandModel.peakStretch
        default: return 0
        }
    }
}
