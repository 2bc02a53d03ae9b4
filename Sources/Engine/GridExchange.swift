import Foundation
import GridAPI
import GridKeeperCore
import Ledger

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

    public func view(instrument symbol: String) async throws(ExchangeError) -> ExchangeView {
        do { return try await read(symbol) } catch { throw error.exchangeError() }
    }

    private func read(_ symbol: String) async throws(GridAPIError) -> ExchangeView {
        let (instrumentID, market) = try await resolve(symbol)
        let reads = try await sharedReads()
        let consumption = reads.consumption.filter { $0.instrumentID == instrumentID }.reduce(Decimal(0)) { $0 + $1.available }
        let inventory = reads.trading.filter { $0.instrumentID == instrumentID }.reduce(Decimal(0)) { $0 + $1.availableBalance }
        let book = try await client.orderBook(marketID: market.marketID, depth: 10)
        let ticker = try await client.ticker(marketID: market.marketID)
        let trades = try await client.publicTrades(marketID: market.marketID)
        return ExchangeView(
            instrumentID: instrumentID, marketID: market.marketID, consumption: Units(exactly: consumption)?.rawValue ?? 0,
            inventory: Units(exactly: inventory)?.rawValue ?? 0, usdAvailable: reads.usd, bids: book.bids.map(\.level), asks: book.asks.map(\.level),
            last: ticker.lastPrice, rules: market.orderControls?.rules ?? .standard,
            openOrders: reads.openOrders.filter { $0.marketID == market.marketID }.map(\.ticket), publicTrades: trades.map(\.marketTrade),
            exchangeTime: book.timestamp.flatMap(Timestamp.parse) ?? client.serverClock.serverNow)
    }

    public func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        shared = nil
        let placed: PlacedOrder
        do { placed = try await client.placeOrder(PlaceOrderRequest(order)) } catch { throw error.exchangeError(mutating: true) }
        return OrderTicket(id: placed.orderID, clientOrderID: placed.clientOrderID ?? order.clientOrderID, marketID: order.marketID, side: .buy,
                           status: placed.status.map(OrderStatus.init(wire:)) ?? .open, quantity: Decimal(order.quantity), filled: 0, limit: order.limit)
    }

    public func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? {
        do { return try await client.order(clientOrderID: clientOrderID, marketID: marketID)?.ticket } catch { throw error.exchangeError() }
    }

    public func order(id: String) async throws(ExchangeError) -> OrderTicket {
        do { return try await client.order(id: id).ticket } catch { throw error.exchangeError() }
    }

    public func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] {
        do { return try await client.trades(TradeQuery(orderID: orderID)).collect().map(\.fill) } catch { throw error.exchangeError() }
    }

    public func cancel(orderID: String) async throws(ExchangeError) {
        shared = nil
        do { _ = try await client.cancelOrder(id: orderID) } catch { throw error.exchangeError(mutating: true) }
    }

    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        shared = nil
        do {
            return try await client.transfer(.tradingToConsumption, instrumentID: instrumentID, quantity: quantity).transferID
        } catch { throw error.exchangeError(mutating: true) }
    }
}
