import Foundation
import Ledger
import Testing
import TestSupport

/// The two places a ledger lives. The ledger's tests run once per backend: the same calls must
/// give the same answers from SQLite and from PostgreSQL.
enum LedgerBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A new, empty, migrated ledger: SQLite in memory, or a fresh database on the test
    /// process's throw-away PostgreSQL cluster.
    func make() throws -> any LedgerDatabase {
        switch self {
        case .sqlite:
            return try Ledger(inMemory: Migration.bundled)
        case .postgres:
            let cluster = try PostgresCluster.shared()
            return try LedgerOpener.open(cluster.url(database: try cluster.createDatabase()))
        }
    }

    /// The migrations this backend applies.
    var migrations: [Migration] { self == .sqlite ? Migration.bundled : Migration.bundledPostgres }
}
