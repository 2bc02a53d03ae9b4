import Execution
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging

/// How cycles run.
public struct EngineConfiguration: Sendable {
    /// `live` places orders; `dry` sends no mutating request and only records the plan.
    public var mode: LedgerMode
    /// Where a day begins for the daily budget.
    public var timeZone: TimeZone
    /// How much recorded history a snapshot carries.
    public var historyWindow: TimeInterval
    /// How long an order recorded as sent may be missing on the exchange before it is
    /// considered never to have arrived.
    public var missingOrderGrace: TimeInterval
    /// Caps over every strategy together (the config file's budget).
    public var globalBudget: GlobalBudget?
    /// How far the exchange's clock may be from ours when its replies have not told us
    /// (seconds): near midnight, an order is checked against the caps of every day it may be
    /// dated in.
    public var clockTolerance: TimeInterval
    /// Added around the exchange's observed clock (its `Date` headers have one-second
    /// resolution, and the clock may drift between cycles).
    public var clockMargin: TimeInterval

    public init(mode: LedgerMode = .live, timeZone: TimeZone = .current, historyWindow: TimeInterval = 25 * 3600, missingOrderGrace: TimeInterval = 120,
                globalBudget: GlobalBudget? = nil, clockTolerance: TimeInterval = 15 * 60, clockMargin: TimeInterval = 60) {
        self.globalBudget = globalBudget
        self.clockTolerance = clockTolerance
        self.clockMargin = clockMargin
        self.mode = mode
        self.timeZone = timeZone
        self.historyWindow = historyWindow
        self.missingOrderGrace = missingOrderGrace
    }
}

/// Why a cycle could not be completed.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case exchange(GridAPIError)
    case ledger(LedgerError)

    public var description: String {
        switch self {
        case .exchange(let e): return "exchange: \(e.description)"
        case .ledger(let e): return "ledger: \(e.description); trading stopped"
        }
    }
}

/// What one cycle saw, decided and did.
public struct CycleReport: Sendable, Encodable {
    public struct Decision: Sendable, Encodable {
        public var rule: String
        public var outcome: String
        public var reason: String
        public var guardrails: [String]
        public var intent: String?
        public var inputs: [String: String]
        /// `cut` or `exhausted` when the budget shaped a buy.
        public var budget: String?
        /// The cap that blocked or cut a buy (`daily`, `monthly`, `per_order`, `max_unit_price`,
        /// `global_daily`, `global_monthly`), when one did.
        public var cap: String?
    }

    public var strategy: String
    public var instrument: String
    public var asOf: Date
    public var mode: String
    public var decisions: [Decision]
    /// What was sent to the exchange (or would have been, in a dry run).
    public var actions: [String]
    /// Reconciliation: orders settled, fills recorded.
    public var reconciled: [String]
    public var errors: [String]
    public var paused: Bool
    public var budgetBlocked: Bool
    /// Spend so far (reservations included) and the strategy's caps, USD as exact text.
    public var spentToday: String?
    public var spentMonth: String?
    public var dailyCap: String?
    public var monthlyCap: String?
    /// Spend of every instrument together, when a global budget is set.
    public var globalSpentToday: String?
    public var globalSpentMonth: String?
    public var globalDailyCap: String?
    public var globalMonthlyCap: String?
    /// Consumption runway in seconds, when the burn is known.
    public var runwaySeconds: Int?
    /// Orders placed and fills recorded in this cycle.
    public var ordersPlaced: Int = 0
    public var fillsRecorded: Int = 0

