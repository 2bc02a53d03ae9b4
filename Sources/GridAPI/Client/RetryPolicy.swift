import Foundation

/// How reads are retried: exponential backoff with full jitter, honouring `Retry-After`,
/// within a total deadline per request.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Upper bound on a server-requested `Retry-After` wait.
    public var maxRetryAfter: Duration
    /// Time one request may take with all its retries: no retry starts whose wait would end
    /// past it, and a retry's timeout is cut to what is left. A `once` from cron must end
    /// inside its minute, and a daemon cycle must not stall behind a dead exchange.
    public var deadline: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5),
                maxRetryAfter: Duration = .seconds(60), deadline: Duration = .seconds(30)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.deadline = deadline
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// Delay before retry number `attempt` (1 = first retry).
    /// - Parameters:
    ///   - retryAfter: the server's `Retry-After`, when it sent one.
    ///   - unit: a random number in 0..<1 for jitter.
    public func delay(attempt: Int, retryAfter: Duration?, unit: Double) -> Duration {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        let exponent = min(attempt - 1, 20)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        // Full jitter, but never less than half the ceiling so retries do not bunch at zero.
        return ceiling / 2 + ceiling / 2 * unit
    }

    /// Statuses worth retrying for a read.
    static func isRetryableStatus(_ status: Int) -> Bool {
        [408, 429, 500, 502, 503, 504].contains(status)
    }

    /// Parses `Retry-After`: delta seconds (an HTTP date is not used by The Grid).
    static func parseRetryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
