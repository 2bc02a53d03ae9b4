import Foundation

/// Division for the evaluator's hot paths. `Decimal`'s own division is exact to 38 digits but
/// costs microseconds (it allocates for every digit); a backtest divides a few times per
/// cycle, tens of thousands of times. Quotients here carry 18 significant digits, correctly
/// rounded (half up), computed in 64/128-bit integers when both operands have 64-bit
/// significands, and fall back to `Decimal` division otherwise.
enum DecimalMath {
    static func divide(_ a: Decimal, _ b: Decimal) -> Decimal {
        guard let (am, ae, an) = parts(a), let (bm, be, bn) = parts(b), bm != 0 else { return a / b }
        if am == 0 { return 0 }
        let (q, exponent) = quotient(am, bm, exponent: ae - be)
        guard exponent > -128, exponent < 127 else { return a / b }
        return Decimal(sign: an != bn ? .minus : .plus, exponent: exponent, significand: Decimal(q))
    }

    /// `(am / bm) × 10^exponent` to 18 significant digits, rounded half up, as a significand
    /// and an exponent.
    static func quotient(_ am: UInt64, _ bm: UInt64, exponent: Int) -> (UInt64, Int) {
        var q = am / bm
        var r = am % bm
        var exponent = exponent
        while r != 0, q < 100_000_000_000_000_000 {
            let (dq, dr) = bm.dividingFullWidth(r.multipliedFullWidth(by: 10))
            q = q * 10 + dq
            r = dr
            exponent -= 1
        }
        if r != 0, r >= bm - r { q += 1 }
        return (q, exponent)
    }

    /// Magnitude, exponent and sign when the significand fits in 64 bits.
    static func parts(_ d: Decimal) -> (UInt64, Int, Bool)? {
        guard let (m, e) = d.wordParts else { return nil }
        return (m.magnitude, e, m < 0)
    }
}
