import Foundation
import GridKeeperMacros

/// A buy order as the engine asks for it: `quantity` whole units at market, or at most `limit`
/// USD a unit. GridKeeper only buys.
@MemberwiseInit
public struct OrderRequest: Sendable, Equatable {
    /// Chosen by GridKeeper and recorded before the order is sent: the exchange accepts an id
    /// once, so a retried request can never place a second order.
    public var clientOrderID: String
    public var marketID: String
    public var quantity: Int
    /// nil: a market order.
    public var limit: Decimal? = nil
}

/// An order as the exchange holds it.
@MemberwiseInit
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
    public var limit: Decimal? = nil
    /// The average price of the fills, when any.
    public var averagePrice: Decimal? = nil

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
@MemberwiseInit
public struct MarketRules: Sendable, Equatable {
    /// One cent: the price step of a market that names none.
    public static let standardTick = Decimal(string: "0.01")!
    /// A cent tick and single-unit lots.
    public static let standard = MarketRules(tick: standardTick, lotSize: 1, minOrderSize: 1)

    // Initial values run in every initializer, the memberwise one included: constants only.
    public var tick: Decimal = MarketRules.standardTick
    public var lotSize: Int = 1
    public var minOrderSize: Int = 1
}

/// A trade on the market, anyone's.
@MemberwiseInit
public struct MarketTrade: Sendable, Equatable {
    public var tradeID: String
    public var price: Decimal
    public var quantity: Decimal
    public var executedAt: Date?
}
