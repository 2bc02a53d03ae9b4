import Foundation
import GridKeeperCore

public enum OrderSide: String, Codable, Sendable, CaseIterable {
    case buy, sell
}

public enum OrderType: String, Codable, Sendable, CaseIterable {
    case limit, market
}

/// The body of `POST /v1/orders`.
public struct PlaceOrderRequest: Codable, Sendable, Equatable {
    public var marketID: String
    public var side: OrderSide
    public var type: OrderType
    /// Whole units.
    public var quantity: Decimal
    /// USD per unit; required for limit orders.
    public var price: Decimal?
    public var timeInForce: String
    /// Idempotency key; GridKeeper derives it from the decision.
    public var clientOrderID: String?

    public init(marketID: String, side: OrderSide, type: OrderType, quantity: Decimal, price: Decimal? = nil,
                timeInForce: String = "gtc", clientOrderID: String? = nil) {
        self.marketID = marketID
        self.side = side
        self.type = type
        self.quantity = quantity
        self.price = price
        self.timeInForce = timeInForce
        self.clientOrderID = clientOrderID
    }

    enum CodingKeys: String, CodingKey {
        case marketID = "market_id", side, type, quantity, price, timeInForce = "time_in_force"
        case clientOrderID = "client_order_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        marketID = try c.decode(String.self, forKey: .marketID)
        side = try c.decode(OrderSide.self, forKey: .side)
        type = try c.decode(OrderType.self, forKey: .type)
        quantity = try c.decodeDecimal(forKey: .quantity)
        price = try c.decodeDecimalIfPresent(forKey: .price)
        timeInForce = try c.decodeIfPresent(String.self, forKey: .timeInForce) ?? "gtc"
        clientOrderID = try c.decodeIfPresent(String.self, forKey: .clientOrderID)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(marketID, forKey: .marketID)
        try c.encode(side, forKey: .side)
        try c.encode(type, forKey: .type)
        try c.encodeDecimalNumber(quantity, forKey: .quantity, in: encoder)
        if let price { try c.encodeDecimalString(price, forKey: .price) }
        try c.encode(timeInForce, forKey: .timeInForce)
        try c.encodeIfPresent(clientOrderID, forKey: .clientOrderID)
    }
}

/// An order as the exchange reports it.
public struct Order: Codable, Sendable, Equatable {
    public var orderID: String
    public var clientOrderID: String?
    public var marketID: String?
    public var instrumentID: String?
    public var side: OrderSide?
    public var type: OrderType?
    public var status: String
    public var quantity: Decimal
    public var filledQuantity: Decimal
    public var price: Decimal?
    public var averagePrice: Decimal?
    public var fee: Decimal?
    public var timeInForce: String?
    public var closureReason: String?
    public var createdAt: String?
    public var updatedAt: String?

