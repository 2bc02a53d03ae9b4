import Foundation
import Testing

@testable import GridKeeperCore

/// A rule's compiled form and a budget's caps are derived data that the containing types'
/// equality also compares: they must tell different contents apart, not call everything equal.
@Suite struct DerivedEqualityTests {
    static func compiled(_ when: String, buy quantity: String = "cover(2h)", price: String? = nil) throws -> CompiledRule {
        let action = Strategy.Action.buy(
            quantity: try ExpressionParser.parse(quantity, expecting: .units), order: price == nil ? .market : .limit,
            price: try price.map { try ExpressionParser.parse($0, expecting: .price) }, cancelAfter: nil)
        return CompiledRule(when: try ExpressionParser.parse(when, expecting: .bool), action: action)
    }

    @Test func compiledRulesAreEqualOnlyWhenTheirExpressionsAre() throws {
        let rule = try Self.compiled("runway < 1h and inventory > 0")
        #expect(rule == (try Self.compiled("runway < 1h and inventory > 0")))
        #expect(rule == (try Self.compiled("runway < 60m and inventory > 0.0")), "the same values, written otherwise")
        #expect(rule != (try Self.compiled("runway < 2h and inventory > 0")), "a different literal")
        #expect(rule != (try Self.compiled("runway <= 1h and inventory > 0")), "a different operator")
        #expect(rule != (try Self.compiled("runway < 1h or inventory > 0")), "a different connective")
        #expect(rule != (try Self.compiled("runway < 1h and inventory > 0", buy: "cover(3h)")), "a different quantity")
        #expect(rule != (try Self.compiled("runway < 1h and inventory > 0", price: "bid")), "a price where there was none")
    }

    @Test func budgetCapsAreEqualOnlyWhenTheirAmountsAre() {
        let caps = Strategy.Budget.Caps(daily: 40, monthly: 600, perOrder: 15, maxUnitPrice: 3)
        #expect(caps == Strategy.Budget.Caps(daily: Decimal(string: "40.00")!, monthly: 600, perOrder: 15, maxUnitPrice: 3))
        #expect(caps != Strategy.Budget.Caps(daily: 41, monthly: 600, perOrder: 15, maxUnitPrice: 3))
        #expect(caps != Strategy.Budget.Caps(daily: 40, monthly: nil, perOrder: 15, maxUnitPrice: 3))
        #expect(caps != Strategy.Budget.Caps(daily: 40, monthly: 600, perOrder: Decimal(string: "15.01")!, maxUnitPrice: 3))
        #expect(caps != Strategy.Budget.Caps(daily: 40, monthly: 600, perOrder: 15, maxUnitPrice: Decimal(string: "2.99")!))
    }

    @Test func aBudgetsCapsFollowItsAmounts() {
        var budget = Strategy.Budget(daily: 40, monthly: 600)
        budget.daily = 80
        #expect(budget.caps == Strategy.Budget.Caps(daily: 80, monthly: 600, perOrder: nil, maxUnitPrice: nil))
        #expect(budget == Strategy.Budget(daily: 80, monthly: 600))
    }
}
