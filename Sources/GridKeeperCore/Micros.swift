import Foundation

/// Exact conversion between `Decimal` USD and integer micro-dollars, and between `Date` and
/// integer milliseconds, as the ledger stores them and the fill model counts.
public enum Micros {
    public static let perUnit: Int64 = 1_000_000

    /// Why a value has no exact micro-dollar form.
    public enum Inexact: Error, Sendable, Equatable {
        /// More than six decimal places.
        case finerThanMicros
        /// Does not fit in 63 bits.
        case outOfRange
    }

    /// `value` in micro-dollars, exactly.
    public static func exactly(_ value: Decimal) throws(Inexact) -> Int64 {
        if let fast = fastPath(value) { return fast }
        var scaled = value * Decimal(perUnit)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled else { throw .finerThanMicros }
        guard abs(rounded) < Decimal(Int64.max / 2) else { throw .outOfRange }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// `value` in micro-dollars, a finer value rounded up or down (a price against us: asks
    /// up, funds down).
    public static func rounded(_ value: Decimal, up: Bool) -> Int64 {
        if let fast = fastPath(value) { return fast }
        var scaled = value * Decimal(perUnit), rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, up ? .up : .down)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    private static let powers: [Int64] = (0...18).map { n in (0..<n).reduce(Int64(1)) { acc, _ in acc * 10 } }

    /// Significand and exponent arithmetic in 64 bits (about six times faster than the general
    /// path); `nil` when the value does not fit, so the general path decides.
    public static func fastPath(_ value: Decimal) -> Int64? {
        guard let (significand, exponent) = value.wordParts else { return nil }
        let shift = exponent + 6
        var result = abs(significand)
        if shift >= 0 {
            guard shift < powers.count else { return nil }
            let (product, overflow) = result.multipliedReportingOverflow(by: powers[shift])
            guard !overflow, product < Int64.max / 2 else { return nil }
            result = product
        } else {
            guard -shift < powers.count, result % powers[-shift] == 0 else { return nil }
            result /= powers[-shift]
        }
        return significand < 0 ? -result : result
    }

    public static func decimal(_ micros: Int64) -> Decimal {
        // Built from the significand and exponent: exact, and an order of magnitude faster
        // than dividing by a million.
        Decimal(sign: micros < 0 ? .minus : .plus, exponent: -6, significand: Decimal(micros.magnitude))
    }
}

extension Date {
    /// Milliseconds since 1970-01-01 UTC.
    public var ledgerMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    public init(ledgerMilliseconds ms: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(ms) / 1000)
    }
}
