import Foundation

/// The evaluator's numbers: exact decimals, `m × 10^e`.
///
/// Nearly every value a strategy computes with — whole units, micro-dollar prices,
/// millisecond durations, 18-digit quotients, factors such as `0.98` — has a significand that
/// fits in 64 bits. Those are kept as one, and adding, multiplying, comparing and rounding
/// them is integer arithmetic: exact, and one to two orders of magnitude faster than
/// `Decimal`'s, which normalises through arrays of 16-bit digits on every operation (a
/// backtest evaluates tens of thousands of cycles). A value or result that does not fit is
/// carried as a `Decimal` and computed by `Decimal`, so every result is the value `Decimal`
/// arithmetic gives. Division keeps 18 significant digits, rounded half up. A product that
/// outgrows 64 bits (an 18-digit average times `0.98`) is kept as a 128-bit magnitude, which
/// can still be compared and rounded without `Decimal`.
struct Exact: Sendable, CustomStringConvertible {
    enum Storage: Sendable {
        /// `m × 10^e` with `e` within `Decimal`'s exponent range.
        case word(Int64, Int)
        /// `±(high·2^64 + low) × 10^e`, from a product of two words.
        case wide(negative: Bool, high: UInt64, low: UInt64, exponent: Int)
        case decimal(Decimal)
    }

    private(set) var storage: Storage

    private init(storage: Storage) { self.storage = storage }

    static let exponents = -128...127
    /// 10^0 … 10^18.
    static let powers: [Int64] = (0...18).map { n in (0..<n).reduce(Int64(1)) { acc, _ in acc * 10 } }

    init(_ value: Int) { storage = .word(Int64(value), 0) }

    init(_ significand: Int64, exponent: Int) {
        storage = Self.exponents.contains(exponent) ? .word(significand, exponent) : .decimal(Self.decimal(significand, exponent))
    }

    /// A `Decimal` as it is: one 64-bit significand when it fits.
    init(_ value: Decimal) {
        if let (m, e) = value.wordParts { storage = .word(m, e) } else { storage = .decimal(value) }
    }

    static let zero = Exact(0)

    private static func decimal(_ m: Int64, _ e: Int) -> Decimal {
        Decimal(sign: m < 0 ? .minus : .plus, exponent: e, significand: Decimal(m.magnitude))
    }

    static let twoToThe64 = Decimal(UInt64.max) + 1

    var decimal: Decimal {
        switch storage {
        case .word(let m, let e): return Self.decimal(m, e)
        case .wide(let negative, let high, let low, let e):
            return Decimal(sign: negative ? .minus : .plus, exponent: e, significand: Decimal(high) * Self.twoToThe64 + Decimal(low))
        case .decimal(let d): return d
        }
    }

    var description: String { "\(decimal)" }

    var isNegative: Bool {
        switch storage {
        case .word(let m, _): return m < 0
        case .wide(let negative, let high, let low, _): return negative && (high | low) != 0
        case .decimal(let d): return d < 0
        }
    }

    /// `m × 10^k`, when it fits.
    private static func scaled(_ m: Int64, by k: Int) -> Int64? {
        guard m != 0 else { return 0 }
        guard k < powers.count else { return nil }
        let (r, overflow) = m.multipliedReportingOverflow(by: powers[k])
        return overflow ? nil : r
    }

    /// Both significands on the smaller exponent, when they fit.
    private static func aligned(_ a: Int64, _ ae: Int, _ b: Int64, _ be: Int) -> (Int64, Int64, Int)? {
        if ae == be { return (a, b, ae) }
        if ae > be { return scaled(a, by: ae - be).map { ($0, b, be) } }
        return scaled(b, by: be - ae).map { (a, $0, ae) }
    }

    static func + (a: Exact, b: Exact) -> Exact {
        if case .word(let x, let xe) = a.storage, case .word(let y, let ye) = b.storage, let (p, q, e) = aligned(x, xe, y, ye) {
            let (sum, overflow) = p.addingReportingOverflow(q)
            if !overflow { return Exact(sum, exponent: e) }
        }
        return Exact(a.decimal + b.decimal)
    }

    static func - (a: Exact, b: Exact) -> Exact {
        if case .word(let x, let xe) = a.storage, case .word(let y, let ye) = b.storage, let (p, q, e) = aligned(x, xe, y, ye) {
            let (difference, overflow) = p.subtractingReportingOverflow(q)
            if !overflow { return Exact(difference, exponent: e) }
        }
        return Exact(a.decimal - b.decimal)
    }

