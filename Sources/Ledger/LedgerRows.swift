import Foundation

/// One stored value as both ledgers keep it: integers (micro-dollars, units, milliseconds,
/// ids), text, bytes (packed book depth) or nothing.
public enum LedgerValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case text(String)
    case blob(Data)

    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .text(let value): "'" + value + "'"
        case .blob(let value): "\(value.count) bytes (\(value.prefix(8).map { String(format: "%02x", $0) }.joined())…)"
        }
    }

    /// The integer, if this is one.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// One row: a value per column of its `LedgerTable`, in the table's column order.
public typealias LedgerRow = [LedgerValue]

/// A ledger table as the copy sees it: the columns both backends have (PostgreSQL's
/// `fence_token` is not one), read in key order.
public struct LedgerTable: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case integer, text, blob

        /// The PostgreSQL type a bound parameter of this kind is cast to.
        var postgresType: String {
            switch self {
            case .integer: "BIGINT"
            case .text: "TEXT"
            case .blob: "BYTEA"
            }
        }
    }

    public let name: String
    public let columns: [(name: String, kind: Kind)]
    /// Rows are read one value of this text column (the instrument) at a time, so both
    /// databases page in the same order whatever their collation; nil: the whole table at once.
    public let partition: String?
    /// The integer columns that order the rows (within a partition) and identify one.
    public let key: [String]
    /// Whether `id` is an identity whose sequence must follow explicitly inserted ids.
    public var hasIdentity: Bool { key == ["id"] && partition == nil }

    public var description: String { name }
    public var columnNames: [String] { columns.map(\.name) }

    init(_ name: String, partition: String? = nil, key: [String] = ["id"], _ columns: [(String, Kind)]) {
        self.name = name
        self.columns = columns.map { (name: $0.0, kind: $0.1) }
        self.partition = partition
        self.key = key
        precondition(key.allSatisfy { k in columns.contains { $0.0 == k && $0.1 == .integer } }, "\(name): key columns must be integer columns")
    }

    /// Where `key` sits in a row.
    public var keyIndices: [Int] { key.map { k in columns.firstIndex { $0.name == k }! } }
    /// Where the partition column sits in a row.
    public var partitionIndex: Int? { partition.map { p in columns.firstIndex { $0.name == p }! } }

    public static func == (a: LedgerTable, b: LedgerTable) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    // MARK: The tables

    /// Every table a ledger copy carries, parents before children (foreign keys; the fills
    /// trigger reads the order's `created_ms`). `spend_buckets` is not one of them: the
    /// destination derives it from the fills.
    public static let copied: [LedgerTable] = [
        LedgerTable("cycles", [("id", .integer), ("started_ms", .integer), ("mode", .text), ("strategy", .text), ("instrument", .text),
                               ("snapshot_digest", .text), ("decision_count", .integer), ("note", .text)]),
        LedgerTable("decisions", [("id", .integer), ("cycle_id", .integer), ("position", .integer), ("rule", .text), ("outcome", .text),
                                  ("action", .text), ("quantity", .integer), ("price_micros", .integer), ("reason", .text), ("inputs", .text)]),
        LedgerTable("budget_reservations", [("id", .integer), ("client_order_id", .text), ("decision_id", .integer), ("instrument", .text),
                                            ("amount_micros", .integer), ("spent_micros", .integer), ("state", .text), ("created_ms", .integer),
                                            ("settled_ms", .integer)]),
        LedgerTable("orders", [("id", .integer), ("client_order_id", .text), ("exchange_order_id", .text), ("reservation_id", .integer),
                               ("decision_id", .integer), ("mode", .text), ("instrument", .text), ("market_id", .text), ("side", .text),
                               ("type", .text), ("quantity", .integer), ("limit_price_micros", .integer), ("filled_quantity", .integer),
                               ("state", .text), ("state_reason", .text), ("created_ms", .integer), ("updated_ms", .integer),
                               ("cancel_after_ms", .integer)]),
        LedgerTable("fills", [("id", .integer), ("trade_id", .text), ("order_id", .integer), ("instrument", .text), ("quantity", .integer),
                              ("price_micros", .integer), ("fee_micros", .integer), ("cost_micros", .integer), ("executed_ms", .integer),
                              ("recorded_ms", .integer)]),
        LedgerTable("transfers", [("id", .integer), ("transfer_id", .text), ("decision_id", .integer), ("mode", .text), ("instrument", .text),
                                  ("direction", .text), ("quantity", .integer), ("state", .text), ("created_ms", .integer), ("updated_ms", .integer)]),
        LedgerTable("balance_snapshots", partition: "instrument", key: ["taken_ms"],
                    [("instrument", .text), ("taken_ms", .integer), ("usd_micros", .integer), ("trading_units", .integer), ("consumption_units", .integer)]),
        LedgerTable("market_snapshots", partition: "instrument", key: ["taken_ms"],
                    [("instrument", .text), ("taken_ms", .integer), ("bid_micros", .integer), ("bid_quantity", .integer), ("ask_micros", .integer),
                     ("ask_quantity", .integer), ("last_micros", .integer), ("depth", .blob)]),
        LedgerTable("kill_switch", [("id", .integer), ("engaged", .integer), ("reason", .text), ("changed_ms", .integer), ("changed_by", .text)]),
        LedgerTable("public_trades", [("id", .integer), ("instrument", .text), ("traded_ms", .integer), ("trade_id", .text), ("price_micros", .integer),
                                      ("quantity", .integer)]),
        LedgerTable("burn_samples", partition: "instrument", key: ["taken_ms"],
                    [("instrument", .text), ("taken_ms", .integer), ("milli_units_per_hour", .integer)]),
    ]

    /// Spend per instrument and 15-minute bucket on both clocks, derived from the fills by a
    /// trigger in either backend: compared after a copy, never copied.
    public static let spendBuckets = LedgerTable(
        "spend_buckets", partition: "instrument", key: ["bucket_ms", "local_bucket_ms"],
        [("instrument", .text), ("bucket_ms", .integer), ("local_bucket_ms", .integer), ("cost_micros", .integer), ("units", .integer)])

    /// SQL for the next page: `WHERE partition = ? AND (key) > (?, …) ORDER BY key LIMIT n`, with
    /// `placeholder(i)` for the i-th (0-based) parameter.
    func pageSQL(partitioned: Bool, after: Bool, limit: Int, placeholder: (Int) -> String) -> String {
        var conditions: [String] = []
        var next = 0
        if partitioned, let partition {
            conditions.append("\(partition) = \(placeholder(next))")
            next += 1
        }
        if after {
            let values = key.indices.map { placeholder(next + $0) }
            conditions.append(key.count == 1 ? "\(key[0]) > \(values[0])" : "(\(key.joined(separator: ", "))) > (\(values.joined(separator: ", ")))")
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "SELECT \(columnNames.joined(separator: ", ")) FROM \(name)\(filter) ORDER BY \(key.joined(separator: ", ")) LIMIT \(limit)"
    }
}

