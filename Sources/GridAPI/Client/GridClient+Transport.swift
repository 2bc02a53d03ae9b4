import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A reply as read off the wire.
struct RawResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
}

extension GridClient {
    /// Sends one request, signing it and applying the retry rules.
    ///
    /// - Parameters:
    ///   - method: HTTP method; anything but GET is mutating and never resent once it may have
    ///     reached the server.
    ///   - path: resource path below the base URL, e.g. `/orders` (segments already escaped).
    ///   - query: query items, not signed.
    ///   - body: exact body bytes.
    ///   - acceptStatus: extra non-2xx statuses the caller handles itself.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        body: [UInt8]? = nil,
        signed: Bool = true,
        acceptStatus: Set<Int> = []
    ) async throws(GridAPIError) -> RawResponse {
        let fullPath = endpoint.pathPrefix + path
        let label = "\(method.rawValue) \(fullPath)"
        let mutating = method != .GET && method != .HEAD
        if signed, signer == nil {
            throw .configuration("\(label): no signing key configured (set GRID_TRADING_PRIVATE_KEY or pass --key-file)")
        }
        var attempt = 0
        var resignedForSkew = false
        let retry = configuration.retry
        // Time spent so far: measured, or the waits asked for when sleeps are not real (tests).
        let started = ContinuousClock.now
        var waited = Duration.zero
        func spent() -> Duration { max(ContinuousClock.now - started, waited) }
        /// Whether a retry after `delay` still fits the deadline.
        func fits(_ delay: Duration) -> Bool { attempt < retry.maxAttempts && spent() + delay < retry.deadline }
        func gaveUp() -> String { "\(attempt) attempt\(attempt == 1 ? "" : "s") in \(Self.seconds(spent()))" }
        while true {
            attempt += 1
            let wasCorrecting = serverClock.isCorrecting
            if signed, let pacer = configuration.pacer {
                do { try await pacer.acquire(sleep: sleep) } catch {
                    throw .retryable(endpoint: label, status: nil, reason: "cancelled while waiting for the request budget")
                }
            }
            let request = makeRequest(method, fullPath: fullPath, query: query, body: body, signed: signed)
            if mutating, let gate = SendGate.check {
                do { try gate(label) } catch {
                    throw .notSent(endpoint: label, reason: "\(error)")
                }
            }
            // The first attempt gets the whole request timeout; a retry only what the deadline leaves.
            let timeout = attempt == 1 ? configuration.requestTimeout : min(configuration.requestTimeout, max(.milliseconds(100), retry.deadline - spent()))
            let response: RawResponse
            do {
                response = try await execute(request, timeout: timeout)
            } catch let error as GridAPIError {
                throw error
            } catch {
                let notSent = Self.isConnectFailure(error)
                if mutating && !notSent {
                    logger.warning("request outcome unknown", metadata: ["endpoint": "\(label)", "error": "\(error)"])
                    throw .outcomeUnknown(endpoint: label, reason: Self.describe(error))
                }
                let delay = retry.delay(attempt: attempt, retryAfter: nil, unit: random())
                if fits(delay) {
                    logger.info("retrying after network error", metadata: ["endpoint": "\(label)", "attempt": "\(attempt)", "error": "\(error)"])
                    waited += delay
                    try await pause(delay, label: label)
                    continue
                }
                let place = notSent ? " connecting to \(endpoint.origin)" : ""
                throw .retryable(endpoint: label, status: nil, reason: "\(Self.describe(error))\(place) (\(gaveUp()))")
            }
            serverClock.observe(dateHeader: response.headers.first(name: "date"))

            let status = response.status
            if (200..<300).contains(status) || acceptStatus.contains(status) { return response }
            let detail = Self.errorDetail(response.body) ?? HTTPResponseStatus(statusCode: status).reasonPhrase
            logger.debug("request failed", metadata: ["endpoint": "\(label)", "http.status": "\(status)", "detail": "\(detail)"])

            // A 401 caused by our clock: the server rejected the request before acting on it,
            // so signing again with the server's time is safe even for a mutating request.
            if status == 401, signed, !resignedForSkew, !wasCorrecting, serverClock.isCorrecting {
                resignedForSkew = true
                logger.notice("local clock is off; re-signing with server time", metadata: ["endpoint": "\(label)", "offset": "\(serverClock.offset.map { "\($0)" } ?? "?")"])
                attempt -= 1
                continue
            }
            // Rejected by the rate limiter before any processing: safe to wait and resend.
            let retryable = mutating ? status == 429 : RetryPolicy.isRetryableStatus(status)
            if retryable {
                let retryAfter = RetryPolicy.parseRetryAfter(response.headers.first(name: "retry-after"))
                let delay = retry.delay(attempt: attempt, retryAfter: retryAfter, unit: random())
                if fits(delay) {
                    logger.info("retrying", metadata: ["endpoint": "\(label)", "http.status": "\(status)", "attempt": "\(attempt)", "delay": "\(delay)"])
                    waited += delay
                    try await pause(delay, label: label)
                    continue
                }
                throw .retryable(endpoint: label, status: status, reason: "\(detail) (\(gaveUp()))")
            }
            if mutating && status >= 500 {
                throw .outcomeUnknown(endpoint: label, reason: "HTTP \(status): \(detail)")
            }
            if status >= 500 {
                throw .retryable(endpoint: label, status: status, reason: detail)
            }
            throw .rejected(endpoint: label, status: status, detail: detail)
        }
    }

    private func pause(_ delay: Duration, label: String) async throws(GridAPIError) {
        do {
            try await sleep(delay)
        } catch {
            throw .retryable(endpoint: label, status: nil, reason: "cancelled while waiting to retry")
        }
    }

    private func makeRequest(_ method: HTTPMethod, fullPath: String, query: [(String, String)], body: [UInt8]?, signed: Bool) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint.origin + fullPath + Self.queryString(query))
        request.method = method
        request.headers.add(name: "accept", value: "application/json")
        request.headers.add(name: "user-agent", value: "gridkeeper/\(GridKeeperVersion.current)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        if signed, let signer {
            for header in signer.headers(method: method.rawValue, path: fullPath, body: body ?? [], unixSeconds: serverClock.unixSeconds()) {
                request.headers.add(name: header.name, value: header.value)
            }
        }
        return request
    }

    private func execute(_ request: HTTPClientRequest, timeout duration: Duration) async throws -> RawResponse {
        let timeout = TimeAmount.nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        let response = try await http.execute(request, timeout: timeout, logger: logger)
        let body = try await response.body.collect(upTo: configuration.maxResponseBytes)
        return RawResponse(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
    }

    /// `1.2 s`, for messages.
    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(ms / 1000).\(ms % 1000 / 100) s"
    }

    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Escapes one path segment (an id or symbol).
    static func segment(_ text: String) -> String { percentEncode(text) }

    /// Whether the error means the request never left this machine (nothing to resolve).
    static func isConnectFailure(_ error: any Error) -> Bool {
        if let e = error as? HTTPClientError, e == .connectTimeout { return true }
        if let e = error as? IOError, e.errnoCode == ECONNREFUSED { return true }
        let text = String(describing: error)
        return text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED")
            || text.contains("connectTimeout") || text.contains("NIOConnectionError")
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout: return "timed out waiting for the reply"
            case .remoteConnectionClosed: return "connection closed before the reply"
            case .connectTimeout: return "connect timed out"
            default: return "\(e)"
            }
        }
        if isConnectFailure(error) { return "connection refused" }
        return String(describing: error)
    }

    /// The server's message from any known error shape.
    static func errorDetail(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let parsed = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)), let text = parsed.text { return text }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    // MARK: Decoding

    func decode<T: Decodable>(_ type: T.Type, from response: RawResponse, endpoint label: String) throws(GridAPIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch let error as DecodingError {
            throw Self.describe(error, endpoint: label)
        } catch {
            throw .decoding(endpoint: label, field: "(body)", reason: "\(error)")
        }
    }

    static func describe(_ error: DecodingError, endpoint: String) -> GridAPIError {
        func path(_ keys: [any CodingKey]) -> String {
            let parts = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return parts.hasPrefix(".") ? String(parts.dropFirst()) : (parts.isEmpty ? "(body)" : parts)
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .decoding(endpoint: endpoint, field: path(context.codingPath + [key]), reason: "required field is missing")
        case .typeMismatch(_, let context):
            return .decoding(endpoint: endpoint, field: path(context.codingPath), reason: context.debugDescription)
        case .valueNotFound(_, let context):
            return .decoding(endpoint: endpoint, field: path(context.codingPath), reason: "required value is null")
        case .dataCorrupted(let context):
            return .decoding(endpoint: endpoint, field: path(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .decoding(endpoint: endpoint, field: "(body)", reason: "\(error)")
        }
    }

    func encodeBody<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if configuration.quantitiesAsStrings { encoder.userInfo[.gridQuantitiesAsStrings] = true }
        // Our own request types always encode.
        return Array(try! encoder.encode(value))
    }

    // MARK: Typed helpers

    func get<T: Codable & Sendable>(_ path: String, query: [(String, String)] = [], signed: Bool = true) async throws(GridAPIError) -> T {
        let response = try await send(.GET, path, query: query, signed: signed)
        return try decode(DataEnvelope<T>.self, from: response, endpoint: "GET \(endpoint.pathPrefix)\(path)").data
    }

    func page<T: Codable & Sendable>(_ path: String, query: [(String, String)], cursor: String?) async throws(GridAPIError) -> Page<T> {
        var items = query
        if let cursor { items.append(("next", cursor)) }
        let response = try await send(.GET, path, query: items)
        let list = try decode(ListEnvelope<T>.self, from: response, endpoint: "GET \(endpoint.pathPrefix)\(path)")
        if let paging = list.paging {
            return Page(items: list.data, nextCursor: paging.nextCursor, hasMore: paging.hasMore && paging.nextCursor != nil)
        }
        // Legacy offset paging or no paging block: one page only (cursor paging is what /v1 uses).
        return Page(items: list.data, nextCursor: nil, hasMore: false)
    }

    func paged<T: Codable & Sendable>(_ path: String, query: [(String, String)] = []) -> PagedSequence<T> {
        let client = self
        return PagedSequence(logger: logger, endpoint: "GET \(endpoint.pathPrefix)\(path)") { cursor throws(GridAPIError) in
            try await client.page(path, query: query, cursor: cursor)
        }
    }
}

/// The version this build reports in `User-Agent` and `--version`.
public enum GridKeeperVersion {
    public static let current = "0.1.0"
}
