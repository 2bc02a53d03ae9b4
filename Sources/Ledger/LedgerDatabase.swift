import Foundation
import GridKeeperCore

/// A whole ledger as the commands use it: what the engine needs (`LedgerStore`) plus status,
/// history, the kill switch, migrations and recordings. `Ledger` keeps it in a SQLite file,
/// `PostgresLedger` in a PostgreSQL database; both give the same answers.
public protocol LedgerDatabase: LedgerStore, AnyObject {
    /// Where the ledger lives, as shown to people: a file path or a URL without its password.
    var path: String { get }
    /// Whether this open created the ledger (its schema was empty).
    var created: Bool { get }

    func status(asOf time: Date, timeZone: TimeZone) throws(LedgerError) -> LedgerStatus
    func history(since: Date, limit: Int, includeSkipped: Bool) throws(LedgerError) -> [HistoryEntry]
    func setKillSwitch(engaged: Bool, reason: String, by actor: String, at time: Date) throws(LedgerError)
    /// Every migration this build knows for the ledger's kind, and when it was applied.
    func schemaStatus() throws(LedgerError) -> [MigrationStatus]
    /// Refuses a damaged ledger before anything trades on it.
    func checkIntegrity() throws(LedgerError)
    func orderModes() throws(LedgerError) -> Set<LedgerMode>
    func fillTotals(instrument: String, from: Date, to: Date) throws(LedgerError) -> (units: Int, cost: Decimal)
    func marketHistory(instrument: String, from: Date, to: Date) throws(LedgerError) -> [MarketSnapshotRecord]
    func balanceHistory(instrument: String, from: Date, to: Date) throws(LedgerError) -> [BalanceSnapshotRecord]

    func record(burnSamples: [BurnSampleRecord]) throws(LedgerError)
    func recordedInstruments() throws(LedgerError) -> [String]
    func recordedBooks(instrument: String, depth: Int, from: Date, to: Date) throws(LedgerError) -> RecordedBooks
    func recordedTrades(instrument: String) throws(LedgerError) -> [(ms: Int64, price: Int64, quantity: Int)]
    func recordedBurn(instrument: String) throws(LedgerError) -> [(ms: Int64, milliUnitsPerHour: Int64)]
    func recordedBalances(instrument: String) throws(LedgerError) -> [(ms: Int64, consumption: Int)]
    func hasRecordingTables() -> Bool
}

extension LedgerDatabase {
    public func history(since: Date) throws(LedgerError) -> [HistoryEntry] {
        try history(since: since, limit: 1000, includeSkipped: false)
    }

    public func history(since: Date, includeSkipped: Bool) throws(LedgerError) -> [HistoryEntry] {
        try history(since: since, limit: 1000, includeSkipped: includeSkipped)
    }

    public func recordedBooks(instrument: String) throws(LedgerError) -> RecordedBooks {
        try recordedBooks(instrument: instrument, depth: 5, from: .distantPast, to: .distantFuture)
    }
}

extension Ledger: LedgerDatabase {
    public func schemaStatus() throws(LedgerError) -> [MigrationStatus] { try migrationStatus() }
}

/// Opening a ledger by what `--db` (or `ledger:` in the config file) says: a
/// `postgres://…` URL opens a `PostgresLedger`, anything else is a SQLite file path.
public enum LedgerOpener {
    /// - Parameters:
    ///   - readOnly: open for reading only; nothing is created or migrated.
    ///   - create: create a missing SQLite file, or apply the schema to an empty PostgreSQL
    ///     database; when false either is `LedgerError.notFound` and nothing is created.
    public static func open(_ location: String, readOnly: Bool = false, create: Bool = true,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(LedgerError) -> any LedgerDatabase {
        if PostgresLocation.isPostgres(location) {
            return try PostgresLedger(location: PostgresLocation(url: location, environment: environment), readOnly: readOnly, create: create)
        }
        return try Ledger(path: location, readOnly: readOnly, create: create)
    }
}
