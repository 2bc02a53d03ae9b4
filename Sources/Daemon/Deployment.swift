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
    public let ledger: Ledger
    public let exchange: any Exchange
    /// Paper trading's carry-over from the ledger (nil in the other modes).
    public let paperCarry: PaperCarry?
    public let runner: CycleRunner
    private let lock: LedgerLock

    init(factory: EngineFactory, strategies: [Strategy], ledger: Ledger, lock: LedgerLock, exchange: any Exchange, paperCarry: PaperCarry?,
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
    public func runOnce() async throws -> [CycleReport] {
        var reports: [CycleReport] = []
        for strategy in strategies { reports.append(try await runner.run(strategy)) }
        return reports
    }

    /// The strategy files read and checked again (the daemon's SIGHUP).
    public func reloadStrategies() throws(DeploymentError) -> [Strategy] {
        try factory.loadStrategies()
    }

    /// `PRAGMA quick_check` on the ledger (the daemon's SIGHUP).
    public func checkLedger() throws(LedgerError) {
        try ledger.checkIntegrity()
    }

    /// Releases the ledger's lock; the deployment must not trade afterwards.
    public func close() {
        lock.release()
    }
}
