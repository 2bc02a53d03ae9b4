import Foundation

/// The types of strategy expressions. Every value carries one; mixing them wrongly (a duration
/// compared with a price) is an error found when the file is validated.
public enum ValueType: String, Sendable, Equatable, CustomStringConvertible {
    /// A plain number (a factor such as `0.98`, the `hour`).
    case number
    /// Whole units of an instrument (1 unit = 1M tokens).
    case units
    /// Units per hour (`burn`).
    case rate
    /// A span of time (`30m`, `runway`), held in seconds.
    case duration
    /// USD per unit (`bid`, `ask`, `tick`).
    case price
    /// USD (`usd`, `spent_today`).
    case money
    case bool

    public var description: String {
        switch self {
        case .number: return "a number"
        case .units: return "units"
        case .rate: return "a rate (units/hour)"
        case .duration: return "a duration"
        case .price: return "a price (USD/unit)"
        case .money: return "an amount of USD"
        case .bool: return "a condition"
        }
    }

    var isNumeric: Bool { self != .bool }
}

/// Formats typed values for reasons and `--json`: `40m`, `2.51`, `12 units`, `3.5 units/h`.
public enum ValueFormat {
    /// Units and rates to two decimals, prices, money and numbers to six (rounded half up),
    /// durations in their two largest parts (`1h30m`).
    public static func text(_ value: Decimal, as type: ValueType) -> String {
        switch type {
        case .duration: return duration(seconds: value)
        case .bool: return value != 0 ? "true" : "false"
        // Rounded and written in integers when the significand fits (see `Exact`).
        default: return text(Exact(value), as: type)
        }
    }

    /// The evaluator's values, as `text(_:as:)` formats the same `Decimal`.
    static func text(_ value: Exact, as type: ValueType) -> String {
        switch type {
        case .duration: return duration(seconds: value)
        case .units: return value.rounded(2, .plain).plain
        case .rate: return value.rounded(2, .plain).plain + "/h"
        case .price, .money, .number: return value.rounded(6, .plain).plain
        case .bool: return value != .zero ? "true" : "false"
        }
    }

    static func duration(seconds: Exact) -> String {
        if !seconds.isNegative, let whole = seconds.rounded(0, .plain).integer { return duration(wholeSeconds: whole) }
        return duration(seconds: seconds.decimal)
    }

    public static func duration(seconds: Decimal) -> String {
        let rounded = NSDecimalNumber(decimal: seconds).doubleValue.rounded()
        // Far beyond any real duration (a fuzzed file's `1e30s`): shown at the limit, not a trap.
        return duration(wholeSeconds: rounded.isNaN ? 0 : Int(max(min(rounded, 9e18), -9e18)))
    }

    static func duration(wholeSeconds total: Int) -> String {
        if total < 0 { return "-" + duration(wholeSeconds: -total) }
        // The two largest non-zero parts: 2d3h, 1h30m, 45m, 90s → 1m30s, 0s.
        let values = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60)
        var out = ""
        var parts = 0
        func add(_ value: Int, _ unit: String) {
            guard parts < 2, value > 0 || (unit == "s" && parts == 0 && out.isEmpty) else { return }
            out += String(value) + unit
            parts += 1
        }
        add(values.0, "d")
        add(values.1, "h")
        add(values.2, "m")
        add(values.3, "s")
        return out
    }

    public static func rounded(_ value: Decimal, _ scale: Int) -> Decimal {
        var v = value
        var r = Decimal()
        NSDecimalRound(&r, &v, scale, .plain)
        return r
    }

    static func plain(_ value: Decimal) -> String {
        if let fast = fastPlain(value) { return fast }
        var v = value
        return NSDecimalString(&v, Locale(identifier: "en_US_POSIX"))
    }

    private static let powers: [UInt64] = (0...19).map { n in (0..<n).reduce(UInt64(1)) { acc, _ in acc * 10 } }

    /// The same text as `NSDecimalString` for values whose significand fits in 64 bits,
    /// written from the significand and exponent directly (strategies format every input of
    /// every cycle; a backtest runs tens of thousands of cycles).
    static func fastPlain(_ value: Decimal) -> String? {
        guard let (significand, exponent) = value.wordParts else { return nil }
        return plain(magnitude: significand.magnitude, exponent: exponent, negative: significand < 0)
    }

    /// `NSDecimalString`'s text of `±mantissa × 10^exponent`, when the exponent is within ±18.
    static func plain(magnitude mantissa: UInt64, exponent: Int, negative: Bool) -> String? {
        guard exponent > -19, exponent < 19 else { return nil }
        if mantissa == 0 { return "0" }
        var value = mantissa
        var scale = 0
        if exponent >= 0 {
            let (scaled, overflow) = mantissa.multipliedReportingOverflow(by: powers[exponent])
            guard !overflow else { return nil }
            value = scaled
        } else {
            scale = -exponent
            while scale > 0, value % 10 == 0 {
                value /= 10
                scale -= 1
            }
        }
        // Written backwards (fraction digits, the point, whole digits, the sign), then turned
        // round: at most 20 digits, a point, a leading zero and a sign.
        return String(unsafeUninitializedCapacity: 24 + scale) { buffer in
            var i = 0
            func put(_ byte: UInt8) {
                buffer[i] = byte
                i += 1
            }
            if scale > 0 {
                for _ in 0..<scale {
                    put(UInt8(ascii: "0") + UInt8(value % 10))
                    value /= 10
                }
                put(UInt8(ascii: "."))
            }
            repeat {
                put(UInt8(ascii: "0") + UInt8(value % 10))
                value /= 10
            } while value > 0
            if negative { put(UInt8(ascii: "-")) }
            buffer[0..<i].reverse()
            return i
        }
    }
}
