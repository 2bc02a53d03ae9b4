import Engine
import Execution
import Foundation
import GridAPI
import GridKeeperCore
import Ledger

/// How a replay treats orders and money.
public struct ReplaySettings: Sendable {
    public var startingUSD: Decimal
    public var startingInventory: Int
    public var startingConsumption: Int
    /// Time between sending an order and its reaching the book.
    public var latency: TimeInterval
    /// Fee as a fraction of the notional (0.001 = 10 bps).
    public var feeRate: Decimal
    public var tick: Decimal
    /// Filled units go to consumption by themselves (an account with auto-transfer on).
    public var autoTransfers: Bool

    public init(startingUSD: Decimal = 10_000, startingInventory: Int = 0, startingConsumption: Int = 0, latency: TimeInterval = 0,
                feeRate: Decimal = 0, tick: Decimal = Decimal(string: "0.01")!, autoTransfers: Bool = false) {
        self.startingUSD = startingUSD
        self.startingInventory = startingInventory
        self.startingConsumption = startingConsumption
        self.latency = latency
        self.feeRate = feeRate
        self.tick = tick
        self.autoTransfers = autoTransfers
    }
}

/// An `Exchange` over a recording, on a clock the backtest moves (nothing sleeps).
///
/// Order model, deliberately conservative:
/// - A market order walks the recorded asks at their prices, as far as its USD allows; what
///   the book cannot fill is cancelled. Liquidity an order took is not offered again while
///   the same snapshot stands.
/// - A limit order first takes asks at or under its price (at their prices). The rest rests
///   and fills, at its own price, only when a later snapshot shows asks at or under it, or a
///   later recorded trade prints strictly under it (a trade at exactly its price may have been
///   someone ahead in the queue).
/// - Orders reach the book `latency` after they are sent; a fee of `feeRate` × notional is
///   charged on every fill.
/// - Consumption: units arrive in lots that expire four hours later; demand draws tokens
///   (kept in thousandths of a unit) from the oldest lot first, and what a lot still holds
///   when it expires is lost. The balance shows whole units, a unit in use counting as one
///   until it is used up. Time with no units while there is demand is a stockout.
public actor ReplayExchange: Exchange {
    let recording: Recording
    let demand: [BurnStep]
    let settings: ReplaySettings
    public nonisolated let autoTransfers: Bool
    let instrumentID: String
    let marketID: String

    private(set) var now: Int64
    private var bookIndex = -1
    private var tradeIndex = 0
    private var burnIndex = -1
    private var usd: Int64
    private var inventory: Int
    private var consumption: LotBook
    private var matcher: Matcher
    private var orders: [String: Order] = [:]
    private var byClientID: [String: String] = [:]
    private var fillsByOrder: [String: [Trade]] = [:]
    private var sequence = 0
    /// Every fill, in order (for reports).
    public private(set) var fills: [Trade] = []
    public private(set) var cancels = 0

    /// What the replayed account lived through.
    public var stats: ConsumptionStats { consumption.stats }

    public init(recording: Recording, settings: ReplaySettings = ReplaySettings(), demand: [BurnStep]? = nil) {
        self.recording = recording
        self.demand = demand ?? recording.demand
        self.settings = settings
        self.autoTransfers = settings.autoTransfers
        self.instrumentID = "replay-" + recording.instrument
        self.marketID = "replay-market-" + recording.instrument
        let fee = (try? Micros.from(settings.feeRate, field: "fee")) ?? 0
        self.matcher = Matcher(rules: .init(feeMillionths: fee, latencyMilliseconds: Int64(settings.latency * 1000)))
        let start = recording.books.times.first ?? 0
        self.now = start
        self.usd = (try? Micros.from(settings.startingUSD, field: "usd")) ?? 0
        self.inventory = settings.startingInventory
        self.consumption = LotBook(units: settings.startingConsumption, arrivedAt: start)
        while burnIndex + 1 < self.demand.count, self.demand[burnIndex + 1].ms <= start { burnIndex += 1 }
        while bookIndex + 1 < recording.books.count, recording.books.times[bookIndex + 1] <= start { bookIndex += 1 }
        if bookIndex >= 0 { _ = matcher.observe(asks: Self.asks(recording.books, at: bookIndex), at: start) }
    }

    // MARK: Time

    /// Moves the replay to `ms`: consumption burns, lots expire, snapshots and trades arrive
    /// and resting orders fill, in time order.
    public func advance(to target: Int64) {
        let books = recording.books.times
        let trades = recording.trades
        while true {
            let tb = bookIndex + 1 < books.count && books[bookIndex + 1] <= target ? books[bookIndex + 1] : Int64.max
            let tt = tradeIndex < trades.count && trades[tradeIndex].ms <= target ? trades[tradeIndex].ms : Int64.max
            let to = matcher.nextArrival.flatMap { $0 <= target ? $0 : nil } ?? Int64.max
            let next = min(tb, tt, to)
            if next == .max {
                consume(until: target)
                return
            }
            consume(until: next)
            if next == tb {
                bookIndex += 1
                apply(matcher.observe(asks: Self.asks(recording.books, at: bookIndex), at: now))
            } else if next == tt {
                let trade = trades[tradeIndex]
                tradeIndex += 1
                apply(matcher.observe(tradeAt: trade.price, quantity: trade.quantity, at: now))
            } else {
                apply(matcher.arrive(funds: usd, at: now))
            }
        }
    }

    /// Demand draws from the lots until `t`, one demand step at a time.
    private func consume(until t: Int64) {
        while now < t {
            var boundary = t
            if burnIndex + 1 < demand.count { boundary = max(now, min(boundary, demand[burnIndex + 1].ms)) }
            let rate = burnIndex >= 0 ? Double(demand[burnIndex].milliUnitsPerHour) / 3_600_000 : 0  // thousandths per ms
            consumption.draw(rate: rate, from: now, to: boundary)
            now = boundary
            if burnIndex + 1 < demand.count, demand[burnIndex + 1].ms <= now { burnIndex += 1 }
        }
        consumption.expire(through: now)
    }

    // MARK: Book

    private func level(_ side: Int, _ k: Int) -> (price: Int64, quantity: Int)? {
        // Past the recorded depth there is nothing (a book whose levels all hold 0 units is
        // walked to its end, not into the next snapshot's row).
        guard bookIndex >= 0, k < recording.books.depth else { return nil }
        let b = recording.books, i = bookIndex * b.depth + k
        let price = side == 0 ? b.bidPrices[i] : b.askPrices[i]
        guard price > 0 else { return nil }
        return (price, Int(side == 0 ? b.bidQuantities[i] : b.askQuantities[i]))
    }

    /// The asks of snapshot `index` (past the recorded depth, or at a level without a price,
    /// the book ends).
    private static func asks(_ b: RecordedBooks, at index: Int) -> [Matcher.Level] {
        var out: [Matcher.Level] = []
        for k in 0..<b.depth {
            let i = index * b.depth + k
            guard b.askPrices[i] > 0 else { break }
            out.append(Matcher.Level(price: b.askPrices[i], quantity: Int(b.askQuantities[i])))
        }
        return out
    }

    private var lastPrice: Int64? {
        let fromTrades = tradeIndex > 0 ? recording.trades[tradeIndex - 1] : nil
        let fromBook = bookIndex >= 0 && recording.books.lasts[bookIndex] > 0 ? recording.books.lasts[bookIndex] : nil
        if let t = fromTrades, bookIndex < 0 || t.ms >= recording.books.times[bookIndex] { return t.price }
        return fromBook ?? fromTrades?.price
    }

    public func view(instrument: String) async throws(GridAPIError) -> ExchangeView {
        guard instrument == recording.instrument else {
            throw .rejected(endpoint: "GET /instruments (replay)", status: 404, detail: "the recording is of \(recording.instrument), not \(instrument)")
        }
        var bids: [BookLevel] = []
        for k in 0..<recording.books.depth {
            if let l = level(0, k) { bids.append(BookLevel(price: Micros.decimal(l.price), quantity: Decimal(l.quantity))) }
        }
        let asks = matcher.offered.map { BookLevel(price: Micros.decimal($0.price), quantity: Decimal($0.quantity)) }
        return ExchangeView(
            instrumentID: instrumentID, marketID: marketID, consumption: consumption.units, inventory: inventory,
            usdAvailable: Micros.decimal(usd - matcher.locked), bids: bids, asks: asks, last: lastPrice.map(Micros.decimal),
            controls: OrderControls(tickSize: settings.tick, lotSize: 1, minOrderSize: 1),
            openOrders: matcher.open.filter { $0.state == .resting }.compactMap { orders[$0.id] },
            exchangeTime: Date(ledgerMilliseconds: now))
    }

    // MARK: Orders

    public func place(_ request: PlaceOrderRequest) async throws(GridAPIError) -> PlacedOrder {
        let endpoint = "POST /v1/orders (replay)"
        if let clientID = request.clientOrderID, let id = byClientID[clientID], let existing = orders[id] {
            return PlacedOrder(orderID: id, clientOrderID: clientID, status: existing.status)
        }
        guard request.marketID == marketID else { throw .rejected(endpoint: endpoint, status: 404, detail: "unknown market") }
        guard request.side == .buy else { throw .rejected(endpoint: endpoint, status: 422, detail: "the replay only buys") }
        guard let quantity = Units(exactly: request.quantity)?.rawValue, quantity > 0 else {
            throw .rejected(endpoint: endpoint, status: 422, detail: "quantity must be a positive whole number")
        }
        var limit: Int64?
        if request.type == .limit {
            guard let price = request.price, let micros = try? Micros.from(price, field: "price"), micros > 0 else {
                throw .rejected(endpoint: endpoint, status: 422, detail: "a limit order needs a price")
            }
            limit = micros
        }
        sequence += 1
        let id = "replay-\(sequence)"
        let stamp = Self.stamp(now)
        orders[id] = Order(orderID: id, clientOrderID: request.clientOrderID, marketID: marketID, instrumentID: instrumentID, side: .buy,
                           type: request.type, status: OrderStatus.open.wire, quantity: Decimal(quantity), price: request.price, createdAt: stamp, updatedAt: stamp)
        let placed: [Matcher.Fill]
        do {
            placed = try matcher.submit(id: id, quantity: quantity, limit: limit, funds: usd, at: now)
        } catch {
            orders[id] = nil
            throw .rejected(endpoint: endpoint, status: 422, detail: error.description)
        }
        if let clientID = request.clientOrderID { byClientID[clientID] = id }
        apply(placed)
        sync(id)
        return PlacedOrder(orderID: id, clientOrderID: request.clientOrderID, status: orders[id]?.status)
    }

    /// Books fills: cash and units move, trades are recorded and the orders catch up.
    private func apply(_ batch: [Matcher.Fill]) {
        for f in batch {
            usd -= f.cost
            if autoTransfers { consumption.arrive(units: f.units, at: now) } else { inventory += f.units }
            sequence += 1
            let trade = Trade(tradeID: "replay-trade-\(sequence)", orderID: f.orderID, marketID: marketID, instrumentID: instrumentID, side: .buy,
                              price: Micros.decimal(f.price), quantity: Decimal(f.units), fee: Micros.decimal(f.fee), executionTimestamp: Self.stamp(f.at))
            fillsByOrder[f.orderID, default: []].append(trade)
            fills.append(trade)
            sync(f.orderID)
        }
    }

    /// The order record as the matcher's ticket stands.
    private func sync(_ id: String) {
        guard let t = matcher.ticket(id) else { return }
        orders[id]?.follow(t, updatedAt: Self.stamp(now))
    }

    public func order(clientOrderID: String, marketID: String?) async throws(GridAPIError) -> Order? {
        byClientID[clientOrderID].flatMap { orders[$0] }
    }

    public func order(id: String) async throws(GridAPIError) -> Order {
        guard let o = orders[id] else { throw .rejected(endpoint: "GET /v1/orders/\(id) (replay)", status: 404, detail: "not found") }
        return o
    }

    public func fills(orderID: String) async throws(GridAPIError) -> [Trade] { fillsByOrder[orderID] ?? [] }

    public func cancel(orderID: String) async throws(GridAPIError) {
        let endpoint = "DELETE /v1/orders/\(orderID) (replay)"
        guard orders[orderID] != nil else { throw .rejected(endpoint: endpoint, status: 404, detail: "not found") }
        guard matcher.cancel(orderID) else { throw .rejected(endpoint: endpoint, status: 500, detail: "order_already_cancelled") }
        sync(orderID)
        cancels += 1
    }

    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(GridAPIError) -> String {
        guard instrumentID == self.instrumentID else { throw .rejected(endpoint: "POST /v1/transfers (replay)", status: 404, detail: "unknown instrument") }
        guard quantity > 0, quantity <= inventory else { throw .rejected(endpoint: "POST /v1/transfers (replay)", status: 422, detail: "insufficient balance") }
        inventory -= quantity
        consumption.arrive(units: quantity, at: now)
        sequence += 1
        return "replay-transfer-\(sequence)"
    }

    /// USD left, inventory and consumption now.
    public func balances() -> (usd: Decimal, inventory: Int, consumption: Int) { (Micros.decimal(usd), inventory, consumption.units) }

    static func stamp(_ ms: Int64) -> String {
        Date(ledgerMilliseconds: ms).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
