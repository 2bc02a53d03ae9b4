import Foundation
import GRDB
import GridKeeperCore

extension Ledger {
    /// Records a cycle and all its decisions in one transaction.
    @discardableResult
    public func record(_ cycle: CycleRecord) throws(LedgerError) -> RecordedCycle {
        let rows = try WriteRows.decisions(of: cycle)
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO cycles (started_ms, mode, strategy, instrument, snapshot_digest, decision_count, note)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [cycle.startedAt.ledgerMilliseconds, cycle.mode.rawValue, cycle.strategy, cycle.instrument,
                            cycle.snapshotDigest, cycle.decisions.count, cycle.note])
            let cycleID = db.lastInsertedRowID
            var ids: [Int64] = []
            for (position, row) in rows.enumerated() {
                let decision = row.decision
                try db.execute(
                    sql: """
                        INSERT INTO decisions (cycle_id, position, rule, outcome, action, quantity, price_micros, reason, inputs)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [cycleID, position, decision.rule, decision.outcome.rawValue, decision.action?.rawValue,
                                decision.quantity, row.price, decision.reason, row.inputs])
                ids.append(db.lastInsertedRowID)
            }
            return RecordedCycle(cycleID: cycleID, decisionIDs: ids)
        }
    }

    static func json(_ inputs: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(inputs)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Reserves `amount` USD and records the order as `pending`, in one transaction, before
    /// anything is sent. A `client_order_id` already in the ledger is refused: an order is
    /// never placed twice.
    /// - Returns: the order's ledger id.
    @discardableResult
    public func reserve(_ amount: Decimal, for order: OrderRecord, at time: Date) throws(LedgerError) -> Int64 {
        let row = try WriteRows.reservation(amount, for: order, at: time)
        let (micros, limit, ms) = (row.micros, row.limit, row.ms)
        return try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM orders WHERE client_order_id = ?", arguments: [order.clientOrderID]) == true {
                throw LedgerError.invalidValue("client_order_id \(order.clientOrderID) is already in the ledger")
            }
            try db.execute(
                sql: """
                    INSERT INTO budget_reservations (client_order_id, decision_id, instrument, amount_micros, state, created_ms)
                    VALUES (?, ?, ?, ?, 'open', ?)
                    """,
                arguments: [order.clientOrderID, order.decisionID, order.instrument, micros, ms])
            let reservationID = db.lastInsertedRowID
            try db.execute(
                sql: """
                    INSERT INTO orders (client_order_id, reservation_id, decision_id, mode, instrument, market_id, side, type,
                                        quantity, limit_price_micros, state, created_ms, updated_ms, cancel_after_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
                    """,
                arguments: [order.clientOrderID, reservationID, order.decisionID, order.mode.rawValue, order.instrument,
                            order.marketID, order.side, order.type, order.quantity, limit, ms, ms,
                            order.cancelAfter?.ledgerMilliseconds])
            return db.lastInsertedRowID
        }
    }

    /// Moves an order to `state`, recording the exchange's id when known. When the order ends,
    /// its reservation is settled: consumed by what was spent, the rest released.
    public func updateOrder(clientOrderID: String, state: OrderState, exchangeOrderID: String? = nil, reason: String? = nil,
                            at time: Date) throws(LedgerError) {
        let ms = time.ledgerMilliseconds
        try write { db in
            try db.execute(
                sql: """
                    UPDATE orders SET state = ?, exchange_order_id = COALESCE(?, exchange_order_id),
                                      state_reason = COALESCE(?, state_reason), updated_ms = ?
                    WHERE client_order_id = ?
                    """,
                arguments: [state.rawValue, exchangeOrderID, reason, ms, clientOrderID])
            guard db.changesCount == 1 else { throw LedgerError.invalidValue("no order with client_order_id \(clientOrderID)") }
            if state.isTerminal { try Self.settle(db, clientOrderID: clientOrderID, at: ms) }
        }
    }

    private static func settle(_ db: Database, clientOrderID: String, at ms: Int64) throws {
        try db.execute(
            sql: """
                UPDATE budget_reservations SET state = CASE WHEN spent_micros > 0 THEN 'consumed' ELSE 'released' END,
                                               settled_ms = ?
                WHERE client_order_id = ? AND state = 'open'
                """,
            arguments: [ms, clientOrderID])
    }

    /// Records fills, each once (a `trade_id` already recorded is skipped), updating the
    /// order's filled quantity and its reservation's spend, all in one transaction.
    /// - Returns: how many fills were new.
    @discardableResult
    public func record(fills: [FillRecord], at time: Date) throws(LedgerError) -> Int {
        let rows = try WriteRows.fills(fills)
        let ms = time.ledgerMilliseconds
        return try write { db in
            var added = 0
            for row in rows {
                guard let order = try GRDB.Row.fetchOne(
                    db, sql: "SELECT id, instrument, quantity, filled_quantity, state FROM orders WHERE client_order_id = ?",
                    arguments: [row.fill.clientOrderID])
                else { throw LedgerError.invalidValue("fill \(row.fill.tradeID) is for unknown order \(row.fill.clientOrderID)") }
                let cost = row.cost
                try db.execute(
                    sql: """
                        INSERT INTO fills (trade_id, order_id, instrument, quantity, price_micros, fee_micros, cost_micros, executed_ms, recorded_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trade_id) DO NOTHING
                        """,
                    arguments: [row.fill.tradeID, order["id"] as Int64, order["instrument"] as String, row.fill.quantity, row.price,
                                row.fee, cost, row.fill.executedAt.ledgerMilliseconds, ms])
                guard db.changesCount == 1 else { continue }
                added += 1
                let filled = (order["filled_quantity"] as Int) + row.fill.quantity
                let quantity: Int = order["quantity"]
                let current = OrderState(rawValue: order["state"]) ?? .open
                let state = WriteRows.state(afterFilling: Int64(filled), of: Int64(quantity), current: current)
                try db.execute(
                    sql: "UPDATE orders SET filled_quantity = ?, state = ?, updated_ms = ? WHERE id = ?",
                    arguments: [filled, state.rawValue, ms, order["id"] as Int64])
                try db.execute(
                    sql: "UPDATE budget_reservations SET spent_micros = spent_micros + ? WHERE client_order_id = ?",
                    arguments: [cost, row.fill.clientOrderID])
                if state.isTerminal { try Self.settle(db, clientOrderID: row.fill.clientOrderID, at: ms) }
            }
            return added
        }
    }

    /// Records a transfer (or updates it, matched by `transfer_id`).
    @discardableResult
    public func record(_ transfer: TransferRecord) throws(LedgerError) -> Int64 {
        guard transfer.quantity > 0 else { throw .invalidValue("transfer quantity must be ≥ 1") }
        let ms = transfer.at.ledgerMilliseconds
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO transfers (transfer_id, decision_id, mode, instrument, direction, quantity, state, created_ms, updated_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (transfer_id) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms
                    """,
                arguments: [transfer.transferID, transfer.decisionID, transfer.mode.rawValue, transfer.instrument,
                            transfer.direction.rawValue, transfer.quantity, transfer.state.rawValue, ms, ms])
            return db.lastInsertedRowID
        }
    }

