import Foundation
import GridKeeperCore
import PostgresNIO

extension PostgresLedger {
    public func spend(asOf time: Date, timeZone: TimeZone, instrument: String?) throws(LedgerError) -> Spend {
        let p = SpendPeriods(containing: time, in: timeZone)
        let (today, month, reserved) = try read { c -> (Int64, Int64, Int64) in
            // The month's buckets by the exchange's clock, then those only our clock puts in
            // the month: two index ranges, each bucket once.
            let sums = try c.query("""
                SELECT COALESCE(SUM(CASE WHEN (bucket_ms >= \(p.dayStart) AND bucket_ms < \(p.dayEnd))
                                           OR (local_bucket_ms >= \(p.dayStart) AND local_bucket_ms < \(p.dayEnd))
                                    THEN cost_micros ELSE 0 END), 0)::BIGINT,
                       COALESCE(SUM(cost_micros), 0)::BIGINT
                FROM (SELECT bucket_ms, local_bucket_ms, cost_micros FROM spend_buckets
                      WHERE bucket_ms >= \(p.monthStart) AND bucket_ms < \(p.monthEnd) AND (\(instrument)::TEXT IS NULL OR instrument = \(instrument))
                      UNION ALL
                      SELECT bucket_ms, local_bucket_ms, cost_micros FROM spend_buckets
                      WHERE local_bucket_ms >= \(p.monthStart) AND local_bucket_ms < \(p.monthEnd)
                        AND NOT (bucket_ms >= \(p.monthStart) AND bucket_ms < \(p.monthEnd))
                        AND (\(instrument)::TEXT IS NULL OR instrument = \(instrument))) AS month
                """).rows.first!.decode((Int64, Int64).self)
            let reserved = try c.query("""
                SELECT COALESCE(SUM(GREATEST(amount_micros - spent_micros, 0)), 0)::BIGINT FROM budget_reservations
                WHERE state = 'open' AND (\(instrument)::TEXT IS NULL OR instrument = \(instrument))
                """).rows.first!.decode(Int64.self)
            return (sums.0, sums.1, reserved)
        }
        return Spend(today: Micros.decimal(today + reserved), month: Micros.decimal(month + reserved), reserved: Micros.decimal(reserved))
    }

    public func marketHistory(instrument: String, from: Date, to: Date) throws(LedgerError) -> [MarketSnapshotRecord] {
        try read { c in
            try c.query("""
                SELECT taken_ms, bid_micros, bid_quantity, ask_micros, ask_quantity, last_micros, depth FROM market_snapshots
                WHERE instrument = \(instrument) AND taken_ms BETWEEN \(from.ledgerMilliseconds) AND \(to.ledgerMilliseconds) ORDER BY taken_ms
                """).rows.map { row in
                let (ms, bid, bidQty, ask, askQty, last, depth) = try row.decode((Int64, Int64?, Int64?, Int64?, Int64?, Int64?, Data?).self)
                var bids: [MarketSnapshotRecord.Level] = []
                var asks: [MarketSnapshotRecord.Level] = []
                if let bid { bids.append(.init(price: Micros.decimal(bid), quantity: Int(bidQty ?? 0))) }
                if let ask { asks.append(.init(price: Micros.decimal(ask), quantity: Int(askQty ?? 0))) }
                if let depth, let levels = DepthCoding.decode(depth, topBid: bid, topAsk: ask) {
                    bids += levels.bids.map { .init(price: Micros.decimal($0.0), quantity: $0.1) }
                    asks += levels.asks.map { .init(price: Micros.decimal($0.0), quantity: $0.1) }
                }
                return MarketSnapshotRecord(instrument: instrument, takenAt: Date(ledgerMilliseconds: ms), bids: bids, asks: asks,
                                            last: last.map(Micros.decimal))
            }
        }
    }

    public func balanceHistory(instrument: String, from: Date, to: Date) throws(LedgerError) -> [BalanceSnapshotRecord] {
        try read { c in
            try c.query("""
                SELECT taken_ms, usd_micros, trading_units, consumption_units FROM balance_snapshots
                WHERE instrument = \(instrument) AND taken_ms BETWEEN \(from.ledgerMilliseconds) AND \(to.ledgerMilliseconds) ORDER BY taken_ms
                """).rows.map { row in
                let (ms, usd, trading, consumption) = try row.decode((Int64, Int64?, Int64?, Int64?).self)
                return BalanceSnapshotRecord(instrument: instrument, takenAt: Date(ledgerMilliseconds: ms), usd: usd.map(Micros.decimal),
                                             tradingUnits: trading.map { Int($0) }, consumptionUnits: consumption.map { Int($0) })
            }
        }
    }

