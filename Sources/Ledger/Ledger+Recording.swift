import Foundation
import GRDB
import GridKeeperCore
import GridKeeperMacros

/// A trade printed on the market (anyone's), as recorded for backtests.
@MemberwiseInit
public struct PublicTradeRecord: Sendable, Equatable {
    public var instrument: String
    public var tradedAt: Date
    public var tradeID: String?
    public var price: Decimal
    public var quantity: Int
}

/// Consumption demand from `at` on, in units per hour (synthetic recordings).
@MemberwiseInit
public struct BurnSampleRecord: Sendable, Equatable {
    public var instrument: String
    public var at: Date
    public var unitsPerHour: Decimal
}

/// Recorded order books of one instrument, column by column (compact for millions of
/// snapshots): times in ms, `depth` levels per side per snapshot (price 0 = no level).
public struct RecordedBooks: Sendable, Equatable {
    public var depth: Int
    public var times: [Int64] = []
    public var bidPrices: [Int64] = []
    public var bidQuantities: [Int32] = []
    public var askPrices: [Int64] = []
    public var askQuantities: [Int32] = []
    /// Last trade price in micros, 0 when none.
    public var lasts: [Int64] = []

    public init(depth: Int) { self.depth = depth }

    public var count: Int { times.count }

    /// Appends one snapshot; levels beyond `depth` are dropped.
    public mutating func append(ms: Int64, bids: [(Int64, Int)], asks: [(Int64, Int)], last: Int64?) {
        times.append(ms)
        for i in 0..<depth {
            bidPrices.append(i < bids.count ? bids[i].0 : 0)
            bidQuantities.append(i < bids.count ? Int32(clamping: bids[i].1) : 0)
            askPrices.append(i < asks.count ? asks[i].0 : 0)
            askQuantities.append(i < asks.count ? Int32(clamping: asks[i].1) : 0)
        }
        lasts.append(last ?? 0)
    }

    public mutating func reserve(_ n: Int) {
        times.reserveCapacity(n)
        lasts.reserveCapacity(n)
        bidPrices.reserveCapacity(n * depth)
        bidQuantities.reserveCapacity(n * depth)
        askPrices.reserveCapacity(n * depth)
        askQuantities.reserveCapacity(n * depth)
    }
}

extension Ledger {
    /// Records public trades; one already recorded (same instrument and trade id) is skipped.
    public func record(publicTrades trades: [PublicTradeRecord]) throws(LedgerError) {
        let rows = try WriteRows.publicTrades(trades)
        try write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO public_trades (instrument, traded_ms, trade_id, price_micros, quantity) VALUES (?, ?, ?, ?, ?)
                """)
            for (t, price) in rows {
                try statement.execute(arguments: [t.instrument, t.tradedAt.ledgerMilliseconds, t.tradeID, price, t.quantity])
            }
        }
    }

    /// Records consumption demand samples (a repeated instrument and time is replaced).
    public func record(burnSamples samples: [BurnSampleRecord]) throws(LedgerError) {
        let rows = try WriteRows.burnSamples(samples)
        try write { db in
            for (s, milli) in rows {
                try db.execute(sql: "INSERT OR REPLACE INTO burn_samples (instrument, taken_ms, milli_units_per_hour) VALUES (?, ?, ?)",
                               arguments: [s.instrument, s.at.ledgerMilliseconds, milli])
            }
        }
    }

    /// Instruments with recorded market snapshots, by name.
    public func recordedInstruments() throws(LedgerError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT instrument FROM market_snapshots ORDER BY instrument") }
    }

    /// Every recorded book of `instrument` with `from <= time <= to`, oldest first.
    /// - Throws: `LedgerError.read` naming the row whose depth cannot be decoded.
    public func recordedBooks(instrument: String, depth: Int = 5, from: Date = .distantPast, to: Date = .distantFuture) throws(LedgerError) -> RecordedBooks {
        try read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM market_snapshots WHERE instrument = ? AND taken_ms BETWEEN ? AND ?",
                                         arguments: [instrument, from.ledgerMilliseconds, to.ledgerMilliseconds]) ?? 0
            var books = RecordedBooks(depth: depth)
            books.reserve(count)
            let rows = try GRDB.Row.fetchCursor(
                db,
                sql: """
                    SELECT 0, taken_ms, bid_micros, bid_quantity, ask_micros, ask_quantity, last_micros, depth FROM market_snapshots
                    WHERE instrument = ? AND taken_ms BETWEEN ? AND ? ORDER BY taken_ms
                    """,
                arguments: [instrument, from.ledgerMilliseconds, to.ledgerMilliseconds])
            while let row = try rows.next() {
                var bids: [(Int64, Int)] = []
                var asks: [(Int64, Int)] = []
                let topBid: Int64? = row[2], topAsk: Int64? = row[4]
                if let topBid { bids.append((topBid, row[3] ?? 0)) }
                if let topAsk { asks.append((topAsk, row[5] ?? 0)) }
                if let data: Data = row[7] {
                    guard let levels = DepthCoding.decode(data, topBid: topBid, topAsk: topAsk) else {
                        throw LedgerError.read("market_snapshots row (\(instrument), taken_ms \(row[1] as Int64) = \(Date(ledgerMilliseconds: row[1]).ISO8601Format())): the depth levels are corrupt")
                    }
                    bids += levels.bids
                    asks += levels.asks
                }
                books.append(ms: row[1], bids: bids, asks: asks, last: row[6])
            }
            return books
        }
    }

    /// Recorded public trades of `instrument`, oldest first: (ms, price micros, quantity).
    public func recordedTrades(instrument: String) throws(LedgerError) -> [(ms: Int64, price: Int64, quantity: Int)] {
        try read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT traded_ms, price_micros, quantity FROM public_trades WHERE instrument = ? ORDER BY traded_ms, id",
                                  arguments: [instrument]).map { (ms: $0[0], price: $0[1], quantity: $0[2]) }
        }
    }

    /// Recorded demand of `instrument`, oldest first: (ms, thousandths of a unit per hour).
    public func recordedBurn(instrument: String) throws(LedgerError) -> [(ms: Int64, milliUnitsPerHour: Int64)] {
        try read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT taken_ms, milli_units_per_hour FROM burn_samples WHERE instrument = ? ORDER BY taken_ms",
                                  arguments: [instrument]).map { (ms: $0[0], milliUnitsPerHour: $0[1]) }
        }
    }

    /// Recorded consumption balances of `instrument`, oldest first.
    public func recordedBalances(instrument: String) throws(LedgerError) -> [(ms: Int64, consumption: Int)] {
        try read { db in
            try GRDB.Row.fetchAll(db, sql: """
                SELECT taken_ms, consumption_units FROM balance_snapshots WHERE instrument = ? AND consumption_units IS NOT NULL ORDER BY taken_ms
                """, arguments: [instrument]).map { (ms: $0[0], consumption: $0[1]) }
        }
    }
}

extension Ledger {
    /// Whether the schema has the tables of public trades and demand (a ledger opened read-only
    /// may predate them).
    public func hasRecordingTables() -> Bool {
        (try? read { db in try db.tableExists("public_trades") && db.tableExists("burn_samples") }) ?? false
    }
}