    public init(orderID: String, clientOrderID: String?, marketID: String?, instrumentID: String? = nil, side: OrderSide?,
                type: OrderType?, status: String, quantity: Decimal, filledQuantity: Decimal = 0, price: Decimal?,
                averagePrice: Decimal? = nil, fee: Decimal? = nil, timeInForce: String? = "gtc", closureReason: String? = nil,
                createdAt: String? = nil, updatedAt: String? = nil) {
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.marketID = marketID
        self.instrumentID = instrumentID
        self.side = side
        self.type = type
        self.status = status
        self.quantity = quantity
        self.filledQuantity = filledQuantity
        self.price = price
        self.averagePrice = averagePrice
        self.fee = fee
        self.timeInForce = timeInForce
        self.closureReason = closureReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id", id, clientOrderID = "client_order_id", marketID = "market_id"
        case instrumentID = "instrument_id", side, type, status, quantity, size, filledQuantity = "filled_quantity"
        case price, averagePrice = "average_price", fee, timeInForce = "time_in_force", closureReason = "closure_reason"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderID = try c.decode(String.self, forKeys: [.orderID, .id])
        clientOrderID = try c.decodeIfPresent(String.self, forKey: .clientOrderID)
        marketID = try c.decodeIfPresent(String.self, forKey: .marketID)
        instrumentID = try c.decodeIfPresent(String.self, forKey: .instrumentID)
        side = try c.decodeIfPresent(OrderSide.self, forKey: .side)
        type = try c.decodeIfPresent(OrderType.self, forKey: .type)
        status = try c.decode(String.self, forKey: .status)
        quantity = try c.decodeDecimal(forKeys: [.quantity, .size])
        filledQuantity = try c.decodeDecimalIfPresent(forKey: .filledQuantity) ?? 0
        price = try c.decodeDecimalIfPresent(forKey: .price)
        averagePrice = try c.decodeDecimalIfPresent(forKey: .averagePrice)
        fee = try c.decodeDecimalIfPresent(forKey: .fee)
        timeInForce = try c.decodeIfPresent(String.self, forKey: .timeInForce)
        closureReason = try c.decodeIfPresent(String.self, forKey: .closureReason)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
        updatedAt = try c.decodeIfPresent(String.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(orderID, forKey: .orderID)
        try c.encode(clientOrderID, forKey: .clientOrderID)
        try c.encodeIfPresent(marketID, forKey: .marketID)
        try c.encodeIfPresent(instrumentID, forKey: .instrumentID)
        try c.encodeIfPresent(side, forKey: .side)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encode(status, forKey: .status)
        try c.encodeDecimalNumber(quantity, forKey: .quantity, in: encoder)
        try c.encodeDecimalNumber(filledQuantity, forKey: .filledQuantity, in: encoder)
        try c.encodeDecimalString(price, forKey: .price)
        try c.encodeDecimalString(averagePrice, forKey: .averagePrice)
        try c.encodeDecimalString(fee ?? 0, forKey: .fee)
        try c.encodeIfPresent(timeInForce, forKey: .timeInForce)
        try c.encode(closureReason, forKey: .closureReason)
        try c.encodeIfPresent(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(updatedAt, forKey: .updatedAt)
    }

    /// Units still open.
    public var remainingQuantity: Decimal { max(0, quantity - filledQuantity) }

    /// Whether the exchange will change this order no further.
    public var isTerminal: Bool { OrderStatus(wire: status).isTerminal }

    /// The status as a domain value: `closed` with its whole quantity filled is `filled`, and
    /// an open order with fills is `partiallyFilled`.
    public var orderStatus: OrderStatus {
        let read = OrderStatus(wire: status)
        switch read {
        case .expired where status.lowercased() == "closed" && filledQuantity >= quantity: return .filled
        case .open where filledQuantity > 0, .other where filledQuantity > 0: return .partiallyFilled
        default: return read
        }
    }
}

/// The reply to `POST /v1/orders`: at least the order id, sometimes the whole order.
public struct PlacedOrder: Codable, Sendable, Equatable {
    public var orderID: String
    public var clientOrderID: String?
    public var status: String?

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id", id, clientOrderID = "client_order_id", status
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderID = try c.decode(String.self, forKeys: [.orderID, .id])
        clientOrderID = try c.decodeIfPresent(String.self, forKey: .clientOrderID)
        status = try c.decodeIfPresent(String.self, forKey: .status)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(orderID, forKey: .orderID)
        try c.encodeIfPresent(clientOrderID, forKey: .clientOrderID)
        try c.encodeIfPresent(status, forKey: .status)
    }
}

/// The reply to `DELETE /v1/orders` (cancel all).
public struct CancelAllResult: Codable, Sendable, Equatable {
    /// A pre-cancel projection; may be stale.
    public var cancelled: Int
    public init(cancelled: Int) { self.cancelled = cancelled }
}

/// Filters for `GET /v1/orders`.
public struct OrderQuery: Sendable, Equatable {
    public var marketID: String?
    public var status: String?
    public var side: OrderSide?
    public var clientOrderID: String?
    public var limit: Int

    public init(marketID: String? = nil, status: String? = nil, side: OrderSide? = nil, clientOrderID: String? = nil, limit: Int = 100) {
        self.marketID = marketID
        self.status = status
        self.side = side
        self.clientOrderID = clientOrderID
        self.limit = limit
    }

    var items: [(String, String)] {
        var q: [(String, String)] = []
        if let marketID { q.append(("market_id", marketID)) }
        if let status { q.append(("status", status)) }
        if let side { q.append(("side", side.rawValue)) }
        if let clientOrderID { q.append(("client_order_id", clientOrderID)) }
        q.append(("limit", String(limit)))
        return q
    }
}
