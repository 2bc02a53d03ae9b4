import GridKeeperMacros

/// A fault the simulator injects into matching requests, for tests and rehearsals.
@MemberwiseInit
public struct Fault: Sendable, Equatable, Codable {
    public enum Action: Sendable, Equatable {
        /// Answer with this status and detail instead of handling the request.
        case status(Int, detail: String, retryAfterSeconds: Int?)
        /// Close the connection without handling the request.
        case dropBeforeCommit
        /// Handle the request (its effects happen), then close the connection without replying.
        case dropAfterCommit
        /// Wait this many milliseconds before handling the request.
        case delay(milliseconds: Int)
    }

    /// HTTP method to match, or `nil` for any.
    public var method: String? = nil
    /// Path prefix to match, including `/v1`.
    public var pathPrefix: String
    public var action: Action
    /// How many matching requests it applies to.
    public var times: Int = 1

    func matches(method: String, path: String) -> Bool {
        (self.method == nil || self.method == method) && path.hasPrefix(pathPrefix)
    }

    enum CodingKeys: String, CodingKey {
        case method, pathPrefix = "path_prefix", times, action, status, detail, retryAfter = "retry_after", milliseconds
    }

    /// `{"method":"POST","path_prefix":"/v1/orders","times":1,"action":"status","status":503,
    /// "detail":"…","retry_after":2}`; `action` is `status`, `drop_before_commit`,
    /// `drop_after_commit` or `delay` (with `milliseconds`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.decodeIfPresent(String.self, forKey: .method)?.uppercased()
        pathPrefix = try c.decode(String.self, forKey: .pathPrefix)
        times = try c.decodeIfPresent(Int.self, forKey: .times) ?? 1
        guard times >= 1, times <= 1_000_000 else {
            throw DecodingError.dataCorruptedError(forKey: .times, in: c, debugDescription: "times must be 1…1000000")
        }
        switch try c.decode(String.self, forKey: .action) {
        case "status":
            let status = try c.decode(Int.self, forKey: .status)
            guard (400...599).contains(status) else {
                throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "status must be 400…599")
            }
            action = .status(status, detail: try c.decodeIfPresent(String.self, forKey: .detail) ?? "injected fault",
                             retryAfterSeconds: try c.decodeIfPresent(Int.self, forKey: .retryAfter))
        case "drop_before_commit": action = .dropBeforeCommit
        case "drop_after_commit": action = .dropAfterCommit
        case "delay":
            let ms = try c.decode(Int.self, forKey: .milliseconds)
            guard (0...600_000).contains(ms) else {
                throw DecodingError.dataCorruptedError(forKey: .milliseconds, in: c, debugDescription: "milliseconds must be 0…600000")
            }
            action = .delay(milliseconds: ms)
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .action, in: c, debugDescription: "unknown action '\(other)': expected status, drop_before_commit, drop_after_commit or delay")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(method, forKey: .method)
        try c.encode(pathPrefix, forKey: .pathPrefix)
        try c.encode(times, forKey: .times)
        switch action {
        case .status(let status, let detail, let retryAfter):
            try c.encode("status", forKey: .action)
            try c.encode(status, forKey: .status)
            try c.encode(detail, forKey: .detail)
            try c.encodeIfPresent(retryAfter, forKey: .retryAfter)
        case .dropBeforeCommit: try c.encode("drop_before_commit", forKey: .action)
        case .dropAfterCommit: try c.encode("drop_after_commit", forKey: .action)
        case .delay(let ms):
            try c.encode("delay", forKey: .action)
            try c.encode(ms, forKey: .milliseconds)
        }
    }
}
