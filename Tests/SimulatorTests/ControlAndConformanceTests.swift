import AsyncHTTPClient
import Foundation
import GridAPI
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing
import TestSupport

@testable import Simulator

/// The admin API, rate limits, server clock skew and the signature check's refusals.
@Suite struct ControlAndConformanceTests {
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var detail: String? { (try? JSONDecoder().decode(ErrorBody.self, from: body))?.errors?.detail }
    }

    static func raw(_ method: HTTPMethod, _ url: String, body: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 4 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(data.readableBytesView))
    }

    static func origin(_ baseURL: String) -> String { String(baseURL.dropLast(3)) }

    @Test func adminAPIReadsAndChangesTheSimulation() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(startingConsumption: ["text-prime": 10])) { h throws in
            let origin = Self.origin(h.baseURL)
            let state = try await Self.raw(.GET, origin + "/admin/state")
            #expect(state.status == 200)
            let decoded = try JSONDecoder().decode(SimulatorState.self, from: state.body)
            #expect(decoded.instruments.first { $0.symbol == "text-prime" }?.consumption == 10)

            #expect(try await Self.raw(.POST, origin + "/admin/burn", body: #"{"symbol":"text-prime","profile":{"units_per_hour":4}}"#).status == 200)
            let advanced = try await Self.raw(.POST, origin + "/admin/advance", body: #"{"seconds":3600}"#)
            let after = try JSONDecoder().decode(SimulatorState.self, from: advanced.body)
            #expect(after.instruments.first { $0.symbol == "text-prime" }?.consumption == 6)

            #expect(try await Self.raw(.POST, origin + "/admin/balances", body: #"{"usd":"12.34","inventory":{"code-max":3}}"#).status == 200)
            let sheet = try await BalanceSheet.fetch(from: h.client)
            #expect(sheet.usdAvailable == StrictDecimal.parse("12.34"))
            #expect(sheet.instruments.first { $0.symbol == "code-max" }?.tradingAvailable == 3)

            #expect(try await Self.raw(.POST, origin + "/admin/account", body: #"{"account_mode":"easy"}"#).status == 200)
            #expect(try await h.client.me().canTrade == false)

            let fault = #"{"method":"GET","path_prefix":"/v1/me","action":"status","status":503,"detail":"maintenance","times":1}"#
            #expect(try await Self.raw(.POST, origin + "/admin/faults", body: fault).status == 200)
            _ = try await h.client.me()
            #expect(await h.exchange.requestLog.contains { $0.path == "/v1/me" && $0.status == 503 })

            #expect(try await Self.raw(.POST, origin + "/admin/advance", body: #"{"seconds":-5}"#).status == 422)
            #expect(try await Self.raw(.POST, origin + "/admin/faults", body: #"{"path_prefix":"/v1","action":"explode"}"#).status == 400)
            #expect(try await Self.raw(.POST, origin + "/admin/balances", body: #"{"usd":"12abc"}"#).status == 422)
            #expect(try await Self.raw(.GET, origin + "/admin/nope").status == 404)
        }
    }

    @Test func adminAPIIsOffWhenDisabled() async throws {
        try await SimulatorHarness.with(adminEnabled: false) { h throws in
            #expect(try await Self.raw(.GET, Self.origin(h.baseURL) + "/admin/state").status == 404)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        // The bucket refills on the server's wall clock: frozen here (and the client told the
        // server's time), so a slow machine cannot refill it between the fifth request and the sixth.
        let frozen = Date()
        try await SimulatorHarness.with(SimulatorConfiguration(rateLimitPerMinute: 5), clock: SimulationClock(start: frozen, speed: 0, wall: { frozen }),
                                        retry: .none) { h throws in
            for _ in 0..<5 { _ = try await h.client.me() }
            do {
                _ = try await h.client.me()
                Issue.record("expected a 429")
            } catch let error as GridAPIError {
                #expect(error.status == 429 && error.isRetryable)
            }
            let last = await h.exchange.requestLog.last
            #expect(last?.status == 429)
            // Health is public and not limited.
            #expect(try await h.client.health().status == "ok")
        }
    }

    @Test func aSkewedServerClockIsFollowedByTheClient() async throws {
        try await SimulatorHarness.with { h throws in
            h.exchange.clock.setSkew(120)
            #expect(try await h.client.me().canTrade)
            #expect(await h.exchange.requestLog.map(\.status) == [401, 200])
            let offset = try #require(h.client.serverClock.offset)
            #expect(offset > .seconds(115) && offset < .seconds(125))
        }
    }

    /// Requests signed the wrong way, as clients commonly get it wrong.
    @Test func wronglySignedRequestsAreRefused() async throws {
        // The server's wall clock stands still, so however slowly the machine runs the cases,
        // the timestamps keep their distance from server time.
        let frozen = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try await SimulatorHarness.with(clock: SimulationClock(start: frozen, speed: 0, wall: { frozen })) { h throws in
            let key = TestKeys.reference
            let now = String(Int64(frozen.timeIntervalSince1970))
            let path = URL(string: h.baseURL)!.path
            func sign(_ message: String) -> String { LenientBase64.encode(key.sign(Array(message.utf8))) }
            func headers(timestamp: String = now, signature: String, fingerprint: String = key.fingerprint) -> [(String, String)] {
                [("x-thegrid-timestamp", timestamp), ("x-thegrid-signature", signature), ("x-thegrid-fingerprint", fingerprint)]
            }
            let body = #"{"instrument_id":"x","quantity":1}"#
            let cases: [(String, HTTPMethod, String, String?, [(String, String)], String)] = [
                ("query signed", .GET, "/orders?limit=5", nil, headers(signature: sign(now + "GET" + path + "/orders?limit=5")), "Signature verification failed"),
                ("body re-serialised", .POST, "/transfers/trading-to-consumption", body,
                 headers(signature: sign(now + "POST" + path + "/transfers/trading-to-consumption" + #"{"instrument_id": "x", "quantity": 1}"#)), "Signature verification failed"),
                ("path without /v1", .GET, "/me", nil, headers(signature: sign(now + "GET/me")), "Signature verification failed"),
                ("padded fingerprint", .GET, "/me", nil, headers(signature: sign(now + "GET" + path + "/me"), fingerprint: key.fingerprint + "="), "Unknown key fingerprint"),
                ("stale timestamp", .GET, "/me", nil,
                 headers(timestamp: String(Int64(now)! - 45), signature: sign(String(Int64(now)! - 45) + "GET" + path + "/me")), "away from server time"),
                ("milliseconds timestamp", .GET, "/me", nil,
                 headers(timestamp: now + "000", signature: sign(now + "000GET" + path + "/me")), "away from server time"),
                ("no signature", .GET, "/me", nil, [("x-thegrid-timestamp", now), ("x-thegrid-fingerprint", key.fingerprint)], "Missing required header"),
            ]
            for (label, method, resource, body, headers, detail) in cases {
                let reply = try await Self.raw(method, h.baseURL + resource, body: body, headers: headers)
                #expect(reply.status == 401, "\(label)")
                #expect(reply.detail?.contains(detail) == true, "\(label): \(reply.detail ?? "no detail")")
            }
            // The correctly signed request passes.
            let good = try await Self.raw(.GET, h.baseURL + "/me?x=1", headers: headers(signature: sign(now + "GET" + path + "/me")))
            #expect(good.status == 200)
        }
    }

    @Test func scenarioFilesConfigureTheSimulator() throws {
        let yaml = """
            account:
              mode: easy
              auto_transfer: true
              usd: "250.50"
              inventory: { text-prime: 4 }
              consumption: { code-max: 2 }
            market: { seed: 11, step_seconds: 30, volatility_per_hour: 0.03 }
            burn:
              text-prime: { kind: daily, units_per_hour: 12, amplitude: 0.25 }
            speed: 60
            rate_limit_per_minute: 100
            faults:
              - { method: post, path_prefix: /v1/orders, action: status, status: 503, times: 2 }
              - { path_prefix: /v1/me, action: drop_after_commit }
            """
        let scenario = try Scenario.parse(yaml)
        let config = scenario.configuration()
        #expect(config.accountMode == "easy" && config.autoTransfer)
        #expect(config.startingUSD == StrictDecimal.parse("250.50"))
        #expect(config.startingInventory == ["text-prime": 4] && config.startingConsumption == ["code-max": 2])
        #expect(config.market?.seed == 11 && config.market?.stepSeconds == 30 && config.market?.halfSpreadTicks == 1)
        #expect(config.burn["text-prime"]?.kind == .daily && config.burn["text-prime"]?.amplitude == 0.25)
        #expect(config.rateLimitPerMinute == 100 && scenario.speed == 60)
        #expect(scenario.faults?.first == Fault(method: "POST", pathPrefix: "/v1/orders", action: .status(503, detail: "injected fault", retryAfterSeconds: nil), times: 2))
        #expect(try Scenario.parse("market: static").configuration(base: SimulatorConfiguration(market: MarketModel())).market == nil)
    }

    @Test(arguments: [
        ("accont: {}", "unknown key 'accont'"),
        ("account: { usd: 12abc }", "account.usd: expected a decimal amount"),
        ("account: { mode: auto }", "account.mode: expected easy or advanced"),
        ("account: { inventory: { text-ultra: 1 } }", "unknown instrument 'text-ultra'"),
        ("burn: { text-prime: { units_per_hour: -1 } }", "burn.text-prime.units_per_hour"),
        ("burn: { text-prime: { kind: sometimes, units_per_hour: 1 } }", "burn.text-prime.kind"),
        ("faults: [ { path_prefix: /v1, action: explode } ]", "faults[0].action: unknown action 'explode'"),
        ("market: { step_seconds: 0 }", "market.step_seconds"),
        ("speed: fast", "speed"),
        ("account: [1, 2", "not valid YAML"),
    ])
    func badScenariosNameTheField(_ yaml: String, _ expected: String) {
        do {
            _ = try Scenario.parse(yaml, path: "bad.yaml")
            Issue.record("expected an error for \(yaml)")
        } catch {
            #expect(error.description.hasPrefix("bad.yaml: "))
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
