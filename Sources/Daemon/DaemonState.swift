import Engine
import Foundation
import GridKeeperCore
import Ledger
import Logging
import ServiceLifecycle
import UnixSignals

/// What the daemon holds, for `/status` and `/healthz`.
public actor DaemonState {
    public struct Status: Sendable, Encodable {
        public var startedAt: Date
        public var strategies: [String]
        public var cycles: Int
        public var cycleErrors: Int
        /// Cycles that started a whole interval or more after they were due (slow cycles, or
        /// the request budget), by strategy.
        public var lateCycles: [String: Int]
        public var lastReload: String
        public var lastCycles: [CycleReport]
        public var healthy: Bool
        /// On a shared (PostgreSQL) ledger: whether this daemon leads or stands by, who leads,
        /// since when and with which fencing token.
        public var leadership: Leadership.Status?

        enum CodingKeys: String, CodingKey {
            case startedAt = "started_at", strategies, cycles, cycleErrors = "cycle_errors", lateCycles = "late_cycles", lastReload = "last_reload"
            case lastCycles = "last_cycles", healthy, leadership
        }
    }

    private var strategies: [Strategy]
    private var lastReports: [String: CycleReport] = [:]
    private var cycles = 0
    private var cycleErrors = 0
    private var lateCycles: [String: Int] = [:]
    private var ledgerFailure: String?
    private var damage: LedgerError?
    private var lastReload = "loaded at start"
    private let startedAt: Date
    private let leadership: Leadership?

    public init(strategies: [Strategy], startedAt: Date, leadership: Leadership? = nil) {
        self.strategies = strategies
        self.startedAt = startedAt
        self.leadership = leadership
    }

    public func current() -> [Strategy] { strategies }

    func replace(_ new: [Strategy], note: String) {
        strategies = new
        lastReload = note
    }

    func keep(note: String) { lastReload = note }

    func record(_ report: CycleReport) {
        cycles += 1
        if !report.errors.isEmpty { cycleErrors += 1 }
        lastReports[report.strategy] = report
    }

    func ledgerFailed(_ message: String) { ledgerFailure = message }

    func ranLate(_ strategy: String) { lateCycles[strategy, default: 0] += 1 }

    /// The ledger check found the file damaged: no further cycle may start.
    func ledgerDamaged(_ error: LedgerError) {
        damage = error
        ledgerFailure = error.description
    }

    var damagedLedger: LedgerError? { damage }

    public func status() -> Status {
        Status(startedAt: startedAt, strategies: strategies.map { "\($0.name) (\($0.instrument))" }, cycles: cycles, cycleErrors: cycleErrors,
               lateCycles: lateCycles, lastReload: lastReload, lastCycles: lastReports.values.sorted { $0.strategy < $1.strategy }, healthy: ledgerFailure == nil,
               leadership: leadership?.status)
    }
}

/// Runs every strategy on its own interval until a graceful shutdown: the cycle in progress
/// finishes, no new one starts. SIGHUP reloads the strategies; an invalid set is rejected and
/// the running one kept. SIGHUP also checks the ledger (`checkLedger`): a damaged one stops
/// the daemon before its next cycle, with the recovery steps.
///
/// The cycles themselves run on a `CycleDriver`, as in every other mode; the scheduler adds the
/// daemon's part: reloads, the lease of a shared ledger, and what stops trading.
public struct StrategyScheduler: Service {
    let runner: CycleRunner
    let state: DaemonState
    let reload: @Sendable () throws -> [Strategy]
    let logger: Logger
    let clock: any EngineClock
    let metrics: EngineMetrics
    let notifier: Notifier?
    let cancelOnExit: Bool
    let checkLedger: (@Sendable () throws(LedgerError) -> Void)?
    let startAfter: (@Sendable () async -> Void)?
    let leadership: Leadership?

