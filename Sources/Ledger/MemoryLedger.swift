import Foundation
import GridKeeperCore

/// The ledger's books kept in memory, with exactly the semantics of the SQLite `Ledger`:
/// times to the millisecond, money in micro-dollars, reservations held until their order
/// ends, each trade recorded once, spend in 15-minute buckets. Backtests use it; nothing is
/// written to disk.
public final class MemoryLedger: LedgerStore, @unchecked Sendable {
    public struct Cycle: Sendable {
        public var id: Int64
        public var record: CycleRecord
        public var decisionIDs: [Int64]
    }

    struct Order {
        var id: Int64
        var record: OrderRecord
        var exchangeOrderID: String?
        var state: OrderState
        var filled: Int
        var createdMs: Int64
    }

    struct Reservation {
        var instrument: String
        var amount: Int64
        var spent: Int64
        var open: Bool
    }

    struct Buckets {
        var times: [Int64] = []
        var costs: [Int64] = []
        var prefix: [Int64] = [0]   // prefix[i] = sum of costs[..<i]

        mutating func add(_ bucket: Int64, _ cost: Int64) {
            if let last = times.last, last == bucket {
                costs[costs.count - 1] += cost
                prefix[prefix.count - 1] += cost
            } else if times.last.map({ $0 < bucket }) ?? true {
                times.append(bucket)
                costs.append(cost)
                prefix.append(prefix.last! + cost)
            } else {
                let index = Self.lowerBound(times, bucket)
                if index < times.count, times[index] == bucket { costs[index] += cost } else {
                    times.insert(bucket, at: index)
                    costs.insert(cost, at: index)
                }
                prefix = [0]
                for c in costs { prefix.append(prefix.last! + c) }
            }
        }

        /// Sum of buckets with `from <= time <= to`.
        func sum(from: Int64, to: Int64) -> Int64 {
            let a = Self.lowerBound(times, from)
            let b = Self.lowerBound(times, to + 1)
            return b > a ? prefix[b] - prefix[a] : 0
        }

