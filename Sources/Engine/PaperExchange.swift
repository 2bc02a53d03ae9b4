import Foundation
import GridAPI
import GridKeeperCore

/// Paper trading: reads the real market through another `Exchange`, but keeps orders, fills and
/// transfers to itself, filled against the book it observed. Nothing mutating reaches the real
/// exchange.
///
/// Fill model (deliberately conservative): a market order walks the asks of the latest observed
/// book at their prices; a limit order fills at once against asks at or under its price, and
/// the rest waits; it fills only when a later observed book shows asks at or under its price,
/// and then only the quantity shown; units a paper order took are not offered again while
/// their price level stays on the book. The balances shown to strategies are the real ones plus
/// the paper trades: USD less what paper orders cost or lock, trading units plus paper buys
/// less paper transfers, consumption plus paper transfers (paper lots expire after four hours
/// like real ones; inference does not draw on them).
public actor PaperExchange: Exchange {
    struct PaperOrder {
        var order: Order
        var instrument: String
        var remaining: Int
        var limit: Decimal?
    }

    private let market: any Exchange
    private let now: @Sendable () -> Date
    public nonisolated let autoTransfers = false
    private var orders: [String: PaperOrder] = [:]
    private var byClientID: [String: String] = [:]
    private var trades: [String: [Trade]] = [:]
    private var views: [String: ExchangeView] = [:]          // by market id
    private var instruments: [String: String] = [:]          // instrument id → symbol
    private var spent: Decimal = 0
    private var bought: [String: Int] = [:]                  // by symbol
    private var moved: [String: [(at: Date, units: Int)]] = [:]
    private var sequence = 0
    /// Units paper orders took from each observed ask level, per market; while a level stays on
    /// the book they are not offered again.
    private var taken: [String: [Decimal: Int]] = [:]

    /// - Parameters:
    ///   - market: where the book and balances are read from.
    ///   - carried: paper trades of earlier runs (from the ledger), so balances continue.
    public init(market: any Exchange, carried: PaperCarry = PaperCarry(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.market = market
        self.now = now
        self.spent = carried.spent
        self.bought = carried.bought
        self.moved = carried.transfers.mapValues { $0.map { (at: $0.at, units: $0.units) } }
    }

    public func view(instrument symbol: String) async throws(GridAPIError) -> ExchangeView {
        var real = try await market.view(instrument: symbol)
        instruments[real.instrumentID] = symbol
        views[real.marketID] = real
        // What was taken stays taken while its level is still shown (at most what is shown).
        var kept: [Decimal: Int] = [:]
        for level in real.asks {
            if let used = taken[real.marketID]?[level.price] { kept[level.price] = min(used, Self.wholeDown(level.quantity)) }
        }
        taken[real.marketID] = kept
        fillResting(marketID: real.marketID, asks: real.asks)
        let time = now()
        let lots = (moved[symbol] ?? []).filter { time.timeIntervalSince($0.at) < ConsumptionLot.lifetime }.reduce(0) { $0 + $1.units }
        let transferred = (moved[symbol] ?? []).reduce(0) { $0 + $1.units }
        let locked = orders.values.filter { !$0.order.isTerminal }.reduce(Decimal(0)) { $0 + Decimal($1.remaining) * ($1.limit ?? 0) }
        real.usdAvailable = max(0, real.usdAvailable - spent - locked)
        real.inventory += (bought[symbol] ?? 0) - transferred
        real.consumption += lots
        real.openOrders = orders.values.filter { $0.instrument == symbol && !$0.order.isTerminal }.map(\.order)
        return real
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
        let limit = request.type == .limit ? request.price : nil
        if request.type == .limit, limit == nil { throw .rejected(endpoint: endpoint, status: 422, detail: "a limit order needs a price") }
        let available = try await self.view(instrument: symbol).usdAvailable
        if let limit, Decimal(quantity) * limit > available {
            throw .rejected(endpoint: endpoint, status: 422, detail: "insufficient funds")
        }
        sequence += 1
        let id = "paper-\(sequence)-\(request.clientOrderID ?? UUID().uuidString)"
        let stamp = now().ISO8601Format()
        let order = Order(orderID: id, clientOrderID: request.clientOrderID, marketID: request.marketID, instrumentID: view.instrumentID,
                          side: .buy, type: request.type, status: "open", quantity: Decimal(quantity), price: limit, createdAt: stamp, updatedAt: stamp)
        orders[id] = PaperOrder(order: order, instrument: symbol, remaining: quantity, limit: limit)
        if let clientID = request.clientOrderID { byClientID[clientID] = id }
        match(id, against: views[request.marketID]?.asks ?? view.asks, budget: request.type == .market ? available : nil)
        if request.type == .market, var o = orders[id], !o.order.isTerminal {
            // A market order never rests: what the book could not fill is cancelled.
            o.order.status = o.order.filledQuantity > 0 ? "filled" : "cancelled"
            o.order.closureReason = "no more liquidity"
            o.order.quantity = o.order.filledQuantity > 0 ? o.order.filledQuantity : o.order.quantity
            orders[id] = o
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
        guard var o = orders[orderID] else { throw .rejected(endpoint: "DELETE /v1/orders/\(orderID) (paper)", status: 404, detail: "not found") }
        guard !o.order.isTerminal else { throw .rejected(endpoint: "DELETE /v1/orders/\(orderID) (paper)", status: 500, detail: "order_already_cancelled") }
        o.order.status = "cancelled"
        o.order.updatedAt = now().ISO8601Format()
        orders[orderID] = o
    }

    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(GridAPIError) -> String {
        guard let symbol = instruments[instrumentID] else {
            throw .rejected(endpoint: "POST /v1/transfers (paper)", status: 404, detail: "unknown instrument \(instrumentID)")
        }
        let held = (bought[symbol] ?? 0) - (moved[symbol] ?? []).reduce(0) { $0 + $1.units }
        let real = views.values.first { $0.instrumentID == instrumentID }?.inventory ?? 0
        guard quantity > 0, quantity <= held + real else {
            throw .rejected(endpoint: "POST /v1/transfers (paper)", status: 422, detail: "insufficient balance")
        }
        moved[symbol, default: []].append((at: now(), units: quantity))
        sequence += 1
        return "paper-transfer-\(sequence)"
    }

    // MARK: Matching

    static func wholeDown(_ value: Decimal) -> Int {
        var input = value, result = Decimal()
        NSDecimalRound(&result, &input, 0, .down)
        return max(0, NSDecimalNumber(decimal: result).intValue)
    }

    private func fillResting(marketID: String, asks: [BookLevel]) {
        for (id, o) in orders.sorted(by: { $0.key < $1.key }) where o.order.marketID == marketID && !o.order.isTerminal {
            match(id, against: asks, budget: nil)
        }
    }

    /// Fills an order against observed asks at or under its limit (all asks for a market order).
    private func match(_ id: String, against asks: [BookLevel], budget: Decimal?) {
        guard var o = orders[id] else { return }
        var cash = budget
        let time = now()
        for level in asks where o.remaining > 0 {
            if let limit = o.limit, level.price > limit { break }
            let marketID = o.order.marketID ?? ""
            let offered = Self.wholeDown(level.quantity) - (taken[marketID]?[level.price] ?? 0)
            var units = min(o.remaining, offered)
            if let left = cash { units = min(units, Self.wholeDown(left / level.price)) }
            guard units > 0 else { continue }
            let cost = Decimal(units) * level.price
            cash = cash.map { $0 - cost }
            o.remaining -= units
            taken[marketID, default: [:]][level.price, default: 0] += units
            o.order.filledQuantity += Decimal(units)
            spent += cost
            bought[o.instrument, default: 0] += units
            sequence += 1
            trades[id, default: []].append(Trade(
                tradeID: "paper-trade-\(sequence)", orderID: id, marketID: o.order.marketID, instrumentID: o.order.instrumentID, side: .buy,
                price: level.price, quantity: Decimal(units), fee: 0, executionTimestamp: time.ISO8601Format()))
        }
        let filled = o.order.filledQuantity
        if filled > 0 {
            let cost = (trades[id] ?? []).reduce(Decimal(0)) { $0 + $1.price * $1.quantity }
            o.order.averagePrice = cost / filled
        }
        o.order.status = o.remaining == 0 ? "filled" : (filled > 0 ? "partially_filled" : "open")
        o.order.updatedAt = time.ISO8601Format()
        orders[id] = o
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
