/// A fault the simulator injects into matching requests, for tests and rehearsals.
public struct Fault: Sendable, Equatable, Codable {
    public enum Action: Sendable, Equatable, Codable {
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
    public var method: String?
    /// Path prefix to match, including `/v1`.
    public var pathPrefix: String
    public var action: Action
    /// How many matching requests it applies to.
    public var times: Int

    public init(method: String? = nil, pathPrefix: String, action: Action, times: Int = 1) {
        self.method = method
        self.pathPrefix = pathPrefix
        self.action = action
        self.times = times
    }

    func matches(method: String, path: String) -> Bool {
        (self.method == nil || self.method == method) && path.hasPrefix(pathPrefix)
    }
}
