import Execution
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging

/// Runs the one loop: snapshot → evaluate → guardrails → execute → record.
public struct CycleRunner: Sendable {
    let exchange: any Exchange
    let ledger: any LedgerStore
    let configuration: EngineConfiguration
    let now: @Sendable () -> Date
    let logger: Logger

    public init(exchange: any Exchange, ledger: any LedgerStore, configuration: EngineConfiguration, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.exchange = exchange
        self.ledger = ledger
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// A runner that stamps its cycles with `clock`.
    public init(exchange: any Exchange, ledger: any LedgerStore, configuration: EngineConfiguration, logger: Logger, clock: any EngineClock) {
        self.init(exchange: exchange, ledger: ledger, configuration: configuration, logger: logger, now: { clock.now })
    }

    /// The same runner over another exchange (one that wraps this one's, say).
    public func with(exchange: any Exchange) -> CycleRunner {
        CycleRunner(exchange: exchange, ledger: ledger, configuration: configuration, logger: logger, now: now)
    }

    /// The same runner, its cycles stamped with `clock`.
    public func on(_ clock: any EngineClock) -> CycleRunner {
        CycleRunner(exchange: exchange, ledger: ledger, configuration: configuration, logger: logger, clock: clock)
    }

    /// A deterministic `client_order_id` for a decision: the same strategy, rule and cycle time
    /// always give the same id, so a retried cycle can never place a second order.
    public static func clientOrderID(strategy: String, instrument: String, rule: String, cycle: Date) -> String {
        "gk-" + Digest.sha256Hex("\(strategy)|\(instrument)|\(rule)|\(cycle.ledgerMilliseconds)").prefix(29)
    }

    /// Runs one cycle of `strategy`.
    /// - Throws: `EngineError.ledger` when the ledger cannot be written (trading must stop);
    ///   exchange failures are reported in the cycle report instead.
    public func run(_ strategy: Strategy) async throws(EngineError) -> CycleReport {
        let time = now()
        var report = CycleReport(strategy: strategy.name, instrument: strategy.instrument, asOf: time, mode: configuration.mode)
        let dry = configuration.mode == .dry
        do {
            report.paused = try ledger.killSwitch()?.engaged ?? false
        } catch { throw .ledger(error) }

        let view: ExchangeView
        do {
            view = try await exchange.view(instrument: strategy.instrument)
        } catch {
            report.errors.append(error.description)
            logger.error("cannot read the exchange", metadata: ["strategy": "\(strategy.name)", "error": "\(error)"])
            return report
        }

        // 1. Settle what earlier cycles left open, unknown outcomes first.
        let reconciled = try await reconcile(strategy: strategy, at: time, dry: dry, report: &report)

        // 2. Record what the market and balances look like now.
        let book = view.wholeBook()
        do { try view.record(instrument: strategy.instrument, at: time, into: ledger, book: book) } catch { throw .ledger(error) }

        // 3. Evaluate on a snapshot built from the exchange and the ledger's history.
        let snapshot: MarketSnapshot
        do {
            snapshot = try makeSnapshot(strategy: strategy, view: view, book: book, open: reconciled.open, at: time, paused: report.paused)
        } catch { throw .ledger(error) }
        let plan = Evaluator.evaluate(strategy, on: snapshot)
        report.spentToday = snapshot.spentToday
        report.spentMonth = snapshot.spentMonth
        report.dailyCap = strategy.budget.daily
        report.monthlyCap = strategy.budget.monthly
        if let shared = snapshot.shared {
            report.globalSpentToday = shared.spentToday
            report.globalSpentMonth = shared.spentMonth
            report.globalDailyCap = shared.daily
            report.globalMonthlyCap = shared.monthly
        }
        if let runway = plan.runway { report.runwaySeconds = NSDecimalNumber(decimal: runway).intValue }
        let recorded: RecordedCycle
        do {
            recorded = try ledger.record(CycleRecord(
                startedAt: time, mode: configuration.mode, strategy: strategy.name, instrument: strategy.instrument,
                snapshotDigest: Self.digest(snapshot), decisions: plan.outcomes.map(Self.decisionRecord)))
        } catch { throw .ledger(error) }
        report.decisions = plan.outcomes.map(CycleReport.Decision.init)
        report.budgetBlocked = plan.outcomes.contains { $0.budget == .exhausted }

        // 4. Carry out what the plan asks for.
        for step in CycleDecider.steps(for: plan, unresolved: reconciled.unresolved, dry: dry) {
            switch step {
            case .wouldDo(let rule, let intent):
                report.actions.append("dry run: would \(Self.describe(intent)) (\(rule))")
            case .hold(let rule, let unresolved):
                report.actions.append("held \(rule): order \(unresolved.joined(separator: ", ")) has an unknown outcome; resolving it first")
            case .buy(let index, let rule, let quantity, let kind, let limit, let maxCost, let cancelAfter):
                try await buy(strategy: strategy, rule: rule, decisionID: recorded.decisionIDs[index], view: view, quantity: quantity, kind: kind, limit: limit,
                              maxCost: maxCost, cancelAfter: cancelAfter, at: time, report: &report)
            case .transfer(let index, let quantity):
                try await transfer(strategy: strategy, decisionID: recorded.decisionIDs[index], view: view, quantity: quantity, at: time, report: &report)
            case .cancelOpenBuys(let olderThan):
                try await cancelOpen(strategy: strategy, olderThan: olderThan, at: time, report: &report)
            }
        }
        for decision in report.decisions where decision.outcome != .skipped {
            logger.info("decision", metadata: ["strategy": "\(strategy.name)", "rule": "\(decision.rule)", "outcome": "\(decision.outcome.rawValue)",
                                               "reason": "\(decision.reason)"])
        }
        return report
    }

    /// Cancels every open order of `strategy`'s instrument that the ledger knows, recording the
    /// final state and fills (used when the daemon stops with `--cancel-on-exit`).
    /// - Returns: what was done, one line per order.
    public func cancelOpenOrders(of strategy: Strategy, reason: String) async throws(EngineError) -> [String] {
        let time = now()
        var report = CycleReport(strategy: strategy.name, instrument: strategy.instrument, asOf: time, mode: configuration.mode)
        let open: [LedgerOpenOrder]
        do { open = try ledger.openOrders(instrument: strategy.instrument) } catch { throw .ledger(error) }
        for var order in open {
            if order.exchangeOrderID == nil {
                guard let found = try? await exchange.order(clientOrderID: order.clientOrderID, marketID: order.marketID) else { continue }
                order.exchangeOrderID = found.id
                if found.status.isTerminal {
                    try await settle(clientOrderID: order.clientOrderID, order: found, at: time, report: &report)
                    continue
                }
            }
            try await cancel(order, reason: reason, at: time, report: &report)
        }
        return report.actions + report.errors.map { "error: \($0)" }
    }
}
