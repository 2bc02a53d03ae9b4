import Engine
import Foundation
import GridKeeperCore
import Ledger

/// An engine built by `EngineFactory`, ready to run: its strategies, the opened ledger, the
/// exchange and the `CycleRunner` over them. Holds the ledger's lock until `close()` (or
/// until it is released), so no second run trades on the same ledger meanwhile.
public final class Deployment: Sendable {
    public let factory: EngineFactory
    /// As loaded at build time; `reloadStrategies()` reads the files again.
    public let strategies: [Strategy]
    public let ledger: any LedgerDatabase
    public let exchange: any Exchange
    /// Paper trading's carry-over from the ledger (nil in the other modes).
    public let paperCarry: PaperCarry?
    public let runner: CycleRunner
    /// The SQLite ledger's file lock (a PostgreSQL ledger is guarded by its lease instead).
    private let lock: LedgerLock?

    init(factory: EngineFactory, strategies: [Strategy], ledger: any LedgerDatabase, lock: LedgerLock?, exchange: any Exchange, paperCarry: PaperCarry?,
         runner: CycleRunner) {
        self.factory = factory
        self.strategies = strategies
        self.ledger = ledger
        self.lock = lock
        self.exchange = exchange
        self.paperCarry = paperCarry
        self.runner = runner
    }

    public var mode: EngineFactory.Mode { factory.mode }

    /// One cycle of every strategy, in file order (`once`).
    /// - Throws: the first cycle's error that is not recorded in its report.
    /// On a PostgreSQL ledger the run first takes the lease (a daemon that leads keeps it,
    /// and this run refuses to trade beside it) and gives it back when done.
    /// - Throws: `DeploymentError.locked` when another process leads a shared ledger.
    public func runOnce() async throws -> [CycleReport] {
        let shared = ledger as? PostgresLedger
        var runner = runner
        if let shared {
            let ttl = max(60, strategies.map { NSDecimalNumber(decimal: $0.every).doubleValue }.max() ?? 60) * 2
            let asked = ContinuousClock.now
            let held: LeadershipState?
            do { held = try shared.acquireLeadership(holder: Leadership.holderName(role: "once"), ttl: ttl) } catch {
                throw DeploymentError.unavailable(error.description)
            }
            guard held != nil else {
                let current = try? shared.leadership()
                throw DeploymentError.locked(path: "\(shared.path) (led by \(current?.holder ?? "another daemon") with token \(current?.token ?? 0))")
            }
            // As a daemon does: nothing mutating is sent once the lease may have run out (a run
            // frozen past it), checked again between signing and sending.
            let trustedUntil = asked + .milliseconds(Int64(ttl * 800))
            runner = runner.with(exchange: LeaderOnlyExchange(base: exchange) { ContinuousClock.now < trustedUntil })
        }
        defer { if let shared { try? shared.releaseLeadership() } }
        return try await CycleDriver(runner: runner, clock: SystemClock()).runAll(strategies)
    }

    /// The strategy files read and checked again (the daemon's SIGHUP).
    public func reloadStrategies() throws(DeploymentError) -> [Strategy] {
        try factory.loadStrategies()
    }

    /// `PRAGMA quick_check` on a SQLite ledger, the schema of a PostgreSQL one (the daemon's SIGHUP).
    public func checkLedger() throws(LedgerError) {
        try ledger.checkIntegrity()
    }

    /// Releases the ledger's lock; the deployment must not trade afterwards.
    public func close() {
        lock?.release()
    }
}
