import Foundation
import GridKeeperMacros

/// What the engine needs from an exchange, in the engine's own terms. The live Grid (through
/// `GridExchange`, which translates HTTP), paper trading, a backtest's replay and the simulator
/// in process each provide one.
public protocol Exchange: Sendable {
    /// Balances, book and market rules for one instrument, now.
    func view(instrument: String) async throws(ExchangeError) -> ExchangeView
    /// Places a buy order; never retried blindly (an unknown outcome throws `outcomeUnknown`).
    /// Placing a `clientOrderID` the exchange already has returns that order.
    func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket
    /// The order placed with `clientOrderID`, if the exchange has it.
    func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket?
    func order(id: String) async throws(ExchangeError) -> OrderTicket
    func fills(orderID: String) async throws(ExchangeError) -> [OrderFill]
    func cancel(orderID: String) async throws(ExchangeError)
    /// Moves whole units from the trading to the consumption account; returns the transfer id.
    func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String
    /// Whether the account moves filled units to consumption by itself.
    var autoTransfers: Bool { get }
}

/// One instrument's state on the exchange.
@MemberwiseInit
public struct ExchangeView: Sendable {
    public var instrumentID: String
    public var marketID: String
    public var consumption: Int
    public var inventory: Int
    public var usdAvailable: Decimal
    public var bids: [PriceLevel]
    public var asks: [PriceLevel]
    public var last: Decimal?
    public var rules: MarketRules = .standard
    /// Our open orders on this market (and any placed outside GridKeeper).
    public var openOrders: [OrderTicket]
    /// Recent trades on the market (anyone's), newest first as the exchange lists them.
    public var publicTrades: [MarketTrade] = []
    /// The exchange's clock when the view was read, when known (the book's timestamp, else
    /// its replies' `Date` headers): the day it dates an order's fills in depends on it.
    public var exchangeTime: Date? = nil
}