    static prefix func - (a: Exact) -> Exact {
        if case .word(let m, let e) = a.storage, m != .min { return Exact(-m, exponent: e) }
        return Exact(-a.decimal)
    }

    static func * (a: Exact, b: Exact) -> Exact {
        if case .word(let x, let xe) = a.storage, case .word(let y, let ye) = b.storage, exponents.contains(xe + ye) {
            let (product, overflow) = x.multipliedReportingOverflow(by: y)
            if !overflow { return Exact(product, exponent: xe + ye) }
            let (high, low) = x.magnitude.multipliedFullWidth(by: y.magnitude)
            return Exact(storage: .wide(negative: (x < 0) != (y < 0), high: high, low: low, exponent: xe + ye))
        }
        return Exact(a.decimal * b.decimal)
    }

    /// The quotient to 18 significant digits, rounded half up (see `DecimalMath.divide`).
    static func / (a: Exact, b: Exact) -> Exact {
        if case .word(var x, var xe) = a.storage, case .word(var y, var ye) = b.storage, y != 0, x != .min, y != .min {
            if x == 0 { return .zero }
            // Trailing zeros carry no digits: strip them, so the quotient's digits depend on
            // the values alone.
            while x % 10 == 0 { x /= 10; xe += 1 }
            while y % 10 == 0 { y /= 10; ye += 1 }
            let (q, exponent) = DecimalMath.quotient(x.magnitude, y.magnitude, exponent: xe - ye)
            if q <= UInt64(Int64.max), exponents.contains(exponent) {
                return Exact((x < 0) != (y < 0) ? -Int64(q) : Int64(q), exponent: exponent)
            }
        }
        return Exact(DecimalMath.divide(a.decimal, b.decimal))
    }

    /// Rounded to `scale` digits after the point, as `NSDecimalRound` does.
    func rounded(_ scale: Int, _ mode: Decimal.RoundingMode) -> Exact {
        if case .wide(false, let high, let low, let e) = storage {
            if -e <= scale { return self }
            let k = -e - scale
            guard k < Self.powers.count, mode == .plain || mode == .up || mode == .down else { return roundedByDecimal(scale, mode) }
            let divisor = UInt64(Self.powers[k])
            var (qh, carry) = high.quotientAndRemainder(dividingBy: divisor)
            var (ql, r) = divisor.dividingFullWidth((carry, low))
            let up = mode == .plain ? r >= divisor - r : (mode == .up && r > 0)
            if up {
                (ql, carry) = ql == .max ? (0, 1) : (ql + 1, 0)
                qh += carry
            }
            if qh == 0, ql <= UInt64(Int64.max) { return Exact(Int64(ql), exponent: -scale) }
            return Exact(storage: .wide(negative: false, high: qh, low: ql, exponent: -scale))
        }
        if case .word(let m, let e) = storage, m >= 0 {
            if -e <= scale { return self }
            let k = -e - scale
            if k < Self.powers.count {
                let divisor = Self.powers[k]
                var q = m / divisor
                let r = m % divisor
                switch mode {
                case .plain: if r >= divisor - r { q += 1 }
                case .up: if r > 0 { q += 1 }
                case .down: break
                default: return roundedByDecimal(scale, mode)
                }
                return Exact(q, exponent: -scale)
            }
        }
        return roundedByDecimal(scale, mode)
    }

    private func roundedByDecimal(_ scale: Int, _ mode: Decimal.RoundingMode) -> Exact {
        var v = decimal
        var r = Decimal()
        NSDecimalRound(&r, &v, scale, mode)
        return Exact(r)
    }

    /// The value as an `Int` when it is a whole number that fits.
    var integer: Int? {
        switch storage {
        case .word(var m, let e):
            if e >= 0 { return Self.scaled(m, by: e).map(Int.init) }
            for _ in 0 ..< -e {
                guard m % 10 == 0 else { return nil }
                m /= 10
            }
            return Int(m)
        case .wide:
            return rounded(0, .down) == self ? Exact(decimal).integer : nil
        case .decimal(let d):
            var v = d
            var r = Decimal()
            NSDecimalRound(&r, &v, 0, .plain)
            guard r == d, let i = Int(exactly: NSDecimalNumber(decimal: r).doubleValue), abs(i) < 1 << 53 else { return nil }
            return i
        }
    }

