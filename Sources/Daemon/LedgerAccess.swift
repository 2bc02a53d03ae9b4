import Engine
import Foundation
import GridKeeperCore
import Ledger

/// The ledger as the operator's commands use it outside a trading run: `status`, `history`,
/// `pause`/`resume`, `migrate`, `record`. A `postgres://` location opens the PostgreSQL ledger,
/// anything else a SQLite file. Opening an existing ledger never creates one (a
/// mistyped `--db` must not start a second, empty ledger); every failure is a
/// `DeploymentError.unavailable` with the ledger's own description.
public enum LedgerAccess {
    /// Opens the ledger an operator means to act on; a path with no file is an error and
    /// nothing is created.
    public static func openExisting(path: String, readOnly: Bool) throws(DeploymentError) -> any LedgerDatabase {
        do { return try LedgerOpener.open(path, readOnly: readOnly, create: false) } catch { throw .unavailable(error.description) }
    }

    /// Opens the ledger, creating it (and its directory) when missing.
    /// - Parameter announce: told "created new ledger at PATH" when the file is new.
    public static func openOrCreate(path: String, announce: (String) -> Void = { _ in }) throws(DeploymentError) -> any LedgerDatabase {
        let opened: any LedgerDatabase
        do { opened = try LedgerOpener.open(path) } catch { throw .unavailable(error.description) }
        if opened.created { announce("created new ledger at \(opened.path)") }
        return opened
    }

    /// Decisions and fills since `since`, oldest first, read-only.
    public static func history(path: String, since: Date, limit: Int, includeSkipped: Bool) throws(DeploymentError) -> [HistoryEntry] {
        let ledger = try openExisting(path: path, readOnly: true)
        do { return try ledger.history(since: since, limit: limit, includeSkipped: includeSkipped) } catch { throw .unavailable("\(error)") }
    }

    /// Spend, open orders and reservations, the last cycle and the kill switch, read-only.
    public static func status(path: String, asOf time: Date, timeZone: TimeZone) throws(DeploymentError) -> LedgerStatus {
        let ledger = try openExisting(path: path, readOnly: true)
        do { return try ledger.status(asOf: time, timeZone: timeZone) } catch { throw .unavailable("\(error)") }
    }

    /// Engages or releases the kill switch of an existing ledger.
    /// - Returns: the ledger's path.
    @discardableResult
    public static func setKillSwitch(path: String, engaged: Bool, reason: String, by actor: String, at time: Date) throws(DeploymentError) -> String {
        let ledger = try openExisting(path: path, readOnly: false)
        do { try ledger.setKillSwitch(engaged: engaged, reason: reason, by: actor, at: time) } catch { throw .unavailable("\(error)") }
        return ledger.path
    }

    /// The ledger's migrations: with `statusOnly`, of an existing ledger opened read-only;
    /// otherwise after creating or upgrading it.
    public static func migrations(path: String, statusOnly: Bool, announce: (String) -> Void = { _ in })
        throws(DeploymentError) -> (path: String, migrations: [MigrationStatus]) {
        let ledger = statusOnly ? try openExisting(path: path, readOnly: true) : try openOrCreate(path: path, announce: announce)
        do { return (ledger.path, try ledger.schemaStatus()) } catch { throw .unavailable("\(error)") }
    }

    /// What a ledger shows of trading `instrument` between two times (the demo's summary).
    public struct TradingSummary: Sendable, Equatable {
        public var units: Int
        /// USD, fees included.
        public var cost: Decimal
        /// USD per unit, to 4 places; nil when nothing was bought.
        public var averagePaid: Decimal?
        /// The recorded book's average mid, USD per unit to 4 places; nil without a two-sided book.
        public var averageMid: Decimal?
    }

    /// Fills and recorded books of `instrument` from `from` to `to`.
    public static func summary(of ledger: any LedgerDatabase, instrument: String, from: Date, to: Date) throws(LedgerError) -> TradingSummary {
        let totals = try ledger.fillTotals(instrument: instrument, from: from, to: to)
        let market = try ledger.marketHistory(instrument: instrument, from: from, to: to)
        let mids = market.compactMap { m in m.bid.flatMap { b in m.ask.map { (b + $0) / 2 } } }
        return TradingSummary(units: totals.units, cost: totals.cost,
                              averagePaid: totals.units > 0 ? ValueFormat.rounded(totals.cost / Decimal(totals.units), 4) : nil,
                              averageMid: mids.isEmpty ? nil : ValueFormat.rounded(mids.reduce(Decimal(0), +) / Decimal(mids.count), 4))
    }

    /// Spend this month as of `time` (reservations included); nil when the ledger cannot say.
    public static func spentThisMonth(_ ledger: any LedgerDatabase, asOf time: Date, timeZone: TimeZone) -> Decimal? {
        (try? ledger.spend(asOf: time, timeZone: timeZone))?.month
    }

    /// One sample of `gridkeeper record`: the book's top levels, last price, recent public
    /// trades and the balance of `instrument`, as `exchange` shows them at `time`.
    /// - Throws: `DeploymentError.unavailable` when the ledger cannot be written (recording
    ///   must stop); the exchange's errors as they are (the next sample may succeed).
    public static func recordMarket(_ instrument: String, from exchange: any Exchange, into ledger: any LedgerDatabase, at time: Date) async throws {
        let view = try await exchange.view(instrument: instrument)
        do { try view.record(instrument: instrument, at: time, into: ledger) } catch { throw DeploymentError.unavailable("\(error)") }
    }
}
