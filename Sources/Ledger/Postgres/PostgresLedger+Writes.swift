import Foundation
import GridKeeperCore
import PostgresNIO

extension PostgresLedger {
    @discardableResult
    public func record(_ cycle: CycleRecord) throws(LedgerError) -> RecordedCycle {
        let rows = try WriteRows.decisions(of: cycle)
        let token = fencingToken
        return try write { c in
            let cycleID = try c.query("""
                INSERT INTO cycles (started_ms, mode, strategy, instrument, snapshot_digest, decision_count, note, fence_token)
                VALUES (\(cycle.startedAt.ledgerMilliseconds), \(cycle.mode.rawValue), \(cycle.strategy), \(cycle.instrument),
                        \(cycle.snapshotDigest), \(cycle.decisions.count), \(cycle.note), \(token)) RETURNING id
                """).rows.first!.decode(Int64.self)
            var ids: [Int64] = []
            for (position, row) in rows.enumerated() {
                let decision = row.decision
                ids.append(try c.query("""
                    INSERT INTO decisions (cycle_id, position, rule, outcome, action, quantity, price_micros, reason, inputs)
                    VALUES (\(cycleID), \(position), \(decision.rule), \(decision.outcome.rawValue), \(decision.action?.rawValue),
                            \(decision.quantity.map(Int64.init)), \(row.price), \(decision.reason), \(row.inputs)) RETURNING id
                    """).rows.first!.decode(Int64.self))
            }
            return RecordedCycle(cycleID: cycleID, decisionIDs: ids)
        }
    }

    @discardableResult
    public func reserve(_ amount: Decimal, for order: OrderRecord, at time: Date) throws(LedgerError) -> Int64 {
        let row = try WriteRows.reservation(amount, for: order, at: time)
        let (micros, limit, ms) = (row.micros, row.limit, row.ms)
        let token = fencingToken
        return try write { c in
            if try !c.query("SELECT 1 FROM orders WHERE client_order_id = \(order.clientOrderID)").rows.isEmpty {
                throw LedgerError.invalidValue("client_order_id \(order.clientOrderID) is already in the ledger")
            }
            let reservationID = try c.query("""
                INSERT INTO budget_reservations (client_order_id, decision_id, instrument, amount_micros, state, created_ms, fence_token)
                VALUES (\(order.clientOrderID), \(order.decisionID), \(order.instrument), \(micros), 'open', \(ms), \(token)) RETURNING id
                """).rows.first!.decode(Int64.self)
            return try c.query("""
                INSERT INTO orders (client_order_id, reservation_id, decision_id, mode, instrument, market_id, side, type,
                                    quantity, limit_price_micros, state, created_ms, updated_ms, cancel_after_ms, fence_token)
                VALUES (\(order.clientOrderID), \(reservationID), \(order.decisionID), \(order.mode.rawValue), \(order.instrument),
                        \(order.marketID), \(order.side), \(order.type), \(Int64(order.quantity)), \(limit), 'pending', \(ms), \(ms),
                        \(order.cancelAfter?.ledgerMilliseconds), \(token)) RETURNING id
                """).rows.first!.decode(Int64.self)
        }
    }

    public func updateOrder(clientOrderID: String, state: OrderState, exchangeOrderID: String?, reason: String?, at time: Date) throws(LedgerError) {
        let ms = time.ledgerMilliseconds
        let token = fencingToken
        try write { c in
            let changed = try c.execute("""
                UPDATE orders SET state = \(state.rawValue), exchange_order_id = COALESCE(\(exchangeOrderID), exchange_order_id),
                                  state_reason = COALESCE(\(reason), state_reason), updated_ms = \(ms), fence_token = \(token)
                WHERE client_order_id = \(clientOrderID)
                """)
            guard changed == 1 else { throw LedgerError.invalidValue("no order with client_order_id \(clientOrderID)") }
            if state.isTerminal { try Self.settle(c, clientOrderID: clientOrderID, at: ms, token: token) }
        }
    }

