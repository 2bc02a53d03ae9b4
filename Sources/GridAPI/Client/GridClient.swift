import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A client for The Grid's Trading API (G3 layout: `https://trading.api.thegrid.ai/v1/...`).
///
/// Every request except `health` is signed. Reads are retried with backoff; mutating requests
/// are never resent once they may have reached the server — a lost reply surfaces as
/// `GridAPIError.outcomeUnknown`.
public struct GridClient: Sendable {
    public static let defaultBaseURL = "https://trading.api.thegrid.ai/v1"
    public static let baseURLVariable = "GRID_TRADING_BASE_URL"

    public struct Configuration: Sendable {
        /// Base URL including the version prefix, e.g. `https://trading.api.thegrid.ai/v1`.
        public var baseURL: String
        /// Deadline for one HTTP exchange.
        public var requestTimeout: Duration
        public var retry: RetryPolicy
        /// Send order quantities as JSON strings (`"1"`) instead of numbers (`1`).
        public var quantitiesAsStrings: Bool
        /// Largest reply body accepted, in bytes.
        public var maxResponseBytes: Int
        /// Spaces signed requests inside the account's request budget; `nil` sends at once.
        public var pacer: RequestPacer?

        public init(baseURL: String = GridClient.defaultBaseURL, requestTimeout: Duration = .seconds(15),
                    retry: RetryPolicy = RetryPolicy(), quantitiesAsStrings: Bool = false, maxResponseBytes: Int = 16 << 20,
                    pacer: RequestPacer? = nil) {
            self.baseURL = baseURL
            self.pacer = pacer
            self.requestTimeout = requestTimeout
            self.retry = retry
            self.quantitiesAsStrings = quantitiesAsStrings
            self.maxResponseBytes = maxResponseBytes
        }

        /// Reads `GRID_TRADING_BASE_URL`; `override` wins when given.
        public init(environment: [String: String], baseURL override: String? = nil) {
            self.init(baseURL: override ?? environment[GridClient.baseURLVariable] ?? GridClient.defaultBaseURL)
        }
    }

    public let configuration: Configuration
    public let serverClock: ServerClock
    let http: HTTPClient
    let signer: RequestSigner?
    let endpoint: BaseEndpoint
    let sleep: @Sendable (Duration) async throws -> Void
    let random: @Sendable () -> Double
    let logger: Logger

    /// - Parameters:
    ///   - configuration: base URL, timeouts and retry rules.
    ///   - signer: signs requests; without one only `health` works.
    ///   - httpClient: the AsyncHTTPClient to use (`GridClient.sharedHTTPClient` by default).
    ///   - now: the wall clock used for timestamps.
    ///   - sleep: waits between retries.
    /// - Throws: `GridAPIError.configuration` when the base URL is not an http(s) URL.
    public init(
        configuration: Configuration,
        signer: RequestSigner?,
        httpClient: HTTPClient = GridClient.sharedHTTPClient,
        logger: Logger = Logger(label: "gridkeeper.api", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ContinuousClock().sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws(GridAPIError) {
        self.configuration = configuration
        self.endpoint = try BaseEndpoint(configuration.baseURL)
        self.signer = signer
        self.http = httpClient
        self.logger = logger
        self.serverClock = ServerClock(now: now)
        self.sleep = sleep
        self.random = random
    }

    /// The fingerprint requests are signed with, if any.
    public var fingerprint: String? { signer?.fingerprint }
}

extension GridClient {
    /// Time to establish a connection (TCP and TLS) before the attempt fails.
    public static let connectTimeout: Duration = .seconds(5)

    /// The HTTP client requests go through unless another is given: AsyncHTTPClient's shared
    /// settings, except that a connection that cannot be made fails the request at once
    /// (after at most `connectTimeout`). The shared client's pool retries connecting until the
    /// request's own deadline, so a refused connection took four whole request timeouts
    /// (61 s); here `send`'s retry rules, bounded by `RetryPolicy.deadline`, decide alone.
    /// Never shut down, like `HTTPClient.shared`.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.timeout.connect = .seconds(connectTimeout.components.seconds)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

/// The parsed base URL: origin plus path prefix (`/v1`).
struct BaseEndpoint: Sendable {
    let origin: String
    let pathPrefix: String

    init(_ text: String) throws(GridAPIError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil
        else {
            throw .configuration("invalid base URL \"\(text)\": expected http(s)://host[:port]/v1 (GRID_TRADING_BASE_URL or --base-url)")
        }
        let port = url.port.map { ":\($0)" } ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        origin = "\(scheme)://\(bracketed)\(port)"
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        pathPrefix = path
    }
}