    /// The nearest double (for durations on the clock).
    var double: Double {
        switch storage {
        case .word(let m, let e):
            if e >= 0 { return Double(m) * pow(10, Double(e)) }
            return e >= -22 ? Double(m) / pow(10, Double(-e)) : Double(m) * pow(10, Double(e))
        case .wide(let negative, let high, let low, let e):
            let magnitude = (Double(high) * 18_446_744_073_709_551_616 + Double(low)) * pow(10, Double(e))
            return negative ? -magnitude : magnitude
        case .decimal(let d): return NSDecimalNumber(decimal: d).doubleValue
        }
    }

    /// The plain text of the value (`NSDecimalString`'s: no exponent, no trailing zeros).
    var plain: String {
        if case .word(let m, let e) = storage, let text = ValueFormat.plain(magnitude: m.magnitude, exponent: e, negative: m < 0) { return text }
        return ValueFormat.plain(decimal)
    }
}

extension Exact: Comparable {
    static func == (a: Exact, b: Exact) -> Bool { compare(a, b) == 0 }
    static func < (a: Exact, b: Exact) -> Bool { compare(a, b) < 0 }

    /// -1, 0 or 1.
    static func compare(_ a: Exact, _ b: Exact) -> Int {
        if case .word(let x, let xe) = a.storage, case .word(let y, let ye) = b.storage, let (p, q, _) = aligned(x, xe, y, ye) {
            return p < q ? -1 : (p == q ? 0 : 1)
        }
        if let x = a.signMagnitude, let y = b.signMagnitude, let result = compareWide(x, y) { return result }
        let (p, q) = (a.decimal, b.decimal)
        return p < q ? -1 : (p == q ? 0 : 1)
    }

    typealias SignMagnitude = (negative: Bool, high: UInt64, low: UInt64, exponent: Int)

    /// Words and wide values as sign, 128-bit magnitude and exponent.
    var signMagnitude: SignMagnitude? {
        switch storage {
        case .word(let m, let e): return (m < 0, 0, m.magnitude, e)
        case .wide(let negative, let high, let low, let e): return (negative, high, low, e)
        case .decimal: return nil
        }
    }

    /// A 128-bit magnitude times 10^k, when it fits.
    static func scaled(_ high: UInt64, _ low: UInt64, by k: Int) -> (UInt64, UInt64)? {
        var (h, l) = (high, low)
        var k = k
        while k > 0 {
            let step = min(k, 18)
            let p = UInt64(powers[step])
            let (carry, newLow) = l.multipliedFullWidth(by: p)
            let (overflow, highProduct) = h.multipliedFullWidth(by: p)
            let (newHigh, carried) = highProduct.addingReportingOverflow(carry)
            guard overflow == 0, !carried else { return nil }
            (h, l) = (newHigh, newLow)
            k -= step
        }
        return (h, l)
    }

    /// Compares sign-magnitude values on a common exponent; `nil` when one does not fit in 128 bits.
    static func compareWide(_ x: SignMagnitude, _ y: SignMagnitude) -> Int? {
        let xZero = x.high | x.low == 0, yZero = y.high | y.low == 0
        let xSign = xZero ? 0 : (x.negative ? -1 : 1), ySign = yZero ? 0 : (y.negative ? -1 : 1)
        if xSign != ySign { return xSign < ySign ? -1 : 1 }
        if xSign == 0 { return 0 }
        let e = min(x.exponent, y.exponent)
        guard let (xh, xl) = scaled(x.high, x.low, by: x.exponent - e), let (yh, yl) = scaled(y.high, y.low, by: y.exponent - e) else { return nil }
        let magnitude = (xh, xl) < (yh, yl) ? -1 : ((xh, xl) == (yh, yl) ? 0 : 1)
        return xSign > 0 ? magnitude : -magnitude
    }
}

extension Exact: ExpressibleByIntegerLiteral {
    init(integerLiteral value: Int) { self.init(value) }
}

extension Decimal {
    /// `(m, e)` with `self == m × 10^e`, when the significand fits in 64 bits (nearly every
    /// price, quantity and amount): the way into integer arithmetic. One conversion costs
    /// about a quarter of one `Decimal` comparison.
    public var wordParts: (significand: Int64, exponent: Int)? {
        guard !isNaN else { return nil }
        let magnitude = NSDecimalNumber(decimal: significand)
        // The significand is a whole number; a double tells whether it is under 2^63 (with a
        // margin for the double's rounding), and then `int64Value` is exact.
        guard magnitude.doubleValue < 9e18 else { return nil }
        let m = magnitude.int64Value
        return (sign == .minus ? -m : m, exponent)
    }
}