/// Generic row access for copying a ledger to another backend and checking the copy: both
/// `Ledger` (SQLite) and `PostgresLedger` read and write any `LedgerTable` row by row.
public protocol LedgerRowAccess: LedgerDatabase {
    /// Rows in every table but `schema_migrations`, by table name, tables with none included.
    func tableRowCounts() throws(LedgerError) -> [String: Int]
    /// The distinct values of `table`'s partition column (sorted bytewise), or `[nil]` for a
    /// table read whole.
    func partitions(of table: LedgerTable) throws(LedgerError) -> [String?]
    /// Up to `limit` rows of `table` (within `partition`) whose key follows `after`, in key order.
    func rows(of table: LedgerTable, partition: String?, after key: [Int64]?, limit: Int) throws(LedgerError) -> [LedgerRow]
    /// Runs `body` in one write transaction: everything it inserts commits together, or nothing
    /// does when it throws. Identity sequences (PostgreSQL) follow the inserted ids at the end.
    func importRows(_ body: (any LedgerRowSink) throws -> Void) throws(LedgerError)
}

/// Where `importRows` takes rows.
public protocol LedgerRowSink {
    /// Inserts `rows` into `table` as they are, ids included.
    func insert(_ rows: [LedgerRow], into table: LedgerTable) throws(LedgerError)
}

extension LedgerRowAccess {
    /// Every row of `table` in order, `pageSize` at a time.
    public func forEachPage(of table: LedgerTable, pageSize: Int = 1_000,
                            _ body: (_ partition: String?, _ rows: [LedgerRow]) throws -> Void) throws {
        let keys = table.keyIndices
        for partition in try partitions(of: table) {
            var after: [Int64]?
            while true {
                let page = try rows(of: table, partition: partition, after: after, limit: pageSize)
                if page.isEmpty { break }
                try body(partition, page)
                if page.count < pageSize { break }
                after = keys.map { page[page.count - 1][$0].integer ?? 0 }
            }
        }
    }
}

extension Array where Element == String? {
    /// Sorted bytewise (UTF-8), as SQLite's BINARY collation and PostgreSQL's "C" order them.
    func sortedBytewise() -> [String?] {
        sorted { a, b in [UInt8]((a ?? "").utf8).lexicographicallyPrecedes([UInt8]((b ?? "").utf8)) }
    }
}
