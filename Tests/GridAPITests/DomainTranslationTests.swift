import Foundation
import GridAPI
import GridKeeperCore
import Testing

/// The wire shapes read as the engine's domain types, and HTTP failures as what the engine
/// may do next.
@Suite struct DomainTranslationTests {
    @Test func failuresMeanWhatTheEngineMayDoNext() {
        let refused = GridAPIError.rejected(endpoint: "POST /v1/orders", status: 402, detail: "insufficient funds")
        #expect(refused.exchangeError(mutating: true) == .rejected(refused.description))
        #expect(GridAPIError.retryable(endpoint: "GET /v1/orders", status: 429, reason: "slow down").exchangeError() == .rateLimited(
            GridAPIError.retryable(endpoint: "GET /v1/orders", status: 429, reason: "slow down").description))
        if case .unavailable = GridAPIError.retryable(endpoint: "GET /v1/orders", status: 503, reason: "down").exchangeError() {} else {
            Issue.record("a 503 on a read is unavailable")
        }
        #expect(GridAPIError.outcomeUnknown(endpoint: "POST /v1/orders", reason: "timeout").exchangeError().isOutcomeUnknown)
        // An unreadable reply to an order may still have placed it: never read as refused.
        let garbled = GridAPIError.decoding(endpoint: "POST /v1/orders", field: "order_id", reason: "missing")
        #expect(garbled.exchangeError(mutating: true).isOutcomeUnknown)
        #expect(!garbled.exchangeError().isOutcomeUnknown, "an unreadable read changed nothing")
    }

    @Test func anOrderReadsAsATicket() {
        let order = Order(orderID: "o-1", clientOrderID: "gk-1", marketID: "m", instrumentID: "i", side: .buy, type: .limit, status: "active",
                          quantity: 10, filledQuantity: Decimal(string: "2.5")!, price: Decimal(string: "2.40")!, createdAt: nil, updatedAt: nil)
        let ticket = order.ticket
        #expect(ticket.id == "o-1" && ticket.clientOrderID == "gk-1" && ticket.status == .partiallyFilled)
        #expect(ticket.limit == Decimal(string: "2.40")! && ticket.unitsLeft == 8, "a part unit left counts as a unit")
        var market = order
        market.type = .market
        market.side = .sell
        #expect(market.ticket.limit == nil && market.ticket.side == .sell)
    }

    @Test func aFillKeepsItsExchangeTimeAndFee() {
        let trade = Trade(tradeID: "t", orderID: "o", marketID: "m", instrumentID: "i", side: .buy, price: Decimal(string: "2.5")!, quantity: 4,
                          fee: nil, executionTimestamp: "2026-09-22T10:00:00Z")
        let fill = trade.fill
        #expect(fill.fee == 0 && fill.cost == 10 && fill.executedAt == Date(timeIntervalSince1970: 1_790_071_200))
        var untimed = trade
        untimed.executionTimestamp = "yesterday"
        #expect(untimed.fill.executedAt == nil)
    }

    @Test func controlsReadAsWholeUnitRules() {
        #expect(OrderControls(tickSize: Decimal(string: "0.005")!, lotSize: 5, minOrderSize: 10).rules == MarketRules(tick: Decimal(string: "0.005")!, lotSize: 5, minOrderSize: 10))
        #expect(OrderControls(lotSize: Decimal(string: "0.5")!).rules == MarketRules(), "a fractional lot reads as one unit; no tick reads as a cent")
    }

    @Test func aDomainOrderIsSentAsTheWireRequest() {
        let limit = PlaceOrderRequest(OrderRequest(clientOrderID: "gk-2", marketID: "m", quantity: 3, limit: 2))
        #expect(limit == PlaceOrderRequest(marketID: "m", side: .buy, type: .limit, quantity: 3, price: 2, clientOrderID: "gk-2"))
        #expect(PlaceOrderRequest(OrderRequest(clientOrderID: "gk-3", marketID: "m", quantity: 1)).type == .market)
    }
}