        static func lowerBound(_ values: [Int64], _ value: Int64) -> Int {
            var low = 0, high = values.count
            while low < high {
                let mid = (low + high) / 2
                if values[mid] < value { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }

    private let lock = NSLock()
    private var nextID: Int64 = 1
    private var market: [String: [MarketSnapshot.MarketPoint]] = [:]
    private var balances: [String: [MarketSnapshot.BalancePoint]] = [:]
    /// Fill cost by the exchange's execution time.
    private var buckets: [String: Buckets] = [:]
    private var allBuckets = Buckets()
    /// Fills whose reservation time (our clock) falls in another 15-minute bucket than their
    /// execution time: they also count in the periods of that bucket (as in the SQLite ledger).
    private var crossings: [String: [(exchange: Int64, local: Int64, cost: Int64)]] = [:]
    private var reservations: [String: Reservation] = [:]
    private var openReservations: Set<String> = []
    private var orders: [String: Order] = [:]
    private var openOrderIDs: [String: [String]] = [:]   // by instrument, oldest first
    private var tradeIDs: Set<String> = []
    /// By instrument, in time order.
    private var transfers: [String: [(ms: Int64, units: Int, state: TransferRecord.State, direction: TransferRecord.Direction, id: String?)]] = [:]

    /// Every cycle and its decisions, in order.
    public private(set) var cycles: [Cycle] = []

    public init() {}

    private func locked<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func newID() -> Int64 {
        defer { nextID += 1 }
        return nextID
    }

    /// A backtest has no kill switch.
    public func killSwitch() throws(LedgerError) -> KillSwitchState? { nil }

    public func record(marketSnapshots snapshots: [MarketSnapshotRecord]) throws(LedgerError) {
        var points: [(String, MarketSnapshot.MarketPoint)] = []
        for s in snapshots {
            let bid = try s.bids.first.map { level throws(LedgerError) in try Micros.from(level.price, field: "bid") }
            let ask = try s.asks.first.map { level throws(LedgerError) in try Micros.from(level.price, field: "ask") }
            let last = try s.last.map { v throws(LedgerError) in try Micros.from(v, field: "last") }
            points.append((s.instrument, .init(time: Date(ledgerMilliseconds: s.takenAt.ledgerMilliseconds), bidMicros: bid, askMicros: ask, lastMicros: last)))
        }
        try locked { () throws(LedgerError) in
            for (instrument, point) in points { Self.insert(point, into: &market[instrument, default: []]) { $0.time } }
        }
    }

    public func record(balanceSnapshots snapshots: [BalanceSnapshotRecord]) throws(LedgerError) {
        for s in snapshots { _ = try s.usd.map { v throws(LedgerError) in try Micros.from(v, field: "usd") } }
        try locked { () throws(LedgerError) in
            for s in snapshots {
                guard let consumption = s.consumptionUnits else { continue }
                let point = MarketSnapshot.BalancePoint(time: Date(ledgerMilliseconds: s.takenAt.ledgerMilliseconds), consumption: consumption,
                                                        inventory: s.tradingUnits ?? 0)
                Self.insert(point, into: &balances[s.instrument, default: []]) { $0.time }
            }
        }
    }

    /// Appends in time order, replacing an entry with the same time (as the SQLite ledger does).
    private static func insert<T>(_ item: T, into items: inout [T], time: (T) -> Date) {
        if let last = items.last {
            if time(last) == time(item) { items[items.count - 1] = item; return }
            if time(last) > time(item) {
                let index = items.firstIndex { time($0) >= time(item) } ?? items.endIndex
                if index < items.endIndex, time(items[index]) == time(item) { items[index] = item } else { items.insert(item, at: index) }
                return
            }
        }
        items.append(item)
    }

    /// The entries from `from` to `to`, shared with the books rather than copied (a backtest
    /// reads a day of history every cycle).
    private static func window<T>(_ items: [T], from: Date, to: Date, time: (T) -> Date) -> ArraySlice<T> {
        let low = Date(ledgerMilliseconds: from.ledgerMilliseconds), high = Date(ledgerMilliseconds: to.ledgerMilliseconds)
        var a = 0, b = items.count
        while a < b { let m = (a + b) / 2; if time(items[m]) < low { a = m + 1 } else { b = m } }
        var c = a, d = items.count
        while c < d { let m = (c + d) / 2; if time(items[m]) <= high { c = m + 1 } else { d = m } }
        return items[a..<c]
    }

    public func marketPoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.MarketPoint> {
        try locked { Self.window(market[instrument] ?? [], from: from, to: to) { $0.time } }
    }

    public func balancePoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.BalancePoint> {
        try locked { Self.window(balances[instrument] ?? [], from: from, to: to) { $0.time } }
    }

    /// The day and month containing a time (calendars are slow; a backtest asks about the same
    /// day thousands of times).
    private var periodCache: (zone: TimeZone, periods: SpendPeriods)?

    private func periods(_ time: Date, _ zone: TimeZone) -> SpendPeriods {
        let ms = time.ledgerMilliseconds
        if let c = periodCache, c.zone == zone, c.periods.inDay(ms) { return c.periods }
        let periods = SpendPeriods(containing: time, in: zone)
        periodCache = (zone, periods)
        return periods
    }

    public func spend(asOf time: Date, timeZone: TimeZone, instrument: String?) throws(LedgerError) -> Spend {
        return try locked {
            let p = periods(time, timeZone)
            let b = instrument.map { buckets[$0] ?? Buckets() } ?? allBuckets
            var today = b.sum(from: p.dayStart, to: p.dayEnd - 1)
            var month = b.sum(from: p.monthStart, to: p.monthEnd - 1)
            for (key, list) in crossings where instrument == nil || key == instrument {
                for c in list {
                    if p.inDay(c.local) && !p.inDay(c.exchange) { today += c.cost }
                    if p.inMonth(c.local) && !p.inMonth(c.exchange) { month += c.cost }
                }
            }
            var reserved: Int64 = 0
            for id in openReservations {
                guard let r = reservations[id], instrument == nil || r.instrument == instrument else { continue }
                reserved += max(r.amount - r.spent, 0)
            }
            return Spend(today: Micros.decimal(today + reserved), month: Micros.decimal(month + reserved), reserved: Micros.decimal(reserved))
        }
    }

    public func transfersIn(instrument: String, from: Date) throws(LedgerError) -> [(at: Date, units: Int)] {
        let ms = from.ledgerMilliseconds
        return try locked {
            let all = transfers[instrument] ?? []
            var low = 0, high = all.count
            while low < high {
                let mid = (low + high) / 2
                if all[mid].ms < ms { low = mid + 1 } else { high = mid }
            }
            return all[low...].filter { $0.direction == .toConsumption && $0.state == .done }.map { (Date(ledgerMilliseconds: $0.ms), $0.units) }
        }
    }

    public func record(_ cycle: CycleRecord) throws(LedgerError) -> RecordedCycle {
        for d in cycle.decisions { _ = try d.price.map { p throws(LedgerError) in try Micros.from(p, field: "decision price") } }
        return try locked {
            let id = newID()
            let ids = cycle.decisions.map { _ in newID() }
            cycles.append(Cycle(id: id, record: cycle, decisionIDs: ids))
            return RecordedCycle(cycleID: id, decisionIDs: ids)
        }
    }

    public func reserve(_ amount: Decimal, for order: OrderRecord, at time: Date) throws(LedgerError) -> Int64 {
        let micros = try Micros.from(amount, field: "reservation")
        guard micros >= 0 else { throw .invalidValue("reservation must be ≥ 0") }
        _ = try order.limitPrice.map { p throws(LedgerError) in try Micros.from(p, field: "limit price") }
        guard order.quantity > 0 else { throw .invalidValue("order quantity must be ≥ 1") }
        return try locked { () throws(LedgerError) -> Int64 in
            guard orders[order.clientOrderID] == nil else { throw .invalidValue("client_order_id \(order.clientOrderID) is already in the ledger") }
            reservations[order.clientOrderID] = Reservation(instrument: order.instrument, amount: micros, spent: 0, open: true)
            openReservations.insert(order.clientOrderID)
            let id = newID()
            orders[order.clientOrderID] = Order(id: id, record: order, exchangeOrderID: nil, state: .pending, filled: 0, createdMs: time.ledgerMilliseconds)
            openOrderIDs[order.instrument, default: []].append(order.clientOrderID)
            return id
        }
    }

    private func settle(_ clientOrderID: String) {
        guard var r = reservations[clientOrderID], r.open else { return }
        r.open = false
        reservations[clientOrderID] = r
        openReservations.remove(clientOrderID)
    }

    private func close(_ order: Order) {
        openOrderIDs[order.record.instrument]?.removeAll { $0 == order.record.clientOrderID }
    }

    public func updateOrder(clientOrderID: String, state: OrderState, exchangeOrderID: String?, reason: String?, at time: Date) throws(LedgerError) {
        try locked { () throws(LedgerError) in
            guard var order = orders[clientOrderID] else { throw .invalidValue("no order with client_order_id \(clientOrderID)") }
            order.state = state
            if let exchangeOrderID { order.exchangeOrderID = exchangeOrderID }
            orders[clientOrderID] = order
            if state.isTerminal {
                settle(clientOrderID)
                close(order)
            } else if !(openOrderIDs[order.record.instrument]?.contains(clientOrderID) ?? false) {
                // A terminal order moved back to an open state (as the SQL ledger allows).
                openOrderIDs[order.record.instrument, default: []].append(clientOrderID)
                openOrderIDs[order.record.instrument]?.sort { (orders[$0]?.createdMs ?? 0, orders[$0]?.id ?? 0) < (orders[$1]?.createdMs ?? 0, orders[$1]?.id ?? 0) }
            }
        }
    }

    public func record(fills new: [FillRecord], at time: Date) throws(LedgerError) -> Int {
        var rows: [(FillRecord, Int64, Int64)] = []
        for fill in new {
            guard fill.quantity > 0 else { throw .invalidValue("fill \(fill.tradeID): quantity must be ≥ 1") }
            rows.append((fill, try Micros.from(fill.price, field: "fill price"), try Micros.from(fill.fee, field: "fee")))
        }
        return try locked { () throws(LedgerError) -> Int in
            var added = 0
            for (fill, price, fee) in rows {
                guard var order = orders[fill.clientOrderID] else {
                    throw .invalidValue("fill \(fill.tradeID) is for unknown order \(fill.clientOrderID)")
                }
                guard tradeIDs.insert(fill.tradeID).inserted else { continue }
                added += 1
                let cost = price * Int64(fill.quantity) + fee
                let executed = fill.executedAt.ledgerMilliseconds
                let bucket = executed / 900_000 * 900_000
                buckets[order.record.instrument, default: Buckets()].add(bucket, cost)
                allBuckets.add(bucket, cost)
                let local = order.createdMs / 900_000 * 900_000
                if local != bucket { crossings[order.record.instrument, default: []].append((bucket, local, cost)) }
                order.filled += fill.quantity
                let state: OrderState = order.filled >= order.record.quantity ? .filled : (order.state.isTerminal ? order.state : .partiallyFilled)
                order.state = state
                orders[fill.clientOrderID] = order
                reservations[fill.clientOrderID]?.spent += cost
                if state.isTerminal {
                    settle(fill.clientOrderID)
                    close(order)
                }
            }
            return added
        }
    }

    public func record(_ transfer: TransferRecord) throws(LedgerError) -> Int64 {
        guard transfer.quantity > 0 else { throw .invalidValue("transfer quantity must be ≥ 1") }
        return try locked {
            let ms = transfer.at.ledgerMilliseconds
            if let id = transfer.transferID, let index = transfers[transfer.instrument]?.lastIndex(where: { $0.id == id }) {
                transfers[transfer.instrument]?[index].state = transfer.state
            } else {
                let entry = (ms: ms, units: transfer.quantity, state: transfer.state, direction: transfer.direction, id: transfer.transferID)
                let index = transfers[transfer.instrument]?.lastIndex { $0.ms <= ms }.map { $0 + 1 } ?? 0
                transfers[transfer.instrument, default: []].insert(entry, at: index)
            }
            return newID()
        }
    }

    /// Public trades are the recording's in a backtest: nothing to keep.
    public func record(publicTrades: [PublicTradeRecord]) throws(LedgerError) {}

    public func openOrders(instrument: String) throws(LedgerError) -> [LedgerOpenOrder] {
        try locked {
            (openOrderIDs[instrument] ?? []).compactMap { orders[$0] }.map { o in
                LedgerOpenOrder(clientOrderID: o.record.clientOrderID, exchangeOrderID: o.exchangeOrderID, instrument: o.record.instrument,
                                marketID: o.record.marketID, state: o.state, quantity: o.record.quantity, filledQuantity: o.filled,
                                createdAt: Date(ledgerMilliseconds: o.createdMs),
                                cancelAfter: o.record.cancelAfter.map { Date(ledgerMilliseconds: $0.ledgerMilliseconds) })
            }
        }
    }
}