    private static func settle(_ c: PostgresSession.Connection, clientOrderID: String, at ms: Int64, token: Int64?) throws {
        try c.execute("""
            UPDATE budget_reservations SET state = CASE WHEN spent_micros > 0 THEN 'consumed' ELSE 'released' END,
                                           settled_ms = \(ms), fence_token = \(token)
            WHERE client_order_id = \(clientOrderID) AND state = 'open'
            """)
    }

    @discardableResult
    public func record(fills: [FillRecord], at time: Date) throws(LedgerError) -> Int {
        let rows = try WriteRows.fills(fills)
        let ms = time.ledgerMilliseconds
        let token = fencingToken
        return try write { c in
            var added = 0
            for row in rows {
                guard let order = try c.query("""
                    SELECT id, instrument, quantity, filled_quantity, state FROM orders WHERE client_order_id = \(row.fill.clientOrderID) FOR UPDATE
                    """).rows.first
                else { throw LedgerError.invalidValue("fill \(row.fill.tradeID) is for unknown order \(row.fill.clientOrderID)") }
                let (orderID, instrument, quantity, filledBefore, stateText) = try order.decode((Int64, String, Int64, Int64, String).self)
                let cost = row.cost
                let inserted = try c.execute("""
                    INSERT INTO fills (trade_id, order_id, instrument, quantity, price_micros, fee_micros, cost_micros, executed_ms, recorded_ms, fence_token)
                    VALUES (\(row.fill.tradeID), \(orderID), \(instrument), \(Int64(row.fill.quantity)), \(row.price), \(row.fee), \(cost),
                            \(row.fill.executedAt.ledgerMilliseconds), \(ms), \(token))
                    ON CONFLICT (trade_id) DO NOTHING
                    """)
                guard inserted == 1 else { continue }
                added += 1
                let filled = filledBefore + Int64(row.fill.quantity)
                let current = OrderState(rawValue: stateText) ?? .open
                let state = WriteRows.state(afterFilling: filled, of: quantity, current: current)
                try c.execute("""
                    UPDATE orders SET filled_quantity = \(filled), state = \(state.rawValue), updated_ms = \(ms), fence_token = \(token) WHERE id = \(orderID)
                    """)
                try c.execute("""
                    UPDATE budget_reservations SET spent_micros = spent_micros + \(cost), fence_token = \(token)
                    WHERE client_order_id = \(row.fill.clientOrderID)
                    """)
                if state.isTerminal { try Self.settle(c, clientOrderID: row.fill.clientOrderID, at: ms, token: token) }
            }
            return added
        }
    }

    @discardableResult
    public func record(_ transfer: TransferRecord) throws(LedgerError) -> Int64 {
        guard transfer.quantity > 0 else { throw .invalidValue("transfer quantity must be ≥ 1") }
        let ms = transfer.at.ledgerMilliseconds
        let token = fencingToken
        return try write { c in
            try c.query("""
                INSERT INTO transfers (transfer_id, decision_id, mode, instrument, direction, quantity, state, created_ms, updated_ms, fence_token)
                VALUES (\(transfer.transferID), \(transfer.decisionID), \(transfer.mode.rawValue), \(transfer.instrument),
                        \(transfer.direction.rawValue), \(Int64(transfer.quantity)), \(transfer.state.rawValue), \(ms), \(ms), \(token))
                ON CONFLICT (transfer_id) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms, fence_token = excluded.fence_token
                RETURNING id
                """).rows.first!.decode(Int64.self)
        }
    }

