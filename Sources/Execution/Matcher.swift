import Foundation

/// The one fill model: how our buy orders fill against an observed order book, in integer
/// micro-dollars. The replay of a backtest and paper trading are thin adapters over it, so the
/// same book and the same orders fill the same way in both.
///
/// The rules, deliberately conservative:
/// - **Arrival.** An order reaches the book `latency` after it is sent.
/// - **Taking.** On arrival it takes the asks at or under its limit (every ask for a market
///   order), best first, at their prices. A market order takes only what the funds it was
///   given allow; what it cannot fill is cancelled. A limit order rests with the rest.
/// - **Liquidity taken stays taken** while the same snapshot stands: units an order took are
///   not offered again until a snapshot whose asks differ arrives.
/// - **Resting fills** (the rule every mode shares): a resting buy fills *at its own limit*,
///   never better, when a later snapshot shows asks at or under it (up to what they show), or
///   when a trade prints strictly under it (up to the print's quantity, shared by the resting
///   orders in time priority; a print at exactly the limit may have been someone ahead in the
///   queue).
/// - **Fees.** Every fill is charged `ceil(notional × fee rate)`.
/// - **Funds.** A limit order locks its quantity at its limit plus the fee until it fills or
///   ends; a limit order whose lock exceeds the free funds is refused.
public struct Matcher: Sendable {
    /// A price level of the book.
    public typealias Level = DepthLevel<Int64, Int>

    /// Fees and latency.
    public struct Rules: Sendable, Equatable {
        /// Fee per unit of notional, in millionths (1,000 = 10 bps).
        public var feeMillionths: Int64
        /// Time between sending an order and its reaching the book, in milliseconds.
        public var latencyMilliseconds: Int64

        public init(feeMillionths: Int64 = 0, latencyMilliseconds: Int64 = 0) {
            self.feeMillionths = max(0, feeMillionths)
            self.latencyMilliseconds = max(0, latencyMilliseconds)
        }
    }

    public enum State: Sendable, Equatable {
        /// Sent, not yet at the book (latency).
        case waiting
        /// On the book (a limit order with units left).
        case resting
        case filled
        /// Ended with units left: cancelled, or a market order that ran out of book or funds.
        case cancelled
    }

    /// One of our orders, as the matcher sees it.
    public struct Ticket: Sendable, Equatable {
        public let id: String
        public let quantity: Int
        /// Limit price (micro-dollars); `nil` for a market order.
        public let limit: Int64?
        public let sentAt: Int64
        public fileprivate(set) var remaining: Int
        public fileprivate(set) var state: State
        /// Notional of the fills so far (micro-dollars).
        public fileprivate(set) var notional: Int64 = 0
        /// Funds still locked for the unfilled units (micro-dollars).
        public fileprivate(set) var locked: Int64 = 0

        public var filled: Int { quantity - remaining }
        public var isTerminal: Bool { state == .filled || state == .cancelled }
        var arrivesAt: Int64
    }

    /// A fill of one of our orders.
    public struct Fill: Sendable, Equatable {
        public var orderID: String
        public var units: Int
        /// Price per unit (micro-dollars).
        public var price: Int64
        /// Fee charged (micro-dollars).
        public var fee: Int64
        /// When it happened (ms).
        public var at: Int64

        /// What the fill cost: notional plus fee (micro-dollars).
        public var cost: Int64 { Int64(units) * price + fee }
    }

    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case duplicateID
        case notAPositiveQuantity
        case notAPositivePrice
        case insufficientFunds