    public func marketPoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.MarketPoint> {
        try read { c in
            ArraySlice(try c.query("""
                SELECT taken_ms, bid_micros, ask_micros, last_micros FROM market_snapshots
                WHERE instrument = \(instrument) AND taken_ms BETWEEN \(from.ledgerMilliseconds) AND \(to.ledgerMilliseconds) ORDER BY taken_ms
                """).rows.map { row in
                let (ms, bid, ask, last) = try row.decode((Int64, Int64?, Int64?, Int64?).self)
                return MarketSnapshot.MarketPoint(time: Date(ledgerMilliseconds: ms), bidMicros: bid, askMicros: ask, lastMicros: last)
            })
        }
    }

    public func balancePoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.BalancePoint> {
        try read { c in
            ArraySlice(try c.query("""
                SELECT taken_ms, consumption_units, trading_units FROM balance_snapshots
                WHERE instrument = \(instrument) AND taken_ms BETWEEN \(from.ledgerMilliseconds) AND \(to.ledgerMilliseconds)
                  AND consumption_units IS NOT NULL ORDER BY taken_ms
                """).rows.map { row in
                let (ms, consumption, trading) = try row.decode((Int64, Int64, Int64?).self)
                return MarketSnapshot.BalancePoint(time: Date(ledgerMilliseconds: ms), consumption: Int(consumption), inventory: Int(trading ?? 0))
            })
        }
    }

    public func transfersIn(instrument: String, from: Date) throws(LedgerError) -> [(at: Date, units: Int)] {
        try read { c in
            try c.query("""
                SELECT created_ms, quantity FROM transfers
                WHERE instrument = \(instrument) AND direction = 'to_consumption' AND state = 'done' AND created_ms >= \(from.ledgerMilliseconds)
                ORDER BY created_ms
                """).rows.map { row in
                let (ms, units) = try row.decode((Int64, Int64).self)
                return (Date(ledgerMilliseconds: ms), Int(units))
            }
        }
    }

    public func killSwitch() throws(LedgerError) -> KillSwitchState? {
        try read { c in
            try c.query("SELECT engaged, reason, changed_ms, changed_by FROM kill_switch ORDER BY id DESC LIMIT 1").rows.first.map { row in
                let (engaged, reason, ms, by) = try row.decode((Int32, String, Int64, String).self)
                return KillSwitchState(engaged: engaged != 0, reason: reason, changedAt: Date(ledgerMilliseconds: ms), changedBy: by)
            }
        }
    }

    public func openOrders(instrument: String) throws(LedgerError) -> [LedgerOpenOrder] {
        try read { c in
            try c.query("""
                SELECT client_order_id, exchange_order_id, instrument, market_id, state, quantity, filled_quantity, created_ms, cancel_after_ms
                FROM orders WHERE instrument = \(instrument) AND state IN ('pending', 'unknown', 'open', 'partially_filled') ORDER BY created_ms, id
                """).rows.map { row in
                let (client, exchange, instrument, market, state, quantity, filled, created, cancelAfter) =
                    try row.decode((String, String?, String, String?, String, Int64, Int64, Int64, Int64?).self)
                return LedgerOpenOrder(
                    clientOrderID: client, exchangeOrderID: exchange, instrument: instrument, marketID: market,
                    state: OrderState(rawValue: state) ?? .unknown, quantity: Int(quantity), filledQuantity: Int(filled),
                    createdAt: Date(ledgerMilliseconds: created), cancelAfter: cancelAfter.map { Date(ledgerMilliseconds: $0) })
            }
        }
    }

    public func orderModes() throws(LedgerError) -> Set<LedgerMode> {
        try read { c in
            Set(try c.query("SELECT DISTINCT mode FROM orders").rows.compactMap { LedgerMode(rawValue: try $0.decode(String.self)) })
        }
    }

    public func fillTotals(instrument: String, from: Date, to: Date) throws(LedgerError) -> (units: Int, cost: Decimal) {
        try read { c in
            let (units, cost) = try c.query("""
                SELECT COALESCE(SUM(quantity), 0)::BIGINT, COALESCE(SUM(cost_micros), 0)::BIGINT FROM fills
                WHERE instrument = \(instrument) AND executed_ms BETWEEN \(from.ledgerMilliseconds) AND \(to.ledgerMilliseconds)
                """).rows.first!.decode((Int64, Int64).self)
            return (Int(units), Micros.decimal(cost))
        }
    }