    /// - Parameters:
    ///   - clock: the clock cycles are timed by and waited for on; the host's clock sleeps in
    ///     steps of at most a second, so a reload or a shutdown is noticed quickly.
    ///   - notifier: told about every finished cycle.
    ///   - cancelOnExit: on a graceful shutdown, cancel the open orders of every strategy.
    ///   - checkLedger: run on every SIGHUP (`Ledger.checkIntegrity`); when it throws, no
    ///     further cycle starts and `run()` throws its error.
    ///   - startAfter: awaited before the first cycle (the daemon waits for its status port to
    ///     be bound, so a port in use stops it before anything reaches the exchange).
    ///   - leadership: on a shared ledger, cycles run only while this daemon leads; a write
    ///     refused as fenced makes it stand by again instead of stopping.
    public init(runner: CycleRunner, state: DaemonState, metrics: EngineMetrics, logger: Logger, clock: any EngineClock = SystemClock(),
                notifier: Notifier? = nil, cancelOnExit: Bool = false,
                checkLedger: (@Sendable () throws(LedgerError) -> Void)? = nil, startAfter: (@Sendable () async -> Void)? = nil,
                leadership: Leadership? = nil, reload: @escaping @Sendable () throws -> [Strategy]) {
        self.leadership = leadership
        self.runner = runner
        self.state = state
        self.metrics = metrics
        self.reload = reload
        self.logger = logger
        self.clock = clock
        self.notifier = notifier
        self.cancelOnExit = cancelOnExit
        self.checkLedger = checkLedger
        self.startAfter = startAfter
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.watchReloads() }
            try await self.schedule()
            group.cancelAll()
        }
    }

    private func schedule() async throws {
        if let startAfter { await startAfter() }
        let observers: [any CycleObserver] = [metrics, state, LateTurns(logger: logger)] + (notifier.map { [$0] } ?? [])
        let driver = CycleDriver(runner: runner, clock: clock, observers: observers)
        var cadence = Cadence()
        // The lease token the cadence was last read from the ledger under (shared ledgers only).
        var cadenceToken: Int64?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let damage = await state.damagedLedger { throw damage }
            if let leadership {
                guard let token = leadership.leadingToken else {
                    // Standing by: wait for the lease.
                    try? await cancelWhenGracefulShutdown { try await leadership.waitUntilLeading() }
                    continue
                }
                if token != cadenceToken {
                    // Newly leading, or leading again with a new token (another daemon may have
                    // led in between, unseen while this one slept): go on with each strategy's
                    // cadence where the ledger says it stands (a strategy never run starts at once).
                    cadence = Cadence(strategies: await state.current(), lastStart: leadership.lastCycleStart(of:))
                    cadenceToken = token
                }
            }
            let strategies = await state.current()
            do {
                try await driver.runDue(strategies, cadence: &cadence) {
                    if Task.isShuttingDownGracefully { return false }
                    if await state.damagedLedger != nil { return false }
                    if let leadership, leadership.leadingToken != cadenceToken { return false }
                    return true
                }
            } catch where leadership != nil && (Leadership.isFenced(error) || leadership?.isLeading == false) {
                // Another daemon took the lease while this one was away (its writes refused,
                // or its session ended by the database while frozen): stand by.
                await leadership?.stepDown(reason: "\(error)")
                continue
            } catch {
                // The ledger cannot be written: stop trading and say why.
                logger.critical("trading stopped", metadata: ["reason": "\(error)"])
                await state.ledgerFailed("\(error)")
                await notifier?.tradingStopped("\(error)", at: clock.now)
                throw error
            }
            let wake = cadence.wake(for: strategies, after: clock.now)
            try? await cancelWhenGracefulShutdown { try await clock.sleep(until: wake) }
        }
        logger.notice("scheduler stopped; no new cycles will start")
        if cancelOnExit {
            for strategy in await state.current() {
                do {
                    let done = try await runner.cancelOpenOrders(of: strategy, reason: "daemon stopped with --cancel-on-exit")
                    for line in done { logger.notice("on exit", metadata: ["strategy": "\(strategy.name)", "action": "\(line)"]) }
                } catch {
                    logger.error("cannot cancel open orders on exit", metadata: ["strategy": "\(strategy.name)", "error": "\(error)"])
                }
            }
        }
    }

    /// A missed turn is said in the log (and counted by `DaemonState`), never silent.
    struct LateTurns: CycleObserver {
        let logger: Logger

        func missedTurn(_ strategy: Strategy, late: TimeInterval) async {
            logger.warning("strategy missed its turn", metadata: ["strategy": "\(strategy.name)", "late.seconds": "\(Int(late))"])
        }
    }

    private func watchReloads() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            if let checkLedger {
                do throws(LedgerError) {
                    try checkLedger()
                } catch {
                    logger.critical("ledger damaged; trading stopped", metadata: ["reason": "\(error)"])
                    await state.ledgerDamaged(error)
                    await notifier?.tradingStopped(error.description, at: clock.now)
                    return
                }
            }
            do {
                let loaded = try reload()
                await state.replace(loaded, note: "reloaded \(loaded.count) strategies at \(clock.now.ISO8601Format())")
                logger.notice("strategies reloaded", metadata: ["count": "\(loaded.count)"])
            } catch {
                await state.keep(note: "reload rejected at \(clock.now.ISO8601Format()): \(error)")
                logger.error("strategy reload rejected; keeping the running set", metadata: ["error": "\(error)"])
            }
        }
    }
}

extension DaemonState: CycleObserver {
    public func didRun(_ strategy: Strategy, report: CycleReport, took: Duration) async { record(report) }
    public func missedTurn(_ strategy: Strategy, late: TimeInterval) async { ranLate(strategy.name) }
}
