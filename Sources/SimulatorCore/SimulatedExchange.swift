import Execution
import Foundation
import GridAPI
import GridKeeperCore

/// The state of a simulated Grid account and its markets. All API semantics live here; the
/// HTTP layer (`SimulatorServer`) routes, authenticates, rate-limits and encodes.
public actor SimulatedExchange {
    struct Resting {
        var orderID: String?  // nil for liquidity providers
        var price: Decimal
        var quantity: Int
        var sequence: Int
    }

    struct Book {
        var bids: [Resting] = []  // best (highest) first
        var asks: [Resting] = []  // best (lowest) first
    }


    let configuration: SimulatorConfiguration
    public nonisolated let clock: SimulationClock
    public internal(set) var accountMode: String
    public internal(set) var autoTransfer: Bool

    var instruments: [Instrument] = []
    var markets: [Market] = []
    var books: [String: Book] = [:]
    var lastTrade: [String: (price: Decimal, quantity: Int, at: Date)] = [:]
    var tape: [String: [PublicTrade]] = [:]

    var usdAvailable: Decimal
    var usdLocked: Decimal = 0
    var inventory: [String: Int] = [:]
    var inventoryLocked: [String: Int] = [:]
    /// Consumption of each instrument (by id), with what it used, lost and went without.
    var lots: [String: LotBook] = [:]

    var orders: [Order] = []
    var orderIndex: [String: Int] = [:]
    var clientOrderIndex: [String: String] = [:]
    var lockedForOrder: [String: Decimal] = [:]
    var fills: [Trade] = []
    var transfers: [TransferHistory] = []
    // Faults and the request log the server consults (see SimulatedExchange+RequestControls.swift).
    var faults: [Fault] = []
    public internal(set) var requestLog: [RequestRecord] = []
    // Stepping state (see SimulatedExchange+Steps.swift).
    var rng: SplitMix64
    var nextStep: Date
    var midTicks: [String: Double] = [:]
    var burn: [String: BurnProfile] = [:]
    var burnCarry: [String: Double] = [:]
    var burstUntil: [String: Date] = [:]
    var sequence = 0

    /// - Parameters:
    ///   - configuration: starting balances and switches.
    ///   - clock: simulated time; the market and consumption step through it.
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), clock: SimulationClock = SimulationClock()) {
        self.configuration = configuration
        self.clock = clock
        self.accountMode = configuration.accountMode
        self.autoTransfer = configuration.autoTransfer
        self.usdAvailable = configuration.startingUSD
        var instruments: [Instrument] = []
        var markets: [Market] = []
        var books: [String: Book] = [:]
        var sequence = 0
        for (index, entry) in configuration.instruments.enumerated() {
            let instrumentID = Self.stableID("instrument", index)
            let marketID = Self.stableID("market", index)
            let instrument = Instrument(instrumentID: instrumentID, symbol: entry.symbol, name: entry.name)
            instruments.append(instrument)
            markets.append(Market(
                marketID: marketID, name: "\(entry.symbol)/USD", associatedInstruments: [instrumentID], instruments: [instrument],
                orderControls: OrderControls(tickSize: configuration.tickSize, lotSize: 1, minOrderSize: 1, maxOrderSize: 100_000)))
            var book = Book()
            for level in 1...max(1, configuration.bookDepth) {
                sequence += 1
                let step = configuration.tickSize * Decimal(level)
                book.asks.append(Resting(orderID: nil, price: entry.referencePrice + step, quantity: configuration.levelQuantity, sequence: sequence))
                if entry.referencePrice - step > 0 {
                    book.bids.append(Resting(orderID: nil, price: entry.referencePrice - step, quantity: configuration.levelQuantity, sequence: sequence))
                }
            }
            books[marketID] = book
        }
        self.instruments = instruments
        self.markets = markets
        self.books = books
        self.sequence = sequence
        let start = clock.now
        self.rng = SplitMix64(seed: configuration.market?.seed ?? configuration.seed)
        self.nextStep = start.addingTimeInterval(TimeInterval(configuration.market?.stepSeconds ?? 60))
        for (index, entry) in configuration.instruments.enumerated() {
            let id = instruments[index].instrumentID
            midTicks[markets[index].marketID] = NSDecimalNumber(decimal: entry.referencePrice / configuration.tickSize).doubleValue
            if let profile = configuration.burn[entry.symbol] { burn[id] = profile }
        }
        for instrument in instruments {
            inventory[instrument.instrumentID] = configuration.startingInventory[instrument.symbol] ?? 0
            if let units = configuration.startingConsumption[instrument.symbol], units > 0 {
                lots[instrument.instrumentID] = LotBook(units: units, arrivedAt: LotBook.milliseconds(start))
            }
        }
    }

    /// Ids shaped like the exchange's wire form (`market-<uuid>`), stable across runs.
    static func stableID(_ prefix: String, _ index: Int) -> String {
        let hex = String(format: "%012x", index + 1)
        return "\(prefix)-00000000-0000-4000-8000-\(hex)"
    }

    // MARK: Clock

    /// Simulated now.
    public var now: Date { clock.now }

    /// Jumps simulated time forward, stepping the market and consumption through it.
    public func advance(by seconds: TimeInterval) {
        clock.advance(by: seconds)
        catchUp()
    }

    func timestamp() -> String { now.ISO8601Format() }

    func nextID(_ prefix: String) -> String {
        sequence += 1
        return "\(prefix)_\(String(format: "%010d", sequence))"
    }

    // MARK: Account switches

    public func setAccountMode(_ mode: String) { accountMode = mode }
    public func setAutoTransfer(_ on: Bool) { autoTransfer = on }
    public func setUSD(_ amount: Decimal) { usdAvailable = amount }

    /// Usable consumption units of `symbol` right now.
    public func consumptionUnits(symbol: String) -> Int {
        catchUp()
        guard let id = instruments.first(where: { $0.symbol == symbol })?.instrumentID else { return 0 }
        return usable(id)
    }

    public func inventoryUnits(symbol: String) -> Int {
        guard let id = instruments.first(where: { $0.symbol == symbol })?.instrumentID else { return 0 }
        return inventory[id] ?? 0
    }

    public func usdBalance() -> (available: Decimal, locked: Decimal) { (usdAvailable, usdLocked) }

    public func allOrders() -> [Order] { orders }
    public func allFills() -> [Trade] { fills }

    public func marketID(symbol: String) -> String? {
        markets.first { $0.instruments.contains { $0.symbol == symbol } }?.marketID
    }

    public func instrumentID(symbol: String) -> String? {
        instruments.first { $0.symbol == symbol }?.instrumentID
    }

    // MARK: Account endpoints

    public func me() -> Me {
        Me(userID: "user-00000000-0000-4000-8000-000000000001", email: "sim@gridkeeper.local", accountMode: accountMode,
           capabilities: accountMode == "advanced" ? ["trade:read", "trade:write"] : ["trade:read"])
    }

    public func accountLimits(marketID: String?) -> AccountLimits {
        AccountLimits(marketID: marketID, orderRateLimits: .init(scope: "user_market", maxOrdersPerSecond: 10, maxOrdersPerMinute: 300, burstCapacity: 20, windowSeconds: 60))
    }

    var usdAccount: CurrencyAccount {
        CurrencyAccount(accountID: "currency_trading_account_0000000000000001", availableBalance: usdAvailable,
                        lockedBalance: usdLocked, totalBalance: usdAvailable + usdLocked)
    }

    public func currencyAccounts() -> [CurrencyAccount] { [usdAccount] }

    public func tradingAccounts() -> [TradingAccount] {
        var rows = [TradingAccount(accountID: usdAccount.accountID, currency: "usd", availableBalance: usdAvailable,
                                   lockedBalance: usdLocked, totalBalance: usdAvailable + usdLocked)]
        for (index, instrument) in instruments.enumerated() {
            let available = inventory[instrument.instrumentID] ?? 0
            let locked = inventoryLocked[instrument.instrumentID] ?? 0
            rows.append(TradingAccount(
                accountID: String(format: "trading_account_%016x", index + 1), instrumentID: instrument.instrumentID,
                instrumentSymbol: instrument.symbol, marketID: markets[index].marketID, availableBalance: Decimal(available),
                lockedBalance: Decimal(locked), totalBalance: Decimal(available + locked)))
        }
        return rows
    }

    /// The lots of an instrument still usable now (a lot past its expiry that the next step has
    /// not swept yet is not).
    func usableLots(_ instrumentID: String) -> [LotBook.Lot] {
        let now = LotBook.milliseconds(self.now)
        return (lots[instrumentID]?.lots ?? []).filter { $0.expires > now && $0.milli > 0 }
    }

    /// Usable consumption units of an instrument now.
    func usable(_ instrumentID: String) -> Int { Int(usableLots(instrumentID).reduce(0) { $0 + $1.milli } / 1000) }

    public func consumptionAccounts(instrumentID: String?) -> [ConsumptionAccount] {
        instruments.enumerated().compactMap { index, instrument in
            if let instrumentID, instrument.instrumentID != instrumentID { return nil }
            let units = usable(instrument.instrumentID)
            return ConsumptionAccount(
                accountID: String(format: "consumption_account_%016x", index + 1), instrumentID: instrument.instrumentID,
                instrumentSymbol: instrument.symbol, available: Decimal(units), committedBalance: 0, totalBalance: Decimal(units))
        }
    }

    // MARK: Market data

    public func instrument(id: String) throws(SimulatorError) -> Instrument {
        guard let found = instruments.first(where: { $0.instrumentID == id }) else { throw .notFound("instrument \(id)") }
        return found
    }

    public func instrument(symbol: String) throws(SimulatorError) -> Instrument {
        guard let found = instruments.first(where: { $0.symbol.lowercased() == symbol.lowercased() }) else {
            throw .notFound("instrument with symbol \(symbol)")
        }
        return found
    }

    public func listInstruments(symbol: String?) -> [Instrument] {
        guard let symbol else { return instruments }
        return instruments.filter { $0.symbol == symbol }
    }

    public func listMarkets() -> [Market] { markets }

    public func market(id: String) throws(SimulatorError) -> Market {
        guard let found = markets.first(where: { $0.marketID == id }) else { throw .notFound("market \(id)") }
        return found
    }

    public func ticker(marketID: String) throws(SimulatorError) -> Ticker {
        let market = try market(id: marketID)
        let book = books[marketID] ?? Book()
        let last = lastTrade[marketID]
        return Ticker(marketID: marketID, symbol: market.symbol, lastPrice: last?.price, lastTradeQuantity: last.map { Decimal($0.quantity) },
                      highestBid: book.bids.first?.price, lowestAsk: book.asks.first?.price, volume24h: 0, timestamp: timestamp())
    }

    public func orderBook(marketID: String, depth: Int) throws(SimulatorError) -> OrderBook {
        _ = try market(id: marketID)
        let book = books[marketID] ?? Book()
        func levels(_ side: [Resting]) -> [BookLevel] {
            var out: [BookLevel] = []
            for resting in side {
                if let last = out.last, last.price == resting.price {
                    out[out.count - 1].quantity += Decimal(resting.quantity)
                    out[out.count - 1].orderCount = (last.orderCount ?? 1) + 1
                } else {
                    if out.count == depth { break }
                    out.append(BookLevel(price: resting.price, quantity: Decimal(resting.quantity), orderCount: 1))
                }
            }
            return out
        }
        return OrderBook(marketID: marketID, bids: levels(book.bids), asks: levels(book.asks), timestamp: timestamp())
    }

    public func publicTrades(marketID: String) throws(SimulatorError) -> [PublicTrade] {
        _ = try market(id: marketID)
        return (tape[marketID] ?? []).reversed()
    }

    // MARK: Orders

    public func placeOrder(_ request: PlaceOrderRequest) throws(SimulatorError) -> (order: Order, created: Bool) {
        if let clientID = request.clientOrderID, let existing = clientOrderIndex[clientID], let index = orderIndex[existing] {
            return (orders[index], false)
        }
        guard accountMode == "advanced" else { throw SimulatorError(403, GridAPIError.autoModeRestricted) }
        let market = try market(id: request.marketID)
        guard let instrumentID = market.associatedInstruments.first else { throw .invalid("market has no instrument") }
        guard request.quantity > 0, let units = Units(exactly: request.quantity), units.rawValue <= 100_000 else {
            throw .invalid("quantity must be a whole number of units between 1 and 100000")
        }
        if let clientID = request.clientOrderID, clientID.isEmpty || clientID.utf8.count > 128 {
            throw .invalid("client_order_id must be 1 to 128 characters")
        }
        let qty = units.rawValue
        var limitPrice: Decimal?
        switch request.type {
        case .limit:
            guard let price = request.price else { throw .invalid("price is required for limit orders") }
            guard price > 0, price < 1_000_000 else { throw .invalid("price must be positive") }
            var scaled = price / configuration.tickSize
            var rounded = Decimal()
            NSDecimalRound(&rounded, &scaled, 0, .plain)
            guard rounded == scaled else { throw .invalid("price must be a multiple of the tick size \(configuration.tickSize)") }
            limitPrice = price
        case .market:
            guard request.price == nil else { throw .invalid("market orders take no price") }
        }
        guard request.timeInForce.lowercased() == "gtc" else { throw .invalid("time_in_force must be gtc") }

        let orderID = nextID("order")
        let created = timestamp()
        // Reserve what the order can cost.
        var reserve: Decimal = 0
        if request.side == .buy {
            if let limitPrice {
                reserve = limitPrice * Decimal(qty)
            } else {
                reserve = cost(ofBuying: qty, in: books[market.marketID] ?? Book())
                if reserve == 0 { throw .invalid("no liquidity for a market order") }
            }
            guard reserve <= usdAvailable else { throw SimulatorError(402, "insufficient_balance") }
            usdAvailable -= reserve
            usdLocked += reserve
            lockedForOrder[orderID] = reserve
        } else {
            guard (inventory[instrumentID] ?? 0) >= qty else { throw SimulatorError(402, "insufficient_balance") }
            inventory[instrumentID, default: 0] -= qty
            inventoryLocked[instrumentID, default: 0] += qty
        }

        var order = Order(orderID: orderID, clientOrderID: request.clientOrderID, marketID: market.marketID, instrumentID: instrumentID,
                          side: request.side, type: request.type, status: "active", quantity: Decimal(qty), filledQuantity: 0,
                          price: limitPrice, fee: 0, createdAt: created, updatedAt: created)
        orders.append(order)
        orderIndex[orderID] = orders.count - 1
        if let clientID = request.clientOrderID { clientOrderIndex[clientID] = orderID }

        match(orderIndex: orders.count - 1, limit: limitPrice, instrumentID: instrumentID)
        order = orders[orders.count - 1]
        if order.remainingQuantity > 0 {
            if request.type == .market {
                closeOrder(orderID, status: order.filledQuantity > 0 ? "filled" : "cancelled", reason: "insufficient_liquidity")
            } else if let limitPrice {
                sequence += 1
                let resting = Resting(orderID: orderID, price: limitPrice, quantity: Units(exactly: order.remainingQuantity)?.rawValue ?? 0, sequence: sequence)
                var book = books[market.marketID] ?? Book()
                if request.side == .buy {
                    book.bids.append(resting)
                    book.bids.sort { $0.price != $1.price ? $0.price > $1.price : $0.sequence < $1.sequence }
                } else {
                    book.asks.append(resting)
                    book.asks.sort { $0.price != $1.price ? $0.price < $1.price : $0.sequence < $1.sequence }
                }
                books[market.marketID] = book
            }
        }
        return (orders[orderIndex[orderID]!], true)
    }

    func cost(ofBuying qty: Int, in book: Book) -> Decimal {
        var left = qty
        var total: Decimal = 0
        for level in book.asks where level.orderID == nil && left > 0 {
            let take = min(left, level.quantity)
            total += level.price * Decimal(take)
            left -= take
        }
        return total
    }

    /// Crosses a new order against resting liquidity-provider orders (price-time priority).
    func match(orderIndex index: Int, limit: Decimal?, instrumentID: String) {
        let order = orders[index]
        guard let marketID = order.marketID, var book = books[marketID], let side = order.side else { return }
        var remaining = Units(exactly: order.quantity)?.rawValue ?? 0
        var level = 0
        while remaining > 0 {
            var opposite = side == .buy ? book.asks : book.bids
            guard level < opposite.count else { break }
            let resting = opposite[level]
            if let limit, side == .buy ? resting.price > limit : resting.price < limit { break }
            if resting.orderID != nil {  // never trade with ourselves
                level += 1
                continue
            }
            let take = min(remaining, resting.quantity)
            remaining -= take
            opposite[level].quantity -= take
            if opposite[level].quantity == 0 { opposite.remove(at: level) }
            if side == .buy { book.asks = opposite } else { book.bids = opposite }
            fill(orderIndex: index, price: resting.price, quantity: take, instrumentID: instrumentID)
        }
        books[marketID] = book
    }

    func fill(orderIndex index: Int, price: Decimal, quantity: Int, instrumentID: String) {
        var order = orders[index]
        let notional = price * Decimal(quantity)
        let tradeID = nextID("trade")
        let at = timestamp()
        if order.side == .buy {
            let locked = lockedForOrder[order.orderID] ?? 0
            let release = min(locked, notional)
            lockedForOrder[order.orderID] = locked - release
            usdLocked -= release
            // A limit order reserved at its limit; the fill may be cheaper.
            if notional > release { usdAvailable -= notional - release }
            if autoTransfer {
                lots[instrumentID, default: LotBook()].arrive(units: quantity, at: LotBook.milliseconds(now))
            } else {
                inventory[instrumentID, default: 0] += quantity
            }
        } else {
            inventoryLocked[instrumentID, default: 0] -= quantity
            usdAvailable += notional
        }
        let filledBefore = order.filledQuantity
        order.filledQuantity += Decimal(quantity)
        order.averagePrice = ((order.averagePrice ?? 0) * filledBefore + notional) / order.filledQuantity
        order.status = order.remainingQuantity == 0 ? "filled" : "partially_filled"
        order.updatedAt = at
        orders[index] = order
        if order.remainingQuantity == 0 { releaseLock(order.orderID) }
        fills.append(Trade(tradeID: tradeID, orderID: order.orderID, marketID: order.marketID, instrumentID: instrumentID,
                           side: order.side, price: price, quantity: Decimal(quantity), fee: 0, executionTimestamp: at))
        if let marketID = order.marketID {
            lastTrade[marketID] = (price, quantity, now)
            tape[marketID, default: []].append(PublicTrade(tradeID: tradeID, marketID: marketID, price: price, quantity: Decimal(quantity),
                                                           side: order.side?.rawValue, executionTimestamp: at))
        }
    }

    func releaseLock(_ orderID: String) {
        if let left = lockedForOrder.removeValue(forKey: orderID), left > 0 {
            usdLocked -= left
            usdAvailable += left
        }
    }

    func closeOrder(_ orderID: String, status: String, reason: String?) {
        guard let index = orderIndex[orderID] else { return }
        var order = orders[index]
        order.status = status
        order.closureReason = reason
        order.updatedAt = timestamp()
        orders[index] = order
        releaseLock(orderID)
        if order.side == .sell, let instrumentID = order.instrumentID, let left = Units(exactly: order.remainingQuantity)?.rawValue {
            inventoryLocked[instrumentID, default: 0] -= left
            inventory[instrumentID, default: 0] += left
        }
        if let marketID = order.marketID, var book = books[marketID] {
            book.bids.removeAll { $0.orderID == orderID }
            book.asks.removeAll { $0.orderID == orderID }
            books[marketID] = book
        }
    }

    public func order(id: String) throws(SimulatorError) -> Order {
        guard let index = orderIndex[id] else { throw .notFound("order \(id)") }
        return orders[index]
    }

    public func listOrders(query: [String: String]) throws(SimulatorError) -> [Order] {
        if let side = query["side"], OrderSide(rawValue: side) == nil { throw .invalid("side must be buy or sell") }
        return orders.filter { order in
            (query["market_id"].map { $0 == order.marketID } ?? true)
                && (query["status"].map { $0 == order.status } ?? true)
                && (query["side"].map { $0 == order.side?.rawValue } ?? true)
                && (query["client_order_id"].map { $0 == order.clientOrderID } ?? true)
        }
    }

    public func cancelOrder(id: String) throws(SimulatorError) {
        guard let index = orderIndex[id] else { throw .notFound("order \(id)") }
        switch orders[index].status {
        case "cancelled": throw SimulatorError(500, GridAPIError.orderAlreadyCancelled)
        case "filled", "rejected", "expired", "closed": throw .invalid("order is \(orders[index].status) and cannot be cancelled")
        default: closeOrder(id, status: "cancelled", reason: "user_cancelled")
        }
    }

    public func cancelAll(marketID: String?) throws(SimulatorError) -> Int {
        if let marketID { _ = try market(id: marketID) }
        let open = orders.filter { !$0.isTerminal && (marketID == nil || $0.marketID == marketID) }
        for order in open { closeOrder(order.orderID, status: "cancelled", reason: "user_cancelled") }
        return open.count
    }

    public func listFills(query: [String: String]) -> [Trade] {
        fills.filter { fill in
            (query["order_id"].map { $0 == fill.orderID } ?? true) && (query["market_id"].map { $0 == fill.marketID } ?? true)
        }
    }

    // MARK: Transfers

    public func transfer(_ direction: TransferDirection, _ request: TransferRequest) throws(SimulatorError) -> TransferResult {
        _ = try instrument(id: request.instrumentID)
        guard request.quantity >= 1, request.quantity <= 1_000_000 else { throw .invalid("quantity must be a whole number ≥ 1") }
        let id = request.instrumentID
        switch direction {
        case .tradingToConsumption:
            guard (inventory[id] ?? 0) >= request.quantity else { throw .invalid("insufficient available balance in the trading account") }
            inventory[id, default: 0] -= request.quantity
            lots[id, default: LotBook()].arrive(units: request.quantity, at: LotBook.milliseconds(now))
        case .consumptionToTrading:
            // Take back the freshest lots first.
            var book = lots[id] ?? LotBook()
            book.expire(through: LotBook.milliseconds(now))
            guard book.withdraw(units: request.quantity) else { throw .invalid("insufficient uncommitted consumption balance") }
            lots[id] = book
            inventory[id, default: 0] += request.quantity
        }
        let transferID = nextID("transfer")
        transfers.append(TransferHistory(id: transferID, transferID: transferID, accountID: direction == .tradingToConsumption ? "consumption" : "trading",
                                         senderAccountID: direction == .tradingToConsumption ? "trading" : "consumption",
                                         instrumentID: id, quantity: Decimal(request.quantity), transferredAt: timestamp()))
        return TransferResult(transferID: transferID)
    }

    public func transferHistories(instrumentID: String?) -> [TransferHistory] {
        transfers.filter { instrumentID == nil || $0.instrumentID == instrumentID }
    }
}
