import Foundation

/// The units of one instrument in a consumption account, as lots.
///
/// Every mode keeps consumption in one of these: the replay of a backtest, paper trading, the
/// simulator, and the engine when it infers which lots it holds. The rules:
/// - units arrive as a lot, and the lot expires `ConsumptionLot.lifetime` after it arrived;
/// - demand draws tokens (kept in thousandths of a unit) from the oldest lot first;
/// - what a lot still holds when it expires is lost, and counted as expired;
/// - the balance shows whole units, a unit in use counting as one until it is used up;
/// - time with demand and nothing held is a stockout, and the demand it met is unmet.
///
/// Time is in milliseconds since 1970 (`Int64`), like the ledger's.
public struct LotBook: Sendable, Equatable {
    public struct Lot: Sendable, Equatable {
        /// When the lot arrived (ms).
        public var arrived: Int64
        /// Thousandths of a unit still in it.
        public var milli: Int64

        /// When what is left of the lot expires (ms).
        public var expires: Int64 { arrived + ConsumptionLot.lifetimeMilliseconds }
    }

    /// The lots held, oldest first.
    public private(set) var lots: [Lot] = []
    /// Thousandths of a unit held, over every lot.
    public private(set) var heldMilli: Int64 = 0
    /// What the account lived through: used, expired, stockout time and unmet demand.
    public private(set) var stats = ConsumptionStats()
    /// Demand drawn but not yet a whole thousandth.
    private var carry = 0.0

    public init() {}

    /// A time as whole milliseconds since 1970, the book's clock (to the nearest millisecond, so
    /// a time that came from milliseconds maps back to them).
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// A book holding `units` that arrived at `ms`.
    public init(units: Int, arrivedAt ms: Int64) {
        arrive(units: units, at: ms)
    }

    /// The balance as the account shows it: whole units, a unit in use counting as one.
    public var units: Int { Int((heldMilli + 999) / 1000) }

    /// When the oldest lot expires, if any is held.
    public var nextExpiry: Int64? { lots.first?.expires }

    /// Units arrive as a new lot at `ms` (lots arrive in time order).
    public mutating func arrive(units: Int, at ms: Int64) {
        guard units > 0 else { return }
        let milli = Int64(units) * 1000
        if let last = lots.last, last.arrived == ms {
            lots[lots.count - 1].milli += milli
        } else {
            lots.append(Lot(arrived: ms, milli: milli))
        }
        heldMilli += milli
    }

    /// Lots whose lifetime ended at or before `ms` expire; returns the thousandths lost.
    @discardableResult
    public mutating func expire(through ms: Int64) -> Int64 {
        var lost: Int64 = 0
        while let oldest = lots.first, oldest.expires <= ms {
            lost += oldest.milli
            lots.removeFirst()
        }
        heldMilli -= lost
        stats.expiredMilliUnits += lost
        return lost
    }

    /// Draws up to `milli` thousandths, oldest lot first; returns what was drawn.
    @discardableResult
    public mutating func use(_ milli: Int64) -> Int64 {
        let drawn = min(max(0, milli), heldMilli)
        var left = drawn
        while left > 0, !lots.isEmpty {
            if lots[0].milli > left {
                lots[0].milli -= left
                left = 0
            } else {
                left -= lots[0].milli
                lots.removeFirst()
            }
        }
        heldMilli -= drawn
        stats.usedMilliUnits += drawn
        return drawn
    }

    /// Takes `units` whole units back out of consumption, freshest lot first (what a transfer
    /// to the trading account moves). Returns `false`, changing nothing, when fewer are held.
    public mutating func withdraw(units: Int) -> Bool {
        var left = Int64(units) * 1000
        guard units >= 0, left <= heldMilli else { return false }
        heldMilli -= left
        while left > 0, let last = lots.last {
            if last.milli > left {
                lots[lots.count - 1].milli -= left
                left = 0
            } else {
                left -= last.milli
                lots.removeLast()
            }
        }
        return true
    }

