import Foundation

/// A buy order as the engine asks for it: `quantity` whole units at market, or at most `limit`
/// USD a unit. GridKeeper only buys.
public struct OrderRequest: Sendable, Equatable {
    /// Chosen by GridKeeper and recorded before the order is sent: the exchange accepts an id
    /// once, so a retried request can never place a second order.
    public var clientOrderID: String
    public var marketID: String
    public var quantity: Int
    /// nil: a market order.
    public var limit: Decimal?

    public init(clientOrderID: String, marketID: String, quantity: Int, limit: Decimal? = nil) {
        self.clientOrderID = clientOrderID
        self.marketID = marketID
        self.quantity = quantity
        self.limit = limit
    }
}

/// An order as the exchange holds it.
public struct OrderTicket: Sendable, Equatable {
    public enum Side: Sendable, Equatable { case buy, sell }

    public var id: String
    public var clientOrderID: String?
    public var marketID: String?
    /// nil when the exchange did not say (read as a buy: it could be ours).
    public var side: Side?
    public var status: OrderStatus
    /// Units ordered and filled; an exchange may report fractions, which the engine rounds
    /// against itself.
    public var quantity: Decimal
    public var filled: Decimal
    /// The limit price; nil for a market order.
    public var limit: Decimal?
    /// The average price of the fills, when any.
    public var averagePrice: Decimal?

    public init(id: String, clientOrderID: String?, marketID: String?, side: Side?, status: OrderStatus, quantity: Decimal, filled: Decimal,
                limit: Decimal? = nil, averagePrice: Decimal? = nil) {
        self.id = id
        self.clientOrderID = clientOrderID
        self.marketID = marketID
        self.side = side
        self.status = status
        self.quantity = quantity
        self.filled = filled
        self.limit = limit
        self.averagePrice = averagePrice
    }

    /// Whole units still to fill (a fraction counts as a unit).
    public var unitsLeft: Int {
        var left = max(0, quantity - filled), rounded = Decimal()
        NSDecimalRound(&rounded, &left, 0, .up)
        return NSDecimalNumber(decimal: rounded).intValue
    }
}

/// One fill of one of our orders.
public struct OrderFill: Sendable, Equatable {
    public var tradeID: String
    public var orderID: String?
    public var price: Decimal
    public var quantity: Decimal
    public var fee: Decimal
    /// When the exchange executed it (it dates the spend); nil when it did not say.
    public var executedAt: Date?

    public init(tradeID: String, orderID: String?, price: Decimal, quantity: Decimal, fee: Decimal, executedAt: Date?) {
        self.tradeID = tradeID
        self.orderID = orderID
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.executedAt = executedAt
    }

    /// What the fill cost: price × quantity + fee.
    public var cost: Decimal { price * quantity + fee }
}

/// A level of the exchange's book: `quantity` may be fractional on the wire.
public typealias PriceLevel = DepthLevel<Decimal, Decimal>

/// The order rules of a market.
public struct MarketRules: Sendable, Equatable {
    public var tick: Decimal
    public var lotSize: Int
    public var minOrderSize: Int

    public init(tick: Decimal = Decimal(string: "0.01")!, lotSize: Int = 1, minOrderSize: Int = 1) {
        self.tick = tick
        self.lotSize = lotSize
        self.minOrderSize = minOrderSize
    }
}

/// A trade on the market, anyone's.
public struct MarketTrade: Sendable, Equatable {
    public var tradeID: String
    public var price: Decimal
    public var quantity: Decimal
    public var executedAt: Date?

    public init(tradeID: String, price: Decimal, quantity: Decimal, executedAt: Date?) {
        self.tradeID = tradeID
        self.price = price
        self.quantity = quantity
        self.executedAt = executedAt
    }
}
