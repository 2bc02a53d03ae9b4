import Foundation
import GridKeeperCore
import GridKeeperMacros
import Ledger

/// What one cycle saw, decided and did, in typed values; text is made where output is made
/// (the JSON form below, the commands' printing).
public struct CycleReport: Sendable, Encodable {
    @MemberwiseInit
    public struct Decision: Sendable, Encodable {
        public var rule: String
        public var outcome: RuleOutcome.Outcome
        public var reason: String
        public var guardrails: [String] = []
        public var intent: Intent? = nil
        public var inputs: [String: String] = [:]
        /// How the budget shaped a buy, when it did.
        public var budget: RuleOutcome.BudgetEffect? = nil
        /// The cap that blocked or cut a buy, when one did.
        public var cap: RuleOutcome.BudgetLimit? = nil

        init(_ o: RuleOutcome) {
            self.init(rule: o.rule, outcome: o.outcome, reason: o.reason, guardrails: o.guardrails, intent: o.intent, inputs: o.inputs,
                      budget: o.budget, cap: o.limit)
        }

        enum CodingKeys: String, CodingKey { case rule, outcome, reason, guardrails, intent, inputs, budget, cap }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rule, forKey: .rule)
            try c.encode(outcome.rawValue, forKey: .outcome)
            try c.encode(reason, forKey: .reason)
            try c.encode(guardrails, forKey: .guardrails)
            try c.encodeIfPresent(intent.map(CycleRunner.describe), forKey: .intent)
            try c.encode(inputs, forKey: .inputs)
            try c.encodeIfPresent(budget?.rawValue, forKey: .budget)
            try c.encodeIfPresent(cap?.rawValue, forKey: .cap)
        }
    }

    public var strategy: String
    public var instrument: String
    public var asOf: Date
    public var mode: LedgerMode
    public var decisions: [Decision] = []
    /// What was sent to the exchange (or would have been, in a dry run), one line each.
    public var actions: [String] = []
    /// Reconciliation: orders settled, fills recorded, one line each.
    public var reconciled: [String] = []
    public var errors: [String] = []
    public var paused = false
    public var budgetBlocked = false
    /// Spend so far (reservations included) and the strategy's caps, USD.
    public var spentToday: Decimal?
    public var spentMonth: Decimal?
    public var dailyCap: Decimal?
    public var monthlyCap: Decimal?
    /// Spend of every instrument together, when a global budget is set.
    public var globalSpentToday: Decimal?
    public var globalSpentMonth: Decimal?
    public var globalDailyCap: Decimal?
    public var globalMonthlyCap: Decimal?
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

    /// USD as exact text (`12.5`, `40`), as the JSON output has always carried it.
    public static func money(_ value: Decimal?) -> String? { value.map { ValueFormat.text($0, as: .money) } }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(strategy, forKey: .strategy)
        try c.encode(instrument, forKey: .instrument)
        try c.encode(asOf, forKey: .asOf)
        try c.encode(mode.rawValue, forKey: .mode)
        try c.encode(decisions, forKey: .decisions)
        try c.encode(actions, forKey: .actions)
        try c.encode(reconciled, forKey: .reconciled)
        try c.encode(errors, forKey: .errors)
        try c.encode(paused, forKey: .paused)
        try c.encode(budgetBlocked, forKey: .budgetBlocked)
        let money: [(Decimal?, CodingKeys)] = [(spentToday, .spentToday), (spentMonth, .spentMonth), (dailyCap, .dailyCap), (monthlyCap, .monthlyCap),
                                               (globalSpentToday, .globalSpentToday), (globalSpentMonth, .globalSpentMonth),
                                               (globalDailyCap, .globalDailyCap), (globalMonthlyCap, .globalMonthlyCap)]
        for (value, key) in money { try c.encodeIfPresent(Self.money(value), forKey: key) }
        try c.encodeIfPresent(runwaySeconds, forKey: .runwaySeconds)
        try c.encode(ordersPlaced, forKey: .ordersPlaced)
        try c.encode(fillsRecorded, forKey: .fillsRecorded)
    }
}
