import Foundation

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
