import Foundation

/// What an order's status means, whatever spelling the exchange used for it.
///
/// The Trading API documents `open`, `partially_filled`, `filled` and `cancelled`; replies have
/// also been seen with `active`, `canceled`, `rejected`, `expired` and `closed`. Everything the
/// engine decides from a status goes through this type, so a spelling is handled in one place.
public enum OrderStatus: Sendable, Hashable, CustomStringConvertible {
    /// On the book (or accepted), nothing filled yet.
    case open
    case partiallyFilled
    case filled
    case cancelled
    case rejected
    /// Ended by the exchange without being fully filled (`expired`, or `closed` short of its
    /// quantity); `closed` with everything filled reads as `filled` via `Order.orderStatus`.
    case expired
    /// A status this version does not know; treated as open.
    case other(String)

    /// Reads a status as the exchange spelled it (case-insensitive).
    public init(wire: String) {
        switch wire.lowercased() {
        case "open", "active", "new", "accepted", "pending": self = .open
        case "partially_filled", "partially-filled", "partiallyfilled": self = .partiallyFilled
        case "filled": self = .filled
        case "cancelled", "canceled": self = .cancelled
        case "rejected": self = .rejected
        case "expired", "closed": self = .expired
        default: self = .other(wire)
        }
    }

    /// The spelling GridKeeper writes (the API's documented one).
    public var wire: String {
        switch self {
        case .open: "open"
        case .partiallyFilled: "partially_filled"
        case .filled: "filled"
        case .cancelled: "cancelled"
        case .rejected: "rejected"
        case .expired: "expired"
        case .other(let text): text
        }
    }

    public var description: String { wire }

    /// Whether the exchange will change the order no further.
    public var isTerminal: Bool {
        switch self {
        case .filled, .cancelled, .rejected, .expired: true
        case .open, .partiallyFilled, .other: false
        }
    }
}
