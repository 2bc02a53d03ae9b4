import Foundation
import GRDB
import GridKeeperCore

/// What `gridkeeper status` shows.
public struct LedgerStatus: Sendable, Codable {
    public struct OpenOrder: Sendable, Codable, Equatable {
        public var clientOrderID: String
        public var exchangeOrderID: String?
        public var instrument: String
        public var type: String
        public var quantity: Int
        public var filledQuantity: Int
        public var limitPrice: String?
        public var state: String
        public var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case clientOrderID = "client_order_id", exchangeOrderID = "exchange_order_id", instrument, type, quantity
            case filledQuantity = "filled_quantity", limitPrice = "limit_price", state, createdAt = "created_at"
        }
    }

    public struct OpenReservation: Sendable, Codable, Equatable {
        public var clientOrderID: String
        public var instrument: String
        public var amount: String
        public var spent: String
        public var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case clientOrderID = "client_order_id", instrument, amount, spent, createdAt = "created_at"
        }
    }

    public struct LastCycle: Sendable, Codable, Equatable {
        public var startedAt: Date
        public var mode: String
        public var strategy: String
        public var instrument: String

        enum CodingKeys: String, CodingKey { case startedAt = "started_at", mode, strategy, instrument }
    }

    public var ledger: String
    public var timeZone: String
    public var spend: Spend
    public var openOrders: [OpenOrder]
    public var openReservations: [OpenReservation]
    public var lastCycle: LastCycle?
    public var killSwitch: KillSwitchState?
    /// Who leads a ledger shared by an active and a standby daemon (PostgreSQL only).
    public var leadership: LeadershipState? = nil

    enum CodingKeys: String, CodingKey {
        case ledger, timeZone = "time_zone", spend, openOrders = "open_orders", openReservations = "open_reservations"
        case lastCycle = "last_cycle", killSwitch = "kill_switch", leadership
    }
}

/// One line of `gridkeeper history`: a decision or a fill.
public struct HistoryEntry: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case decision, fill }

    public var kind: Kind
    public var at: Date
    public var instrument: String
    /// Decisions: the rule. Fills: the client order id.
    public var subject: String
    /// Decisions: fired/skipped/blocked/adjusted. Fills: "fill".
    public var outcome: String
    public var quantity: Int?
    public var price: String?
    public var cost: String?
    public var detail: String

    enum CodingKeys: String, CodingKey { case kind, at, instrument, subject, outcome, quantity, price, cost, detail }
}

extension Ledger {
    public func status(asOf time: Date, timeZone: TimeZone) throws(LedgerError) -> LedgerStatus {
        let spend = try spend(asOf: time, timeZone: timeZone)
        let kill = try killSwitch()
        let (orders, reservations, last) = try read { db in
            let orders = try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT client_order_id, exchange_order_id, instrument, type, quantity, filled_quantity, limit_price_micros, state, created_ms
                    FROM orders WHERE state IN ('pending', 'unknown', 'open', 'partially_filled') ORDER BY created_ms
                    """
            ).map { row in
                LedgerStatus.OpenOrder(
                    clientOrderID: row["client_order_id"], exchangeOrderID: row["exchange_order_id"], instrument: row["instrument"],
                    type: row["type"], quantity: row["quantity"], filledQuantity: row["filled_quantity"],
                    limitPrice: (row["limit_price_micros"] as Int64?).map { Self.text(Micros.decimal($0)) }, state: row["state"],
                    createdAt: Date(ledgerMilliseconds: row["created_ms"]))
            }
            let reservations = try GRDB.Row.fetchAll(
                db,
                sql: "SELECT client_order_id, instrument, amount_micros, spent_micros, created_ms FROM budget_reservations WHERE state = 'open' ORDER BY created_ms"
            ).map { row in
                LedgerStatus.OpenReservation(
                    clientOrderID: row["client_order_id"], instrument: row["instrument"], amount: Self.text(Micros.decimal(row["amount_micros"])),
                    spent: Self.text(Micros.decimal(row["spent_micros"])), createdAt: Date(ledgerMilliseconds: row["created_ms"]))
            }
            let last = try GRDB.Row.fetchOne(db, sql: "SELECT started_ms, mode, strategy, instrument FROM cycles ORDER BY id DESC LIMIT 1").map { row in
                LedgerStatus.LastCycle(startedAt: Date(ledgerMilliseconds: row["started_ms"]), mode: row["mode"], strategy: row["strategy"],
                                       instrument: row["instrument"])
            }
            return (orders, reservations, last)
        }
        return LedgerStatus(ledger: path, timeZone: timeZone.identifier, spend: spend, openOrders: orders, openReservations: reservations,
                            lastCycle: last, killSwitch: kill)
    }

    /// Decisions that did something (or were blocked) and fills since `since`, oldest first.
    /// - Parameter includeSkipped: also list rules that did not fire.
    public func history(since: Date, limit: Int = 1000, includeSkipped: Bool = false) throws(LedgerError) -> [HistoryEntry] {
        let from = since.ledgerMilliseconds
        return try read { db in
            let decisions = try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT c.started_ms, c.instrument, d.rule, d.outcome, d.action, d.quantity, d.price_micros, d.reason
                    FROM decisions d JOIN cycles c ON c.id = d.cycle_id
                    WHERE c.started_ms >= ? AND (? OR d.outcome != 'skipped')
                    ORDER BY c.started_ms DESC, d.position DESC LIMIT ?
                    """,
                arguments: [from, includeSkipped, limit]
            ).map { row in
                HistoryEntry(
                    kind: .decision, at: Date(ledgerMilliseconds: row["started_ms"]), instrument: row["instrument"], subject: row["rule"],
                    outcome: [row["outcome"] as String, row["action"] as String?].compactMap { $0 }.joined(separator: " "),
                    quantity: row["quantity"], price: (row["price_micros"] as Int64?).map { Self.text(Micros.decimal($0)) }, cost: nil,
                    detail: row["reason"])
            }
            let fills = try GRDB.Row.fetchAll(
                db,
                sql: """
                    SELECT f.executed_ms, f.instrument, o.client_order_id, f.trade_id, f.quantity, f.price_micros, f.cost_micros
                    FROM fills f JOIN orders o ON o.id = f.order_id
                    WHERE f.executed_ms >= ? ORDER BY f.executed_ms DESC LIMIT ?
                    """,
                arguments: [from, limit]
            ).map { row in
                HistoryEntry(
                    kind: .fill, at: Date(ledgerMilliseconds: row["executed_ms"]), instrument: row["instrument"], subject: row["client_order_id"],
                    outcome: "fill", quantity: row["quantity"], price: Self.text(Micros.decimal(row["price_micros"])),
                    cost: Self.text(Micros.decimal(row["cost_micros"])), detail: "trade \(row["trade_id"] as String)")
            }
            return Array((decisions + fills).sorted { $0.at < $1.at }.suffix(limit))
        }
    }
}
