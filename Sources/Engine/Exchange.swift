import Foundation
import GridAPI
import GridKeeperCore
import Ledger

/// What the engine needs from an exchange. The live Grid, the simulator (through the same
/// client), a dry run and a backtest each provide one.
public protocol Exchange: Sendable {
    /// Balances, book and market rules for one instrument, now.
    func view(instrument: String) async throws(GridAPIError) -> ExchangeView
    /// Places an order; never retried blindly (an unknown outcome throws `outcomeUnknown`).
    func place(_ order: PlaceOrderRequest) async throws(GridAPIError) -> PlacedOrder
    /// The order placed with `clientOrderID`, if the exchange has it.
    func order(clientOrderID: String, marketID: String?) async throws(GridAPIError) -> Order?
    func order(id: String) async throws(GridAPIError) -> Order
    func fills(orderID: String) async throws(GridAPIError) -> [Trade]
    func cancel(orderID: String) async throws(GridAPIError)
    /// Moves whole units from the trading to the consumption account; returns the transfer id.
    func transferToConsumption(instrumentID: String, quantity: Int) async throws(GridAPIError) -> String
    /// Whether the account moves filled units to consumption by itself.
    var autoTransfers: Bool { get }
}

/// One instrument's state on the exchange.
public struct ExchangeView: Sendable {
    public var instrumentID: String
    public var marketID: String
    public var consumption: Int
    public var inventory: Int
    public var usdAvailable: Decimal
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var last: Decimal?
    public var controls: OrderControls?
    public var openOrders: [Order]
    /// Recent trades on the market (anyone's), newest first as the exchange lists them.
    public var publicTrades: [PublicTrade]
    /// The exchange's clock when the view was read, when known (the book's timestamp, else
    /// its replies' `Date` headers): the day it dates an order's fills in depends on it.
    public var exchangeTime: Date?

    public init(instrumentID: String, marketID: String, consumption: Int, inventory: Int, usdAvailable: Decimal, bids: [BookLevel],
                asks: [BookLevel], last: Decimal?, controls: OrderControls?, openOrders: [Order], publicTrades: [PublicTrade] = [],
                exchangeTime: Date? = nil) {
        self.publicTrades = publicTrades
        self.exchangeTime = exchangeTime
        self.instrumentID = instrumentID
        self.marketID = marketID
        self.consumption = consumption
        self.inventory = inventory
        self.usdAvailable = usdAvailable
        self.bids = bids
        self.asks = asks
        self.last = last
        self.controls = controls
        self.openOrders = openOrders
    }
}

extension ExchangeView {
    /// Records what this view shows — the top five book levels and last price, the balances,
    /// and recent public trades at their own (exchange) times — as the daemon does each cycle and
    /// `gridkeeper record` does on its own. Backtests replay these records.
    public func record(instrument: String, at time: Date, into ledger: any LedgerStore) throws(LedgerError) {
        try record(instrument: instrument, at: time, into: ledger, book: wholeBook())
    }

    /// The book with whole-unit quantities (a level that is not whole counts as 0 units).
    struct WholeBook {
        var bids: [MarketSnapshot.Level]
        var asks: [MarketSnapshot.Level]
    }

    func wholeBook() -> WholeBook {
        func level(_ l: BookLevel) -> MarketSnapshot.Level { .init(price: l.price, quantity: Units(exactly: l.quantity)?.rawValue ?? 0) }
        return WholeBook(bids: bids.map(level), asks: asks.map(level))
    }

    /// `record(instrument:at:into:)` with the book already in whole units (a cycle converts it once).
    func record(instrument: String, at time: Date, into ledger: any LedgerStore, book: WholeBook) throws(LedgerError) {
        func level(_ l: MarketSnapshot.Level) -> MarketSnapshotRecord.Level { .init(price: l.price, quantity: l.quantity) }
        try ledger.record(marketSnapshots: [MarketSnapshotRecord(instrument: instrument, takenAt: time, bids: book.bids.prefix(5).map(level),
                                                                 asks: book.asks.prefix(5).map(level), last: last)])
        try ledger.record(balanceSnapshots: [BalanceSnapshotRecord(instrument: instrument, takenAt: time, usd: usdAvailable,
                                                                  tradingUnits: inventory, consumptionUnits: consumption)])
        let trades = publicTrades.compactMap { t -> PublicTradeRecord? in
            guard let quantity = Units(exactly: t.quantity)?.rawValue, quantity > 0, t.price > 0,
                  let at = t.executionTimestamp.flatMap(Timestamp.parse) else { return nil }
            return PublicTradeRecord(instrument: instrument, tradedAt: at, tradeID: t.tradeID, price: t.price, quantity: quantity)
        }
        if !trades.isEmpty { try ledger.record(publicTrades: trades) }
    }
}

