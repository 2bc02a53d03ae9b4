import Execution
import Foundation
import GridAPI
import GridKeeperCore
import Ledger

/// Paper trading: reads the real market through another `Exchange`, but keeps orders, fills and
/// transfers to itself, filled against the book it observed. Nothing mutating reaches the real
/// exchange.
///
/// Orders fill by the same `Matcher` as a backtest's replay (see its rules): each observed book
/// whose asks changed is a new snapshot; a market order walks its asks at their prices; a
/// limit order takes what is at or under its limit and rests; a resting order fills at its own
/// limit when a later book shows asks at or under it; liquidity taken is not offered again
/// while the same book stands. The balances shown to strategies are the real ones plus the
/// paper trades: USD less what paper orders cost or lock, trading units plus paper buys less
/// paper transfers, consumption plus paper transfers (kept in a `LotBook`: paper lots expire
/// after four hours like real ones; inference does not draw on them).
public actor PaperExchange: Exchange {
    struct PaperOrder {
        var order: Order
        var instrument: String
    }

    private let market: any Exchange
    private let now: @Sendable () -> Date
    private let rules: Matcher.Rules
    public nonisolated let autoTransfers = false
    private var orders: [String: PaperOrder] = [:]
    private var byClientID: [String: String] = [:]
    private var trades: [String: [Trade]] = [:]
    private var views: [String: ExchangeView] = [:]          // by market id
    private var instruments: [String: String] = [:]          // instrument id → symbol
    private var matchers: [String: Matcher] = [:]            // by market id
    private var spent: Int64                                 // micro-dollars
    private var bought: [String: Int] = [:]                  // by symbol
    private var transferred: [String: Int] = [:]             // by symbol
    private var lots: [String: LotBook] = [:]                // by symbol
    private var sequence = 0

    /// - Parameters:
    ///   - market: where the book and balances are read from.
    ///   - carried: paper trades of earlier runs (from the ledger), so balances continue.
    ///   - rules: fees and latency of the fill model (none by default).
    public init(market: any Exchange, carried: PaperCarry = PaperCarry(), rules: Matcher.Rules = Matcher.Rules(),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.market = market
        self.now = now
        self.rules = rules
        self.spent = Self.micros(carried.spent, roundingUp: true)
        self.bought = carried.bought
        for (symbol, list) in carried.transfers {
            var book = LotBook()
            for t in list.sorted(by: { $0.at < $1.at }) { book.arrive(units: t.units, at: t.at.ledgerMilliseconds) }
            lots[symbol] = book
            transferred[symbol] = list.reduce(0) { $0 + $1.units }
        }
    }

    public func view(instrument symbol: String) async throws(GridAPIError) -> ExchangeView {
        try await refresh(symbol).view
    }

    /// Reads the real market, lets paper orders fill against it, and returns the view with the
    /// paper trades applied and the funds paper orders may use (before the matcher's locks).
    private func refresh(_ symbol: String) async throws(GridAPIError) -> (view: ExchangeView, funds: Int64) {
        var real = try await market.view(instrument: symbol)
        instruments[real.instrumentID] = symbol
        views[real.marketID] = real
        let time = now()
        let ms = time.ledgerMilliseconds
        var matcher = matchers[real.marketID] ?? Matcher(rules: rules)
        let asks = real.asks.map { Matcher.Level(price: Self.micros($0.price, roundingUp: true), quantity: Self.wholeDown($0.quantity)) }
        let filled = matcher.observe(asks: asks, at: ms)
        matchers[real.marketID] = matcher
        apply(filled)
        var book = lots[symbol] ?? LotBook()
        book.expire(through: ms)
        lots[symbol] = book
        let funds = Self.micros(real.usdAvailable, roundingUp: false) - spent
        real.usdAvailable = Micros.decimal(max(0, funds - matcher.locked))
        real.inventory += (bought[symbol] ?? 0) - (transferred[symbol] ?? 0)
        real.consumption += book.units
        real.asks = matcher.offered.map { BookLevel(price: Micros.decimal($0.price), quantity: Decimal($0.quantity)) }
        real.openOrders = orders.values.filter { $0.instrument == symbol && !$0.order.isTerminal }.map(\.order)
        return (real, funds)
    }

    public func place(_ request: PlaceOrderRequest) async throws(GridAPIError) -> PlacedOrder {
        let endpoint = "POST /v1/orders (paper)"
        if let clientID = request.clientOrderID, let id = byClientID[clientID], let existing = orders[id] {
            return PlacedOrder(orderID: id, clientOrderID: clientID, status: existing.order.status)
        }
        guard let view = views[request.marketID], let symbol = instruments[view.instrumentID] else {
            throw .rejected(endpoint: endpoint, status: 422, detail: "no observed book for market \(request.marketID)")
        }
        guard request.side == .buy else { throw .rejected(endpoint: endpoint, status: 422, detail: "paper trading only buys") }
        guard let quantity = Units(exactly: request.quantity)?.rawValue, quantity > 0 else {
            throw .rejected(endpoint: endpoint, status: 422, detail: "quantity must be a positive whole number")
        }
        var limit: Int64?
        if request.type == .limit {
            guard let price = request.price, price > 0 else { throw .rejected(endpoint: endpoint, status: 422, detail: "a limit order needs a price") }
            limit = Self.micros(price, roundingUp: false)
        }
        let funds = try await refresh(symbol).funds
        sequence += 1
        let id = "paper-\(sequence)-\(request.clientOrderID ?? UUID().uuidString)"
        let stamp = now().ISO8601Format()
        orders[id] = PaperOrder(order: Order(orderID: id, clientOrderID: request.clientOrderID, marketID: request.marketID, instrumentID: view.instrumentID,
                                             side: .buy, type: request.type, status: OrderStatus.open.wire, quantity: Decimal(quantity), price: limit.map(Micros.decimal),
                                             createdAt: stamp, updatedAt: stamp),
                                instrument: symbol)
        var matcher = matchers[request.marketID] ?? Matcher(rules: rules)
        do {
            let filled = try matcher.submit(id: id, quantity: quantity, limit: limit, funds: funds, at: now().ledgerMilliseconds)
            matchers[request.marketID] = matcher
            if let clientID = request.clientOrderID { byClientID[clientID] = id }
            apply(filled)
            sync(id)
        } catch {
            orders[id] = nil
            throw .rejected(endpoint: endpoint, status: 422, detail: error.description)
        }
        return PlacedOrder(orderID: id, clientOrderID: request.clientOrderID, status: orders[id]?.order.status)
    }

    public func order(clientOrderID: String, marketID: String?) async throws(GridAPIError) -> Order? {
        byClientID[clientOrderID].flatMap { orders[$0]?.order }
    }

    public func order(id: String) async throws(GridAPIError) -> Order {
        guard let order = orders[id]?.order else { throw .rejected(endpoint: "GET /v1/orders/\(id) (paper)", status: 404, detail: "not found") }
        return order
    }

    public func fills(orderID: String) async throws(GridAPIError) -> [Trade] { trades[orderID] ?? [] }

    public func cancel(orderID: String) async throws(GridAPIError) {
        let endpoint = "DELETE /v1/orders/\(orderID) (paper)"
        guard let o = orders[orderID], let marketID = o.order.marketID else { throw .rejected(endpoint: endpoint, status: 404, detail: "not found") }
        guard matchers[marketID]?.cancel(orderID) == true else { throw .rejected(endpoint: endpoint, status: 500, detail: "order_already_cancelled") }
        sync(orderID)
    }

    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(GridAPIError) -> String {
        guard let symbol = instruments[instrumentID] else {
            throw .rejected(endpoint: "POST /v1/transfers (paper)", status: 404, detail: "unknown instrument \(instrumentID)")
        }
        let held = (bought[symbol] ?? 0) - (transferred[symbol] ?? 0)
        let real = views.values.first { $0.instrumentID == instrumentID }?.inventory ?? 0
        guard quantity > 0, quantity <= held + real else {
            throw .rejected(endpoint: "POST /v1/transfers (paper)", status: 422, detail: "insufficient balance")
        }
        lots[symbol, default: LotBook()].arrive(units: quantity, at: now().ledgerMilliseconds)
        transferred[symbol, default: 0] += quantity
        sequence += 1
        return "paper-transfer-\(sequence)"
    }

    // MARK: Fills

    /// Books fills: cash and units move, trades are recorded and the orders catch up.
    private func apply(_ batch: [Matcher.Fill]) {
        for f in batch {
            guard let o = orders[f.orderID] else { continue }
            spent += f.cost
            bought[o.instrument, default: 0] += f.units
            sequence += 1
            trades[f.orderID, default: []].append(Trade(
                tradeID: "paper-trade-\(sequence)", orderID: f.orderID, marketID: o.order.marketID, instrumentID: o.order.instrumentID, side: .buy,
                price: Micros.decimal(f.price), quantity: Decimal(f.units), fee: Micros.decimal(f.fee),
                executionTimestamp: Date(ledgerMilliseconds: f.at).ISO8601Format()))
            sync(f.orderID)
        }
    }

    private func sync(_ id: String) {
        guard var o = orders[id], let marketID = o.order.marketID, let ticket = matchers[marketID]?.ticket(id) else { return }
        o.order.follow(ticket, updatedAt: now().ISO8601Format())
        orders[id] = o
    }

    static func wholeDown(_ value: Decimal) -> Int {
        var input = value, result = Decimal()
        NSDecimalRound(&result, &input, 0, .down)
        return max(0, NSDecimalNumber(decimal: result).intValue)
    }

    /// A price in micro-dollars; a finer price is rounded against us (asks up, funds down).
    static func micros(_ value: Decimal, roundingUp: Bool) -> Int64 {
        var scaled = value * 1_000_000, rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, roundingUp ? .up : .down)
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}

extension Order {
    /// Brings an order record in line with the fill model's ticket: filled quantity, average
    /// price and status (a market order the book could not fill is cancelled).
    public mutating func follow(_ ticket: Matcher.Ticket, updatedAt stamp: String) {
        filledQuantity = Decimal(ticket.filled)
        if ticket.filled > 0 { averagePrice = Micros.decimal(ticket.notional) / Decimal(ticket.filled) }
        switch ticket.state {
        case .waiting, .resting: status = (ticket.filled > 0 ? OrderStatus.partiallyFilled : .open).wire
        case .filled: status = OrderStatus.filled.wire
        case .cancelled:
            status = OrderStatus.cancelled.wire
            if ticket.limit == nil { closureReason = "no more liquidity or funds" }
        }
        updatedAt = stamp
    }
}

/// Paper trades of earlier runs, read back from the ledger so paper balances carry over a restart.
public struct PaperCarry: Sendable {
    public var spent: Decimal
    public var bought: [String: Int]
    public var transfers: [String: [(at: Date, units: Int)]]

    public init(spent: Decimal = 0, bought: [String: Int] = [:], transfers: [String: [(at: Date, units: Int)]] = [:]) {
        self.spent = spent
        self.bought = bought
        self.transfers = transfers
    }
}
