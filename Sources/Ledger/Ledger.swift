import Foundation
import GRDB
import GridKeeperCore

/// The SQLite ledger: every cycle, decision, reservation, order, fill, transfer and snapshot.
///
/// WAL mode, foreign keys on, a busy timeout; schema from `migrations/*.sql` (compiled in),
/// applied at open. All writes of one logical event happen in one transaction.
public final class Ledger: Sendable {
    public let path: String
    /// Whether this open created the file (commands that may create a ledger say so).
    public let created: Bool
    let writer: any DatabaseWriter

    /// The schema version this build knows.
    public static var supportedVersion: Int { Migration.bundled.map(\.id).max() ?? 0 }

    /// Where the ledger lives unless `--db` says otherwise: `$XDG_STATE_HOME/gridkeeper/ledger.sqlite`,
    /// falling back to `~/.local/state/gridkeeper/ledger.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        return state + "/gridkeeper/ledger.sqlite"
    }

    /// Opens (creating if needed and allowed) and migrates the ledger at `path`.
    /// - Parameters:
    ///   - readOnly: open for reading only; nothing is created or migrated.
    ///   - create: create a missing file (and its directory); when false a missing file is
    ///     `LedgerError.notFound` and nothing is created. Commands that act on an existing
    ///     ledger (`pause`, `status`, …) pass false, so a mistyped path cannot start a new one.
    ///   - migrations: the schema steps (the bundled ones unless testing).
    /// - Throws: `LedgerError` — a file that is not SQLite, from a newer schema, read-only, or
    ///   whose migration fails is left untouched.
    public init(path: String, readOnly: Bool = false, create: Bool = true, migrations: [Migration] = Migration.bundled) throws(LedgerError) {
        self.path = path
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue { throw .cannotOpen(path: path, reason: "it is a directory; pass the ledger file's path") }
        created = !exists
        if exists {
            try Self.checkHeader(path)
            if !readOnly && !fm.isWritableFile(atPath: path) { throw .readOnly(path: path) }
        } else if readOnly || !create {
            throw .notFound(path: path)
        } else {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                do {
                    try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw .cannotOpen(path: path, reason: "cannot create directory \(directory)")
                }
            }
        }
        if exists && (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0 > 0 {
            try Self.inspect(path: path, migrations: migrations)
        }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.label = "gridkeeper.ledger"
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        if readOnly {
            try checkVersion(migrations: migrations)
        } else {
            try migrate(migrations)
        }
    }

    /// A fresh in-memory ledger (tests and backtests).
    public init(inMemory migrations: [Migration] = Migration.bundled) throws(LedgerError) {
        path = ":memory:"
        created = true
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        do {
            writer = try DatabaseQueue(configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        try migrate(migrations)
    }

    /// Looks at an existing file read-only, before anything could change it: it must be a
    /// GridKeeper ledger (or an empty database) of a schema this build knows.
    private static func inspect(path: String, migrations: [Migration]) throws(LedgerError) {
        var configuration = Configuration()
        configuration.readonly = true
        let found: (tables: Int, applied: [Int: String])
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            found = try queue.read { db in
                let tables = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") ?? 0
                guard try db.tableExists("schema_migrations") else { return (tables, [:]) }
                var applied: [Int: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT id, sql FROM schema_migrations") { applied[row["id"]] = row["sql"] }
                return (tables, applied)
            }
            try queue.close()
        } catch {
            throw openError(error, path: path)
        }
        if found.tables > 0 && found.applied.isEmpty { throw .notALedger(path: path) }
        let supported = migrations.map(\.id).max() ?? 0
        if let newest = found.applied.keys.max(), newest > supported {
            throw .newerSchema(path: path, applied: newest, supported: supported)
        }
        for migration in migrations where found.applied[migration.id].map({ $0 != migration.sql }) == true {
            throw .editedMigration(path: path, name: migration.name)
        }
    }

    private static func checkHeader(_ path: String) throws(LedgerError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .cannotOpen(path: path, reason: "permission denied") }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }  // an empty file becomes a new ledger
        guard header == Data("SQLite format 3\0".utf8) else { throw .notALedger(path: path) }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "\(error.message ?? "SQLite error") (code \(error.resultCode.rawValue))"
        }
        return "\(error)"
    }

    // MARK: Migrations

    private static let createMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            id         INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            sql        TEXT    NOT NULL,
            applied_ms INTEGER NOT NULL
        )
        """

    private func appliedMigrations(_ db: Database) throws -> [Int: (name: String, sql: String, applied: Int64)] {
        guard try db.tableExists("schema_migrations") else { return [:] }
        var result: [Int: (String, String, Int64)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name, sql, applied_ms FROM schema_migrations") {
            result[row["id"]] = (row["name"], row["sql"], row["applied_ms"])
        }
        return result
    }

    private func checkApplied(_ applied: [Int: (name: String, sql: String, applied: Int64)], against migrations: [Migration]) throws(LedgerError) {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.id, $0) })
        let supported = migrations.map(\.id).max() ?? 0
        if let newest = applied.keys.max(), newest > supported {
            throw .newerSchema(path: path, applied: newest, supported: supported)
        }
        for (id, record) in applied {
            if let migration = known[id], migration.sql != record.sql {
                throw .editedMigration(path: path, name: migration.name)
            }
        }
    }

    private func checkVersion(migrations: [Migration]) throws(LedgerError) {
        let applied = try readAppliedMigrations()
        try checkApplied(applied, against: migrations)
    }

    /// The migrations the file records as applied, by id; a failure to read them is an open error.
    private func readAppliedMigrations() throws(LedgerError) -> [Int: (name: String, sql: String, applied: Int64)] {
        do {
            return try writer.read { db in try self.appliedMigrations(db) }
        } catch {
            throw Self.openError(error, path: path)
        }
    }

    static func openError(_ error: any Error, path: String) -> LedgerError {
        if let db = error as? DatabaseError, db.resultCode == .SQLITE_CORRUPT { return .damaged(path: path, problems: describe(error)) }
        if let db = error as? DatabaseError, db.resultCode == .SQLITE_NOTADB { return .notALedger(path: path) }
        if let db = error as? DatabaseError, db.resultCode == .SQLITE_READONLY { return .readOnly(path: path) }
        return .cannotOpen(path: path, reason: describe(error))
    }

    /// Applies every pending migration in one transaction.
    private func migrate(_ migrations: [Migration]) throws(LedgerError) {
        let ordered = migrations.sorted { $0.id < $1.id }
        let applied = try readAppliedMigrations()
        try checkApplied(applied, against: ordered)
        let pending = ordered.filter { applied[$0.id] == nil }
        guard !pending.isEmpty else { return }
        let now = Date().ledgerMilliseconds
        var failing = pending[0].name
        do {
            try writer.write { db in
                try db.execute(sql: Self.createMigrationsTable)
                for migration in pending {
                    failing = migration.name
                    try db.execute(sql: migration.sql)
                    try db.execute(
                        sql: "INSERT INTO schema_migrations (id, name, sql, applied_ms) VALUES (?, ?, ?, ?)",
                        arguments: [migration.id, migration.name, migration.sql, now])
                }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw .readOnly(path: path)
        } catch {
            throw .migrationFailed(name: failing, reason: Self.describe(error))
        }
    }

    /// Every known migration and whether (and when) it was applied.
    public func migrationStatus(migrations: [Migration] = Migration.bundled) throws(LedgerError) -> [MigrationStatus] {
        do {
            let applied = try writer.read { db in try self.appliedMigrations(db) }
            return migrations.sorted { $0.id < $1.id }.map { m in
                MigrationStatus(id: m.id, name: m.name, appliedAt: applied[m.id].map { Date(ledgerMilliseconds: $0.applied) })
            }
        } catch {
            throw .read(Self.describe(error))
        }
    }

    /// `PRAGMA integrity_check`'s answer (`ok` when sound).
    public func integrityCheck() throws(LedgerError) -> String {
        do {
            return try writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
        } catch {
            throw .read(Self.describe(error))
        }
    }

    /// Refuses a damaged file before anything trades on it: `PRAGMA quick_check` reads every
    /// page and checks the b-tree structure and record formats (not that indexes match their
    /// tables, which `integrity_check` adds at several times the cost).
    ///
    /// `run` and `once` call it at start-up, and the daemon again on SIGHUP, so a corrupted
    /// ledger is found before an order is sent rather than when a fill cannot be recorded.
    /// - Throws: `LedgerError.damaged` with SQLite's findings (at most ten) and the recovery
    ///   steps; `.read` when the file cannot be read at all.
    public func checkIntegrity() throws(LedgerError) {
        let problems: [String]
        do {
            // quick_check answers "ok", or rows of findings (some several lines long).
            problems = try writer.read { db in
                try String.fetchAll(db, sql: "PRAGMA quick_check(10)").filter { $0 != "ok" }
                    .flatMap { $0.split(separator: "\n").map(String.init) }.filter { !$0.hasPrefix("***") }
            }
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw .damaged(path: path, problems: Self.describe(error))
        } catch {
            throw .read(Self.describe(error))
        }
        guard problems.isEmpty else { throw .damaged(path: path, problems: problems.joined(separator: "; ")) }
    }

    // MARK: Access helpers

    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(LedgerError) -> T {
        try translatingErrors(otherwise: LedgerError.write) { try writer.write(body) }
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(LedgerError) -> T {
        try translatingErrors(otherwise: LedgerError.read) { try writer.read(body) }
    }

    /// `access`, with a damaged database reported as `.damaged` and any other failure but a
    /// `LedgerError` as `otherwise` of its description.
    private func translatingErrors<T>(otherwise: (String) -> LedgerError, _ access: () throws -> T) throws(LedgerError) -> T {
        do {
            return try access()
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT {
            throw .damaged(path: path, problems: Self.describe(error))
        } catch {
            throw otherwise(Self.describe(error))
        }
    }
}
