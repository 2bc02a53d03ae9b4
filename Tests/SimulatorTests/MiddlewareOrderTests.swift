import AsyncHTTPClient
import Foundation
import GridAPI
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing
import TestSupport

@testable import Simulator

/// The order of the simulator's middleware, pinned: request log → errors → faults → body limit
/// → signature → rate limit → route. Each test fails if two of them swap.
@Suite struct MiddlewareOrderTests {
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var detail: String?
    }

    /// Server time stands still, so signatures and token buckets do not depend on the machine's speed.
    static let frozen = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
    static var frozenClock: SimulationClock { SimulationClock(start: frozen, speed: 0, wall: { frozen }) }

    /// Sends `body` to `baseURL + path`, signed correctly (`.good`), with a signature over
    /// another body (`.bad`), or not signed at all (`.none`).
    enum Signing { case good, bad, none }

    static func send(_ method: HTTPMethod, _ baseURL: String, _ path: String, body: [UInt8] = [], signing: Signing = .good) async throws -> Reply {
        let signer = RequestSigner(key: TestKeys.reference)
        let fullPath = URL(string: baseURL)!.path + path
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if signing != .none {
            let signed = signing == .good ? body : body + Array("x".utf8)
            for header in signer.headers(method: method.rawValue, path: fullPath, body: signed, unixSeconds: Int64(frozen.timeIntervalSince1970)) {
                request.headers.add(name: header.name, value: header.value)
            }
        }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 1 << 20)
        let detail = (try? JSONDecoder().decode(ErrorBody.self, from: Data(data.readableBytesView)))?.errors?.detail
        return Reply(status: Int(response.status.code), headers: response.headers, detail: detail)
    }

    @Test func anInjectedFaultAnswersBeforeTheSignatureIsChecked() async throws {
        try await SimulatorHarness.with(clock: Self.frozenClock) { h throws in
            await h.exchange.inject(Fault(method: "GET", pathPrefix: "/v1/me", action: .status(503, detail: "maintenance", retryAfterSeconds: 7)))
            let faulted = try await Self.send(.GET, h.baseURL, "/me", signing: .none)
            #expect(faulted.status == 503 && faulted.detail == "maintenance")
            #expect(faulted.headers.first(name: "retry-after") == "7")
            // The fault is used up: the same unsigned request now meets the signature check.
            let unsigned = try await Self.send(.GET, h.baseURL, "/me", signing: .none)
            #expect(unsigned.status == 401 && unsigned.detail?.contains("Missing required header") == true)
            #expect(await h.exchange.requestLog.map(\.status) == [503, 401])
        }
    }

    @Test func anInjectedFaultAnswersBeforeTheBodyLimit() async throws {
        try await SimulatorHarness.with(clock: Self.frozenClock) { h throws in
            await h.exchange.inject(Fault(method: "POST", pathPrefix: "/v1/orders", action: .status(502, detail: "bad gateway", retryAfterSeconds: nil)))
            let huge = Array(repeating: UInt8(ascii: " "), count: 100_000)
            #expect(try await Self.send(.POST, h.baseURL, "/orders", body: huge).status == 502)
            #expect(try await Self.send(.POST, h.baseURL, "/orders", body: huge).status == 413)
        }
    }

    @Test func anOversizedBodyIsRefusedBeforeTheSignatureIsChecked() async throws {
        try await SimulatorHarness.with(clock: Self.frozenClock) { h throws in
            let reply = try await Self.send(.POST, h.baseURL, "/orders", body: Array(repeating: UInt8(ascii: " "), count: 100_000), signing: .none)
            #expect(reply.status == 413 && reply.detail == "request body larger than 65536 bytes")
        }
    }

    @Test func faultedAndBadlySignedRequestsAreNotCountedByTheRateLimiter() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(rateLimitPerMinute: 2), clock: Self.frozenClock) { h throws in
            await h.exchange.inject(Fault(method: "GET", pathPrefix: "/v1/me", action: .status(503, detail: "maintenance", retryAfterSeconds: nil), times: 3))
            for _ in 0..<3 { #expect(try await Self.send(.GET, h.baseURL, "/me").status == 503) }
            for _ in 0..<3 {
                let bad = try await Self.send(.GET, h.baseURL, "/me", signing: .bad)
                #expect(bad.status == 401 && bad.detail == "Signature verification failed")
            }
            // Health is unsigned, so never counted.
            for _ in 0..<3 { #expect(try await Self.send(.GET, h.baseURL, "/health", signing: .none).status == 200) }
            // The bucket is still full: two signed requests pass, the third is limited.
            #expect(try await Self.send(.GET, h.baseURL, "/me").status == 200)
            #expect(try await Self.send(.GET, h.baseURL, "/nope").status == 404)
            let limited = try await Self.send(.GET, h.baseURL, "/me")
            #expect(limited.status == 429 && limited.detail == "rate_limited")
            #expect(limited.headers.first(name: "retry-after") == "30")
            // A bad signature still answers 401, not 429, once the key is over its limit.
            #expect(try await Self.send(.GET, h.baseURL, "/me", signing: .bad).status == 401)
        }
    }

    @Test func aLostReplyFaultAnswersAFailedRequestWithItsError() async throws {
        try await SimulatorHarness.with(clock: Self.frozenClock) { h throws in
            await h.exchange.inject(Fault(method: "GET", pathPrefix: "/v1/orders/", action: .dropAfterCommit))
            let missing = try await Self.send(.GET, h.baseURL, "/orders/order-missing")
            #expect(missing.status == 404)
            #expect(await h.exchange.requestLog.last?.status == 404)
        }
    }

    @Test(arguments: [
        (HTTPMethod.GET, "/nope", Signing.none, 401, "Missing required header"),
        (.GET, "/nope", .good, 404, "path GET /v1/nope not found"),
        (.PUT, "/orders", .good, 404, "path PUT /v1/orders not found"),
        (.GET, "/me/", .good, 404, "path GET /v1/me/ not found"),
        (.GET, "/orders//order-1", .good, 404, "path GET /v1/orders//order-1 not found"),
        (.POST, "/transfers/sideways", .good, 404, "path /v1/transfers/sideways not found"),
        (.POST, "/health", .good, 404, "path POST /v1/health not found"),
    ])
    func unknownPathsMeetTheMiddlewareBeforeTheir404(_ method: HTTPMethod, _ path: String, _ signing: Signing, _ status: Int, _ detail: String) async throws {
        try await SimulatorHarness.with(clock: Self.frozenClock) { h throws in
            let reply = try await Self.send(method, h.baseURL, path, signing: signing)
            #expect(reply.status == status)
            #expect(reply.detail?.contains(detail) == true, "\(reply.detail ?? "no detail")")
        }
    }

    @Test func unknownAdminPathsSayWhetherTheAdminAPIIsServed() async throws {
        try await SimulatorHarness.with(clock: Self.frozenClock) { h throws in
            let origin = String(h.baseURL.dropLast(3))
            #expect(try await Self.send(.GET, origin, "/admin/nope", signing: .none).detail == "admin path GET /admin/nope not found")
            #expect(try await Self.send(.PUT, origin, "/admin/state", signing: .none).detail == "admin path PUT /admin/state not found")
        }
        try await SimulatorHarness.with(clock: Self.frozenClock, adminEnabled: false) { h throws in
            let origin = String(h.baseURL.dropLast(3))
            #expect(try await Self.send(.GET, origin, "/admin/state", signing: .none).detail == "path /admin/state not found")
        }
    }
}
