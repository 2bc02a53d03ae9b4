import Foundation
import GRDB

/// Money spent so far, settled fills plus what open reservations still hold.
@MemberwiseInit
public struct Spend: Sendable, Equatable, Codable {
    /// Since local midnight in the ledger's time zone.
    public var today: Decimal
    /// Since the first of the month, local time.
    public var month: Decimal
    /// Held by open reservations (already included in `today` and `month`).
    public var reserved: Decimal

    enum CodingKeys: String, CodingKey { case today, month, reserved }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Ledger.text(today), forKey: .today)
        try c.encode(Ledger.text(month), forKey: .month)
        try c.encode(Ledger.text(reserved), forKey: .reserved)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value(_ key: CodingKeys) throws -> Decimal {
            let text = try c.decode(String.self, forKey: key)
            guard let v = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a decimal")
            }
            return v
        }
        today = try value(.today)
        month = try value(.month)
        reserved = try value(.reserved)
    }
}

/// The kill switch as last set.
public struct KillSwitchState: Sendable, Equatable, Codable {
    public var engaged: Bool
    public var reason: String
    public var changedAt: Date
    public var changedBy: String

    enum CodingKeys: String, CodingKey { case engaged, reason, changedAt = "changed_at", changedBy = "changed_by" }
}

extension Ledger {
    static func text(_ value: Decimal) -> String {
        var v = value
        return NSDecimalString(&v, Locale(identifier: "en_US_POSIX"))
    }

    /// Spend to date at `time` in `timeZone`: fills of the day and month containing `time`,
    /// plus every open reservation's unspent remainder — of one instrument, or of all of them
    /// when `instrument` is nil.
    ///
    /// A fill belongs to every period that either clock places it in: the exchange's execution
    /// time, or our own clock when its budget was reserved. Fills the exchange dates later in
    /// the period than our clock reads now count already, so an exchange clock ahead of ours
    /// cannot hide spend, and a fill whose two times fall on different days counts on both.
    public func spend(asOf time: Date, timeZone: TimeZone, instrument: String? = nil) throws(LedgerError) -> Spend {
        let period = SpendPeriods(containing: time, in: timeZone)
        let (today, month, reserved) = try read { db -> (Int64, Int64, Int64) in
            let filter = instrument == nil ? "" : " AND instrument = ?"
            let (ms, me, ds, de) = (period.monthStart, period.monthEnd, period.dayStart, period.dayEnd)
            var arguments: StatementArguments = [ds, de, ds, de, ms, me]
            var open: StatementArguments = []
            if let instrument {
                arguments += [instrument]
                open = [instrument]
            }
            arguments += [ms, me, ms, me]
            if let instrument { arguments += [instrument] }
            // The month's buckets by the exchange's clock, then those only our clock puts in
            // the month: two index ranges, each bucket once.
            let sums = try GRDB.Row.fetchOne(
                try db.cachedStatement(
                sql: """
                    SELECT COALESCE(SUM(CASE WHEN (bucket_ms >= ? AND bucket_ms < ?) OR (local_bucket_ms >= ? AND local_bucket_ms < ?)
                                        THEN cost_micros ELSE 0 END), 0) AS today,
                           COALESCE(SUM(cost_micros), 0) AS month
                    FROM (SELECT bucket_ms, local_bucket_ms, cost_micros FROM spend_buckets WHERE bucket_ms >= ? AND bucket_ms < ?\(filter)
                          UNION ALL
                          SELECT bucket_ms, local_bucket_ms, cost_micros FROM spend_buckets
                          WHERE local_bucket_ms >= ? AND local_bucket_ms < ? AND NOT (bucket_ms >= ? AND bucket_ms < ?)\(filter))
                    """),
                arguments: arguments)!
            let reserved = try Int64.fetchOne(
                try db.cachedStatement(sql: "SELECT COALESCE(SUM(MAX(amount_micros - spent_micros, 0)), 0) FROM budget_reservations WHERE state = 'open'\(filter)"),
                arguments: open) ?? 0
            return (sums["today"], sums["month"], reserved)
        }
        return Spend(today: Micros.decimal(today + reserved), month: Micros.decimal(month + reserved), reserved: Micros.decimal(reserved))
    }

