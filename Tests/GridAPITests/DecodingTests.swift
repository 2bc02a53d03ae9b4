import Foundation
import Testing

@testable import GridAPI

@Suite struct DecodingTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    static func dec(_ text: String) -> Decimal { StrictDecimal.parse(text)! }

    @Test(arguments: [
        ("2.50", "2.5"), ("45.50000000", "45.5"), ("0.000125", "0.000125"), ("-3", "-3"), ("1e3", "1000"),
        ("123456789.123456789", "123456789.123456789"),
    ])
    func strictDecimalParsesWholeStrings(_ text: String, _ expected: String) throws {
        let value = try #require(StrictDecimal.parse(text))
        #expect(StrictDecimal.format(value) == expected)
    }

    @Test(arguments: ["12abc", "1,5", "", " 1", "1 ", ".5", "1.", "--1", "1e", "NaN", "0x10", "1.2.3"])
    func strictDecimalRejectsAnythingElse(_ text: String) {
        #expect(StrictDecimal.parse(text) == nil)
    }

    @Test func decimalsArriveAsStringsOrNumbers() throws {
        let fromString = try Self.decode(PublicTrade.self, #"{"trade_id":"t","price":"2.51","quantity":"3"}"#)
        let fromNumber = try Self.decode(PublicTrade.self, #"{"trade_id":"t","price":2.51,"quantity":3}"#)
        #expect(fromString.price == Self.dec("2.51"))
        #expect(fromNumber.price == Self.dec("2.51"))
        #expect(fromString.quantity == 3 && fromNumber.quantity == 3)
    }

    @Test func aDecimalStringWithTrailingGarbageIsAnErrorNotAPrefix() throws {
        #expect(throws: DecodingError.self) { try Self.decode(PublicTrade.self, #"{"trade_id":"t","price":"12abc","quantity":1}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(PublicTrade.self, #"{"trade_id":"t","price":true,"quantity":1}"#) }
    }

    @Test func consumptionAcceptsUncommittedOrAvailableBalance() throws {
        let deployed = try Self.decode(ConsumptionAccount.self, #"{"account_id":"c1","instrument_id":"i1","uncommitted_balance":5000000,"committed_balance":0,"total_balance":5000000,"status":"active","last_deposit_at":null}"#)
        #expect(deployed.available == 5_000_000)
        let documented = try Self.decode(ConsumptionAccount.self, #"{"account_id":"c1","instrument_id":"i1","available_balance":"42","total_balance":"50"}"#)
        #expect(documented.available == 42)
        #expect(documented.totalBalance == 50)
        #expect(throws: DecodingError.self) { try Self.decode(ConsumptionAccount.self, #"{"account_id":"c1","instrument_id":"i1"}"#) }
    }

    @Test func orderBookAcceptsBuySellBidsAsksAndTuples() throws {
        let exchange = try Self.decode(OrderBook.self, #"{"buy":[{"price":"2.49","quantity":15,"total":15,"order_count":2}],"sell":[{"price":"2.52","quantity":4},{"price":"2.51","quantity":10,"order_count":1}],"market_id":"m"}"#)
        #expect(exchange.bestBid == BookLevel(price: Self.dec("2.49"), quantity: 15, orderCount: 2))
        #expect(exchange.bestAsk?.price == Self.dec("2.51"), "asks are sorted best first")
        let legacy = try Self.decode(OrderBook.self, #"{"bids":[{"price":"2.40","quantity":"1"}],"asks":[{"price":2.6,"quantity":2}]}"#)
        #expect(legacy.bestBid?.price == Self.dec("2.40") && legacy.bestAsk?.quantity == 2)
        let tuples = try Self.decode(OrderBook.self, #"{"bids":[["2.45","7"]],"asks":[["2.55","8"]]}"#)
        #expect(tuples.bestBid == BookLevel(price: Self.dec("2.45"), quantity: 7))
        #expect(tuples.bestAsk == BookLevel(price: Self.dec("2.55"), quantity: 8))
        #expect(throws: DecodingError.self) { try Self.decode(OrderBook.self, #"{"market_id":"m"}"#) }
    }

    @Test func listEnvelopesWithPagingMetaOrNeither() throws {
        let paged = try Self.decode(ListEnvelope<Health>.self, #"{"data":[{"status":"ok"}],"paging":{"has_more":true,"next_cursor":"abc","prev_cursor":null}}"#)
        #expect(paged.paging == Paging(hasMore: true, nextCursor: "abc"))
        let flop = try Self.decode(ListEnvelope<Health>.self, #"{"data":[],"meta":{"current_offset":0,"current_page":1,"page_size":20,"total_count":45,"total_pages":3}}"#)
        #expect(flop.meta?.hasMore == true && flop.paging == nil)
        let bare = try Self.decode(ListEnvelope<Health>.self, #"{"data":[{"status":"ok"},{"status":"ok"}]}"#)
        #expect(bare.data.count == 2 && bare.paging == nil && bare.meta == nil)
    }

    @Test func transferReplyUnwrappedOrWrapped() throws {
        #expect(try Self.decode(TransferResult.self, #"{"status":"success","transfer_id":"tr_1"}"#).transferID == "tr_1")
        #expect(try Self.decode(TransferResult.self, #"{"data":{"status":"success","transfer_id":"tr_2"}}"#).transferID == "tr_2")
    }

    @Test func ordersWithLegacyAliasesAndNumericOrStringQuantities() throws {
        let live = try Self.decode(Order.self, #"{"order_id":"order_1","market_id":"m","side":"buy","type":"limit","status":"partially_filled","quantity":10,"filled_quantity":4,"price":"2.50","average_price":null,"fee":"0","client_order_id":"gk-1","unknown_field":{"x":1}}"#)
        #expect(live.remainingQuantity == 6)
        #expect(!live.isTerminal)
        let legacy = try Self.decode(Order.self, #"{"id":"order_2","status":"filled","size":"3","filled_quantity":"3","price":null,"type":"market"}"#)
        #expect(legacy.orderID == "order_2" && legacy.quantity == 3 && legacy.isTerminal && legacy.price == nil)
    }

    @Test func marketOrderControlsNestedUnderEitherKeyOrFlat() throws {
        let nested = try Self.decode(Market.self, #"{"market_id":"m","order_controls":{"tick_size":"0.01","lot_size":1,"min_order_size":"1"},"associated_instruments":["i"]}"#)
        #expect(nested.orderControls?.tickSize == Self.dec("0.01"))
        let controls = try Self.decode(Market.self, #"{"market_id":"m","controls":{"tick_size":"0.05"}}"#)
        #expect(controls.orderControls?.tickSize == Self.dec("0.05"))
        let flat = try Self.decode(Market.self, #"{"market_id":"m","allowed_instruments":["i"],"tick_size":"0.01","min_order_size":1}"#)
        #expect(flat.orderControls?.minOrderSize == 1 && flat.associatedInstruments == ["i"])
        let none = try Self.decode(Market.self, #"{"market_id":"m","name":"x"}"#)
        #expect(none.orderControls == nil)
    }

    @Test func tickerWithoutTradesAndWithAliases() throws {
        let empty = try Self.decode(Ticker.self, #"{"market_id":"m","last_price":null,"highest_bid":null,"lowest_ask":"2.51","volume_24h":0}"#)
        #expect(empty.lastPrice == nil && empty.lowestAsk == Self.dec("2.51"))
        let aliases = try Self.decode(Ticker.self, #"{"bid":"2.49","ask":"2.51"}"#)
        #expect(aliases.highestBid == Self.dec("2.49") && aliases.lowestAsk == Self.dec("2.51"))
    }

    @Test func accountsAndCurrencyRows() throws {
        let usd = try Self.decode(CurrencyAccount.self, #"{"account_id":"currency_trading_account_e927ad93f9c4aaa8","user_id":"u","currency":"usd","total_balance":"1200","available_balance":"700","locked_balance":"500","status":"active","last_deposit_at":null}"#)
        #expect(usd.availableBalance == 700 && usd.lockedBalance == 500)
        let units = try Self.decode(TradingAccount.self, #"{"account_id":"trading_account_98f4","instrument_id":"i","available_balance":12,"locked_balance":"3"}"#)
        #expect(units.availableBalance == 12 && units.lockedBalance == 3 && units.currency == nil)
        let me = try Self.decode(Me.self, #"{"user_id":"u","account_mode":"easy","capabilities":[]}"#)
        #expect(!me.canTrade)
    }

    @Test(arguments: [
        (#"{"errors":{"detail":"auto_mode_trading_restricted"}}"#, "auto_mode_trading_restricted"),
        (#"{"error":{"code":"INVALID_SIGNATURE","message":"Signature verification failed"}}"#, "Signature verification failed"),
        (#"{"message":"Too many requests"}"#, "Too many requests"),
        ("upstream connect error", "upstream connect error"),
    ])
    func errorDetailFromEveryShape(_ body: String, _ expected: String) {
        #expect(GridClient.errorDetail(Array(body.utf8)) == expected)
    }

    @Test func missingRequiredFieldNamesTheFieldAndEndpoint() {
        do {
            _ = try Self.decode(DataEnvelope<Order>.self, #"{"data":{"order_id":"o","quantity":1}}"#)
            Issue.record("expected a decoding error")
        } catch let error as DecodingError {
            let described = GridClient.describe(error, endpoint: "GET /v1/orders/o")
            #expect(described.description == "GET /v1/orders/o: unexpected reply: data.status: required field is missing")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func requestBodiesEncodeQuantitiesAsNumbersOrStrings() throws {
        let order = PlaceOrderRequest(marketID: "m", side: .buy, type: .limit, quantity: 3, price: Self.dec("2.50"), clientOrderID: "gk-1")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(order), as: UTF8.self)
            == #"{"client_order_id":"gk-1","market_id":"m","price":"2.5","quantity":3,"side":"buy","time_in_force":"gtc","type":"limit"}"#)
        encoder.userInfo[.gridQuantitiesAsStrings] = true
        #expect(String(decoding: try encoder.encode(order), as: UTF8.self).contains(#""quantity":"3""#))
        let roundTrip = try JSONDecoder().decode(PlaceOrderRequest.self, from: try encoder.encode(order))
        #expect(roundTrip == order)
    }

    @Test func httpDatesParseAndFormat() throws {
        let date = try #require(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(date.timeIntervalSince1970 == 784_111_777)
        #expect(HTTPDate.format(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 1_706_500_000)) == "Mon, 29 Jan 2024 03:46:40 GMT")
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
    }

    @Test func retryDelaysBackOffAndHonourRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(200), maxDelay: .seconds(2))
        #expect(policy.delay(attempt: 1, retryAfter: nil, unit: 1) == .milliseconds(200))
        #expect(policy.delay(attempt: 3, retryAfter: nil, unit: 1) == .milliseconds(800))
        #expect(policy.delay(attempt: 10, retryAfter: nil, unit: 1) == .seconds(2))
        #expect(policy.delay(attempt: 3, retryAfter: nil, unit: 0) == .milliseconds(400))
        #expect(policy.delay(attempt: 1, retryAfter: .seconds(7), unit: 0) == .seconds(7))
        #expect(policy.delay(attempt: 1, retryAfter: .seconds(600), unit: 0) == .seconds(60))
        #expect(RetryPolicy.parseRetryAfter("3") == .seconds(3))
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }

    @Test func timestampsThatNameNoRealInstantAreRefused() {
        #expect(Timestamp.milliseconds("2028-02-29T12:00:00Z") == 1_835_438_400_000, "a leap day")
        #expect(Timestamp.milliseconds("2026-09-22T23:59:59.999Z") == 1_790_121_599_999)
        for text in ["2026-02-29T00:00:00Z", "2026-02-30T00:00:08.236Z", "2026-04-31T00:00:00Z", "2026-09-22T24:00:00Z",
                     "2026-09-22T25:00:00Z", "2026-09-22T00:61:00Z", "2026-09-22T00:00:60Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z"] {
            #expect(Timestamp.milliseconds(text) == nil, "\(text)")
        }
    }
}