    public func status(asOf time: Date, timeZone: TimeZone) throws(LedgerError) -> LedgerStatus {
        let spend = try spend(asOf: time, timeZone: timeZone, instrument: nil)
        let kill = try killSwitch()
        let (orders, reservations, last) = try read { c in
            let orders = try c.query("""
                SELECT client_order_id, exchange_order_id, instrument, type, quantity, filled_quantity, limit_price_micros, state, created_ms
                FROM orders WHERE state IN ('pending', 'unknown', 'open', 'partially_filled') ORDER BY created_ms, id
                """).rows.map { row in
                let (client, exchange, instrument, type, quantity, filled, limit, state, created) =
                    try row.decode((String, String?, String, String, Int64, Int64, Int64?, String, Int64).self)
                return LedgerStatus.OpenOrder(
                    clientOrderID: client, exchangeOrderID: exchange, instrument: instrument, type: type, quantity: Int(quantity),
                    filledQuantity: Int(filled), limitPrice: limit.map { Ledger.text(Micros.decimal($0)) }, state: state,
                    createdAt: Date(ledgerMilliseconds: created))
            }
            let reservations = try c.query("""
                SELECT client_order_id, instrument, amount_micros, spent_micros, created_ms FROM budget_reservations WHERE state = 'open' ORDER BY created_ms, id
                """).rows.map { row in
                let (client, instrument, amount, spent, created) = try row.decode((String, String, Int64, Int64, Int64).self)
                return LedgerStatus.OpenReservation(clientOrderID: client, instrument: instrument, amount: Ledger.text(Micros.decimal(amount)),
                                                    spent: Ledger.text(Micros.decimal(spent)), createdAt: Date(ledgerMilliseconds: created))
            }
            let last = try c.query("SELECT started_ms, mode, strategy, instrument FROM cycles ORDER BY id DESC LIMIT 1").rows.first.map { row in
                let (ms, mode, strategy, instrument) = try row.decode((Int64, String, String, String).self)
                return LedgerStatus.LastCycle(startedAt: Date(ledgerMilliseconds: ms), mode: mode, strategy: strategy, instrument: instrument)
            }
            return (orders, reservations, last)
        }
        var status = LedgerStatus(ledger: path, timeZone: timeZone.identifier, spend: spend, openOrders: orders, openReservations: reservations,
                                  lastCycle: last, killSwitch: kill)
        status.leadership = try leadership()
        return status
    }

    public func history(since: Date, limit: Int, includeSkipped: Bool) throws(LedgerError) -> [HistoryEntry] {
        let from = since.ledgerMilliseconds
        let limit = Int64(limit)
        return try read { c in
            let decisions = try c.query("""
                SELECT c.started_ms, c.instrument, d.rule, d.outcome, d.action, d.quantity, d.price_micros, d.reason
                FROM decisions d JOIN cycles c ON c.id = d.cycle_id
                WHERE c.started_ms >= \(from) AND (\(includeSkipped) OR d.outcome <> 'skipped')
                ORDER BY c.started_ms DESC, d.position DESC LIMIT \(limit)
                """).rows.map { row in
                let (ms, instrument, rule, outcome, action, quantity, price, reason) =
                    try row.decode((Int64, String, String, String, String?, Int64?, Int64?, String).self)
                return HistoryEntry(
                    kind: .decision, at: Date(ledgerMilliseconds: ms), instrument: instrument, subject: rule,
                    outcome: [outcome, action].compactMap { $0 }.joined(separator: " "), quantity: quantity.map { Int($0) },
                    price: price.map { Ledger.text(Micros.decimal($0)) }, cost: nil, detail: reason)
            }
            let fills = try c.query("""
                SELECT f.executed_ms, f.instrument, o.client_order_id, f.trade_id, f.quantity, f.price_micros, f.cost_micros
                FROM fills f JOIN orders o ON o.id = f.order_id
                WHERE f.executed_ms >= \(from) ORDER BY f.executed_ms DESC LIMIT \(limit)
                """).rows.map { row in
                let (ms, instrument, client, trade, quantity, price, cost) = try row.decode((Int64, String, String, String, Int64, Int64, Int64).self)
                return HistoryEntry(
                    kind: .fill, at: Date(ledgerMilliseconds: ms), instrument: instrument, subject: client, outcome: "fill",
                    quantity: Int(quantity), price: Ledger.text(Micros.decimal(price)), cost: Ledger.text(Micros.decimal(cost)),
                    detail: "trade \(trade)")
            }
            return Array((decisions + fills).sorted { $0.at < $1.at }.suffix(Int(limit)))
        }
    }