    public func record(marketSnapshots snapshots: [MarketSnapshotRecord]) throws(LedgerError) {
        var rows = try WriteRows.snapshots(snapshots)
        // Many rows per statement: a round trip per row would cap a recording's import at a
        // few hundred rows a second. A repeated instrument and time keeps its last row, as
        // SQLite's INSERT OR REPLACE does (one statement may not update a row twice).
        var latest: [String: Int] = [:]
        for (i, r) in rows.enumerated() { latest["\(r.instrument)\u{0}\(r.ms)"] = i }
        if latest.count < rows.count {
            rows = rows.enumerated().filter { latest["\($0.element.instrument)\u{0}\($0.element.ms)"] == $0.offset }.map(\.element)
        }
        try write { c in
            for chunk in stride(from: 0, to: rows.count, by: 1000).map({ rows[$0..<min($0 + 1000, rows.count)] }) {
                var binds = PostgresBindings(capacity: chunk.count * 8)
                var values: [String] = []
                values.reserveCapacity(chunk.count)
                for (i, r) in chunk.enumerated() {
                    let n = i * 8
                    values.append("($\(n + 1)::TEXT, $\(n + 2)::BIGINT, $\(n + 3)::BIGINT, $\(n + 4)::BIGINT, $\(n + 5)::BIGINT, $\(n + 6)::BIGINT, $\(n + 7)::BIGINT, $\(n + 8)::BYTEA)")
                    binds.append(r.instrument)
                    binds.append(r.ms)
                    binds.append(r.bid)
                    binds.append(r.bidQuantity.map(Int64.init))
                    binds.append(r.ask)
                    binds.append(r.askQuantity.map(Int64.init))
                    binds.append(r.last)
                    try binds.append(r.depth)
                }
                try c.execute(PostgresQuery(unsafeSQL: """
                    INSERT INTO market_snapshots (instrument, taken_ms, bid_micros, bid_quantity, ask_micros, ask_quantity, last_micros, depth)
                    VALUES \(values.joined(separator: ", "))
                    ON CONFLICT (instrument, taken_ms) DO UPDATE SET bid_micros = excluded.bid_micros, bid_quantity = excluded.bid_quantity,
                        ask_micros = excluded.ask_micros, ask_quantity = excluded.ask_quantity, last_micros = excluded.last_micros, depth = excluded.depth
                    """, binds: binds))
            }
        }
    }

    public func record(balanceSnapshots snapshots: [BalanceSnapshotRecord]) throws(LedgerError) {
        let rows = try WriteRows.balances(snapshots)
        try write { c in
            for (s, usd) in rows {
                try c.execute("""
                    INSERT INTO balance_snapshots (instrument, taken_ms, usd_micros, trading_units, consumption_units)
                    VALUES (\(s.instrument), \(s.takenAt.ledgerMilliseconds), \(usd), \(s.tradingUnits.map(Int64.init)), \(s.consumptionUnits.map(Int64.init)))
                    ON CONFLICT (instrument, taken_ms) DO UPDATE SET usd_micros = excluded.usd_micros, trading_units = excluded.trading_units,
                        consumption_units = excluded.consumption_units
                    """)
            }
        }
    }

    public func setKillSwitch(engaged: Bool, reason: String, by actor: String, at time: Date) throws(LedgerError) {
        try write { c in
            try c.execute("""
                INSERT INTO kill_switch (engaged, reason, changed_ms, changed_by) VALUES (\(engaged ? 1 : 0), \(reason), \(time.ledgerMilliseconds), \(actor))
                """)
        }
    }

    public func record(publicTrades trades: [PublicTradeRecord]) throws(LedgerError) {
        let rows = try WriteRows.publicTrades(trades)
        try write { c in
            for (t, price) in rows {
                try c.execute("""
                    INSERT INTO public_trades (instrument, traded_ms, trade_id, price_micros, quantity)
                    VALUES (\(t.instrument), \(t.tradedAt.ledgerMilliseconds), \(t.tradeID), \(price), \(Int64(t.quantity)))
                    ON CONFLICT DO NOTHING
                    """)
            }
        }
    }

    public func record(burnSamples samples: [BurnSampleRecord]) throws(LedgerError) {
        let rows = try WriteRows.burnSamples(samples)
        try write { c in
            for (s, milli) in rows {
                try c.execute("""
                    INSERT INTO burn_samples (instrument, taken_ms, milli_units_per_hour) VALUES (\(s.instrument), \(s.at.ledgerMilliseconds), \(milli))
                    ON CONFLICT (instrument, taken_ms) DO UPDATE SET milli_units_per_hour = excluded.milli_units_per_hour
                    """)
            }
        }
    }
}