    /// Market snapshots of `instrument` with `from <= takenAt <= to`, oldest first.
    public func marketHistory(instrument: String, from: Date, to: Date) throws(LedgerError) -> [MarketSnapshotRecord] {
        try read { db in
            try GRDB.Row.fetchAll(
                try db.cachedStatement(
                sql: """
                    SELECT taken_ms, bid_micros, bid_quantity, ask_micros, ask_quantity, last_micros, depth FROM market_snapshots
                    WHERE instrument = ? AND taken_ms BETWEEN ? AND ? ORDER BY taken_ms
                    """),
                arguments: [instrument, from.ledgerMilliseconds, to.ledgerMilliseconds]
            ).map { row in Self.snapshot(row, instrument: instrument) }
        }
    }

    static func snapshot(_ row: GRDB.Row, instrument: String) -> MarketSnapshotRecord {
        var bids: [MarketSnapshotRecord.Level] = []
        var asks: [MarketSnapshotRecord.Level] = []
        if let bid: Int64 = row["bid_micros"] { bids.append(.init(price: Micros.decimal(bid), quantity: row["bid_quantity"] ?? 0)) }
        if let ask: Int64 = row["ask_micros"] { asks.append(.init(price: Micros.decimal(ask), quantity: row["ask_quantity"] ?? 0)) }
        if let depth: Data = row["depth"], let levels = DepthCoding.decode(depth, topBid: row["bid_micros"], topAsk: row["ask_micros"]) {
            bids += levels.bids.map { .init(price: Micros.decimal($0.0), quantity: $0.1) }
            asks += levels.asks.map { .init(price: Micros.decimal($0.0), quantity: $0.1) }
        }
        return MarketSnapshotRecord(instrument: instrument, takenAt: Date(ledgerMilliseconds: row["taken_ms"]), bids: bids, asks: asks,
                                    last: (row["last_micros"] as Int64?).map(Micros.decimal))
    }

    /// Balance snapshots of `instrument` in a window, oldest first.
    public func balanceHistory(instrument: String, from: Date, to: Date) throws(LedgerError) -> [BalanceSnapshotRecord] {
        try read { db in
            try GRDB.Row.fetchAll(
                try db.cachedStatement(
                sql: """
                    SELECT taken_ms, usd_micros, trading_units, consumption_units FROM balance_snapshots
                    WHERE instrument = ? AND taken_ms BETWEEN ? AND ? ORDER BY taken_ms
                    """),
                arguments: [instrument, from.ledgerMilliseconds, to.ledgerMilliseconds]
            ).map { row in
                BalanceSnapshotRecord(instrument: instrument, takenAt: Date(ledgerMilliseconds: row["taken_ms"]),
                                      usd: (row["usd_micros"] as Int64?).map(Micros.decimal), tradingUnits: row["trading_units"],
                                      consumptionUnits: row["consumption_units"])
            }
        }
    }

    /// The kill switch as last set, or `nil` if it never was.
    public func killSwitch() throws(LedgerError) -> KillSwitchState? {
        try read { db in
            try GRDB.Row.fetchOne(try db.cachedStatement(sql: "SELECT engaged, reason, changed_ms, changed_by FROM kill_switch ORDER BY id DESC LIMIT 1")).map {
                KillSwitchState(engaged: $0["engaged"], reason: $0["reason"], changedAt: Date(ledgerMilliseconds: $0["changed_ms"]),
                                changedBy: $0["changed_by"])
            }
        }
    }
}

/// An order the ledger still considers live (pending, unknown, open or partially filled).
public struct LedgerOpenOrder: Sendable, Equatable {
    public var clientOrderID: String
    public var exchangeOrderID: String?
    public var instrument: String
    public var marketID: String?
    public var state: OrderState
    public var quantity: Int
    public var filledQuantity: Int
    public var createdAt: Date
    public var cancelAfter: Date?
}