    public func schemaStatus() throws(LedgerError) -> [MigrationStatus] {
        let applied = try read { c in
            try Dictionary(uniqueKeysWithValues: c.query("SELECT id, applied_ms FROM schema_migrations").rows.map { row in
                let (id, ms) = try row.decode((Int64, Int64).self)
                return (Int(id), ms)
            })
        }
        return Migration.bundledPostgres.sorted { $0.id < $1.id }.map { m in
            MigrationStatus(id: m.id, name: m.name, appliedAt: applied[m.id].map { Date(ledgerMilliseconds: $0) })
        }
    }

    /// The database answers and holds this build's schema; PostgreSQL checks its own pages.
    public func checkIntegrity() throws(LedgerError) {
        let newest = try read { c in try c.query("SELECT COALESCE(MAX(id), 0)::BIGINT FROM schema_migrations").rows.first!.decode(Int64.self) }
        guard Int(newest) == Self.supportedVersion else {
            throw .cannotOpen(path: path, reason: "schema version \(newest), expected \(Self.supportedVersion)")
        }
    }
}

extension PostgresLedger {
    public func recordedInstruments() throws(LedgerError) -> [String] {
        try read { c in try c.query("SELECT DISTINCT instrument FROM market_snapshots ORDER BY instrument").rows.map { try $0.decode(String.self) } }
    }

    public func recordedBooks(instrument: String, depth: Int, from: Date, to: Date) throws(LedgerError) -> RecordedBooks {
        try read { c in
            var books = RecordedBooks(depth: depth)
            // In pages, so a month of snapshots never sits in memory twice.
            var after = from.ledgerMilliseconds - 1
            let end = to.ledgerMilliseconds
            while true {
                let rows = try c.query("""
                    SELECT taken_ms, bid_micros, bid_quantity, ask_micros, ask_quantity, last_micros, depth FROM market_snapshots
                    WHERE instrument = \(instrument) AND taken_ms > \(after) AND taken_ms <= \(end) ORDER BY taken_ms LIMIT 20000
                    """).rows
                for row in rows {
                    let (ms, bid, bidQty, ask, askQty, last, data) = try row.decode((Int64, Int64?, Int64?, Int64?, Int64?, Int64?, Data?).self)
                    var bids: [(Int64, Int)] = []
                    var asks: [(Int64, Int)] = []
                    if let bid { bids.append((bid, Int(bidQty ?? 0))) }
                    if let ask { asks.append((ask, Int(askQty ?? 0))) }
                    if let data {
                        guard let levels = DepthCoding.decode(data, topBid: bid, topAsk: ask) else {
                            throw LedgerError.read("market_snapshots row (\(instrument), taken_ms \(ms) = \(Date(ledgerMilliseconds: ms).ISO8601Format())): the depth levels are corrupt")
                        }
                        bids += levels.bids
                        asks += levels.asks
                    }
                    books.append(ms: ms, bids: bids, asks: asks, last: last)
                    after = ms
                }
                if rows.count < 20000 { break }
            }
            return books
        }
    }

    public func recordedTrades(instrument: String) throws(LedgerError) -> [(ms: Int64, price: Int64, quantity: Int)] {
        try read { c in
            try c.query("SELECT traded_ms, price_micros, quantity FROM public_trades WHERE instrument = \(instrument) ORDER BY traded_ms, id").rows.map { row in
                let (ms, price, quantity) = try row.decode((Int64, Int64, Int64).self)
                return (ms, price, Int(quantity))
            }
        }
    }

    public func recordedBurn(instrument: String) throws(LedgerError) -> [(ms: Int64, milliUnitsPerHour: Int64)] {
        try read { c in
            try c.query("SELECT taken_ms, milli_units_per_hour FROM burn_samples WHERE instrument = \(instrument) ORDER BY taken_ms").rows.map { row in
                try row.decode((Int64, Int64).self)
            }.map { (ms: $0.0, milliUnitsPerHour: $0.1) }
        }
    }

    public func recordedBalances(instrument: String) throws(LedgerError) -> [(ms: Int64, consumption: Int)] {
        try read { c in
            try c.query("""
                SELECT taken_ms, consumption_units FROM balance_snapshots WHERE instrument = \(instrument) AND consumption_units IS NOT NULL ORDER BY taken_ms
                """).rows.map { row in
                let (ms, consumption) = try row.decode((Int64, Int64).self)
                return (ms: ms, consumption: Int(consumption))
            }
        }
    }

    public func hasRecordingTables() -> Bool { true }
}

extension PostgresLedger: LedgerDatabase {}
