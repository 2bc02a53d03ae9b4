/// An API error the simulator answers with: `{"errors":{"detail": …}}` and a status.
public struct SimulatorError: Error, Sendable, Equatable {
    public var status: Int
    public var detail: String
    public var retryAfterSeconds: Int?

    public init(_ status: Int, _ detail: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.detail = detail
        self.retryAfterSeconds = retryAfterSeconds
    }

    public static func notFound(_ what: String) -> SimulatorError { .init(404, "\(what) not found") }
    public static func invalid(_ detail: String) -> SimulatorError { .init(422, detail) }
    public static func badRequest(_ detail: String) -> SimulatorError { .init(400, detail) }
}