extension Ledger {
    /// Orders not yet ended, oldest first.
    public func openOrders(instrument: String) throws(LedgerError) -> [LedgerOpenOrder] {
        try read { db in
            try GRDB.Row.fetchAll(
                try db.cachedStatement(
                sql: """
                    SELECT client_order_id, exchange_order_id, instrument, market_id, state, quantity, filled_quantity, created_ms, cancel_after_ms
                    FROM orders WHERE instrument = ? AND state IN ('pending', 'unknown', 'open', 'partially_filled') ORDER BY created_ms
                    """),
                arguments: [instrument]
            ).map { row in
                LedgerOpenOrder(
                    clientOrderID: row["client_order_id"], exchangeOrderID: row["exchange_order_id"], instrument: row["instrument"],
                    marketID: row["market_id"], state: OrderState(rawValue: row["state"]) ?? .unknown, quantity: row["quantity"],
                    filledQuantity: row["filled_quantity"], createdAt: Date(ledgerMilliseconds: row["created_ms"]),
                    cancelAfter: (row["cancel_after_ms"] as Int64?).map { Date(ledgerMilliseconds: $0) })
            }
        }
    }

    /// The modes of the orders the ledger holds (live, paper, backtest): a ledger keeps one.
    public func orderModes() throws(LedgerError) -> Set<LedgerMode> {
        try read { db in
            Set(try String.fetchAll(try db.cachedStatement(sql: "SELECT DISTINCT mode FROM orders")).compactMap(LedgerMode.init(rawValue:)))
        }
    }

    /// Units bought and USD spent on fills in a window (for summaries).
    public func fillTotals(instrument: String, from: Date, to: Date) throws(LedgerError) -> (units: Int, cost: Decimal) {
        try read { db in
            let row = try GRDB.Row.fetchOne(
                try db.cachedStatement(
                sql: "SELECT COALESCE(SUM(quantity), 0) AS units, COALESCE(SUM(cost_micros), 0) AS cost FROM fills WHERE instrument = ? AND executed_ms BETWEEN ? AND ?"),
                arguments: [instrument, from.ledgerMilliseconds, to.ledgerMilliseconds])!
            return (row["units"], Micros.decimal(row["cost"]))
        }
    }
}

import GridKeeperCore
import GridKeeperMacros

extension Ledger {
    /// Market history as the evaluator reads it: integer micro-dollars, oldest first.
    public func marketPoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.MarketPoint> {
        try read { db in
            let rows = try GRDB.Row.fetchCursor(
                try db.cachedStatement(
                sql: "SELECT taken_ms, bid_micros, ask_micros, last_micros FROM market_snapshots WHERE instrument = ? AND taken_ms BETWEEN ? AND ? ORDER BY taken_ms"),
                arguments: [instrument, from.ledgerMilliseconds, to.ledgerMilliseconds])
            var points: ArraySlice<MarketSnapshot.MarketPoint> = []
            while let row = try rows.next() {
                points.append(MarketSnapshot.MarketPoint(time: Date(ledgerMilliseconds: row[0]), bidMicros: row[1], askMicros: row[2], lastMicros: row[3]))
            }
            return points
        }
    }

    /// Balance history as the evaluator reads it, oldest first.
    public func balancePoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.BalancePoint> {
        try read { db in
            let rows = try GRDB.Row.fetchCursor(
                try db.cachedStatement(
                sql: """
                    SELECT taken_ms, consumption_units, trading_units FROM balance_snapshots
                    WHERE instrument = ? AND taken_ms BETWEEN ? AND ? AND consumption_units IS NOT NULL ORDER BY taken_ms
                    """),
                arguments: [instrument, from.ledgerMilliseconds, to.ledgerMilliseconds])
            var points: ArraySlice<MarketSnapshot.BalancePoint> = []
            while let row = try rows.next() {
                points.append(MarketSnapshot.BalancePoint(time: Date(ledgerMilliseconds: row[0]), consumption: row[1], inventory: (row[2] as Int?) ?? 0))
            }
            return points
        }
    }
}

extension Ledger {
    /// Completed transfers into consumption since `from`: (time, units), oldest first. The
    /// engine models each as a lot expiring four hours later.
    public func transfersIn(instrument: String, from: Date) throws(LedgerError) -> [(at: Date, units: Int)] {
        try read { db in
            try GRDB.Row.fetchAll(
                try db.cachedStatement(
                sql: """
                    SELECT created_ms, quantity FROM transfers
                    WHERE instrument = ? AND direction = 'to_consumption' AND state = 'done' AND created_ms >= ? ORDER BY created_ms
                    """),
                arguments: [instrument, from.ledgerMilliseconds]
            ).map { (Date(ledgerMilliseconds: $0["created_ms"]), $0["quantity"]) }
        }
    }
}
