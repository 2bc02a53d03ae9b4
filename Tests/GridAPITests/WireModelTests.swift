import Foundation
import Testing

@testable import GridAPI

/// The wire models written by `@WireCodable`: what they write reads back the same in both
/// quantity forms, aliases are taken only in the documented key's absence, and money and
/// units keep their JSON forms.
@Suite struct WireModelTests {
    static func dec(_ text: String) -> Decimal { StrictDecimal.parse(text)! }

    static func roundTrip<T: Codable & Equatable>(_ value: T, quantitiesAsStrings: Bool) throws -> T {
        let encoder = JSONEncoder()
        encoder.userInfo[.gridQuantitiesAsStrings] = quantitiesAsStrings
        return try JSONDecoder().decode(T.self, from: try encoder.encode(value))
    }

    static func json(_ value: some Encodable) throws -> [String: Any] {
        let encoder = JSONEncoder()
        return try #require(try JSONSerialization.jsonObject(with: try encoder.encode(value)) as? [String: Any])
    }

    static let order = Order(
        orderID: "o-1", clientOrderID: "gk-1", marketID: "m-1", instrumentID: "i-1", side: .buy, type: .limit, status: "active",
        quantity: 12, filledQuantity: 5, price: dec("2.125"), averagePrice: dec("2.1"), fee: dec("0.013"), timeInForce: "gtc",
        closureReason: nil, createdAt: "2026-09-22T00:00:00Z", updatedAt: nil)

