import Foundation

extension KeyedEncodingContainer {
    /// Encodes `value` as the exact decimal string `BacktestMetrics.text` writes, rounded to
    /// `places`; nothing when it is nil.
    mutating func encodeText(_ value: Decimal?, places: Int = 2, forKey key: Key) throws {
        try encodeIfPresent(value.map { BacktestMetrics.text($0, places: places) }, forKey: key)
    }
}
