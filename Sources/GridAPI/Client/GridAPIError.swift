/// Everything that can go wrong talking to the Trading API, sorted by what the caller may do next.
public enum GridAPIError: Error, Sendable, CustomStringConvertible {
    /// The request did not take effect (network failure before sending, 408, 429, 5xx on a
    /// read) and retries ran out; trying again later is safe.
    case retryable(endpoint: String, status: Int?, reason: String)
    /// The exchange refused the request (4xx). Repeating it unchanged will fail again.
    /// `detail` is the server's `errors.detail`, `error.message` or `message`.
    case rejected(endpoint: String, status: Int, detail: String)
    /// A mutating request was sent but its reply was lost (timeout, dropped connection, 5xx):
    /// it may or may not have taken effect. Resolve it by looking the order up by
    /// `client_order_id`; never resend it blindly.
    case outcomeUnknown(endpoint: String, reason: String)
    /// The reply did not have the documented shape.
    case decoding(endpoint: String, field: String, reason: String)
    /// The client is misconfigured (bad base URL, no key).
    case configuration(String)
    /// A mutating request was stopped before it was sent (`SendGate`); it had no effect.
    case notSent(endpoint: String, reason: String)

    /// The server's error code for auto (easy) mode accounts placing orders.
    public static let autoModeRestricted = "auto_mode_trading_restricted"
    /// The server's (HTTP 500) reply to cancelling an order that is already cancelled.
    public static let orderAlreadyCancelled = "order_already_cancelled"

    public var description: String {
        switch self {
        case .retryable(let endpoint, let status, let reason):
            let code = status.map { "HTTP \($0): " } ?? ""
            return "\(endpoint): \(code)\(reason) (temporary; retries exhausted, try again later)"
        case .rejected(let endpoint, let status, let detail):
            if detail == Self.autoModeRestricted {
                return "\(endpoint): HTTP \(status): the account is in Auto (Easy) mode; switch the account to Advanced mode to place orders"
            }
            return "\(endpoint): HTTP \(status): \(detail)\(Self.hint(status: status))"
        case .outcomeUnknown(let endpoint, let reason):
            return "\(endpoint): outcome unknown (\(reason)); the request may have taken effect and will be resolved by looking it up, not by resending"
        case .decoding(let endpoint, let field, let reason):
            return "\(endpoint): unexpected reply: \(field): \(reason)"
        case .configuration(let message):
            return message
        case .notSent(let endpoint, let reason):
            return "\(endpoint): not sent: \(reason)"
        }
    }

    private static func hint(status: Int) -> String {
        switch status {
        case 401: return " (check the key is registered, GRID_TRADING_FINGERPRINT matches it, and the clock is right)"
        case 402: return " (insufficient USD balance)"
        case 404: return " (unknown id or path; check GRID_TRADING_BASE_URL ends in /v1)"
        default: return ""
        }
    }

    /// The HTTP status, when a reply was read.
    public var status: Int? {
        switch self {
        case .retryable(_, let status, _): return status
        case .rejected(_, let status, _): return status
        default: return nil
        }
    }

    /// Whether the same request may safely be tried again later.
    public var isRetryable: Bool {
        if case .retryable = self { return true }
        return false
    }

    public var isOutcomeUnknown: Bool {
        if case .outcomeUnknown = self { return true }
        return false
    }

    /// The account is in Auto mode and may not place orders.
    public var isAutoModeRestricted: Bool {
        if case .rejected(_, _, let detail) = self { return detail == Self.autoModeRestricted }
        return false
    }
}
