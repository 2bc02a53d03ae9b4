import Foundation

/// One of the caller's own fills (`GET /v1/trades`).
public struct Trade: Codable, Sendable, Equatable {
    public var tradeID: String
    public var orderID: String?
    public var marketID: String?
    public var instrumentID: String?
    public var side: OrderSide?
    public var price: Decimal
    public var quantity: Decimal
    public var fee: Decimal?
    public var executionTimestamp: String?

    public init(tradeID: String, orderID: String?, marketID: String?, instrumentID: String?, side: OrderSide?,
                price: Decimal, quantity: Decimal, fee: Decimal? = 0, executionTimestamp: String?) {
        self.tradeID = tradeID
        self.orderID = orderID
        self.marketID = marketID
        self.instrumentID = instrumentID
        self.side = side
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.executionTimestamp = executionTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case tradeID = "trade_id", id, orderID = "order_id", marketID = "market_id", instrumentID = "instrument_id"
        case side, price, quantity, totalValue = "total_value", fee, executionTimestamp = "execution_timestamp"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tradeID = try c.decode(String.self, forKeys: [.tradeID, .id])
        orderID = try c.decodeIfPresent(String.self, forKey: .orderID)
        marketID = try c.decodeIfPresent(String.self, forKey: .marketID)
        instrumentID = try c.decodeIfPresent(String.self, forKey: .instrumentID)
        side = try c.decodeIfPresent(OrderSide.self, forKey: .side)
        price = try c.decodeDecimal(forKey: .price)
        quantity = try c.decodeDecimal(forKey: .quantity)
        fee = try c.decodeDecimalIfPresent(forKey: .fee)
        executionTimestamp = try c.decodeIfPresent(String.self, forKey: .executionTimestamp)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tradeID, forKey: .tradeID)
        try c.encodeIfPresent(orderID, forKey: .orderID)
        try c.encodeIfPresent(marketID, forKey: .marketID)
        try c.encodeIfPresent(instrumentID, forKey: .instrumentID)
        try c.encodeIfPresent(side, forKey: .side)
        try c.encodeDecimalString(price, forKey: .price)
        try c.encodeDecimalNumber(quantity, forKey: .quantity, in: encoder)
        try c.encodeDecimalString(price * quantity, forKey: .totalValue)
        try c.encodeDecimalString(fee ?? 0, forKey: .fee)
        try c.encodeIfPresent(executionTimestamp, forKey: .executionTimestamp)
    }

    /// Price × quantity, USD, before fees.
    public var notional: Decimal { price * quantity }
}

/// Filters for `GET /v1/trades`.
public struct TradeQuery: Sendable, Equatable {
    public var orderID: String?
    public var marketID: String?
    public var startDatetime: String?
    public var limit: Int

    public init(orderID: String? = nil, marketID: String? = nil, startDatetime: String? = nil, limit: Int = 100) {
        self.orderID = orderID
        self.marketID = marketID
        self.startDatetime = startDatetime
        self.limit = limit
    }

    var items: [(String, String)] {
        var q: [(String, String)] = []
        if let orderID { q.append(("order_id", orderID)) }
        if let marketID { q.append(("market_id", marketID)) }
        if let startDatetime { q.append(("start_datetime", startDatetime)) }
        q.append(("limit", String(limit)))
        return q
    }
}
