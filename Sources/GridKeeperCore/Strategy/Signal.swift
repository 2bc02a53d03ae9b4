import Foundation

/// The named inputs a strategy can read.
public enum Signal: String, Sendable, CaseIterable {
    case consumption, inventory, burn, runway, stockRunway = "stock_runway", bid, ask, mid, last, spread, tick, usd
    case spentToday = "spent_today", spentMonth = "spent_month", hour, onOrder = "on_order"

    /// Signals whose recorded history `avg`, `min`, `max` and `ewma` can read.
    public var hasHistory: Bool { [.bid, .ask, .mid, .last, .spread, .consumption, .inventory].contains(self) }
}

extension Signal {
    /// Position in `allCases` (an array index for per-cycle caches).
    var index: Int {
        switch self {
        case .consumption: return 0
        case .inventory: return 1
        case .burn: return 2
        case .runway: return 3
        case .stockRunway: return 4
        case .bid: return 5
        case .ask: return 6
        case .mid: return 7
        case .last: return 8
        case .spread: return 9
        case .tick: return 10
        case .usd: return 11
        case .spentToday: return 12
        case .spentMonth: return 13
        case .hour: return 14
        case .onOrder: return 15
        }
    }
}
