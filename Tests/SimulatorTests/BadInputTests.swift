import AsyncHTTPClient
import Foundation
import GridAPI
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Simulator
import Testing
import TestSupport

/// Garbage in, a 4xx with a detail out — never a crash, never a changed balance.
@Suite struct BadInputTests {
    struct Reply {
        var status: Int
        var detail: String?
    }

    /// Sends exactly `body`, correctly signed, bypassing the typed client.
    static func send(_ method: HTTPMethod, _ baseURL: String, _ path: String, body: [UInt8] = [], query: String = "") async throws -> Reply {
        let signer = RequestSigner(key: TestKeys.reference)
        let fullPath = URL(string: baseURL)!.path + path
        var request = HTTPClientRequest(url: baseURL + path + query)
        request.method = method
        for header in signer.headers(method: method.rawValue, path: fullPath, body: body, unixSeconds: Int64(Date().timeIntervalSince1970)) {
            request.headers.add(name: header.name, value: header.value)
        }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 1 << 20)
        let parsed = try? JSONDecoder().decode(ErrorBody.self, from: Data(data.readableBytesView))
        return Reply(status: Int(response.status.code), detail: parsed?.errors?.detail)
    }

    @Test(arguments: [
        ("{not json", 400),
        (#"{"market_id":"MARKET","side":"buy","type":"limit","quantity":"abc","price":"2.50"}"#, 400),
        (#"{"market_id":"MARKET","side":"buy","type":"limit","quantity":-5,"price":"2.50"}"#, 422),
        (#"{"market_id":"MARKET","side":"buy","type":"limit","quantity":1.5,"price":"2.50"}"#, 422),
        (#"{"market_id":"MARKET","side":"buy","type":"limit","quantity":1e30,"price":"2.50"}"#, 422),
        (#"{"market_id":"MARKET","side":"buy","type":"limit","quantity":1,"price":"2.505"}"#, 422),
        (#"{"market_id":"MARKET","side":"buy","type":"limit","quantity":1}"#, 422),
        (#"{"market_id":"MARKET","side":"hold","type":"limit","quantity":1,"price":"2.50"}"#, 400),
        (#"{"market_id":"market-unknown","side":"buy","type":"market","quantity":1}"#, 404),
        (#"{"market_id":"MARKET","side":"buy","type":"limit","quantity":100,"price":"999"}"#, 402),
        (#"[]"#, 400),
        ("", 400),
    ])
    func malformedOrdersAreRefusedAndChangeNothing(_ body: String, _ expected: Int) async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(startingUSD: 50)) { h throws in
            let marketID = try #require(await h.exchange.marketID(symbol: "text-prime"))
            let reply = try await Self.send(.POST, h.baseURL, "/orders", body: Array(body.replacingOccurrences(of: "MARKET", with: marketID).utf8))
            #expect(reply.status == expected)
            #expect(reply.detail?.isEmpty == false)
            let usd = await h.exchange.usdBalance()
            #expect(usd.available == 50 && usd.locked == 0)
            #expect(await h.exchange.allOrders().isEmpty)
        }
    }

    @Test func oversizedBodiesAreRefused() async throws {
        try await SimulatorHarness.with { h throws in
            let reply = try await Self.send(.POST, h.baseURL, "/orders", body: Array(repeating: UInt8(ascii: " "), count: 100_000))
            #expect(reply.status == 413)
        }
    }

    @Test(arguments: [
        ("/nope", "", 404), ("/orders", "?limit=500", 422), ("/orders", "?limit=abc", 422),
        ("/orders", "?next=abc&prev=def", 400), ("/orders", "?next=%%%", 400), ("/orders/order-404", "", 404),
        ("/markets/market-x/orderbook", "", 404), ("/markets/market-00000000-0000-4000-8000-000000000001/orderbook", "?depth=1000", 422),
    ])
    func badPathsAndParametersAre4xx(_ path: String, _ query: String, _ expected: Int) async throws {
        try await SimulatorHarness.with { h throws in
            let reply = try await Self.send(.GET, h.baseURL, path, query: query)
            #expect(reply.status == expected)
            #expect(reply.detail?.isEmpty == false)
        }
    }

    @Test func transfersRefuseBadQuantitiesAndOverdrafts() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(startingInventory: ["text-prime": 5])) { h throws in
            let instrumentID = try #require(await h.exchange.instrumentID(symbol: "text-prime"))
            for (body, expected) in [
                (#"{"instrument_id":"\#(instrumentID)","quantity":0}"#, 422),
                (#"{"instrument_id":"\#(instrumentID)","quantity":2.5}"#, 400),
                (#"{"instrument_id":"\#(instrumentID)","quantity":6}"#, 422),
                (#"{"instrument_id":"instrument-x","quantity":1}"#, 404),
            ] {
                let reply = try await Self.send(.POST, h.baseURL, "/transfers/trading-to-consumption", body: Array(body.utf8))
                #expect(reply.status == expected, "\(body)")
            }
            #expect(await h.exchange.inventoryUnits(symbol: "text-prime") == 5)
            #expect(await h.exchange.consumptionUnits(symbol: "text-prime") == 0)
        }
    }

    @Test func lotsExpireFourHoursAfterTheyArrive() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(startingInventory: ["text-prime": 10])) { h throws in
            let id = try #require(await h.exchange.instrumentID(symbol: "text-prime"))
            _ = try await h.client.transfer(.tradingToConsumption, instrumentID: id, quantity: 6)
            await h.exchange.advance(by: 3 * 3600)
            _ = try await h.client.transfer(.tradingToConsumption, instrumentID: id, quantity: 4)
            #expect(try await h.client.consumptionAccounts(instrumentID: id).collect().first?.available == 10)
            await h.exchange.advance(by: 3600 + 1)
            #expect(try await h.client.consumptionAccounts(instrumentID: id).collect().first?.available == 4)
        }
    }
}
