import Foundation
import GridKeeperCore
import GridKeeperMacros

public enum OrderSide: String, Codable, Sendable, CaseIterable {
    case buy, sell
}

public enum OrderType: String, Codable, Sendable, CaseIterable {
    case limit, market
}

/// The body of `POST /v1/orders`.
@MemberwiseInit @WireCodable
public struct PlaceOrderRequest: Codable, Sendable, Equatable {
    public var marketID: String
    public var side: OrderSide
    public var type: OrderType
    /// Whole units.
    @Units public var quantity: Decimal
    /// USD per unit; required for limit orders.
    public var price: Decimal? = nil
    public var timeInForce: String = "gtc"
    /// Idempotency key; GridKeeper derives it from the decision.
    public var clientOrderID: String? = nil
}

/// An order as the exchange reports it.
@MemberwiseInit @WireCodable
public struct Order: Codable, Sendable, Equatable {
    @WireKey("order_id", "id") public var orderID: String
    @EncodeNil public var clientOrderID: String?
    public var marketID: String?
    public var instrumentID: String? = nil
    @UnknownAsNil public var side: OrderSide?
    @UnknownAsNil public var type: OrderType?
    public var status: String
    @Units @WireKey("quantity", "size") public var quantity: Decimal
    @Units public var filledQuantity: Decimal = 0
    @EncodeNil public var price: Decimal?
    @EncodeNil public var averagePrice: Decimal? = nil
    @EncodeNil public var fee: Decimal? = nil
    public var timeInForce: String? = "gtc"
    @EncodeNil public var closureReason: String? = nil
    public var createdAt: String? = nil
    public var updatedAt: String? = nil

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
@WireCodable
public struct PlacedOrder: Codable, Sendable, Equatable {
    @WireKey("order_id", "id") public var orderID: String
    public var clientOrderID: String?
    public var status: String?
}

/// The reply to `DELETE /v1/orders` (cancel all).
public struct CancelAllResult: Codable, Sendable, Equatable {
    /// A pre-cancel projection; may be stale.
    public var cancelled: Int
    public init(cancelled: Int) { self.cancelled = cancelled }
}

/// Filters for `GET /v1/orders`.
@MemberwiseInit
public struct OrderQuery: Sendable, Equatable {
    public var marketID: String? = nil
    public var status: String? = nil
    public var side: OrderSide? = nil
    public var clientOrderID: String? = nil
    public var limit: Int = 100

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
