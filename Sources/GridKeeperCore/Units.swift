import Foundation

/// A whole number of units (1 unit = 1,000,000 tokens of one instrument).
public struct Units: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public var rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }
    public init(_ value: Int) { self.rawValue = value }
    public init(integerLiteral value: Int) { self.rawValue = value }

    /// Converts an exchange quantity to whole units.
    /// - Returns: `nil` when `value` has a fractional part or does not fit in an `Int`.
    public init?(exactly value: Decimal) {
        // Fast path: a small whole significand with no fraction.
        if value.exponent >= 0, value.exponent < 10 {
            let significand = NSDecimalNumber(decimal: value.significand).int64Value
            if significand >= 0, significand < 1 << 40, Decimal(significand) == value.significand {
                var int = Int(significand)
                for _ in 0..<value.exponent { int *= 10 }
                rawValue = value.sign == .minus ? -int : int
                return
            }
        }
        var v = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &v, 0, .plain)
        guard rounded == value, let int = Int(exactly: NSDecimalNumber(decimal: rounded).int64Value),
            Decimal(int) == value
        else { return nil }
        rawValue = int
    }

    public static func < (lhs: Units, rhs: Units) -> Bool { lhs.rawValue < rhs.rawValue }
    public static func + (lhs: Units, rhs: Units) -> Units { Units(lhs.rawValue + rhs.rawValue) }
    public static func - (lhs: Units, rhs: Units) -> Units { Units(lhs.rawValue - rhs.rawValue) }

    public var decimal: Decimal { Decimal(rawValue) }
    /// Tokens these units are worth.
    public var tokens: Int { rawValue * 1_000_000 }
    public var description: String { "\(rawValue) unit\(rawValue == 1 ? "" : "s")" }
}
