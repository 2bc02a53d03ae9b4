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
        // Fast path: a 64-bit significand, in integers.
        if let (m, e) = value.wordParts, m.magnitude < 1 << 40, e > -19, e < 10 {
            var int = Int(m)
            if e >= 0 {
                for _ in 0..<e { int *= 10 }
            } else {
                for _ in 0 ..< -e {
                    guard int % 10 == 0 else { return nil }
                    int /= 10
                }
            }
            rawValue = int
            return
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
