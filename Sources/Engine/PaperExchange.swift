import Execution
import Foundation
import GridKeeperCore
import GridKeeperMacros
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
public actor PaperExchange: JournaledExchange {
    private let market: any Exchange
    private let now: @Sendable () -> Date
    private let rules: Matcher.Rules
    public nonisolated let autoTransfers = false
    public private(set) var journal = OrderJournal(label: "paper order")
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
        self.spent = Micros.rounded(carried.spent, up: true)
        self.bought = carried.bought
        for (symbol, list) in carried.transfers {
            var book = LotBook()
            for t in list.sorted(by: { $0.at < $1.at }) { book.arrive(units: t.units, at: t.at.ledgerMilliseconds) }
            lots[symbol] = book
            transferred[symbol] = list.reduce(0) { $0 + $1.units }
        }
    }

    public func view(instrument symbol: String) async throws(ExchangeError) -> ExchangeView {
        try await refresh(symbol).view
    }

    /// Reads the real market, lets paper orders fill against it, and returns the view with the
    /// paper trades applied and the funds paper orders may use (before the matcher's locks).
    private func refresh(_ symbol: String) async throws(ExchangeError) -> (view: ExchangeView, funds: Int64) {
        var real = try await market.view(instrument: symbol)
        instruments[real.instrumentID] = symbol
        views[real.marketID] = real
        let time = now()
        let ms = time.ledgerMilliseconds
        var matcher = matchers[real.marketID] ?? Matcher(rules: rules)
        let asks = real.asks.map { Matcher.Level(price: Micros.rounded($0.price, up: true), quantity: Self.wholeDown($0.quantity)) }
        let filled = matcher.observe(asks: asks, at: ms)
        matchers[real.marketID] = matcher
        apply(filled)
        var book = lots[symbol] ?? LotBook()
        book.expire(through: ms)
        lots[symbol] = book
        let funds = Micros.rounded(real.usdAvailable, up: false) - spent
        real.usdAvailable = Micros.decimal(max(0, funds - matcher.locked))
        real.inventory += (bought[symbol] ?? 0) - (transferred[symbol] ?? 0)
        real.consumption += book.units
        real.asks = matcher.offered.map { PriceLevel(price: Micros.decimal($0.price), quantity: Decimal($0.quantity)) }
        real.openOrders = matcher.open.compactMap { ticket($0.id) }
        return (real, funds)
    }

    public func place(_ request: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        if let id = journal.orderID(clientOrderID: request.clientOrderID), let existing = ticket(id) { return existing }
        guard let view = views[request.marketID], let symbol = instruments[view.instrumentID] else {
            throw .rejected("paper order: no observed book for market \(request.marketID)")
        }
        let funds = try await refresh(symbol).funds
        sequence += 1
        let id = "paper-\(sequence)-\(request.clientOrderID)"
        let limit = request.limit.map { Micros.rounded($0, up: false) }
        var matcher = matchers[request.marketID] ?? Matcher(rules: rules)
        do {
            let filled = try matcher.submit(id: id, quantity: request.quantity, limit: limit, funds: funds, at: now().ledgerMilliseconds)
            matchers[request.marketID] = matcher
            journal.add(id: id, clientOrderID: request.clientOrderID, marketID: request.marketID, instrument: symbol)
            apply(filled)
        } catch {
            throw .rejected("paper order \(request.clientOrderID): \(error.description)")
        }
        guard let placed = ticket(id) else { throw .rejected("paper order \(request.clientOrderID): not kept") }
        return placed
    }

    public func ticket(_ id: String) -> OrderTicket? {
        guard let o = journal.entry(id), let t = matchers[o.marketID]?.ticket(id) else { return nil }
        return OrderTicket(t, clientOrderID: o.clientOrderID, marketID: o.marketID)
    }

    public func cancel(orderID: String) async throws(ExchangeError) {
        guard let o = journal.entry(orderID) else { throw .rejected("paper order \(orderID): not found") }
        guard matchers[o.marketID]?.cancel(orderID) == true else { throw .rejected("paper order \(orderID): already ended") }
    }

    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        guard let symbol = instruments[instrumentID] else { throw .rejected("paper transfer: unknown instrument \(instrumentID)") }
        let held = (bought[symbol] ?? 0) - (transferred[symbol] ?? 0)
        let real = views.values.first { $0.instrumentID == instrumentID }?.inventory ?? 0
        guard quantity > 0, quantity <= held + real else { throw .rejected("paper transfer of \(quantity) units: insufficient balance") }
        lots[symbol, default: LotBook()].arrive(units: quantity, at: now().ledgerMilliseconds)
        transferred[symbol, default: 0] += quantity
        sequence += 1
        return "paper-transfer-\(sequence)"
    }

    // MARK: Fills

    /// Books fills: cash and units move and the fills are kept for `fills(orderID:)`.
    private func apply(_ batch: [Matcher.Fill]) {
        for f in batch {
            guard let o = journal.entry(f.orderID) else { continue }
            spent += f.cost
            bought[o.instrument, default: 0] += f.units
            sequence += 1
            journal.book(OrderFill(f, tradeID: "paper-trade-\(sequence)"), to: f.orderID)
        }
    }

    static func wholeDown(_ value: Decimal) -> Int {
        var input = value, result = Decimal()
        NSDecimalRound(&result, &input, 0, .down)
        return max(0, NSDecimalNumber(decimal: result).intValue)
    }
}

extension OrderTicket {
    /// An order as the fill model's ticket stands: filled quantity, average price and status (a
    /// market order the book could not fill is cancelled).
    public init(_ ticket: Matcher.Ticket, clientOrderID: String?, marketID: String) {
        let status: OrderStatus = switch ticket.state {
        case .waiting, .resting: ticket.filled > 0 ? .partiallyFilled : .open
        case .filled: .filled
        case .cancelled: .cancelled
        }
        self.init(id: ticket.id, clientOrderID: clientOrderID, marketID: marketID, side: .buy, status: status, quantity: Decimal(ticket.quantity),
                  filled: Decimal(ticket.filled), limit: ticket.limit.map(Micros.decimal),
                  averagePrice: ticket.filled > 0 ? Micros.decimal(ticket.notional) / Decimal(ticket.filled) : nil)
    }
}

extension OrderFill {
    /// A fill of the fill model.
    public init(_ fill: Matcher.Fill, tradeID: String) {
        self.init(tradeID: tradeID, orderID: fill.orderID, price: Micros.decimal(fill.price), quantity: Decimal(fill.units), fee: Micros.decimal(fill.fee),
                  executedAt: Date(ledgerMilliseconds: fill.at))
    }
}

/// Paper trades of earlier runs, read back from the ledger so paper balances carry over a restart.
@MemberwiseInit
public struct PaperCarry: Sendable {
    public var spent: Decimal = 0
    public var bought: [String: Int] = [:]
    public var transfers: [String: [(at: Date, units: Int)]] = [:]
}
