import Foundation

/// Exact conversion between `Decimal` USD and integer micro-dollars, and between `Date` and
/// integer milliseconds, as the ledger stores them.
public enum Micros {
    public static let perUnit: Int64 = 1_000_000

    /// - Throws: `LedgerError.invalidValue` when `value` has more than six decimals or does
    ///   not fit in 64 bits.
    public static func from(_ value: Decimal, field: String) throws(LedgerError) -> Int64 {
        var scaled = value * Decimal(perUnit)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled else { throw .invalidValue("\(field): \(value) has more than six decimal places") }
        guard abs(rounded) < Decimal(Int64.max / 2) else { throw .invalidValue("\(field): \(value) is out of range") }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    public static func decimal(_ micros: Int64) -> Decimal {
        Decimal(micros) / Decimal(perUnit)
    }
}

extension Date {
    /// Milliseconds since 1970-01-01 UTC.
    public var ledgerMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    public init(ledgerMilliseconds ms: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(ms) / 1000)
    }
}