/// The Trading API through `GridClient` (The Grid itself, or the simulator).
///
/// The reads every strategy needs — balances of every account and the open orders — are
/// fetched once and shared by the strategies of a tick: they are kept for `sharedReadsFor`
/// (the daemon and `once` share them for 5 s)
/// and dropped as soon as an order, a cancel or a transfer may have changed them. A tick of
/// nine strategies costs 4 + 3 × 9 requests instead of 7 × 9.
public actor GridExchange: Exchange {
    let client: GridClient
    public nonisolated let autoTransfers: Bool
    let sharedReadsFor: TimeInterval
    let now: @Sendable () -> Date
    private var markets: [String: (instrumentID: String, market: Market)] = [:]
    private struct SharedReads {
        var at: Date
        var consumption: [ConsumptionAccount]
        var trading: [TradingAccount]
        var usd: Decimal
        var openOrders: [Order]
    }
    private var shared: SharedReads?

    /// - Parameters:
    ///   - sharedReadsFor: seconds, on `now`'s clock, that balances and open orders are shared
    ///     (0: every view reads its own).
    ///   - now: the engine's clock.
    public init(client: GridClient, autoTransfers: Bool = false, sharedReadsFor: TimeInterval = 0, now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.now = now
        self.autoTransfers = autoTransfers
        self.sharedReadsFor = sharedReadsFor
    }

    private func resolve(_ symbol: String) async throws(GridAPIError) -> (instrumentID: String, market: Market) {
        if let known = markets[symbol] { return known }
        let instrument = try await client.instrument(symbol: symbol)
        guard let market = try await client.market(forInstrument: instrument.instrumentID) else {
            throw .rejected(endpoint: "GET /markets", status: 404, detail: "no market trades \(symbol)")
        }
        markets[symbol] = (instrument.instrumentID, market)
        return (instrument.instrumentID, market)
    }

    private func sharedReads() async throws(GridAPIError) -> SharedReads {
        let at = now()
        if let shared, at >= shared.at, at.timeIntervalSince(shared.at) < sharedReadsFor { return shared }
        let consumption = try await client.consumptionAccounts().collect()
        let trading = try await client.tradingAccounts().collect()
        let usd = try await client.currencyAccounts().collect().filter { $0.currency.lowercased() == "usd" }.reduce(Decimal(0)) { $0 + $1.availableBalance }
        let open = try await client.orders(OrderQuery()).collect().filter { !$0.isTerminal }
        let reads = SharedReads(at: at, consumption: consumption, trading: trading, usd: usd, openOrders: open)
        shared = reads
        return reads
    }

    public func view(instrument symbol: String) async throws(GridAPIError) -> ExchangeView {
        let (instrumentID, market) = try await resolve(symbol)
        let reads = try await sharedReads()
        let consumption = reads.consumption.filter { $0.instrumentID == instrumentID }.reduce(Decimal(0)) { $0 + $1.available }
        let inventory = reads.trading.filter { $0.instrumentID == instrumentID }.reduce(Decimal(0)) { $0 + $1.availableBalance }
        let book = try await client.orderBook(marketID: market.marketID, depth: 10)
        let ticker = try await client.ticker(marketID: market.marketID)
        let trades = try await client.publicTrades(marketID: market.marketID)
        return ExchangeView(
            instrumentID: instrumentID, marketID: market.marketID, consumption: Units(exactly: consumption)?.rawValue ?? 0,
            inventory: Units(exactly: inventory)?.rawValue ?? 0, usdAvailable: reads.usd, bids: book.bids, asks: book.asks, last: ticker.lastPrice,
            controls: market.orderControls, openOrders: reads.openOrders.filter { $0.marketID == market.marketID }, publicTrades: trades,
            exchangeTime: book.timestamp.flatMap(Timestamp.parse) ?? client.serverClock.serverNow)
    }

    public func place(_ order: PlaceOrderRequest) async throws(GridAPIError) -> PlacedOrder {
        shared = nil
        return try await client.placeOrder(order)
    }
    public func order(clientOrderID: String, marketID: String?) async throws(GridAPIError) -> Order? {
        try await client.order(clientOrderID: clientOrderID, marketID: marketID)
    }
    public func order(id: String) async throws(GridAPIError) -> Order { try await client.order(id: id) }
    public func fills(orderID: String) async throws(GridAPIError) -> [Trade] { try await client.trades(TradeQuery(orderID: orderID)).collect() }
    public func cancel(orderID: String) async throws(GridAPIError) {
        shared = nil
        _ = try await client.cancelOrder(id: orderID)
    }
    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(GridAPIError) -> String {
        shared = nil
        return try await client.transfer(.tradingToConsumption, instrumentID: instrumentID, quantity: quantity).transferID
    }
}
