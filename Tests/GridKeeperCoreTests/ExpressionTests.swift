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