    @Test(arguments: [false, true])
    func everyModelReadsBackWhatItWrites(quantitiesAsStrings: Bool) throws {
        func check<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(try Self.roundTrip(value, quantitiesAsStrings: quantitiesAsStrings) == value, sourceLocation: sourceLocation)
        }
        let controls = OrderControls(tickSize: Self.dec("0.01"), lotSize: 1, minOrderSize: 2, maxOrderSize: 5000)
        let instrument = Instrument(instrumentID: "i-1", symbol: "text-prime", name: "Text Prime")
        try check(Self.order)
        try check(PlaceOrderRequest(marketID: "m-1", side: .buy, type: .limit, quantity: 7, price: Self.dec("1.99"), clientOrderID: "gk-2"))
        try check(PlaceOrderRequest(marketID: "m-1", side: .sell, type: .market, quantity: 7))
        try check(instrument)
        try check(controls)
        try check(Market(marketID: "m-1", name: "Text Prime / USD", associatedInstruments: ["i-1"], instruments: [instrument],
                         orderControls: controls))
        try check(Market(marketID: "m-2"))
        try check(Ticker(marketID: "m-1", symbol: "text-prime", lastPrice: Self.dec("2.2"), lastTradeQuantity: 3,
                         highestBid: Self.dec("2.1"), lowestAsk: Self.dec("2.3"), volume24h: 900, timestamp: "2026-09-22T00:00:00Z"))
        try check(Ticker(marketID: nil, symbol: nil, lastPrice: nil, highestBid: nil, lowestAsk: nil))
        try check(OrderBook(marketID: "m-1", bids: [BookLevel(price: Self.dec("2.1"), quantity: 4, orderCount: 2)],
                            asks: [BookLevel(price: Self.dec("2.3"), quantity: 9)]))
        try check(PublicTrade(tradeID: "t-1", marketID: "m-1", price: Self.dec("2.2"), quantity: 3, side: "buy", executionTimestamp: nil))
        try check(Trade(tradeID: "t-2", orderID: "o-1", marketID: "m-1", instrumentID: "i-1", side: .buy, price: Self.dec("2.2"),
                        quantity: 3, fee: Self.dec("0.0066"), executionTimestamp: "2026-09-22T00:00:01Z"))
        try check(TradingAccount(accountID: "a-1", currency: "usd", availableBalance: Self.dec("100.25"), lockedBalance: Self.dec("3.5")))
        try check(TradingAccount(accountID: "a-2", instrumentID: "i-1", instrumentSymbol: "text-prime", availableBalance: 40))
        try check(CurrencyAccount(accountID: "a-1", availableBalance: Self.dec("100.25"), lockedBalance: 0, totalBalance: Self.dec("100.25")))
        try check(ConsumptionAccount(accountID: "c-1", instrumentID: "i-1", available: 17, committedBalance: 3, totalBalance: 20))
        try check(TransferRequest(instrumentID: "i-1", quantity: 4))
        try check(TransferResult(transferID: "x-1"))
        try check(TransferHistory(id: "h-1", transferID: "x-1", accountID: "c-1", senderAccountID: "a-2", instrumentID: "i-1",
                                  quantity: 4, transferredAt: "2026-09-22T00:00:02Z"))
        try check(Paging(hasMore: true, nextCursor: "n", prevCursor: nil))
        try check(Paging(hasMore: false, nextCursor: nil))
        try check(Me(userID: "u-1", email: "ops@example.com", accountMode: "advanced", capabilities: ["trade"]))
        try check(AccountLimits(marketID: "m-1", orderRateLimits: .init(scope: "market", maxOrdersPerSecond: 5, maxOrdersPerMinute: 100,
                                                                         burstCapacity: 10, windowSeconds: 60)))
        try check(BalanceSheet(usdAvailable: Self.dec("10.5"), usdLocked: 0, instruments: [
            .init(symbol: "text-prime", instrumentID: "i-1", tradingAvailable: 3, tradingLocked: 1, consumptionAvailable: 9),
        ]))
    }

    @Test func theDocumentedKeyWinsOverItsAlias() throws {
        let both = try JSONDecoder().decode(Order.self, from: Data(
            #"{"order_id":"documented","id":"legacy","status":"active","quantity":3,"size":5}"#.utf8))
        #expect(both.orderID == "documented" && both.quantity == 3)
        let legacy = try JSONDecoder().decode(Order.self, from: Data(#"{"id":"legacy","status":"active","size":"5"}"#.utf8))
        #expect(legacy.orderID == "legacy" && legacy.quantity == 5)
        // A documented key sent as null does not hide its alias.
        let nulled = try JSONDecoder().decode(ConsumptionAccount.self, from: Data(
            #"{"id":"c","instrument_id":"i","uncommitted_balance":null,"available_balance":"8"}"#.utf8))
        #expect(nulled.accountID == "c" && nulled.available == 8)
    }

    @Test func moneyIsWrittenAsTextUnitsAsNumbersAndNilAsTheModelSays() throws {
        let order = try Self.json(Self.order)
        #expect(order["price"] as? String == "2.125" && order["fee"] as? String == "0.013")
        #expect(order["quantity"] as? Int == 12 && order["filled_quantity"] as? Int == 5)
        #expect(order["closure_reason"] is NSNull, "closure_reason is written as null")
        #expect(order["updated_at"] == nil, "an absent timestamp is left out")
        let trade = try Self.json(Trade(tradeID: "t", orderID: nil, marketID: nil, instrumentID: nil, side: nil, price: Self.dec("2.5"),
                                        quantity: 4, executionTimestamp: nil))
        #expect(trade["total_value"] as? String == "10" && trade["fee"] as? String == "0")
        #expect(trade["order_id"] == nil)
        let usd = try Self.json(TradingAccount(accountID: "a", currency: "usd", availableBalance: Self.dec("1.5")))
        let units = try Self.json(TradingAccount(accountID: "b", instrumentID: "i", availableBalance: 7))
        #expect(usd["available_balance"] as? String == "1.5" && units["available_balance"] as? Int == 7)
        let book = try Self.json(OrderBook(marketID: nil, bids: [], asks: []))
        #expect(book["buy"] != nil && book["sell"] != nil && book["bids"] == nil)
    }

    /// The exchange may list orders GridKeeper never places (REFERENCE: the CLI also places
    /// `stop` and `stop_limit`); one of them must not make the page of orders unreadable.
    @Test func anOrderOrTradeOfAKindThisClientDoesNotNameStillReads() throws {
        let page = try JSONDecoder().decode(ListEnvelope<Order>.self, from: Data(#"""
            {"data":[
              {"order_id":"o-1","status":"open","side":"buy","type":"limit","quantity":5,"price":"2.40"},
              {"order_id":"o-2","status":"open","side":"buy","type":"stop_limit","quantity":3,"price":"2.90","stop_price":"2.80"},
              {"order_id":"o-3","status":"open","side":"short","type":null,"quantity":1}
            ],"paging":{"has_more":false}}
            """#.utf8))
        #expect(page.data.map(\.orderID) == ["o-1", "o-2", "o-3"])
        #expect(page.data[0].type == .limit && page.data[0].side == .buy)
        #expect(page.data[1].type == nil && page.data[1].side == .buy && page.data[1].quantity == 3)
        #expect(page.data[2].side == nil && page.data[2].type == nil)
        let trade = try JSONDecoder().decode(Trade.self, from: Data(#"{"trade_id":"t","side":"cross","price":"2.5","quantity":2}"#.utf8))
        #expect(trade.side == nil && trade.quantity == 2)
        // Not a string: still an error, naming the key.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Order.self, from: Data(#"{"order_id":"o","status":"open","type":7,"quantity":1}"#.utf8))
        }
        // What GridKeeper sends is not lenient: a request of an unknown type is refused.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PlaceOrderRequest.self, from: Data(
                #"{"market_id":"m","side":"buy","type":"stop","quantity":1,"price":"2.5"}"#.utf8))
        }
    }

    @Test func aMalformedDecimalNamesItsKey() {
        do {
            _ = try JSONDecoder().decode(Order.self, from: Data(#"{"order_id":"o","status":"active","quantity":"3abc"}"#.utf8))
            Issue.record("a quantity of \"3abc\" was accepted")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.last?.stringValue == "quantity")
            #expect(context.debugDescription.contains("3abc"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
