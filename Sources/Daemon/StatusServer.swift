import Foundation
import Hummingbird
import Logging
import NIOCore

/// `/healthz`, `/status` (JSON) and `/metrics` (Prometheus) for the daemon.
///
/// Spend and budget figures are nobody else's business: on loopback the endpoint is open, on
/// any other address it needs a bearer token (`StatusToken`), which `/status` and `/metrics`
/// then require; `/healthz` stays open for probes and says only `ok` or `trading stopped`.
public enum StatusServer {
    /// - Parameters:
    ///   - token: when set, `/status` and `/metrics` answer 401 without `Authorization: Bearer TOKEN`.
    ///   - onListening: called with the bound port.
    public static func application(state: DaemonState, metrics: EngineMetrics, host: String, port: Int, token: StatusToken? = nil, logger: Logger,
                                   onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            let status = await state.status()
            let text = status.healthy ? "ok\n" : "trading stopped\n"
            return Response(status: status.healthy ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/metrics") { request, _ -> Response in
            if let refusal = refusal(request, token: token) { return refusal }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        router.get("/status") { request, _ -> Response in
            if let refusal = refusal(request, token: token) { return refusal }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let data = (try? encoder.encode(await state.status())) ?? Data("{}".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "gridkeeper"),
                           onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// A 401 unless the request carries the token (or none is configured).
    static func refusal(_ request: Request, token: StatusToken?) -> Response? {
        guard let token else { return nil }
        if token.accepts(authorization: request.headers[.authorization]) { return nil }
        return Response(status: .unauthorized, headers: [.contentType: "text/plain", .wwwAuthenticate: "Bearer realm=\"gridkeeper\""],
                        body: .init(byteBuffer: ByteBuffer(string: "a bearer token is required (Authorization: Bearer …)\n")))
    }

    /// Whether `host` only accepts connections from this machine: `localhost`, 127.0.0.0/8 or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Checks, before anything else starts, that `host:port` can be bound, so a port already
    /// in use stops the daemon with a clear message before any request reaches the exchange.
    /// Port 0 (any free port) always passes.
    /// - Throws: `StatusServerError` naming the address.
    public static func checkAvailable(host: String, port: Int) throws(StatusServerError) {
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw StatusServerError(host: host, port: port, problem: .unknownHost(String(cString: gai_strerror(resolved))))
        }
        defer { freeaddrinfo(list) }
        // The address Hummingbird (NIO) binds is the first one resolved; check that one, the
        // way NIO binds it (SO_REUSEADDR, so a socket in TIME_WAIT does not count as in use).
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return }
        let code = errno
        switch code {
        case EADDRINUSE: throw StatusServerError(host: host, port: port, problem: .inUse)
        case EADDRNOTAVAIL: throw StatusServerError(host: host, port: port, problem: .notLocal)
        case EACCES: throw StatusServerError(host: host, port: port, problem: .permission)
        default: throw StatusServerError(host: host, port: port, problem: .other(String(cString: strerror(code))))
        }
    }
}

/// Why the status endpoint cannot listen where it was told to.
public struct StatusServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bind failure inside `error` (as the server reports it), if that is what it is.
    public static func from(_ error: any Error, host: String, port: Int) -> StatusServerError? {
        guard let io = error as? IOError else { return nil }
        switch io.errnoCode {
        case EADDRINUSE: return StatusServerError(host: host, port: port, problem: .inUse)
        case EADDRNOTAVAIL: return StatusServerError(host: host, port: port, problem: .notLocal)
        case EACCES: return StatusServerError(host: host, port: port, problem: .permission)
        default: return nil
        }
    }

    public enum Problem: Sendable, Equatable {
        case inUse, notLocal, permission
        case unknownHost(String)
        case other(String)
    }

    public var host: String
    public var port: Int
    public var problem: Problem

    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        switch problem {
        case .inUse:
            return "status port \(address) is in use: stop the other process (is another gridkeeper running?) or pass --status-port with a free port (0 picks one)"
        case .notLocal:
            return "status host \(host) is not an address of this machine: pass --status-host 127.0.0.1"
        case .permission:
            return "status port \(address) needs privileges to bind: pass --status-port above 1023"
        case .unknownHost(let reason):
            return "status host \(host) cannot be resolved (\(reason)): pass --status-host with an address like 127.0.0.1"
        case .other(let reason):
            return "cannot listen on \(address) for the status endpoint: \(reason)"
        }
    }
}

/// The bearer token `/status` and `/metrics` require. Its text is never printed or logged:
/// `description` is redacted, and comparison takes the same time wherever a guess differs.
public struct StatusToken: Sendable, CustomStringConvertible {
    /// Shorter tokens are refused: they could be guessed.
    public static let minimumLength = 16
    private let bytes: [UInt8]

    /// `nil` when the text, without surrounding whitespace, is shorter than `minimumLength`
    /// or holds whitespace or control characters inside.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count >= Self.minimumLength, trimmed.utf8.allSatisfy({ $0 > 32 && $0 != 127 }) else { return nil }
        bytes = Array(trimmed.utf8)
    }

    public var description: String { "StatusToken(redacted)" }

    /// Whether an `Authorization` header value is `Bearer <this token>`.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return Self.constantTimeEqual(bytes, Array(parts[1].utf8))
    }

    /// Compares in time that depends on the expected length only, not on where a guess differs.
    static func constantTimeEqual(_ expected: [UInt8], _ given: [UInt8]) -> Bool {
        var difference: UInt8 = expected.count == given.count ? 0 : 1
        for i in 0..<expected.count {
            difference |= expected[i] ^ (i < given.count ? given[i] : 0)
        }
        return difference == 0
    }
}
