import Foundation
import GridAPI
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Serves a `SimulatedExchange` over HTTP with the Trading API's paths, envelopes, errors and
/// Ed25519 request signatures.
public struct SimulatorServer: Sendable {
    public let exchange: SimulatedExchange
    public let verifier: SignatureVerifier
    let configuration: SimulatorConfiguration
    /// Serve the unauthenticated `/admin/...` control API (keep the server on loopback).
    public let adminEnabled: Bool
    /// Token buckets per signing key, `configuration.rateLimitPerMinute`; shared by every
    /// application made from this server.
    let rateLimiter: RateLimiter

    /// - Parameters:
    ///   - exchange: the state to serve.
    ///   - publicKeys: raw 32-byte Ed25519 keys allowed to sign requests.
    ///   - adminEnabled: serve the `/admin/...` control API.
    public init(exchange: SimulatedExchange, publicKeys: [[UInt8]], configuration: SimulatorConfiguration = SimulatorConfiguration(),
                adminEnabled: Bool = true) {
        self.exchange = exchange
        self.verifier = SignatureVerifier(publicKeys: publicKeys, window: configuration.signatureWindowSeconds)
        self.configuration = configuration
        self.adminEnabled = adminEnabled
        self.rateLimiter = RateLimiter(perMinute: configuration.rateLimitPerMinute)
    }

    /// The router: the middleware in the order a request meets it, then the routes.
    ///
    /// 1. `RequestLogMiddleware` records each request's outcome in the exchange's request log;
    /// 2. `ErrorMiddleware` answers thrown errors with the API's error body;
    /// 3. `FaultMiddleware` applies an injected fault matched on method and path;
    /// 4. `BodyLimitMiddleware` reads the body, refusing oversized ones (413);
    /// 5. `SignatureMiddleware` verifies the Ed25519 signature (401);
    /// 6. `RateLimitMiddleware` charges the signing key (429).
    ///
    /// Unknown paths pass through the same middleware before their 404.
    public func router() -> Router<SimulatorContext> {
        let router = Router(context: SimulatorContext.self)
        router.add(middleware: RequestLogMiddleware(exchange: exchange))
        router.add(middleware: ErrorMiddleware(adminEnabled: adminEnabled))
        router.add(middleware: FaultMiddleware(exchange: exchange))
        router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.maxBodyBytes))
        router.add(middleware: SignatureMiddleware(verifier: verifier, clock: exchange.clock))
        router.add(middleware: RateLimitMiddleware(limiter: rateLimiter))
        addAPIRoutes(to: router)
        if adminEnabled { addAdminRoutes(to: router) }
        return router
    }

    /// A Hummingbird application listening on `host:port` (port 0 picks a free one).
    /// - Parameter onListening: called with the bound port once requests are accepted.
    public func application(host: String = "127.0.0.1", port: Int = 0, logger: Logger,
                            onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            server: .http1(configuration: .init(additionalChannelHandlers: [ServerDateRewriter(clock: exchange.clock)])),
            configuration: .init(address: .hostname(host, port: port), serverName: "gridkeeper-sim"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// Runs the simulator on loopback for the duration of `body`, then shuts it down.
    /// - Parameter body: receives the base URL, e.g. `http://127.0.0.1:54321/v1`.
    public func withRunning<T: Sendable>(
        logger: Logger = Logger(label: "gridkeeper.sim", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = application(logger: logger) { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body("http://127.0.0.1:\(port)/v1")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }

    // MARK: Bodies

    func json<T: Encodable>(_ value: T, status: Int = 200, sortedKeys: Bool = false) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = sortedKeys ? [.withoutEscapingSlashes, .sortedKeys, .prettyPrinted] : [.withoutEscapingSlashes]
        if configuration.quantitiesAsStrings { encoder.userInfo[.gridQuantitiesAsStrings] = true }
        let data = (try? encoder.encode(value)) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func decodeBody<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(SimulatorError) -> T {
        guard !body.isEmpty else { throw .badRequest("request body is required") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, _) {
            throw .badRequest("missing field \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .badRequest("wrong type for \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .badRequest(field.isEmpty ? "body is not valid JSON" : "invalid value for \(field)")
        } catch {
            throw .badRequest("body is not valid JSON")
        }
    }
}