    /// One step of demand in whole draws (the simulator's): `wanted` thousandths over a step of
    /// `seconds`. With demand present and nothing held, the step is stockout time and what was
    /// wanted is unmet. Returns what was drawn.
    @discardableResult
    public mutating func step(wanted: Int64, demandPresent: Bool, seconds: Double) -> Int64 {
        if demandPresent && heldMilli == 0 {
            stats.stockoutSeconds += seconds
            stats.unmetUnits += Double(wanted) / 1000
            return 0
        }
        return use(wanted)
    }

    /// Demand at a constant `rate` (thousandths of a unit per millisecond) from `from` to `to`:
    /// lots expire on the way, tokens are drawn as they are wanted, and time with demand and
    /// nothing held is stockout time. Fractions of a thousandth carry to the next draw and are
    /// dropped while dry (inference simply failed).
    public mutating func draw(rate: Double, from: Int64, to: Int64) {
        var now = from
        while now < to {
            var boundary = to
            if let expiry = nextExpiry { boundary = min(boundary, expiry) }
            boundary = max(boundary, now)
            let span = Double(boundary - now)
            if rate > 0 {
                if heldMilli == 0 {
                    stats.stockoutSeconds += span / 1000
                    stats.unmetUnits += rate * span / 1000
                    carry = 0
                    now = boundary
                } else {
                    let wanted = carry + rate * span
                    if wanted >= Double(heldMilli) {
                        // Runs out inside this span.
                        let exhaust = now + Int64(((Double(heldMilli) - carry) / rate).rounded(.up))
                        use(heldMilli)
                        carry = 0
                        now = min(max(exhaust, now + 1), boundary)
                    } else {
                        let whole = Int64(wanted)
                        use(whole)
                        carry = wanted - Double(whole)
                        now = boundary
                    }
                }
            } else {
                now = boundary
            }
            expire(through: now)
        }
    }
}

/// What a consumption account lived through.
///
/// Demand draws tokens, so used and expired amounts are kept in thousandths of a unit: a lot
/// that expires after part of a unit was drawn from it loses only the rest of that unit.
public struct ConsumptionStats: Sendable, Equatable, Codable {
    /// Time with no usable consumption balance while there was demand.
    public var stockoutSeconds: Double = 0
    /// Thousandths of a unit that expired unused.
    public var expiredMilliUnits: Int64 = 0
    /// Thousandths of a unit the team drew.
    public var usedMilliUnits: Int64 = 0
    /// Demand that found no units, in units.
    public var unmetUnits: Double = 0

    public init() {}

    /// Units that expired unused (exact to the thousandth).
    public var expiredUnits: Decimal { Decimal(expiredMilliUnits) / 1000 }
    /// Units the team used (exact to the thousandth).
    public var usedUnits: Decimal { Decimal(usedMilliUnits) / 1000 }

    enum CodingKeys: String, CodingKey {
        case stockoutSeconds = "stockout_seconds", expiredUnits = "expired_units", usedUnits = "used_units", unmetUnits = "unmet_units"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stockoutSeconds = try c.decode(Double.self, forKey: .stockoutSeconds)
        expiredMilliUnits = Self.milli(try c.decode(Decimal.self, forKey: .expiredUnits))
        usedMilliUnits = Self.milli(try c.decode(Decimal.self, forKey: .usedUnits))
        unmetUnits = try c.decode(Double.self, forKey: .unmetUnits)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stockoutSeconds, forKey: .stockoutSeconds)
        try c.encode(expiredUnits, forKey: .expiredUnits)
        try c.encode(usedUnits, forKey: .usedUnits)
        try c.encode(unmetUnits, forKey: .unmetUnits)
    }

    private static func milli(_ units: Decimal) -> Int64 {
        var scaled = units * 1000, rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}
