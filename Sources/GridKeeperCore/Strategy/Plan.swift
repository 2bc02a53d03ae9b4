import Foundation

/// What a strategy wants done this cycle, after the guardrails.
public enum Intent: Sendable, Equatable {
    case buy(quantity: Int, order: Strategy.OrderKind, limitPrice: Decimal?, maxCost: Decimal, cancelAfter: Decimal?)
    case transfer(quantity: Int)
    case cancelOpenBuys(olderThan: Decimal?)
}

/// One rule's outcome, with the reason in words.
public struct RuleOutcome: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        /// The rule fired and its intent stands unchanged.
        case fired
        /// The condition did not hold, or an input was missing.
        case skipped
        /// A guardrail stopped the intent.
        case blocked
        /// A guardrail changed the intent.
        case adjusted
    }

    public var rule: String
    public var outcome: Outcome
    public var reason: String
    /// The intent as it stands after the guardrails (fired or adjusted only).
    public var intent: Intent?
    /// What the guardrails changed or why they blocked, in order.
    public var guardrails: [String]
    /// Signal and function values the rule read, formatted.
    public var inputs: [String: String]
    /// How the budget shaped a buy: a cap cut it, or nothing was left for even one unit.
    public var budget: BudgetEffect? = nil
    /// Which cap blocked or cut a buy (the price cap included), when one did; nil when the buy
    /// went through as asked, or only the USD balance or the market's rules shaped it.
    public var limit: BudgetLimit? = nil

    public enum BudgetEffect: String, Sendable, Equatable {
        /// A cap (daily, monthly, per order, global) left room for fewer units than asked.
        case cut
        /// The caps or the USD balance left room for none: the buy was blocked.
        case exhausted
    }

    /// A cap of the strategy's `budget` (or of the config file's global budget).
    public enum BudgetLimit: String, Sendable, Equatable, CaseIterable, Codable {
        case daily
        case monthly
        case perOrder = "per_order"
        case maxUnitPrice = "max_unit_price"
        case globalDaily = "global_daily"
        case globalMonthly = "global_monthly"
    }
}

/// The result of one evaluation: every rule's outcome, in file order.
public struct Plan: Sendable, Equatable {
    public var strategy: String
    public var instrument: String
    public var asOf: Date
    public var outcomes: [RuleOutcome]
    /// Consumption runway in seconds as the rules saw it, when the burn is known.
    public var runway: Decimal?

    /// The intents to carry out, in rule order.
    public var intents: [(rule: String, intent: Intent)] {
        outcomes.compactMap { o in o.intent.map { (o.rule, $0) } }
    }

    public static func == (a: Plan, b: Plan) -> Bool {
        a.strategy == b.strategy && a.instrument == b.instrument && a.asOf == b.asOf && a.outcomes == b.outcomes
    }
}
