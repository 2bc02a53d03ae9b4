import AsyncHTTPClient
import Foundation
import GridAPI
import NIOCore
import NIOHTTP1
import Testing
import TestSupport

@testable import Simulator

/// The simulator accepts the Trading API reference's worked examples byte for byte, and the
/// client surfaces each refusal as the right typed error.
@Suite struct ReferenceVectorTests {
    static let vectorTime = Date(timeIntervalSince1970: 1_706_500_000)

    @Test func referenceExampleBIsAcceptedAsSigned() async throws {
        // Server time frozen at the vector's timestamp.
        let clock = SimulationClock(start: Self.vectorTime, speed: 1, wall: { Self.vectorTime })
        try await SimulatorHarness.with(clock: clock) { h throws in
            let origin = String(h.baseURL.dropLast(3))
            let body = #"{"market_id":"market-788dcbd5-ac68-4c61-acf1-4443beaf2a1c","side":"buy","type":"limit","quantity":"1","price":"2.50","time_in_force":"gtc","client_order_id":"topup-1706500000"}"#
            var request = HTTPClientRequest(url: origin + "/v1/orders")
            request.method = .POST
            request.headers.add(name: "x-thegrid-timestamp", value: "1706500000")
            request.headers.add(name: "x-thegrid-signature", value: "yvFbYg9hUTJEerARnk3+LxUGmfCOHirgTEoTRCZx96V9rBVtSr3TaB3pW4DlC6WST2ap4+IYa7Ib+IUBlS+XBA==")
            request.headers.add(name: "x-thegrid-fingerprint", value: "If4x36FUomFia/hUBG/SJxt77UtqvkWqWId+9H+XIbk")
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            // Authenticated; the example's market does not exist here.
            #expect(response.status.code == 404)
            var vectorA = HTTPClientRequest(url: origin + "/v1/orders?status=active&limit=50")
            vectorA.headers.add(name: "x-thegrid-timestamp", value: "1706500000")
            vectorA.headers.add(name: "x-thegrid-signature", value: "XOMJi6mIYnByYHgMIYtnpGSRVZk14hWnly10U848mZrlI9l0FeELZXjuit6A1mJefZUKnd2cAcW43UeVdA1BDQ==")
            vectorA.headers.add(name: "x-thegrid-fingerprint", value: "If4x36FUomFia/hUBG/SJxt77UtqvkWqWId+9H+XIbk")
            #expect(try await HTTPClient.shared.execute(vectorA, timeout: .seconds(60)).status.code == 200)
        }
    }

    @Test func refusalsBecomeTypedRejections() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(startingUSD: 10)) { h throws in
            let marketID = try #require(await h.exchange.marketID(symbol: "text-prime"))
            func rejection(_ body: () async throws -> Void) async -> GridAPIError? {
                do {
                    try await body()
                    return nil
                } catch let error as GridAPIError {
                    return error
                } catch {
                    return nil
                }
            }
            let missing = await rejection { _ = try await h.client.order(id: "order-missing") }
            #expect(missing?.status == 404)
            let offTick = await rejection {
                _ = try await h.client.placeOrder(PlaceOrderRequest(marketID: marketID, side: .buy, type: .limit, quantity: 1, price: StrictDecimal.parse("2.505")))
            }
            #expect(offTick?.status == 422 && offTick?.description.contains("tick size") == true)
            let broke = await rejection {
                _ = try await h.client.placeOrder(PlaceOrderRequest(marketID: marketID, side: .buy, type: .limit, quantity: 100, price: StrictDecimal.parse("2.50")))
            }
            #expect(broke?.status == 402 && broke?.description.contains("insufficient USD") == true)
            #expect(await h.exchange.usdBalance().available == 10)
        }
    }

    @Test func publicTradesPrintAsTheMarketMoves() async throws {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let clock = SimulationClock(start: start, speed: 1, wall: { start })
        try await SimulatorHarness.with(SimulatorConfiguration(market: MarketModel(seed: 5)), clock: clock) { h throws in
            await h.exchange.advance(by: 2 * 3600)
            let marketID = try #require(await h.exchange.marketID(symbol: "agent-max"))
            let trades = try await h.client.publicTrades(marketID: marketID, limit: 10)
            #expect(!trades.isEmpty && trades.count <= 10)
            let ticker = try await h.client.ticker(marketID: marketID)
            #expect(ticker.lastPrice != nil && ticker.lastPrice == trades.first?.price, "newest first")
        }
    }
}
