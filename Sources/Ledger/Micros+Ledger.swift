import Foundation
import GridKeeperCore

extension Micros {
    /// `value` in micro-dollars as the ledger stores it.
    /// - Throws: `LedgerError.invalidValue` naming `field` when `value` has more than six
    ///   decimals or does not fit in 64 bits.
    public static func from(_ value: Decimal, field: String) throws(LedgerError) -> Int64 {
        do {
            return try exactly(value)
        } catch .finerThanMicros {
            throw .invalidValue("\(field): \(value) has more than six decimal places")
        } catch {
            throw .invalidValue("\(field): \(value) is out of range")
        }
    }
}
