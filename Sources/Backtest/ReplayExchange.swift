import Engine
import Execution
import Foundation
import GridKeeperCore
import GridKeeperMacros
import Ledger

/// How a replay treats orders and money.
@MemberwiseInit
public struct ReplaySettings: Sendable {
    public var startingUSD: Decimal = 10_000
    public var startingInventory: Int = 0
    public var startingConsumption: Int = 0
    /// Time between sending an order and its reaching the book.
    public var latency: TimeInterval = 0
    /// Fee as a fraction of the notional (0.001 = 10 bps).
    public var feeRate: Decimal = 0
    public var tick: Decimal = MarketRules.standardTick
    /// Filled units go to consumption by themselves (an account with auto-transfer on).
    public var autoTransfers: Bool = false
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
public actor ReplayExchange: JournaledExchange {
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
    public private(set) var journal = OrderJournal(label: "replay order")
    private var sequence = 0
    /// Every fill, in order (for reports).
    public private(set) var fills: [OrderFill] = []
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
        let fee = Micros.rounded(settings.feeRate, up: true)
        self.matcher = Matcher(rules: .init(feeMillionths: fee, latencyMilliseconds: Int64(settings.latency * 1000)))
        let start = recording.books.times.first ?? 0
        self.now = start
        self.usd = Micros.rounded(settings.startingUSD, up: false)
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

    public func view(instrument: String) async throws(ExchangeError) -> ExchangeView {
        guard instrument == recording.instrument else { throw .rejected("replay: the recording is of \(recording.instrument), not \(instrument)") }
        var bids: [PriceLevel] = []
        for k in 0..<recording.books.depth {
            if let l = level(0, k) { bids.append(PriceLevel(price: Micros.decimal(l.price), quantity: Decimal(l.quantity))) }
        }
        let asks = matcher.offered.map { PriceLevel(price: Micros.decimal($0.price), quantity: Decimal($0.quantity)) }
        return ExchangeView(
            instrumentID: instrumentID, marketID: marketID, consumption: consumption.units, inventory: inventory,
            usdAvailable: Micros.decimal(usd - matcher.locked), bids: bids, asks: asks, last: lastPrice.map(Micros.decimal),
            rules: MarketRules(tick: settings.tick, lotSize: 1, minOrderSize: 1),
            openOrders: matcher.open.filter { $0.state == .resting }.compactMap { ticket($0.id) },
            exchangeTime: Date(ledgerMilliseconds: now))
    }

    // MARK: Orders

    public func place(_ request: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        if let id = journal.orderID(clientOrderID: request.clientOrderID), let existing = ticket(id) { return existing }
        guard request.marketID == marketID else { throw .rejected("replay order \(request.clientOrderID): unknown market \(request.marketID)") }
        var limit: Int64?
        if let price = request.limit {
            guard let micros = try? Micros.exactly(price), micros > 0 else {
                throw .rejected("replay order \(request.clientOrderID): a limit order needs a positive price in whole micro-dollars")
            }
            limit = micros
        }
        sequence += 1
        let id = "replay-\(sequence)"
        let placed: [Matcher.Fill]
        do {
            placed = try matcher.submit(id: id, quantity: request.quantity, limit: limit, funds: usd, at: now)
        } catch {
            throw .rejected("replay order \(request.clientOrderID): \(error.description)")
        }
        journal.add(id: id, clientOrderID: request.clientOrderID, marketID: marketID, instrument: instrumentID)
        apply(placed)
        guard let ticket = ticket(id) else { throw .rejected("replay order \(request.clientOrderID): not kept") }
        return ticket
    }

    public func ticket(_ id: String) -> OrderTicket? {
        guard let entry = journal.entry(id), let t = matcher.ticket(id) else { return nil }
        return OrderTicket(t, clientOrderID: entry.clientOrderID, marketID: marketID)
    }

    /// Books fills: cash and units move and the fills are kept.
    private func apply(_ batch: [Matcher.Fill]) {
        for f in batch {
            usd -= f.cost
            if autoTransfers { consumption.arrive(units: f.units, at: now) } else { inventory += f.units }
            sequence += 1
            let fill = OrderFill(f, tradeID: "replay-trade-\(sequence)")
            journal.book(fill, to: f.orderID)
            fills.append(fill)
        }
    }

    public func cancel(orderID: String) async throws(ExchangeError) {
        guard journal.entry(orderID) != nil else { throw .rejected("replay order \(orderID): not found") }
        guard matcher.cancel(orderID) else { throw .rejected("replay order \(orderID): already ended") }
        cancels += 1
    }

    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        guard instrumentID == self.instrumentID else { throw .rejected("replay transfer: unknown instrument \(instrumentID)") }
        guard quantity > 0, quantity <= inventory else { throw .rejected("replay transfer of \(quantity) units: insufficient balance") }
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
