import Foundation
import Hummingbird
import HummingbirdCore
import Synchronization

/// Limits signed requests per key (429 with `Retry-After` past the limit). Runs after the
/// signature check: unsigned, wrongly signed and faulted requests are not counted.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = SimulatorContext

    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let signature = context.signature, let wait = limiter.admit(fingerprint: signature.fingerprint, at: signature.checkedAt) {
            throw SimulatorError(429, "rate_limited", retryAfterSeconds: wait)
        }
        return try await next(request, context)
    }
}

/// A token bucket per key: `perMinute` requests, refilled evenly over a minute of server time.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var at: Date
    }

    /// Requests per key per minute; `nil` or 0 for no limit.
    let perMinute: Int?
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perMinute: Int?) { self.perMinute = perMinute }

    /// Takes a token from the key's bucket.
    /// - Returns: seconds to wait when the request is over the limit, else `nil`.
    func admit(fingerprint: String, at time: Date) -> Int? {
        guard let perMinute, perMinute > 0 else { return nil }
        let capacity = Double(perMinute)
        let refill = capacity / 60
        return buckets.withLock { buckets in
            var bucket = buckets[fingerprint] ?? Bucket(tokens: capacity, at: time)
            bucket.tokens = min(capacity, bucket.tokens + time.timeIntervalSince(bucket.at) * refill)
            bucket.at = time
            defer { buckets[fingerprint] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / refill).rounded(.up)))
        }
    }
}
