import Foundation
import Testing

@testable import GridKeeperCore

/// The evaluator's integer arithmetic gives the values `Decimal` gives — for words, for
/// 128-bit products and for values that only `Decimal` can hold.
@Suite struct ExactTests {
    static func dec(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }
    static let posix = Locale(identifier: "en_US_POSIX")

    /// Random decimals the way a strategy meets them: whole units, micro-dollar prices, factors,
    /// 18-digit quotients, and now and then one wider than 64 bits.
    static func randomDecimal(_ random: inout StrategyFuzzTests.Generator) -> Decimal {
        let digits = [1, 2, 3, 6, 9, 12, 17, 18, 19, 25].randomElement(using: &random)!
        var text = String(Int.random(in: 1...9, using: &random))
        for _ in 1..<digits { text += String(Int.random(in: 0...9, using: &random)) }
        if Int.random(in: 0..<8, using: &random) == 0 { text = "0" }
        var value = dec(text)
        value = Decimal(sign: Bool.random(using: &random) ? .minus : .plus, exponent: Int.random(in: -20...4, using: &random), significand: value)
        return value
    }

    @Test func arithmeticComparisonAndRoundingMatchDecimal() {
        var random = StrategyFuzzTests.Generator(state: 0x5EED)
        for _ in 0..<20_000 {
            let a = Self.randomDecimal(&random), b = Self.randomDecimal(&random)
            let x = Exact(a), y = Exact(b)
            #expect(x.decimal == a, "round trip of \(a)")
            #expect((x + y).decimal == a + b, "\(a) + \(b)")
            #expect((x - y).decimal == a - b, "\(a) - \(b)")
            #expect((x * y).decimal == a * b, "\(a) * \(b)")
            #expect((-x).decimal == -a)
            if b != 0 { #expect((x / y).decimal == DecimalMath.divide(a, b), "\(a) / \(b)") }
            #expect(Exact.compare(x, y) == (a < b ? -1 : (a == b ? 0 : 1)), "\(a) vs \(b)")
            #expect(Exact.compare(x * y, x) == (a * b < a ? -1 : (a * b == a ? 0 : 1)), "\(a) * \(b) vs \(a)")
            let scale = Int.random(in: 0...6, using: &random)
            for mode in [Decimal.RoundingMode.plain, .up, .down] {
                var v = a * b, r = Decimal()
                NSDecimalRound(&r, &v, scale, mode)
                #expect((x * y).rounded(scale, mode).decimal == r, "\(a * b) rounded to \(scale) (\(mode))")
            }
            var v = a
            #expect(x.plain == NSDecimalString(&v, Self.posix), "text of \(a)")
        }
    }

    @Test func productsBeyondSixtyFourBitsStayExact() {
        // An 18-digit average times a factor: twenty digits, more than a 64-bit word holds.
        let average = Self.dec("2.49896632653061224"), factor = Self.dec("0.98")
        let product = Exact(average) * Exact(factor)
        guard case .wide = product.storage else { Issue.record("expected a 128-bit product, got \(product.storage)"); return }
        #expect(product.decimal == average * factor)
        #expect(Exact(Self.dec("2.44")) < product && product < Exact(Self.dec("2.45")))
        #expect(product == Exact(average * factor))
        #expect(ValueFormat.text(product, as: .price) == "2.448987")
        #expect(product.rounded(6, .down).decimal == Self.dec("2.448986"))
        #expect((-product).decimal == -(average * factor))
    }

    @Test func wordPartsAreExactOrAbsent() {
        for (text, significand, exponent) in [("2.51", Int64(251), -2), ("-0.000001", -1, -6), ("0", 0, 0), ("40", 4, 1)] {
            let parts = Self.dec(text).wordParts
            #expect(parts?.significand == significand && parts?.exponent == exponent, "\(text): \(String(describing: parts))")
        }
        #expect(Self.dec("9000000000000000000").wordParts != nil)
        #expect(Self.dec("123456789012345678901").wordParts == nil)
        #expect(Decimal.nan.wordParts == nil)
        var random = StrategyFuzzTests.Generator(state: 7)
        for _ in 0..<10_000 {
            let m = Int64.random(in: -8_999_999_999_999_999_999...8_999_999_999_999_999_999, using: &random)
            let e = Int.random(in: -18...18, using: &random)
            let d = Decimal(sign: m < 0 ? .minus : .plus, exponent: e, significand: Decimal(m.magnitude))
            guard let (significand, exponent) = d.wordParts else { Issue.record("\(d) has a 64-bit significand"); continue }
            #expect(Decimal(sign: significand < 0 ? .minus : .plus, exponent: exponent, significand: Decimal(significand.magnitude)) == d)
        }
    }

    @Test func signalIndicesFollowTheirDeclaration() {
        #expect(Signal.allCases.map(\.index) == Array(Signal.allCases.indices))
    }

    @Test func marketPointsWithoutAPriceReadAsNone() {
        var point = MarketSnapshot.MarketPoint(time: Date(timeIntervalSince1970: 0), bidMicros: nil, askMicros: 2_510_000, lastMicros: -5)
        #expect(point.bidMicros == nil && point.askMicros == 2_510_000 && point.lastMicros == -5)
        point.askMicros = nil
        point.bidMicros = 0
        #expect(point.askMicros == nil && point.bidMicros == 0)
        #expect(point != MarketSnapshot.MarketPoint(time: Date(timeIntervalSince1970: 0), bidMicros: 0, askMicros: 1, lastMicros: -5))
    }

    /// The compiled form of a rule and the budget's caps follow any change made to a parsed
    /// strategy.
    @Test func changingAParsedStrategyChangesWhatIsEvaluated() throws {
        var strategy = try StrategyParser.parse("""
            strategy: t
            instrument: text-prime
            every: 1m
            budget: { daily: 40.00, max_unit_price: 3.00 }
            rules:
              - { name: r, when: consumption < 5, buy: { quantity: 10, order: market } }
            """, file: "t.yaml")
        let snapshot = MarketSnapshot(asOf: Date(timeIntervalSince1970: 1_790_000_000), instrument: "text-prime", consumption: 8, inventory: 0,
                                      usdAvailable: 100, bids: [.init(price: Self.dec("2.49"), quantity: 50)],
                                      asks: [.init(price: Self.dec("2.51"), quantity: 50)])
        #expect(Evaluator.evaluate(strategy, on: snapshot).outcomes.first?.reason == "consumption 8 ≥ 5")
        strategy.rules[0].when = try ExpressionParser.parse("consumption > 5", expecting: .bool)
        let fired = try #require(Evaluator.evaluate(strategy, on: snapshot).outcomes.first)
        #expect(fired.reason == "consumption 8 > 5" && fired.intent != nil)
        strategy.budget.maxUnitPrice = Self.dec("2.50")
        let capped = try #require(Evaluator.evaluate(strategy, on: snapshot).outcomes.first)
        #expect(capped.outcome == .blocked && capped.guardrails == ["best ask 2.51 is above max_unit_price 2.5"])
    }
}
