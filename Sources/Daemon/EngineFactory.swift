import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging

/// The one place that wires the engine for a mode: strategies, ledger, lock, exchange and
/// `CycleRunner`. `once` and `run` describe what they want with flags; this builds it, in an
/// order that sends nothing to the exchange until every local check has passed:
///
/// 1. `loadStrategies()`: the strategy files, checked as a set (`StrategyFiles.load`);
/// 2. `build(strategies:…)`: the ledger opened (or created), its lock taken, its integrity
///    checked (`PRAGMA quick_check`), its orders checked for another mode (paper and live
///    spend never mix), then the client made, the exchange built (`GridExchange`, or a
///    `PaperExchange` over it carrying over the ledger's paper trades) and the runner.
///
/// The command may do its own checks between the two steps (`run` binds its status port).
public struct EngineFactory: Sendable {
    /// How orders are handled.
    public enum Mode: String, Sendable, CaseIterable {
        /// Orders and transfers are sent to The Grid.
        case live
        /// Nothing mutating is sent; the plan is recorded as a dry run in the live ledger.
        case dryRun = "dry-run"
        /// The real market, orders filled locally against the observed book, in a ledger of
        /// their own.
        case paper

        /// The mode the ledger records cycles, orders and transfers under.
        public var ledgerMode: LedgerMode {
            switch self {
            case .live: .live
            case .dryRun: .dry
            case .paper: .paper
            }
        }

        /// The orders a ledger may already hold: a dry run rehearses live trading on the
        /// live ledger.
        var tradesAs: LedgerMode { self == .paper ? .paper : .live }
    }

    public var mode: Mode
    /// A directory of strategy files, or one file.
    public var strategiesPath: String
    public var ledgerPath: String
    /// Of daily and monthly spend.
    public var timeZone: TimeZone
    public var globalBudget: GlobalBudget?
    /// The account moves bought units to consumption by itself.
    public var autoTransfers: Bool
    /// How long balances and open orders read once are shared by the strategies of a tick.
    public var sharedReads: TimeInterval

    /// - Parameters:
    ///   - strategies: a directory or file; nil is `./strategies`.
    ///   - ledger: the ledger file; nil is `defaultLedgerPath(for: mode)`.
    public init(mode: Mode, strategies: String? = nil, ledger: String? = nil, timeZone: TimeZone = .current, globalBudget: GlobalBudget? = nil,
                autoTransfers: Bool = false, sharedReads: TimeInterval = 5, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.mode = mode
        self.strategiesPath = strategies ?? "strategies"
        self.ledgerPath = ledger ?? Self.defaultLedgerPath(for: mode, environment: environment)
        self.timeZone = timeZone
        self.globalBudget = globalBudget
        self.autoTransfers = autoTransfers
        self.sharedReads = sharedReads
    }

    /// `Ledger.defaultPath()`; paper trading keeps `paper-ledger.sqlite` beside it.
    public static func defaultLedgerPath(for mode: Mode, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let live = Ledger.defaultPath(environment: environment)
        return mode == .paper ? (live as NSString).deletingLastPathComponent + "/paper-ledger.sqlite" : live
    }

    /// The strategies at `strategiesPath`, checked as a set.
    /// - Throws: `DeploymentError.invalidConfiguration` with every problem as file:line:column.
    public func loadStrategies() throws(DeploymentError) -> [Strategy] {
        try StrategyFiles.load(strategiesPath)
    }

    /// Reads and checks the strategy files, then builds the engine over them (see
    /// `build(strategies:logger:announce:connect:)`); invalid files stop it before the ledger is
    /// opened or created.
    /// - Throws: `DeploymentError.invalidConfiguration` with every problem as file:line:column,
    ///   or what `build(strategies:...)` throws.
    public func build(logger: Logger, announce: (String) -> Void = { _ in }, connect: () throws -> GridClient) throws -> Deployment {
        try build(strategies: loadStrategies(), logger: logger, announce: announce, connect: connect)
    }

