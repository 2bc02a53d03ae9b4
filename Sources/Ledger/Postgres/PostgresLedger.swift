import Foundation
import GridKeeperCore
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// The ledger in a PostgreSQL database: the same tables, records and answers as the SQLite
/// `Ledger`, for teams that run an active and a standby daemon on two hosts over one database.
///
/// Schema from `migrations/postgres/*.sql` (compiled in), applied at open in one transaction
/// with the same check that refuses edited or newer migrations. Every write of one logical
/// event is one transaction. Writes that trade (cycles, reservations, orders, fills,
/// transfers) carry the fencing token of the leadership this process holds
/// (`PostgresLedger+Leadership.swift`); the database refuses a stale one.
public final class PostgresLedger: Sendable {
    public let location: PostgresLocation
    public let created: Bool
    let session: PostgresSession
    private let fence = NIOLockedValueBox<(token: Int64, heldSince: Date)?>(nil)

    /// The schema this build knows for PostgreSQL.
    public static var supportedVersion: Int { Migration.bundledPostgres.map(\.id).max() ?? 0 }

    /// The URL without its password.
    public var path: String { location.description }

    /// Connects, checks the schema and applies pending migrations.
    /// - Parameters:
    ///   - readOnly: check the schema but change nothing.
    ///   - create: apply the schema to a database that has none; when false such a database is
    ///     `LedgerError.notFound` and nothing is created.
    ///   - timeout: how long one statement may take before the connection is dropped.
    public init(location: PostgresLocation, readOnly: Bool = false, create: Bool = true, migrations: [Migration] = Migration.bundledPostgres,
                timeout: TimeInterval = 10) throws(LedgerError) {
        self.location = location
        session = PostgresSession(location: location, timeout: .milliseconds(Int64(timeout * 1000)))
        let shown = location.description
        let applied: [Int: (name: String, sql: String, applied: Int64)]
        let tables: Int
        do {
            (tables, applied) = try session.withConnection { c in
                let tables = try c.query("SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()").rows.first?
                    .decode(Int64.self) ?? 0
                let exists = try c.query("SELECT to_regclass('schema_migrations') IS NOT NULL").rows.first?.decode(Bool.self) ?? false
                var applied: [Int: (String, String, Int64)] = [:]
                if exists {
                    for row in try c.query("SELECT id, name, sql, applied_ms FROM schema_migrations").rows {
                        let (id, name, sql, at) = try row.decode((Int64, String, String, Int64).self)
                        applied[Int(id)] = (name, sql, at)
                    }
                }
                return (Int(tables), applied)
            }
        } catch {
            throw .cannotOpen(path: shown, reason: PostgresFailure.describe(error))
        }
        if tables > 0 && applied.isEmpty { throw .notALedger(path: shown) }
        let supported = migrations.map(\.id).max() ?? 0
        if let newest = applied.keys.max(), newest > supported {
            throw .newerSchema(path: shown, applied: newest, supported: supported)
        }
        for migration in migrations where applied[migration.id].map({ $0.sql != migration.sql }) == true {
            throw .editedMigration(path: shown, name: "postgres/" + migration.name)
        }
        created = applied.isEmpty
        if applied.isEmpty && (readOnly || !create) { throw .notFound(path: shown) }
        let pending = migrations.sorted { $0.id < $1.id }.filter { applied[$0.id] == nil }
        guard !pending.isEmpty else { return }
        if readOnly {
            throw .cannotOpen(path: shown, reason: "its schema (version \(applied.keys.max() ?? 0)) is older than this gridkeeper's (\(supported)): run `gridkeeper migrate --db URL` first")
        }
        var failing = pending[0].name
        do {
            try session.transaction { c in
                // Two daemons starting together: the second waits here, then finds the work done.
                try c.execute("SELECT pg_advisory_xact_lock(7262616912)")
                try c.execute("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        id BIGINT PRIMARY KEY, name TEXT NOT NULL, sql TEXT NOT NULL, applied_ms BIGINT NOT NULL)
                    """)
                let done = Set(try c.query("SELECT id FROM schema_migrations").rows.map { Int(try $0.decode(Int64.self)) })
                let now = Date().ledgerMilliseconds
                for migration in pending where !done.contains(migration.id) {
                    failing = migration.name
                    for statement in SQLStatements.split(migration.sql) {
                        try c.execute(PostgresQuery(unsafeSQL: statement))
                    }
                    try c.execute("INSERT INTO schema_migrations (id, name, sql, applied_ms) VALUES (\(Int64(migration.id)), \(migration.name), \(migration.sql), \(now))")
                }
            }
        } catch {
            throw .migrationFailed(name: "postgres/" + failing, reason: PostgresFailure.describe(error))
        }
    }

    /// Drops the connection.
    public func close() { session.close() }

    /// `VACUUM (ANALYZE)` of the whole ledger: what autovacuum does in a running database, done
    /// at once (after a bulk load, such as a `ledger copy` or a benchmark's, whose spend buckets
    /// were updated once per fill).
    public func vacuumAnalyze() throws(LedgerError) {
        do {
            _ = try session.withConnection { c in try c.execute("VACUUM (ANALYZE)") }
        } catch {
            throw .write(PostgresFailure.describe(error))
        }
    }

    // MARK: Access helpers

    /// The fencing token this process's writes carry (nil: it holds no leadership).
    public var fencingToken: Int64? { fence.withLockedValue { $0?.token } }

    /// When this process took the lease it holds, by the local clock.
    public var leaseHeldSince: Date? { fence.withLockedValue { $0?.heldSince } }

    func setFencingToken(_ token: Int64?) { fence.withLockedValue { $0 = token.map { ($0, Date()) } } }

    @discardableResult
    func write<T>(_ body: (PostgresSession.Connection) throws -> T) throws(LedgerError) -> T {
        do {
            return try session.transaction(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            if PostgresFailure.sqlState(error) == Self.staleTokenState {
                throw .fenced(PostgresFailure.describe(error))
            }
            throw .write(PostgresFailure.describe(error))
        }
    }

    func read<T>(_ body: (PostgresSession.Connection) throws -> T) throws(LedgerError) -> T {
        do {
            return try session.withConnection(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .read(PostgresFailure.describe(error))
        }
    }

    /// The SQLSTATE the fencing trigger raises for a stale token.
    static let staleTokenState = "GK001"
}

extension Migration {
    /// The PostgreSQL migrations this build knows (`migrations/postgres/*.sql`), in order.
    public static var bundledPostgres: [Migration] { EmbeddedPostgresMigrations.all }
}