    enum CodingKeys: String, CodingKey {
        case strategy, instrument, asOf = "as_of", mode, decisions, actions, reconciled, errors, paused, budgetBlocked = "budget_blocked"
        case spentToday = "spent_today", spentMonth = "spent_month", dailyCap = "daily_cap", monthlyCap = "monthly_cap",
             globalSpentToday = "global_spent_today", globalSpentMonth = "global_spent_month",
             globalDailyCap = "global_daily_cap", globalMonthlyCap = "global_monthly_cap"
        case runwaySeconds = "runway_seconds", ordersPlaced = "orders_placed", fillsRecorded = "fills_recorded"
    }
}

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
        var report = CycleReport(strategy: strategy.name, instrument: strategy.instrument, asOf: time, mode: configuration.mode.rawValue,
                                 decisions: [], actions: [], reconciled: [], errors: [], paused: false, budgetBlocked: false)
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
        let unresolved = try await reconcile(strategy: strategy, view: view, at: time, dry: dry, report: &report)

        // 2. Record what the market and balances look like now.
        let book = view.wholeBook()
        do { try view.record(instrument: strategy.instrument, at: time, into: ledger, book: book) } catch { throw .ledger(error) }

        // 3. Evaluate on a snapshot built from the exchange and the ledger's history.
        let snapshot: MarketSnapshot
        do {
            snapshot = try makeSnapshot(strategy: strategy, view: view, book: book, at: time, paused: report.paused)
        } catch { throw .ledger(error) }
        let plan = Evaluator.evaluate(strategy, on: snapshot)
        report.spentToday = ValueFormat.text(snapshot.spentToday, as: .money)
        report.spentMonth = ValueFormat.text(snapshot.spentMonth, as: .money)
        report.dailyCap = strategy.budget.daily.map { ValueFormat.text($0, as: .money) }
        report.monthlyCap = strategy.budget.monthly.map { ValueFormat.text($0, as: .money) }
        if let shared = snapshot.shared {
            report.globalSpentToday = ValueFormat.text(shared.spentToday, as: .money)
            report.globalSpentMonth = ValueFormat.text(shared.spentMonth, as: .money)
            report.globalDailyCap = shared.daily.map { ValueFormat.text($0, as: .money) }
            report.globalMonthlyCap = shared.monthly.map { ValueFormat.text($0, as: .money) }
        }
        if let runway = plan.runway { report.runwaySeconds = NSDecimalNumber(decimal: runway).intValue }
        let recorded: RecordedCycle
        do {
            recorded = try ledger.record(CycleRecord(
                startedAt: time, mode: configuration.mode, strategy: strategy.name, instrument: strategy.instrument,
                snapshotDigest: Self.digest(snapshot), decisions: plan.outcomes.map(Self.decisionRecord)))
        } catch { throw .ledger(error) }
        report.decisions = plan.outcomes.map { o in
            .init(rule: o.rule, outcome: o.outcome.rawValue, reason: o.reason, guardrails: o.guardrails, intent: o.intent.map(Self.describe), inputs: o.inputs,
                  budget: o.budget?.rawValue, cap: o.limit?.rawValue)
        }
        report.budgetBlocked = plan.outcomes.contains { $0.budget == .exhausted }

        // 4. Execute.
        for (index, outcome) in plan.outcomes.enumerated() {
            guard let intent = outcome.intent else { continue }
            let decisionID = recorded.decisionIDs[index]
            if dry {
                report.actions.append("dry run: would \(Self.describe(intent)) (\(outcome.rule))")
                continue
            }
            switch intent {
            case .buy(let quantity, let kind, let limit, let maxCost, let cancelAfter):
                if !unresolved.isEmpty {
                    report.actions.append("held \(outcome.rule): order \(unresolved.joined(separator: ", ")) has an unknown outcome; resolving it first")
                    continue
                }
                try await buy(strategy: strategy, rule: outcome.rule, decisionID: decisionID, view: view, quantity: quantity, kind: kind, limit: limit,
                              maxCost: maxCost, cancelAfter: cancelAfter, at: time, report: &report)
            case .transfer(let quantity):
                try await transfer(strategy: strategy, decisionID: decisionID, view: view, quantity: quantity, at: time, report: &report)
            case .cancelOpenBuys(let olderThan):
                try await cancelOpen(strategy: strategy, olderThan: olderThan, at: time, report: &report)
            }
        }
        for decision in report.decisions where decision.outcome != "skipped" {
            logger.info("decision", metadata: ["strategy": "\(strategy.name)", "rule": "\(decision.rule)", "outcome": "\(decision.outcome)", "reason": "\(decision.reason)"])
        }
        return report
    }

    /// Cancels every open order of `strategy`'s instrument that the ledger knows, recording the
    /// final state and fills (used when the daemon stops with `--cancel-on-exit`).
    /// - Returns: what was done, one line per order.
    public func cancelOpenOrders(of strategy: Strategy, reason: String) async throws(EngineError) -> [String] {
        let time = now()
        var report = CycleReport(strategy: strategy.name, instrument: strategy.instrument, asOf: time, mode: configuration.mode.rawValue,
                                 decisions: [], actions: [], reconciled: [], errors: [], paused: false, budgetBlocked: false)
        let open: [LedgerOpenOrder]
        do { open = try ledger.openOrders(instrument: strategy.instrument) } catch { throw .ledger(error) }
        for var order in open {
            if order.exchangeOrderID == nil {
                guard let found = try? await exchange.order(clientOrderID: order.clientOrderID, marketID: order.marketID) else { continue }
                order.exchangeOrderID = found.orderID
                if found.isTerminal {
                    try await settle(clientOrderID: order.clientOrderID, order: found, at: time, report: &report)
                    continue
                }
            }
            try await cancel(order, reason: reason, at: time, report: &report)
        }
        return report.actions + report.errors.map { "error: \($0)" }
    }

    // MARK: Execution

    private func buy(strategy: Strategy, rule: String, decisionID: Int64, view: ExchangeView, quantity: Int, kind: Strategy.OrderKind,
                     limit: Decimal?, maxCost: Decimal, cancelAfter: Decimal?, at time: Date, report: inout CycleReport) async throws(EngineError) {
        let clientOrderID = Self.clientOrderID(strategy: strategy.name, instrument: strategy.instrument, rule: rule, cycle: time)
        // Budget is reserved, and the order recorded, before anything is sent.
        do {
            try ledger.reserve(maxCost, for: OrderRecord(
                clientOrderID: clientOrderID, mode: configuration.mode, instrument: strategy.instrument, marketID: view.marketID, type: kind.rawValue,
                quantity: quantity, limitPrice: limit, cancelAfter: cancelAfter.map { time.addingTimeInterval(NSDecimalNumber(decimal: $0).doubleValue) },
                decisionID: decisionID), at: time)
        } catch { throw .ledger(error) }
        let request = PlaceOrderRequest(marketID: view.marketID, side: .buy, type: kind == .market ? .market : .limit, quantity: Decimal(quantity),
                                        price: limit, clientOrderID: clientOrderID)
        do {
            let placed = try await exchange.place(request)
            try record { () throws(LedgerError) in
                try ledger.updateOrder(clientOrderID: clientOrderID, state: .open, exchangeOrderID: placed.orderID, at: time)
            }
            report.ordersPlaced += 1
            report.actions.append("placed \(kind.rawValue) buy \(quantity) \(limit.map { "@ \(ValueFormat.text($0, as: .price))" } ?? "at market") as \(clientOrderID) (\(rule))")
            // Record what filled straight away; later fills are picked up by reconciliation.
            if let order = try? await exchange.order(id: placed.orderID) {
                try await settle(clientOrderID: clientOrderID, order: order, at: time, report: &report)
            }
        } catch let error as GridAPIError {
            if error.isOutcomeUnknown {
                try record { () throws(LedgerError) in
                    try ledger.updateOrder(clientOrderID: clientOrderID, state: .unknown, reason: error.description, at: time)
                }
                report.errors.append("buy \(clientOrderID): outcome unknown; budget stays reserved until it is resolved")
            } else {
                try record { () throws(LedgerError) in
                    try ledger.updateOrder(clientOrderID: clientOrderID, state: .rejected, reason: error.description, at: time)
                }
                report.errors.append("buy \(clientOrderID) refused: \(error.description)")
            }
        } catch let error as EngineError {
            throw error
        } catch {
            report.errors.append("buy \(clientOrderID): \(error)")
        }
    }

    private func transfer(strategy: Strategy, decisionID: Int64, view: ExchangeView, quantity: Int, at time: Date, report: inout CycleReport) async throws(EngineError) {
        let outcome: Result<String, GridAPIError>
        do {
            outcome = .success(try await exchange.transferToConsumption(instrumentID: view.instrumentID, quantity: quantity))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let transferID):
            try record { () throws(LedgerError) in
                try ledger.record(TransferRecord(transferID: transferID, mode: configuration.mode, instrument: strategy.instrument, quantity: quantity,
                                                 state: .done, at: time, decisionID: decisionID))
            }
            report.actions.append("moved \(quantity) units to consumption (\(transferID))")
        case .failure(let error):
            let state: TransferRecord.State = error.isOutcomeUnknown ? .unknown : .failed
            try record { () throws(LedgerError) in
                try ledger.record(TransferRecord(transferID: nil, mode: configuration.mode, instrument: strategy.instrument, quantity: quantity,
                                                 state: state, at: time, decisionID: decisionID))
            }
            report.errors.append("transfer of \(quantity) units: \(error.description)")
        }
    }

    private func cancelOpen(strategy: Strategy, olderThan: Decimal?, at time: Date, report: inout CycleReport) async throws(EngineError) {
        let open: [LedgerOpenOrder]
        do { open = try ledger.openOrders(instrument: strategy.instrument) } catch { throw .ledger(error) }
        let age = olderThan.map { NSDecimalNumber(decimal: $0).doubleValue } ?? 0
        for order in open where order.exchangeOrderID != nil && time.timeIntervalSince(order.createdAt) >= age {
            try await cancel(order, reason: "cancelled by rule", at: time, report: &report)
        }
    }

    private func cancel(_ order: LedgerOpenOrder, reason: String, at time: Date, report: inout CycleReport) async throws(EngineError) {
        guard let id = order.exchangeOrderID else { return }
        do {
            try await exchange.cancel(orderID: id)
        } catch {
            report.errors.append("cancel \(order.clientOrderID): \(error.description)")
            return
        }
        if let final = try? await exchange.order(id: id) {
            try await settle(clientOrderID: order.clientOrderID, order: final, at: time, report: &report)
        } else {
            // Cancelled, but its final state could not be read: it stays open in the ledger and
            // the next reconciliation records its fills and state. Marking it cancelled now would
            // lose a fill made before the cancel, and the spend with it.
            report.actions.append("cancelled \(order.clientOrderID) (\(reason)); its final state is read next cycle")
            return
        }
        report.actions.append("cancelled \(order.clientOrderID) (\(reason))")
    }

    // MARK: Reconciliation

    /// Brings the ledger's open orders up to date with the exchange.
    /// - Returns: client order ids whose outcome is still unknown.
    private func reconcile(strategy: Strategy, view: ExchangeView, at time: Date, dry: Bool, report: inout CycleReport) async throws(EngineError) -> [String] {
        let open: [LedgerOpenOrder]
        do { open = try ledger.openOrders(instrument: strategy.instrument) } catch { throw .ledger(error) }
        var unresolved: [String] = []
        for order in open {
            do {
                let found: Order?
                if let id = order.exchangeOrderID {
                    found = try await exchange.order(id: id)
                } else {
                    found = try await exchange.order(clientOrderID: order.clientOrderID, marketID: order.marketID)
                }
                guard let exchangeOrder = found else {
                    if time.timeIntervalSince(order.createdAt) > configuration.missingOrderGrace {
                        try record { () throws(LedgerError) in
                            try ledger.updateOrder(clientOrderID: order.clientOrderID, state: .expired, reason: "never reached the exchange", at: time)
                        }
                        report.reconciled.append("\(order.clientOrderID): not on the exchange after \(Int(configuration.missingOrderGrace)) s; reservation released")
                    } else {
                        unresolved.append(order.clientOrderID)
                    }
                    continue
                }
                if order.state == .unknown || order.state == .pending {
                    report.reconciled.append("\(order.clientOrderID): found on the exchange as \(exchangeOrder.orderID) (\(exchangeOrder.status))")
                }
                // A resting order with no new fill has nothing to record: its fills are not read
                // again (two requests per open order per cycle otherwise).
                let unchanged = !exchangeOrder.isTerminal && order.exchangeOrderID != nil && (order.state == .open || order.state == .partiallyFilled)
                    && Units(exactly: exchangeOrder.filledQuantity)?.rawValue == order.filledQuantity
                if !unchanged {
                    try await settle(clientOrderID: order.clientOrderID, order: exchangeOrder, at: time, report: &report)
                }
                if !dry, !exchangeOrder.isTerminal, let deadline = order.cancelAfter, time >= deadline {
                    var withID = order
                    withID.exchangeOrderID = exchangeOrder.orderID
                    try await cancel(withID, reason: "cancel_after reached", at: time, report: &report)
                }
            } catch let error as EngineError {
                throw error
            } catch {
                report.errors.append("reconcile \(order.clientOrderID): \(error)")
                if order.state == .unknown || order.state == .pending { unresolved.append(order.clientOrderID) }
            }
        }
        return unresolved
    }

    /// Records an exchange order's fills and state in the ledger.
    private func settle(clientOrderID: String, order: Order, at time: Date, report: inout CycleReport) async throws(EngineError) {
        let trades: [Trade]
        do { trades = try await exchange.fills(orderID: order.orderID) } catch {
            report.errors.append("fills of \(order.orderID): \(error.description)")
            return
        }
        let fills = trades.compactMap { trade -> FillRecord? in
            guard let quantity = Units(exactly: trade.quantity)?.rawValue, quantity > 0 else { return nil }
            let at = trade.executionTimestamp.flatMap(Timestamp.parse) ?? time
            return FillRecord(tradeID: trade.tradeID, clientOrderID: clientOrderID, quantity: quantity, price: trade.price, fee: trade.fee ?? 0, executedAt: at)
        }
        try record { () throws(LedgerError) in
            let added = try ledger.record(fills: fills, at: time)
            report.fillsRecorded += added
            if added > 0 { report.reconciled.append("\(clientOrderID): \(added) new fill\(added == 1 ? "" : "s")") }
            let state: OrderState
            switch order.status.lowercased() {
            case "filled": state = .filled
            case "cancelled", "canceled": state = .cancelled
            case "rejected": state = .rejected
            case "expired", "closed": state = order.filledQuantity >= order.quantity ? .filled : .expired
            case "partially_filled": state = .partiallyFilled
            default: state = order.filledQuantity > 0 ? .partiallyFilled : .open
            }
            try ledger.updateOrder(clientOrderID: clientOrderID, state: state, exchangeOrderID: order.orderID, at: time)
        }
    }

    private func record(_ body: () throws(LedgerError) -> Void) throws(EngineError) {
        do { try body() } catch { throw .ledger(error) }
    }

    // MARK: Snapshot

    func makeSnapshot(strategy: Strategy, view: ExchangeView, book: ExchangeView.WholeBook, at time: Date, paused: Bool) throws(LedgerError) -> MarketSnapshot {
        // What the rules read (a week for `forecast`, 7d for `rank(ask, 7d)`), at least the
        // configured window.
        let history = max(configuration.historyWindow, strategy.historyNeeded)
        let from = time.addingTimeInterval(-history)
        let market = try ledger.marketPoints(instrument: strategy.instrument, from: from, to: time)
        let balances = try ledger.balancePoints(instrument: strategy.instrument, from: from, to: time)
        let moments = spendMoments(at: time, exchangeTime: view.exchangeTime)
        let spend = try worstSpend(at: moments, instrument: strategy.instrument)
        var shared: MarketSnapshot.SharedBudget?
        if let global = configuration.globalBudget, global.daily != nil || global.monthly != nil {
            let all = try worstSpend(at: moments, instrument: nil)
            shared = .init(daily: global.daily, monthly: global.monthly, spentToday: all.today, spentMonth: all.month)
        }
        // Lots expire four hours after they arrive: units that leave consumption then are not burn.
        // Demand is read from the whole balance history loaded; the lots still held arrived in
        // the last four hours.
        let life = ConsumptionLot.lifetime
        let expiries = try ledger.transfersIn(instrument: strategy.instrument, from: from.addingTimeInterval(-life)).map {
            MarketSnapshot.Expiry(time: $0.at.addingTimeInterval(life), units: $0.units)
        }.filter { $0.time.addingTimeInterval(-life) <= time }
        return MarketSnapshot(
            asOf: time, instrument: strategy.instrument, consumption: view.consumption, inventory: view.inventory, usdAvailable: view.usdAvailable,
            spentToday: spend.today, spentMonth: spend.month,
            bids: book.bids, asks: book.asks,
            last: view.last, tick: view.controls?.tickSize ?? Decimal(string: "0.01")!,
            lotSize: view.controls?.lotSize.flatMap { Units(exactly: $0)?.rawValue } ?? 1,
            minOrderSize: view.controls?.minOrderSize.flatMap { Units(exactly: $0)?.rawValue } ?? 1,
            openBuyOrders: view.openOrders.filter { $0.side != .sell }.count,
            unitsOnOrder: view.openOrders.filter { $0.side != .sell }.reduce(0) { $0 + Self.unitsLeft($1) },
            paused: paused, marketHistory: market, balanceHistory: balances,
            expiries: expiries, shared: shared)
    }

    /// The moments whose day and month an order placed now may count in: ours, and the
    /// exchange's (it dates the fills) — as its view showed it, give or take `clockMargin`, or
    /// anywhere within `clockTolerance` of ours while it is unknown.
    func spendMoments(at time: Date, exchangeTime: Date?) -> [Date] {
        if let exchange = exchangeTime {
            return [time, exchange.addingTimeInterval(-configuration.clockMargin), exchange.addingTimeInterval(configuration.clockMargin)]
        }
        return [time, time.addingTimeInterval(-configuration.clockTolerance), time.addingTimeInterval(configuration.clockTolerance)]
    }

    /// Spend to date as the tightest of those moments sees it: the most spent of any day and
    /// of any month they fall in, so no clock can place an order in a day that is already full.
    func worstSpend(at moments: [Date], instrument: String?) throws(LedgerError) -> Spend {
        var result = try ledger.spend(asOf: moments[0], timeZone: configuration.timeZone, instrument: instrument)
        let here = SpendPeriods(containing: moments[0], in: configuration.timeZone)
        for moment in moments.dropFirst() {
            let ms = moment.ledgerMilliseconds
            guard !here.inDay(ms) || !here.inMonth(ms) else { continue }
            let other = try ledger.spend(asOf: moment, timeZone: configuration.timeZone, instrument: instrument)
            result.today = max(result.today, other.today)
            result.month = max(result.month, other.month)
        }
        return result
    }

    /// 16 hex digits identifying what a cycle decided on: time, balances, spend, top of book and
    /// how much history (`ms|consumption|inventory|usd µ$|spent µ$|bid µ$|ask µ$|points|points`).
    static func digest(_ s: MarketSnapshot) -> String {
        func money(_ d: Decimal?) -> String { d.map { (try? Micros.from($0, field: "digest")).map { String($0) } ?? "\($0)" } ?? "-" }
        let fields = [String(s.asOf.ledgerMilliseconds), String(s.consumption), String(s.inventory), money(s.usdAvailable), money(s.spentToday),
                      money(s.bids.first?.price), money(s.asks.first?.price), String(s.marketHistory.count), String(s.balanceHistory.count)]
        var text: [UInt8] = []
        text.reserveCapacity(128)
        for (index, field) in fields.enumerated() {
            if index > 0 { text.append(UInt8(ascii: "|")) }
            text.append(contentsOf: field.utf8)
        }
        return Digest.sha256Hex(text, length: 16)
    }

    static func decisionRecord(_ o: RuleOutcome) -> DecisionRecord {
        var action: DecisionRecord.Action?
        var quantity: Int?
        var price: Decimal?
        switch o.intent {
        case .buy(let q, _, let limit, _, _)?: (action, quantity, price) = (.buy, q, limit)
        case .transfer(let q)?: (action, quantity) = (.transfer, q)
        case .cancelOpenBuys?: action = .cancel
        case nil: break
        }
        let outcome = DecisionRecord.Outcome(rawValue: o.outcome.rawValue) ?? .skipped
        let reason = o.guardrails.isEmpty ? o.reason : o.reason + " — " + o.guardrails.joined(separator: "; ")
        return DecisionRecord(rule: o.rule, outcome: outcome, action: action, quantity: quantity, price: price, reason: reason, inputs: o.inputs)
    }

    public static func describe(_ intent: Intent) -> String {
        switch intent {
        case .buy(let q, let kind, let limit, let maxCost, _):
            return "buy \(q) unit\(q == 1 ? "" : "s") \(kind == .market ? "at market" : "limit \(ValueFormat.text(limit ?? 0, as: .price))") (≤ \(ValueFormat.text(maxCost, as: .money)) USD)"
        case .transfer(let q): return "move \(q) unit\(q == 1 ? "" : "s") to consumption"
        case .cancelOpenBuys(let older): return "cancel open buys\(older.map { " older than \(ValueFormat.duration(seconds: $0))" } ?? "")"
        }
    }
}

extension CycleRunner {
    /// Whole units an open order has still to fill (a fraction counts as a unit).
    static func unitsLeft(_ order: Order) -> Int {
        var left = max(0, order.quantity - order.filledQuantity), rounded = Decimal()
        NSDecimalRound(&rounded, &left, 0, .up)
        return NSDecimalNumber(decimal: rounded).intValue
    }
}
