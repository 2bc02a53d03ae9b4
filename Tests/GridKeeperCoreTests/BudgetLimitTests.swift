import Foundation
import Testing

@testable import GridKeeperCore

/// Every blocked or cut buy names the cap that did it, so a backtest can count them per cap.
@Suite struct BudgetLimitTests {
    @Test(arguments: [
        // (budget, spent today, usd, order, expected outcome, expected limit)
        ("{ daily: 40.00, max_unit_price: 3.00 }", "35.00", "1000", "market", RuleOutcome.Outcome.adjusted, RuleOutcome.BudgetLimit.daily),
        ("{ daily: 40.00, max_unit_price: 3.00 }", "39.00", "1000", "market", .blocked, .daily),
        ("{ monthly: 600.00, max_unit_price: 3.00 }", "595.00", "1000", "market", .adjusted, .monthly),
        ("{ monthly: 600.00, max_unit_price: 3.00 }", "600.00", "1000", "market", .blocked, .monthly),
        ("{ daily: 40.00, per_order: 5.00, max_unit_price: 3.00 }", "0", "1000", "market", .adjusted, .perOrder),
        ("{ daily: 40.00, max_unit_price: 2.00 }", "0", "1000", "market", .blocked, .maxUnitPrice),  // best ask 2.51
        ("{ daily: 1000.00, max_unit_price: 2.51 }", "0", "1000", "market", .adjusted, .maxUnitPrice),  // 50 of 100 at or under 2.51
        ("{ daily: 1000.00, max_unit_price: 2.00 }", "0", "1000", "limit", .adjusted, .maxUnitPrice),  // limit 2.60 capped at 2.00
        // The USD balance is not a cap: no limit named, even when it blocks.
        ("{ daily: 40.00, max_unit_price: 3.00 }", "0", "7.00", "market", .adjusted, nil),
        ("{ daily: 40.00, max_unit_price: 3.00 }", "0", "2.00", "market", .blocked, nil),
        // Caps far away: the buy goes through as asked and names nothing.
        ("{ daily: 100000.00, max_unit_price: 1000.00 }", "0", "100000", "market", .fired, nil),
    ] as [(String, String, String, String, RuleOutcome.Outcome, RuleOutcome.BudgetLimit?)])
    func aBlockedOrCutBuyNamesTheCap(_ budget: String, _ spent: String, _ usd: String, _ order: String, _ expected: RuleOutcome.Outcome,
                                     _ limit: RuleOutcome.BudgetLimit?) throws {
        let price = order == "limit" ? ", price: 2.60" : ""
        let strategy = try EvaluatorTests.strategy("  - { name: r, when: consumption > 0, buy: { quantity: 100, order: \(order)\(price) } }", budget: budget)
        let outcome = try EvaluatorTests.outcome(
            Evaluator.evaluate(strategy, on: EvaluatorTests.snapshot(usd: usd, askDepth: [("2.52", 500)], spentToday: spent)), "r")
        #expect(outcome.outcome == expected, "\(outcome)")
        #expect(outcome.limit == limit, "\(outcome)")
    }
}