    /// Records market snapshots in one transaction (a repeated instrument and time is replaced).
    public func record(marketSnapshots snapshots: [MarketSnapshotRecord]) throws(LedgerError) {
        let prepared = try WriteRows.snapshots(snapshots)
        try write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO market_snapshots (instrument, taken_ms, bid_micros, bid_quantity, ask_micros, ask_quantity, last_micros, depth)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in prepared {
                try statement.execute(arguments: [r.instrument, r.ms, r.bid, r.bidQuantity, r.ask, r.askQuantity, r.last, r.depth])
            }
        }
    }

    /// Records balance snapshots in one transaction.
    public func record(balanceSnapshots snapshots: [BalanceSnapshotRecord]) throws(LedgerError) {
        let rows = try WriteRows.balances(snapshots)
        try write { db in
            for (s, usd) in rows {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO balance_snapshots (instrument, taken_ms, usd_micros, trading_units, consumption_units)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [s.instrument, s.takenAt.ledgerMilliseconds, usd, s.tradingUnits, s.consumptionUnits])
            }
        }
    }

    /// Engages or releases the kill switch; the newest row is in force.
    public func setKillSwitch(engaged: Bool, reason: String, by actor: String, at time: Date) throws(LedgerError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO kill_switch (engaged, reason, changed_ms, changed_by) VALUES (?, ?, ?, ?)",
                arguments: [engaged, reason, time.ledgerMilliseconds, actor])
        }
    }
}