    /// Opens the ledger and builds the engine over `strategies`. The returned deployment holds
    /// the ledger's lock until it is closed or released.
    /// - Parameters:
    ///   - announce: told "created new ledger at PATH" when the ledger file is new.
    ///   - connect: makes the Trading API client, called once the ledger checks have passed;
    ///     its errors are thrown as they are.
    /// - Throws: `DeploymentError` (`.locked`, `.invalidConfiguration` for a ledger of another
    ///   mode, `.unavailable` for a ledger that cannot be opened, read or is damaged), or
    ///   what `connect` throws.
    public func build(strategies: [Strategy], logger: Logger, announce: (String) -> Void = { _ in },
                      connect: () throws -> GridClient) throws -> Deployment {
        let ledger = try LedgerAccess.openOrCreate(path: ledgerPath, announce: announce)
        // A SQLite ledger is one host's: a file lock keeps a second run off it. A PostgreSQL
        // ledger may be shared by an active and a standby daemon: its lease decides who trades.
        let lock = ledger is PostgresLedger ? nil : try LedgerLock(path: LedgerLock.path(forLedger: ledger.path))
        do { try ledger.checkIntegrity() } catch { throw DeploymentError.unavailable(error.description) }
        try Self.checkMode(mode.tradesAs, of: ledger)
        let market = GridExchange(client: try connect(), autoTransfers: autoTransfers, sharedReadsFor: sharedReads)
        let carried = mode == .paper ? try Self.paperCarry(ledger, strategies: strategies) : nil
        let exchange: any Exchange = carried.map { PaperExchange(market: market, carried: $0) } ?? market
        let runner = runner(exchange: exchange, ledger: ledger, logger: logger)
        return Deployment(factory: self, strategies: strategies, ledger: ledger, lock: lock, exchange: exchange, paperCarry: carried, runner: runner)
    }

    /// The cycle runner over `exchange` and `ledger` in this factory's mode, time zone and
    /// global budget: what `build` wires, for callers that bring their own exchange and
    /// ledger (the demo, over its embedded simulator, on its simulated clock).
    public func runner(exchange: any Exchange, ledger: any LedgerStore, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) -> CycleRunner {
        CycleRunner(exchange: exchange, ledger: ledger,
                    configuration: EngineConfiguration(mode: mode.ledgerMode, timeZone: timeZone, globalBudget: globalBudget),
                    logger: logger, now: now)
    }

    /// Refuses a ledger that holds another mode's orders: paper and live spend must never mix.
    /// - Throws: `DeploymentError.invalidConfiguration` naming the modes found;
    ///   `.unavailable` when the ledger cannot be read.
    public static func checkMode(_ mode: LedgerMode, of ledger: any LedgerDatabase) throws(DeploymentError) {
        let modes: Set<LedgerMode>
        do { modes = try ledger.orderModes() } catch { throw .unavailable("\(error)") }
        let others = modes.subtracting([mode, .dry])
        guard others.isEmpty else {
            throw .invalidConfiguration(
                "\(ledger.path) holds \(others.map(\.rawValue).sorted().joined(separator: ", ")) orders; \(mode.rawValue) trading needs its own ledger: pass another --db")
        }
    }

    /// What earlier paper runs bought and moved, so paper balances carry over a restart: the
    /// cost of every fill of the strategies' instruments, the units bought and the transfers.
    /// - Throws: `DeploymentError.unavailable` when the ledger cannot be read.
    public static func paperCarry(_ ledger: any LedgerDatabase, strategies: [Strategy]) throws(DeploymentError) -> PaperCarry {
        var carry = PaperCarry()
        do {
            for s in strategies {
                let totals = try ledger.fillTotals(instrument: s.instrument, from: .distantPast, to: .distantFuture)
                carry.spent += totals.cost
                carry.bought[s.instrument] = totals.units
                carry.transfers[s.instrument] = try ledger.transfersIn(instrument: s.instrument, from: .distantPast)
            }
        } catch { throw .unavailable("\(error)") }
        return carry
    }
}
