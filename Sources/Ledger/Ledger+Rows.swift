import Foundation
import GRDB

/// The SQLite ledger's rows as generic values, for `LedgerCopy`.
extension Ledger: LedgerRowAccess {
    public func tableRowCounts() throws(LedgerError) -> [String: Int] {
        try read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'
                """)
            var counts: [String: Int] = [:]
            for table in tables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table.replacingOccurrences(of: "\"", with: "\"\""))\"") ?? 0
            }
            return counts
        }
    }

    public func partitions(of table: LedgerTable) throws(LedgerError) -> [String?] {
        guard let partition = table.partition else { return [nil] }
        let values = try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT \(partition) FROM \(table.name)") }
        return values.map { Optional($0) }.sortedBytewise()
    }

    public func rows(of table: LedgerTable, partition: String?, after key: [Int64]?, limit: Int) throws(LedgerError) -> [LedgerRow] {
        let sql = table.pageSQL(partitioned: partition != nil, after: key != nil, limit: limit) { _ in "?" }
        var arguments: [DatabaseValue] = []
        if let partition { arguments.append(partition.databaseValue) }
        for value in key ?? [] { arguments.append(value.databaseValue) }
        let bound = StatementArguments(arguments)
        let rows = try read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map { row in
                try (0..<table.columns.count).map { i in try Self.value(row[i] as DatabaseValue, table: table, column: i) }
            }
        }
        return rows
    }

    public func importRows(_ body: (any LedgerRowSink) throws -> Void) throws(LedgerError) {
        do {
            try writer.write { db in try body(SQLiteRowSink(db: db)) }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .write(Self.describe(error))
        }
    }

    /// A stored value as the copy compares it; a value of another kind than the column's
    /// (a REAL in an integer column) is refused, naming the table and column.
    static func value(_ value: DatabaseValue, table: LedgerTable, column: Int) throws -> LedgerValue {
        let kind = table.columns[column].kind
        switch (value.storage, kind) {
        case (.null, _): return .null
        case (.int64(let v), .integer): return .integer(v)
        case (.string(let v), .text): return .text(v)
        case (.blob(let v), .blob): return .blob(v)
        case (.int64(let v), .text): return .text(String(v))
        default:
            throw LedgerError.invalidValue("\(table.name).\(table.columns[column].name) holds \(value), not \(kind)")
        }
    }
}

/// Inserts rows inside a GRDB write transaction.
struct SQLiteRowSink: LedgerRowSink {
    let db: Database

    func insert(_ rows: [LedgerRow], into table: LedgerTable) throws(LedgerError) {
        guard !rows.isEmpty else { return }
        let columns = table.columnNames
        let sql = "INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        do {
            let statement = try db.cachedStatement(sql: sql)
            for row in rows {
                let values: [DatabaseValue] = row.map { value in
                    switch value {
                    case .null: .null
                    case .integer(let v): v.databaseValue
                    case .text(let v): v.databaseValue
                    case .blob(let v): v.databaseValue
                    }
                }
                try statement.execute(arguments: StatementArguments(values))
            }
        } catch {
            throw .write("inserting into \(table.name): \(Ledger.describe(error))")
        }
    }
}
