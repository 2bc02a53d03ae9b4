import Foundation
import GridKeeperCore

// The Trading API's wire shapes read as the engine's domain types (GridKeeperCore's
// `Exchange` port): every adapter that speaks the wire format translates here, once.

extension Order {
    /// This order as the engine sees it.
    public var ticket: OrderTicket {
        OrderTicket(id: orderID, clientOrderID: clientOrderID, marketID: marketID, side: side.map { $0 == .sell ? .sell : .buy },
                    status: orderStatus, quantity: quantity, filled: filledQuantity, limit: type == .market ? nil : price, averagePrice: averagePrice)
    }
}

extension Trade {
    /// This fill as the engine sees it (an unreadable time is nil).
    public var fill: OrderFill {
        OrderFill(tradeID: tradeID, orderID: orderID, price: price, quantity: quantity, fee: fee ?? 0,
                  executedAt: executionTimestamp.flatMap(Timestamp.parse))
    }
}

extension BookLevel {
    public var level: PriceLevel { PriceLevel(price: price, quantity: quantity) }
}

extension PublicTrade {
    public var marketTrade: MarketTrade {
        MarketTrade(tradeID: tradeID, price: price, quantity: quantity, executedAt: executionTimestamp.flatMap(Timestamp.parse))
    }
}

extension OrderControls {
    /// The rules, whole-unit sizes only (a fractional lot or minimum reads as 1).
    public var rules: MarketRules {
        func whole(_ value: Decimal?) -> Int? {
            guard let value, value > 0, let units = Units(exactly: value) else { return nil }
            return units.rawValue
        }
        return MarketRules(tick: tickSize ?? MarketRules.standardTick, lotSize: whole(lotSize) ?? 1, minOrderSize: whole(minOrderSize) ?? 1)
    }
}

extension PlaceOrderRequest {
    /// The wire request for a domain buy order.
    public init(_ request: OrderRequest) {
        self.init(marketID: request.marketID, side: .buy, type: request.limit == nil ? .market : .limit, quantity: Decimal(request.quantity),
                  price: request.limit, clientOrderID: request.clientOrderID)
    }
}

extension GridAPIError {
    /// What this failure means to the engine. A reply that could not be read to a request with
    /// an effect (`mutating`) leaves the outcome unknown.
    public func exchangeError(mutating: Bool = false) -> ExchangeError {
        switch self {
        case .retryable(_, let status, _): status == 429 ? .rateLimited(description) : .unavailable(description)
        case .rejected, .notSent: .rejected(description)
        case .outcomeUnknown: .outcomeUnknown(description)
        case .decoding: mutating ? .outcomeUnknown(description) : .unavailable(description)
        case .configuration: .unavailable(description)
        }
    }
}