        public var description: String {
            switch self {
            case .duplicateID: "an order with this id exists"
            case .notAPositiveQuantity: "quantity must be a positive whole number"
            case .notAPositivePrice: "a limit order needs a positive price"
            case .insufficientFunds: "insufficient funds"
            }
        }
    }

    public let rules: Rules
    /// The asks of the snapshot that stands.
    public private(set) var asks: [Level] = []
    /// Funds locked by open limit orders (micro-dollars).
    public private(set) var locked: Int64 = 0
    private var taken: [Int64: Int] = [:]
    private var tickets: [String: Ticket] = [:]
    private var resting: [String] = []
    private var waiting: [String] = []

    public init(rules: Rules = Rules()) {
        self.rules = rules
    }

    /// The fee on `notional` micro-dollars, rounded up.
    public func fee(_ notional: Int64) -> Int64 {
        rules.feeMillionths == 0 ? 0 : (notional * rules.feeMillionths + 999_999) / 1_000_000
    }

    public func ticket(_ id: String) -> Ticket? { tickets[id] }

    /// Orders not yet ended, oldest first.
    public var open: [Ticket] { (waiting + resting).compactMap { tickets[$0] }.sorted { $0.sentAt < $1.sentAt } }

    /// What the standing snapshot still offers: its asks less what our orders took.
    public var offered: [Level] {
        asks.map { Level(price: $0.price, quantity: max(0, $0.quantity - (taken[$0.price] ?? 0))) }
    }

    /// When the next waiting order reaches the book.
    public var nextArrival: Int64? { waiting.first.flatMap { tickets[$0]?.arrivesAt } }

    // MARK: Market data

    /// A snapshot of the book arrives: if its asks differ from the standing ones, liquidity
    /// taken before is offered again; then resting orders fill at their limits.
    public mutating func observe(asks new: [Level], at ms: Int64) -> [Fill] {
        if new != asks {
            asks = new
            if !taken.isEmpty { taken.removeAll(keepingCapacity: true) }
        }
        guard !resting.isEmpty else { return [] }
        var fills: [Fill] = []
        for id in resting {
            guard var t = tickets[id], let limit = t.limit else { continue }
            for level in asks where t.remaining > 0 && level.price <= limit {
                let units = min(t.remaining, level.quantity - (taken[level.price] ?? 0))
                guard units > 0 else { continue }
                taken[level.price, default: 0] += units
                fills.append(fill(&t, units: units, price: limit, at: ms))
            }
            tickets[id] = t
        }
        resting.removeAll { tickets[$0]?.isTerminal ?? true }
        return fills
    }

    /// A trade prints: resting orders whose limit is strictly above its price fill at their
    /// limits, in time priority, up to the print's quantity.
    public mutating func observe(tradeAt price: Int64, quantity: Int, at ms: Int64) -> [Fill] {
        guard !resting.isEmpty else { return [] }
        var left = quantity
        var fills: [Fill] = []
        for id in resting where left > 0 {
            guard var t = tickets[id], let limit = t.limit, price < limit else { continue }
            let units = min(t.remaining, left)
            left -= units
            fills.append(fill(&t, units: units, price: limit, at: ms))
            tickets[id] = t
        }
        resting.removeAll { tickets[$0]?.isTerminal ?? true }
        return fills
    }

    // MARK: Orders

    /// Sends a buy order at `ms`. `funds` is what the account can spend before this matcher's
    /// locks (micro-dollars): a limit order must be able to lock its notional and fee in it,
    /// and a market order takes only what it pays for. With no latency the order reaches the
    /// book at once and the fills are returned.
    public mutating func submit(id: String, quantity: Int, limit: Int64?, funds: Int64, at ms: Int64) throws(Refusal) -> [Fill] {
        guard tickets[id] == nil else { throw .duplicateID }
        guard quantity > 0 else { throw .notAPositiveQuantity }
        if let limit, limit <= 0 { throw .notAPositivePrice }
        let lock = limit.map { Int64(quantity) * $0 + fee(Int64(quantity) * $0) } ?? 0
        guard lock <= funds - locked else { throw .insufficientFunds }
        var t = Ticket(id: id, quantity: quantity, limit: limit, sentAt: ms, remaining: quantity, state: .waiting,
                       arrivesAt: ms + rules.latencyMilliseconds)
        t.locked = lock
        locked += lock
        tickets[id] = t
        if rules.latencyMilliseconds > 0 {
            waiting.append(id)
            return []
        }
        return execute(id, funds: funds, at: ms)
    }

    /// The next waiting order reaches the book at `ms` (its arrival time) and takes what it can.
    public mutating func arrive(funds: Int64, at ms: Int64) -> [Fill] {
        guard !waiting.isEmpty else { return [] }
        return execute(waiting.removeFirst(), funds: funds, at: ms)
    }

    /// Ends an open order; returns `false` when it is unknown or already ended.
    public mutating func cancel(_ id: String) -> Bool {
        guard var t = tickets[id], !t.isTerminal else { return false }
        t.state = .cancelled
        release(&t)
        tickets[id] = t
        resting.removeAll { $0 == id }
        waiting.removeAll { $0 == id }
        return true
    }

    /// The order reaches the book: it takes what it can, then a limit rests and a market ends.
    private mutating func execute(_ id: String, funds: Int64, at ms: Int64) -> [Fill] {
        guard var t = tickets[id], !t.isTerminal else { return [] }
        var fills: [Fill] = []
        var spent: Int64 = 0
        for level in asks where t.remaining > 0 {
            if let limit = t.limit, level.price > limit { break }
            let shown = level.quantity - (taken[level.price] ?? 0)
            var units = min(t.remaining, shown)
            if t.limit == nil {
                let cash = funds - locked - spent
                units = min(units, Int(max(0, cash) / (level.price + fee(level.price))))
            }
            if units > 0 {
                taken[level.price, default: 0] += units
                let f = fill(&t, units: units, price: level.price, at: ms)
                spent += f.cost
                fills.append(f)
            }
            if t.limit == nil, units == 0, shown > 0 { break }  // out of funds
        }
        if t.remaining > 0 {
            if t.limit == nil {
                t.state = .cancelled
            } else {
                t.state = .resting
                resting.append(id)
            }
        }
        tickets[id] = t
        return fills
    }

    private mutating func fill(_ t: inout Ticket, units: Int, price: Int64, at ms: Int64) -> Fill {
        let notional = Int64(units) * price
        if let limit = t.limit {
            // Release the lock held for these units at the limit price.
            let held = min(t.locked, Int64(units) * limit + fee(Int64(units) * limit))
            t.locked -= held
            locked -= held
        }
        t.remaining -= units
        t.notional += notional
        if t.remaining == 0 {
            t.state = .filled
            release(&t)
        }
        return Fill(orderID: t.id, units: units, price: price, fee: fee(notional), at: ms)
    }

    /// Unlocks what an ended order no longer needs.
    private mutating func release(_ t: inout Ticket) {
        locked -= t.locked
        t.locked = 0
    }
}
