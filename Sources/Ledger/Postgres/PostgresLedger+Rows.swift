import Foundation
import NIOCore
import PostgresNIO

/// The PostgreSQL ledger's rows as generic values, for `LedgerCopy`.
extension PostgresLedger: LedgerRowAccess {
    public func tableRowCounts() throws(LedgerError) -> [String: Int] {
        try read { c in
            let tables = try c.query("""
                SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'
                """).rows.map { try $0.decode(String.self) }
            var counts: [String: Int] = [:]
            for table in tables {
                let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                counts[table] = Int(try c.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(quoted)")).rows.first?.decode(Int64.self) ?? 0)
            }
            return counts
        }
    }

    public func partitions(of table: LedgerTable) throws(LedgerError) -> [String?] {
        guard let partition = table.partition else { return [nil] }
        let values = try read { c in
            try c.query(PostgresQuery(unsafeSQL: "SELECT DISTINCT \(partition) FROM \(table.name)")).rows.map { try $0.decode(String.self) }
        }
        return values.map { Optional($0) }.sortedBytewise()
    }

    public func rows(of table: LedgerTable, partition: String?, after key: [Int64]?, limit: Int) throws(LedgerError) -> [LedgerRow] {
        let sql = table.pageSQL(partitioned: partition != nil, after: key != nil, limit: limit) { "$\($0 + 1)" }
        var binds = PostgresBindings()
        if let partition { binds.append(partition) }
        for value in key ?? [] { binds.append(value) }
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try read { c in
            try c.query(query).rows.map { row in
                var values: LedgerRow = []
                values.reserveCapacity(table.columns.count)
                for (i, cell) in row.enumerated() {
                    values.append(try Self.value(cell, table: table, column: i))
                }
                return values
            }
        }
    }

    public func importRows(_ body: (any LedgerRowSink) throws -> Void) throws(LedgerError) {
        try write { c in
            try body(PostgresRowSink(connection: c))
            // Explicit ids leave the identities behind: the next generated id must follow them.
            for table in LedgerTable.copied where table.hasIdentity {
                try c.execute(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table.name)', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM \(table.name)
                    """))
            }
        }
    }

    static func value(_ cell: PostgresCell, table: LedgerTable, column: Int) throws -> LedgerValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch table.columns[column].kind {
            case .integer: return .integer(try cell.decode(Int64.self))
            case .text: return .text(try cell.decode(String.self))
            case .blob: return .blob(try cell.decode(Data.self))
            }
        } catch {
            throw LedgerError.invalidValue("\(table.name).\(table.columns[column].name) holds a \(cell.dataType) the copy cannot read")
        }
    }
}

/// Inserts rows inside a PostgreSQL transaction, several per statement (every parameter cast
/// to its column's type, so a column of NULLs is not taken for text).
struct PostgresRowSink: LedgerRowSink {
    let connection: PostgresSession.Connection
    /// PostgreSQL takes at most 65 535 parameters per statement.
    static let maxParameters = 30_000

    func insert(_ rows: [LedgerRow], into table: LedgerTable) throws(LedgerError) {
        let width = table.columns.count
        let perStatement = max(1, Self.maxParameters / width)
        var start = rows.startIndex
        while start < rows.endIndex {
            let chunk = rows[start..<min(start + perStatement, rows.endIndex)]
            start = chunk.endIndex
            do {
                var binds = PostgresBindings(capacity: chunk.count * width)
                var tuples: [String] = []
                tuples.reserveCapacity(chunk.count)
                for (n, row) in chunk.enumerated() {
                    var placeholders: [String] = []
                    for (i, value) in row.enumerated() {
                        placeholders.append("$\(n * width + i + 1)::\(table.columns[i].kind.postgresType)")
                        switch value {
                        case .null: binds.appendNull()
                        case .integer(let v): binds.append(v)
                        case .text(let v): binds.append(v)
                        case .blob(let v): try binds.append(v)
                        }
                    }
                    tuples.append("(" + placeholders.joined(separator: ", ") + ")")
                }
                let sql = "INSERT INTO \(table.name) (\(table.columnNames.joined(separator: ", "))) VALUES " + tuples.joined(separator: ", ")
                try connection.execute(PostgresQuery(unsafeSQL: sql, binds: binds))
            } catch {
                let first = chunk.first.map { row in table.keyIndices.map { row[$0].description }.joined(separator: ", ") } ?? ""
                throw .write("inserting into \(table.name) (rows from key \(first)): \(PostgresFailure.describe(error))")
            }
        }
    }
}
