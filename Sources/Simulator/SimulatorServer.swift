import Foundation
import GridAPI
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Request context that keeps the connection, so faults can drop it.
public struct SimulatorContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Serves a `SimulatedExchange` over HTTP with the Trading API's paths, envelopes, errors and
/// Ed25519 request signatures.
public struct SimulatorServer: Sendable {
    public let exchange: SimulatedExchange
    public let verifier: SignatureVerifier
    let configuration: SimulatorConfiguration
    /// Serve the unauthenticated `/admin/...` control API (keep the server on loopback).
    public let adminEnabled: Bool

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
    }

    /// A Hummingbird application listening on `host:port` (port 0 picks a free one).
    /// - Parameter onListening: called with the bound port once requests are accepted.
    public func application(host: String = "127.0.0.1", port: Int = 0, logger: Logger,
                            onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let responder = CallbackResponder<SimulatorContext> { request, context in
            await self.respond(to: request, context: context)
        }
        let clock = exchange.clock
        return Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [ServerDateRewriter(clock: clock)])),
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

    // MARK: Request handling

    func respond(to request: Request, context: SimulatorContext) async -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        let status: Int
        var response: Response
        do {
            let fault = await exchange.takeFault(method: method, path: path)
            switch fault {
            case .status(let code, let detail, let retryAfter):
                throw SimulatorError(code, detail, retryAfterSeconds: retryAfter)
            case .dropBeforeCommit:
                await exchange.record(method: method, path: path, status: 0)
                try? await context.channel.close()
                return Response(status: .init(code: 499))
            case .delay(let ms):
                try? await Task.sleep(for: .milliseconds(ms))
            case .dropAfterCommit, nil:
                break
            }
            var request = request
            let body = try await readBody(&request)
            if path.hasPrefix("/admin/") {
                guard adminEnabled else { throw SimulatorError.notFound("path \(path)") }
                response = try await admin(method: method, path: path, body: body)
            } else {
                if !(method == "GET" && path == "/v1/health") {
                    let serverTime = exchange.clock.serverWallTime
                    let fingerprint: String
                    do {
                        fingerprint = try verifier.verify(method: method, path: path, body: body, nowSeconds: Int64(serverTime.timeIntervalSince1970)) {
                            request.headers[HTTPField.Name($0)!]
                        }
                    } catch {
                        throw SimulatorError(401, error.description)
                    }
                    if let wait = await exchange.admit(fingerprint: fingerprint, at: serverTime) {
                        throw SimulatorError(429, "rate_limited", retryAfterSeconds: wait)
                    }
                }
                await exchange.catchUp()
                response = try await route(method: method, path: path, query: Self.query(request.uri), body: body)
            }
            if case .dropAfterCommit = fault {
                await exchange.record(method: method, path: path, status: 0)
                try? await context.channel.close()
                return Response(status: .init(code: 499))
            }
        } catch let error as SimulatorError {
            response = Self.errorResponse(error)
        } catch {
            response = Self.errorResponse(SimulatorError(400, "malformed request: \(error)"))
        }
        status = response.status.code
        await exchange.record(method: method, path: path, status: status)
        return response
    }

    private func readBody(_ request: inout Request) async throws(SimulatorError) -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxBodyBytes {
            throw SimulatorError(413, "request body larger than \(configuration.maxBodyBytes) bytes")
        }
        do {
            let buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
            return Array(buffer: buffer)
        } catch {
            throw SimulatorError(413, "request body larger than \(configuration.maxBodyBytes) bytes")
        }
    }

    static func query(_ uri: URI) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in uri.queryParameters { out[String(key)] = String(value) }
        return out
    }

    static func errorResponse(_ error: SimulatorError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfterSeconds { headers[.retryAfter] = String(retryAfter) }
        let body = (try? JSONEncoder().encode(ErrorBody(detail: error.detail))) ?? Data()
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

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
