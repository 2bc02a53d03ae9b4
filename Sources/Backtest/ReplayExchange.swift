import Engine
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

/// What the replayed account lived through.
///
/// Demand draws tokens, so used and expired amounts are kept in thousandths of a unit: a lot
/// that expires after part of a unit was drawn from it loses only the rest of that unit.
public struct ConsumptionStats: Sendable, Equatable, Codable {
    /// Time with no usable consumption balance while there was demand.
    public var stockoutSeconds: Double = 0
    /// Thousandths of a unit that expired unused.
    public var expiredMilliUnits: Int64 = 0
    /// Thousandths of a unit the team drew.
    public var usedMilliUnits: Int64 = 0
    /// Demand that found no units, in units.
    public var unmetUnits: Double = 0

    public init() {}

    /// Units that expired unused (exact to the thousandth).
    public var expiredUnits: Decimal { Decimal(expiredMilliUnits) / 1000 }
    /// Units the team used (exact to the thousandth).
    public var usedUnits: Decimal { Decimal(usedMilliUnits) / 1000 }

    enum CodingKeys: String, CodingKey {
        case stockoutSeconds = "stockout_seconds", expiredUnits = "expired_units", usedUnits = "used_units", unmetUnits = "unmet_units"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stockoutSeconds = try c.decode(Double.self, forKey: .stockoutSeconds)
        expiredMilliUnits = Self.milli(try c.decode(Decimal.self, forKey: .expiredUnits))
        usedMilliUnits = Self.milli(try c.decode(Decimal.self, forKey: .usedUnits))
        unmetUnits = try c.decode(Double.self, forKey: .unmetUnits)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stockoutSeconds, forKey: .stockoutSeconds)
        try c.encode(expiredUnits, forKey: .expiredUnits)
        try c.encode(usedUnits, forKey: .usedUnits)
        try c.encode(unmetUnits, forKey: .unmetUnits)
    }

    private static func milli(_ units: Decimal) -> Int64 {
        var scaled = units * 1000, rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
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
    struct ReplayOrder {
        var order: Order
        var remaining: Int
        var limit: Int64?
        var effectiveMs: Int64
        var lockedMicros: Int64
    }

    public static let lotLifeMs = ConsumptionLot.lifetimeMilliseconds

    let recording: Recording
    let demand: [BurnStep]
    let settings: ReplaySettings
    public nonisolated let autoTransfers: Bool
    let instrumentID: String
    let marketID: String
    let feeMillionths: Int64

    private(set) var now: Int64
    private var bookIndex = -1
    private var tradeIndex = 0
    private var burnIndex = -1
    private var usd: Int64
    private var locked: Int64 = 0
    private var inventory: Int
    /// Lots in consumption, oldest first, in thousandths of a unit.
    private var lots: [(arrived: Int64, milli: Int64)] = []
    private var lotMilli: Int64 = 0
    /// Demand drawn but not yet a whole thousandth.
    private var carry = 0.0
    /// The balance as the account shows it: whole units, a unit in use counting as one.
    private var lotUnits: Int { Int((lotMilli + 999) / 1000) }
    public private(set) var stats = ConsumptionStats()
    private var orders: [String: ReplayOrder] = [:]
    private var byClientID: [String: String] = [:]
    private var resting: [String] = []
    private var waiting: [String] = []
    private var fillsByOrder: [String: [Trade]] = [:]
    private var taken: [Int64: Int] = [:]
    private var sequence = 0
    /// Every fill, in order (for reports).
    public private(set) var fills: [Trade] = []
    public private(set) var cancels = 0

    public init(recording: Recording, settings: ReplaySettings = ReplaySettings(), demand: [BurnStep]? = nil) {
        self.recording = recording
        self.demand = demand ?? recording.demand
        self.settings = settings
        self.autoTransfers = settings.autoTransfers
        self.instrumentID = "replay-" + recording.instrument
        self.marketID = "replay-market-" + recording.instrument
        self.feeMillionths = (try? Micros.from(settings.feeRate, field: "fee")) ?? 0
        let start = recording.books.times.first ?? 0
        self.now = start
        self.usd = (try? Micros.from(settings.startingUSD, field: "usd")) ?? 0
        self.inventory = settings.startingInventory
        if settings.startingConsumption > 0 {
            lots = [(start, Int64(settings.startingConsumption) * 1000)]
            lotMilli = Int64(settings.startingConsumption) * 1000
        }
        while burnIndex + 1 < self.demand.count, self.demand[burnIndex + 1].ms <= start { burnIndex += 1 }
        while bookIndex + 1 < recording.books.count, recording.books.times[bookIndex + 1] <= start { bookIndex += 1 }
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
            let to = waiting.first.flatMap { orders[$0]?.effectiveMs }.flatMap { $0 <= target ? $0 : nil } ?? Int64.max
            let next = min(tb, tt, to)
            if next == .max {
                consume(until: target)
                return
            }
            consume(until: next)
            if next == tb {
                bookIndex += 1
                if !taken.isEmpty { taken.removeAll(keepingCapacity: true) }
                if !resting.isEmpty { matchResting() }
            } else if next == tt {
                let trade = trades[tradeIndex]
                tradeIndex += 1
                if !resting.isEmpty { matchResting(trade: trade) }
            } else {
                execute(waiting.removeFirst())
            }
        }
    }

    private func consume(until t: Int64) {
        while now < t {
            var boundary = t
            if burnIndex + 1 < demand.count { boundary = min(boundary, demand[burnIndex + 1].ms) }
            if let oldest = lots.first { boundary = min(boundary, oldest.arrived + Self.lotLifeMs) }
            boundary = max(boundary, now)
            let rate = burnIndex >= 0 ? Double(demand[burnIndex].milliUnitsPerHour) / 3_600_000 : 0  // thousandths per ms
            let span = Double(boundary - now)
            if rate > 0 {
                if lotMilli == 0 {
                    stats.stockoutSeconds += span / 1000
                    stats.unmetUnits += rate * span / 1000
                    carry = 0
                    now = boundary
                } else {
                    let wanted = carry + rate * span
                    if wanted >= Double(lotMilli) {
                        // Runs out inside this span.
                        let exhaust = now + Int64(((Double(lotMilli) - carry) / rate).rounded(.up))
                        use(lotMilli)
                        carry = 0
                        now = min(max(exhaust, now + 1), boundary)
                    } else {
                        let whole = Int64(wanted)
                        use(whole)
                        carry = wanted - Double(whole)
                        now = boundary
                    }
                }
            } else {
                now = boundary
            }
            if burnIndex + 1 < demand.count, demand[burnIndex + 1].ms <= now { burnIndex += 1 }
            while let oldest = lots.first, oldest.arrived + Self.lotLifeMs <= now {
                stats.expiredMilliUnits += oldest.milli
                lotMilli -= oldest.milli
                lots.removeFirst()
            }
        }
        now = max(now, t)
    }

    private func use(_ milli: Int64) {
        var left = milli
        stats.usedMilliUnits += milli
        lotMilli -= milli
        while left > 0, !lots.isEmpty {
            if lots[0].milli > left {
                lots[0].milli -= left
                left = 0
            } else {
                left -= lots[0].milli
                lots.removeFirst()
            }
        }
    }

    private func arrive(_ units: Int) {
        guard units > 0 else { return }
        lots.append((now, Int64(units) * 1000))
        lotMilli += Int64(units) * 1000
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
        var bids: [BookLevel] = [], asks: [BookLevel] = []
        for k in 0..<recording.books.depth {
            if let l = level(0, k) { bids.append(BookLevel(price: Micros.decimal(l.price), quantity: Decimal(l.quantity))) }
            if let l = level(1, k) { asks.append(BookLevel(price: Micros.decimal(l.price), quantity: Decimal(max(0, l.quantity - (taken[l.price] ?? 0))))) }
        }
        return ExchangeView(
            instrumentID: instrumentID, marketID: marketID, consumption: lotUnits, inventory: inventory,
            usdAvailable: Micros.decimal(usd - locked), bids: bids, asks: asks, last: lastPrice.map(Micros.decimal),
            controls: OrderControls(tickSize: settings.tick, lotSize: 1, minOrderSize: 1), openOrders: resting.compactMap { orders[$0]?.order },
            exchangeTime: Date(ledgerMilliseconds: now))
    }

    // MARK: Orders

    public func place(_ request: PlaceOrderRequest) async throws(GridAPIError) -> PlacedOrder {
        let endpoint = "POST /v1/orders (replay)"
        if let clientID = request.clientOrderID, let id = byClientID[clientID], let existing = orders[id] {
            return PlacedOrder(orderID: id, clientOrderID: clientID, status: existing.order.status)
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
        let lock = limit.map { Int64(quantity) * $0 + fee(Int64(quantity) * $0) } ?? 0
        if lock > usd - locked { throw .rejected(endpoint: endpoint, status: 422, detail: "insufficient funds") }
        sequence += 1
        let id = "replay-\(sequence)"
        let stamp = Self.stamp(now)
        let order = Order(orderID: id, clientOrderID: request.clientOrderID, marketID: marketID, instrumentID: instrumentID, side: .buy,
                          type: request.type, status: "open", quantity: Decimal(quantity), price: request.price, createdAt: stamp, updatedAt: stamp)
        locked += lock
        orders[id] = ReplayOrder(order: order, remaining: quantity, limit: limit, effectiveMs: now + Int64(settings.latency * 1000), lockedMicros: lock)
        if let clientID = request.clientOrderID { byClientID[clientID] = id }
        if settings.latency > 0 { waiting.append(id) } else { execute(id) }
        return PlacedOrder(orderID: id, clientOrderID: request.clientOrderID, status: orders[id]?.order.status)
    }

    private func fee(_ notional: Int64) -> Int64 { feeMillionths == 0 ? 0 : (notional * feeMillionths + 999_999) / 1_000_000 }

    /// The order reaches the book: it takes what it can, then a limit rests and a market ends.
    private func execute(_ id: String) {
        guard var o = orders[id], !o.order.isTerminal else { return }
        var k = 0
        while o.remaining > 0, let level = level(1, k) {
            if let limit = o.limit, level.price > limit { break }
            var units = min(o.remaining, level.quantity - (taken[level.price] ?? 0))
            if o.limit == nil {
                let cash = usd - locked
                units = min(units, Int(max(0, cash) / (level.price + fee(level.price))))
            }
            if units > 0 {
                taken[level.price, default: 0] += units
                fill(&o, id: id, units: units, price: level.price)
            }
            if o.limit == nil, units == 0, level.quantity - (taken[level.price] ?? 0) > 0 { break }  // out of cash
            k += 1
        }
        if o.remaining == 0 {
            o.order.status = "filled"
        } else if o.limit == nil {
            o.order.status = "cancelled"
            o.order.closureReason = "no more liquidity or funds"
        } else {
            resting.append(id)
        }
        release(&o)
        orders[id] = o
    }

    private func fill(_ o: inout ReplayOrder, id: String, units: Int, price: Int64) {
        let notional = Int64(units) * price
        let charge = fee(notional)
        if let limit = o.limit {
            // Release the lock held for these units at the limit price.
            let held = Int64(units) * limit + fee(Int64(units) * limit)
            let release = min(held, o.lockedMicros)
            o.lockedMicros -= release
            locked -= release
        }
        usd -= notional + charge
        o.remaining -= units
        o.order.filledQuantity += Decimal(units)
        o.order.status = o.remaining == 0 ? "filled" : "partially_filled"
        o.order.updatedAt = Self.stamp(now)
        if autoTransfers { arrive(units) } else { inventory += units }
        sequence += 1
        let trade = Trade(tradeID: "replay-trade-\(sequence)", orderID: id, marketID: marketID, instrumentID: instrumentID, side: .buy,
                          price: Micros.decimal(price), quantity: Decimal(units), fee: Micros.decimal(charge), executionTimestamp: Self.stamp(now))
        fillsByOrder[id, default: []].append(trade)
        fills.append(trade)
        let cost = (fillsByOrder[id] ?? []).reduce(Decimal(0)) { $0 + $1.price * $1.quantity }
        o.order.averagePrice = cost / o.order.filledQuantity
    }

    /// Unlocks what an order no longer needs once it has ended.
    private func release(_ o: inout ReplayOrder) {
        if o.order.isTerminal || o.remaining == 0 {
            locked -= o.lockedMicros
            o.lockedMicros = 0
        }
    }

    private func matchResting(trade: TradePrint? = nil) {
        var still: [String] = []
        for id in resting {
            guard var o = orders[id], !o.order.isTerminal, let limit = o.limit else { continue }
            if let trade {
                if trade.price < limit { fill(&o, id: id, units: min(o.remaining, trade.quantity), price: limit) }
            } else {
                var k = 0
                while o.remaining > 0, let level = level(1, k), level.price <= limit {
                    let units = min(o.remaining, level.quantity - (taken[level.price] ?? 0))
                    if units > 0 {
                        taken[level.price, default: 0] += units
                        fill(&o, id: id, units: units, price: limit)
                    }
                    k += 1
                }
            }
            release(&o)
            orders[id] = o
            if !o.order.isTerminal { still.append(id) }
        }
        resting = still
    }

    public func order(clientOrderID: String, marketID: String?) async throws(GridAPIError) -> Order? {
        byClientID[clientOrderID].flatMap { orders[$0]?.order }
    }

    public func order(id: String) async throws(GridAPIError) -> Order {
        guard let o = orders[id] else { throw .rejected(endpoint: "GET /v1/orders/\(id) (replay)", status: 404, detail: "not found") }
        return o.order
    }

    public func fills(orderID: String) async throws(GridAPIError) -> [Trade] { fillsByOrder[orderID] ?? [] }

    public func cancel(orderID: String) async throws(GridAPIError) {
        let endpoint = "DELETE /v1/orders/\(orderID) (replay)"
        guard var o = orders[orderID] else { throw .rejected(endpoint: endpoint, status: 404, detail: "not found") }
        guard !o.order.isTerminal else { throw .rejected(endpoint: endpoint, status: 500, detail: "order_already_cancelled") }
        o.order.status = "cancelled"
        o.order.updatedAt = Self.stamp(now)
        release(&o)
        orders[orderID] = o
        resting.removeAll { $0 == orderID }
        waiting.removeAll { $0 == orderID }
        cancels += 1
    }

    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(GridAPIError) -> String {
        guard instrumentID == self.instrumentID else { throw .rejected(endpoint: "POST /v1/transfers (replay)", status: 404, detail: "unknown instrument") }
        guard quantity > 0, quantity <= inventory else { throw .rejected(endpoint: "POST /v1/transfers (replay)", status: 422, detail: "insufficient balance") }
        inventory -= quantity
        arrive(quantity)
        sequence += 1
        return "replay-transfer-\(sequence)"
    }

    /// USD left, inventory and consumption now.
    public func balances() -> (usd: Decimal, inventory: Int, consumption: Int) { (Micros.decimal(usd), inventory, lotUnits) }

    static func stamp(_ ms: Int64) -> String {
        Date(ledgerMilliseconds: ms).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
