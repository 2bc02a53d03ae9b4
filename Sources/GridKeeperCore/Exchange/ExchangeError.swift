import Foundation

/// Why an exchange did not do what was asked, sorted by what the engine may do next.
///
/// Every `Exchange` speaks these: the live Grid's client translates HTTP statuses and network
/// failures into them, and the in-memory exchanges (paper trading, the replay, the simulator in
/// process) say them directly. The message is for people; nothing is decided from its text.
public enum ExchangeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The exchange refused the request and nothing changed; repeating it unchanged fails again
    /// (a bad order, an unknown id, insufficient funds or units).
    case rejected(String)
    /// A request with an effect was sent but its reply was lost: it may or may not have taken
    /// effect. An order in this state is resolved by looking it up by `client_order_id`, never
    /// by sending it again.
    case outcomeUnknown(String)
    /// The exchange could not be reached, or failed before acting; trying again later is safe.
    case unavailable(String)
    /// The exchange refused because of its request budget; nothing changed. (The client has
    /// already waited out `Retry-After` and retried before this reaches the engine.)
    case rateLimited(String)

    public var description: String {
        switch self {
        case .rejected(let message), .outcomeUnknown(let message), .unavailable(let message), .rateLimited(let message): message
        }
    }

    public var isOutcomeUnknown: Bool {
        if case .outcomeUnknown = self { return true }
        return false
    }
}
