import Foundation
import Testing

@testable import GridKeeperCore

@Suite struct ExpressionTests {
    @Test(arguments: [
        ("runway < 1h and inventory > 0", ValueType.bool),
        ("ask <= avg(last, 24h) * 0.98", .bool),
        ("not (spread > 0.05) or hour >= 9", .bool),
        ("bid + tick", .price),
        ("cover(2h)", .units),
        ("cover_stock(48h) - inventory", .units),
        ("burn * 2h", .units),
        ("consumption / burn", .duration),
        ("usd / ask", .units),
        ("ask * 10", .price),
        ("(bid + ask) / 2", .price),
        ("2.50", .price),
        ("ewma(mid, 30m) - tick", .price),
        ("spent_today + 5 < 40", .bool),
    ])
    func validExpressionsTypeCheck(_ text: String, _ type: ValueType) throws {
        _ = try ExpressionParser.parse(text, expecting: type)
    }

    /// The compiler reads operand types from the same rules the parser checks with: every
    /// expression's own type is the type it was checked as (none for a bare number).
    @Test(arguments: [
        ("bid + tick", ValueType?.some(.price)),
        ("cover(2h)", .units),
        ("cover(2h, burn_peak(30m)) - inventory", .units),
        ("forecast(2h)", .units),
        ("burn_peak(1h) * 3m + 1.5", .units),
        ("burn(1d)", .rate),
        ("consumption / burn", .duration),
        ("usd / ask", .units),
        ("usd / inventory", .price),
        ("ask * inventory", .money),
        ("ask * 10", .price),
        ("10 * ask", .price),
        ("(bid + ask) / 2", .price),
        ("ask / bid", .number),
        ("rank(ask, 1d)", .number),
        ("-ewma(mid, 30m)", .price),
        ("hour * 2", .number),
        ("runway < 1h and inventory > 0", .bool),
        ("2.50", nil),
        ("2 * 3 - 1", nil),
    ])
    func theCompilerReadsTheTypeTheParserChecked(_ text: String, _ type: ValueType?) throws {
        let expression = try ExpressionParser.parse(text, expecting: type ?? .number)
        #expect(expression.ownType == type)
    }

    @Test(arguments: [
        ("runway < ask", 7, "cannot compare a duration with a price (USD/unit)"),
        ("runway < 1h and", 15, "expected a number, a duration, a signal or '('"),
        ("runwya < 1h", 0, "unknown signal 'runwya'; did you mean 'runway'?"),
        ("avg(usd, 1h) > 0", 4, "usd has no recorded history"),
        ("avg(last) > 0", 8, "expected ','"),
        ("cover(2) > 0", 6, "takes a duration"),
        ("ask < 1x", 7, "unknown unit 'x'"),
        ("1 < 2 < 3", 6, "cannot be chained"),
        ("bid +", 5, "expected a number"),
        ("avrg(last, 1h) < 2", 0, "unknown function 'avrg'; did you mean 'avg'?"),
        ("runway * ask > 0", 7, "cannot multiply a duration by a price"),
        ("bid $ 2", 4, "unexpected character '$'"),
    ])
    func typeAndSyntaxErrorsPointAtTheirPlace(_ text: String, _ offset: Int, _ message: String) {
        do {
            _ = try ExpressionParser.parse(text, expecting: .bool)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.offset == offset, "\(text): \(error.message)")
            #expect(error.message.contains(message), "\(text): \(error.message)")
        }
    }

    /// A bare number beside a duration would silently be seconds (`runway < 2.50` meaning
    /// 2.5 s): only 0 may go without a unit.
    @Test(arguments: [
        ("runway < 2.50", 9, "runway is a duration: write 2.5 with a unit, as 2.5h, 2.5m or 2.5s"),
        ("2 > stock_runway", 0, "stock_runway is a duration: write 2 with a unit"),
        ("runway >= -3", 10, "runway is a duration: write -3 with a unit, as -3h"),
        ("runway < (90)", 9, "write 90 with a unit"),
        ("consumption / burn < 2", 21, "consumption / burn is a duration: write 2 with a unit"),
        ("runway + 30 > 1h", 9, "runway is a duration: write 30 with a unit"),
        ("1h - 5 < runway", 5, "1h is a duration: write 5 with a unit"),
    ])
    func aBareNumberBesideADurationNeedsAUnit(_ text: String, _ offset: Int, _ message: String) {
        do {
            _ = try ExpressionParser.parse(text, expecting: .bool)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.offset == offset, "\(text): \(error.message)")
            #expect(error.message.contains(message), "\(text): \(error.message)")
        }
    }

    @Test(arguments: ["runway < 0", "runway > 0", "0 < stock_runway", "runway > -0", "runway > 0.0", "runway * 2 < 1h", "runway / 2 > 30m",
                      "runway < 2.5h", "burn * 2h > 0"])
    func zeroAndFactorsNeedNoUnit(_ text: String) throws {
        _ = try ExpressionParser.parse(text, expecting: .bool)
    }

    @Test func aNumberWithMoreDigitsThanDecimalKeepsIsRefused() {
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse("ask < 1234567890123456789012345678901", expecting: .bool) }
        #expect((try? ExpressionParser.parse("ask < 123456789012345678901234567890", expecting: .bool)) != nil)
    }

    @Test func aPriceIsNotACondition() {
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse("bid + tick", expecting: .bool) }
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse("runway < 1h", expecting: .price) }
    }

    @Test(arguments: [("30s", "30s"), ("90m", "1h30m"), ("26h", "1d2h"), ("0", "0s")])
    func durationsFormatReadably(_ text: String, _ expected: String) throws {
        let seconds = try #require(StrategyParser.duration(text) ?? (text == "0" ? 0 : nil))
        #expect(ValueFormat.duration(seconds: seconds) == expected)
    }
}
