import Foundation
import Testing

@testable import GridKeeperCore

/// The evaluator's fast division agrees with `Decimal`'s to 18 significant digits.
@Suite struct DecimalMathTests {
    static func dec(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }

    @Test(arguments: [
        ("30", "2.51"), ("10", "2.5"), ("0.3", "0.1"), ("1", "3"), ("2", "3"), ("-7", "2"), ("7", "-0.25"), ("86400000", "7200000"),
        ("123456789.123456", "0.000001"), ("0", "5"), ("3600000", "1234567"), ("9999999999", "3"), ("2.51", "2.51"),
    ])
    func quotientsMatchDecimalDivision(_ a: String, _ b: String) {
        let fast = DecimalMath.divide(Self.dec(a), Self.dec(b))
        let exact = Self.dec(a) / Self.dec(b)
        let difference = abs(fast - exact)
        #expect(difference == 0 || difference / abs(exact) < Self.dec("0.00000000000000001"), "\(a) / \(b): \(fast) vs \(exact)")
    }

    @Test func exactQuotientsAreExactAndRoundingIsHalfUp() {
        #expect(DecimalMath.divide(Self.dec("10"), Self.dec("4")) == Self.dec("2.5"))
        #expect(DecimalMath.divide(Self.dec("2"), Self.dec("3")) == Self.dec("0.666666666666666667"))
        #expect(DecimalMath.divide(Self.dec("1"), Self.dec("3")) == Self.dec("0.333333333333333333"))
        // Operands too wide for 64 bits fall back to Decimal division.
        let wide = Self.dec("123456789012345678901234567890")
        #expect(DecimalMath.divide(wide, 10) == wide / 10)
    }
}
