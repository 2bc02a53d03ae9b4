import Foundation
import GridKeeperMacros

/// One of the caller's own fills (`GET /v1/trades`).
@MemberwiseInit @WireCodable
public struct Trade: Codable, Sendable, Equatable {
    @WireKey("trade_id", "id") public var tradeID: String
    public var orderID: String?
    public var marketID: String?
    public var instrumentID: String?
    @UnknownAsNil public var side: OrderSide?
    public var price: Decimal
    @Units public var quantity: Decimal
    @EncodeNil public var fee: Decimal? = 0
    public var executionTimestamp: String?

    /// Price × quantity, USD, before fees.
    @WireKey("total_value") public var notional: Decimal { price * quantity }
}

/// Filters for `GET /v1/trades`.
@MemberwiseInit
public struct TradeQuery: Sendable, Equatable {
    public var orderID: String? = nil
    public var marketID: String? = nil
    public var startDatetime: String? = nil
    public var limit: Int = 100

    var items: [(String, String)] {
        var q: [(String, String)] = []
        if let orderID { q.append(("order_id", orderID)) }
        if let marketID { q.append(("market_id", marketID)) }
        if let startDatetime { q.append(("start_datetime", startDatetime)) }
        q.append(("limit", String(limit)))
        return q
    }
}
