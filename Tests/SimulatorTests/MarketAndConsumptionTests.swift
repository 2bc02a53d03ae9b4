import Foundation
import GridAPI
import Testing
import TestSupport

@testable import Simulator

/// The synthetic market and consumption, stepped through simulated time.
@Suite struct MarketAndConsumptionTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)  // a fixed instant
    static func frozenClock() -> SimulationClock { SimulationClock(start: start, speed: 1, wall: { start }) }
    static func dec(_ text: String) -> Decimal { StrictDecimal.parse(text)! }

    static func quotes(_ exchange: SimulatedExchange) async -> [String] {
        await exchange.state().instruments.map { "\($0.symbol) \($0.bestBid ?? "-")/\($0.bestAsk ?? "-") last \($0.lastPrice ?? "-")" }
    }

    @Test func sameSeedAndClockGiveTheSameMarket() async {
        let config = SimulatorConfiguration(market: MarketModel(seed: 42))
        let a = SimulatedExchange(configuration: config, clock: Self.frozenClock())
        let b = SimulatedExchange(configuration: config, clock: Self.frozenClock())
        // Different request patterns, same simulated times.
        await a.advance(by: 6 * 3600)
        for _ in 0..<6 { await b.advance(by: 3600) }
        #expect(await Self.quotes(a) == Self.quotes(b))
        let c = SimulatedExchange(configuration: SimulatorConfiguration(market: MarketModel(seed: 43)), clock: Self.frozenClock())
        await c.advance(by: 6 * 3600)
        #expect(await Self.quotes(a) != Self.quotes(c))
    }

    @Test func pricesMoveButStayNearTheReference() async throws {
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(market: MarketModel(seed: 7)), clock: Self.frozenClock())
        var asks: Set<String> = []
        for _ in 0..<48 {
            await exchange.advance(by: 3600)
            let textPrime = try #require(await exchange.state().instruments.first { $0.symbol == "text-prime" })
            let ask = try #require(textPrime.bestAsk.flatMap(StrictDecimal.parse))
            let bid = try #require(textPrime.bestBid.flatMap(StrictDecimal.parse))
            #expect(ask > bid, "the book is never crossed")
            #expect(ask > Self.dec("1.25") && ask < Self.dec("5.00"), "text-prime stays within 0.5×–2× of 2.50")
            asks.insert(StrictDecimal.format(ask))
        }
        #expect(asks.count > 5, "the price moves")
        #expect(await exchange.state().instruments.contains { $0.lastPrice != nil }, "background trades print")
    }

    @Test func aRestingBidFillsAtItsPriceWhenTheMarketComesDown() async throws {
        let model = MarketModel(seed: 3, volatilityPerHour: 0.08, dailyAmplitude: 0.1)
        try await SimulatorHarness.with(SimulatorConfiguration(startingUSD: 100, market: model), clock: Self.frozenClock()) { h throws in
            let marketID = try #require(await h.exchange.marketID(symbol: "text-prime"))
            let placed = try await h.client.placeOrder(PlaceOrderRequest(
                marketID: marketID, side: .buy, type: .limit, quantity: 10, price: Self.dec("2.40"), clientOrderID: "dip"))
            #expect(try await h.client.order(id: placed.orderID).status == "active")
            var hours = 0
            while try await h.client.order(id: placed.orderID).status != "filled", hours < 24 * 14 {
                await h.exchange.advance(by: 3600)
                hours += 1
            }
            let order = try await h.client.order(id: placed.orderID)
            #expect(order.status == "filled", "filled after \(hours) h")
            let fills = try await h.client.trades(TradeQuery(orderID: order.orderID)).collect()
            #expect(fills.allSatisfy { $0.price == Self.dec("2.40") })
            let usd = await h.exchange.usdBalance()
            #expect(usd.available == 76 && usd.locked == 0, "charged exactly 10 × 2.40")
        }
    }

    @Test func aRestingAskFillsAtItsPriceWhenTheMarketGoesUp() async throws {
        let model = MarketModel(seed: 3, volatilityPerHour: 0.08, dailyAmplitude: 0.1)
        let config = SimulatorConfiguration(startingUSD: 0, startingInventory: ["text-prime": 10], market: model)
        try await SimulatorHarness.with(config, clock: Self.frozenClock()) { h throws in
            let marketID = try #require(await h.exchange.marketID(symbol: "text-prime"))
            let placed = try await h.client.placeOrder(PlaceOrderRequest(
                marketID: marketID, side: .sell, type: .limit, quantity: 10, price: Self.dec("2.60"), clientOrderID: "peak"))
            var hours = 0
            while try await h.client.order(id: placed.orderID).status != "filled", hours < 24 * 14 {
                await h.exchange.advance(by: 3600)
                hours += 1
            }
            #expect(try await h.client.order(id: placed.orderID).status == "filled", "filled after \(hours) h")
            #expect(await h.exchange.usdBalance().available == 26, "credited exactly 10 × 2.60")
            #expect(await h.exchange.inventoryUnits(symbol: "text-prime") == 0)
        }
    }

    @Test func constantBurnDrawsWholeUnitsExactly() async {
        let config = SimulatorConfiguration(startingConsumption: ["text-prime": 100], burn: ["text-prime": .constant(6)])
        let exchange = SimulatedExchange(configuration: config, clock: Self.frozenClock())
        await exchange.advance(by: 2 * 3600)
        #expect(await exchange.consumptionUnits(symbol: "text-prime") == 88)
        let state = await exchange.state().instruments.first { $0.symbol == "text-prime" }
        #expect(state?.burnedUnits == 12 && state?.stockoutSeconds == 0)
    }

    @Test func burnUsesTheLotClosestToExpiryFirstAndCountsExpiryAndStockouts() async throws {
        let config = SimulatorConfiguration(startingInventory: ["text-prime": 20], burn: ["text-prime": .constant(6)])
        let exchange = SimulatedExchange(configuration: config, clock: Self.frozenClock())
        let id = try #require(await exchange.instrumentID(symbol: "text-prime"))
        _ = try await exchange.transfer(.tradingToConsumption, TransferRequest(instrumentID: id, quantity: 10))  // lot A, expires at +4 h
        await exchange.advance(by: 3600)  // A: 10 − 6 = 4
        _ = try await exchange.transfer(.tradingToConsumption, TransferRequest(instrumentID: id, quantity: 10))  // lot B, expires at +5 h
        await exchange.advance(by: 1800)  // 3 more from A
        var lots = try #require(await exchange.state().instruments.first { $0.symbol == "text-prime" }?.lots)
        #expect(lots.map(\.quantity) == [1, 10], "the older lot is drawn first")
        try await exchange.setBurn(symbol: "text-prime", nil)
        await exchange.advance(by: 2.5 * 3600 + 60)  // past A's expiry
        lots = try #require(await exchange.state().instruments.first { $0.symbol == "text-prime" }?.lots)
        #expect(lots.map(\.quantity) == [10])
        #expect(await exchange.state().instruments.first { $0.symbol == "text-prime" }?.expiredUnits == 1)
        try await exchange.setBurn(symbol: "text-prime", .constant(60))
        await exchange.advance(by: 3600)
        let final = try #require(await exchange.state().instruments.first { $0.symbol == "text-prime" })
        #expect(final.consumption == 0)
        #expect(final.stockoutSeconds >= 49 * 60, "dry after 10 minutes of a 60-unit/h burn")
    }

    @Test func burstsAreDeterministicForASeed() async {
        let profile = BurnProfile(kind: .bursts, unitsPerHour: 1, burstUnitsPerHour: 30, burstsPerDay: 6, burstMinutes: 20)
        func burned(seed: UInt64) async -> Int {
            let config = SimulatorConfiguration(startingConsumption: ["code-prime": 1000], burn: ["code-prime": profile], seed: seed)
            let exchange = SimulatedExchange(configuration: config, clock: Self.frozenClock())
            await exchange.advance(by: 3.9 * 3600)
            return await exchange.state().instruments.first { $0.symbol == "code-prime" }?.burnedUnits ?? -1
        }
        let first = await burned(seed: 9)
        #expect(await burned(seed: 9) == first)
        #expect(first > 3, "bursts add to the 1 unit/h base")
    }

    @Test func dailyProfilePeaksAtItsHour() {
        let profile = BurnProfile(kind: .daily, unitsPerHour: 10, amplitude: 0.5, peakHourUTC: 15)
        let day = Date(timeIntervalSince1970: 1_790_035_200)  // 00:00 UTC
        #expect(abs(profile.baseRate(at: day.addingTimeInterval(15 * 3600)) - 15) < 1e-9)
        #expect(abs(profile.baseRate(at: day.addingTimeInterval(3 * 3600)) - 5) < 1e-9)
    }
}
