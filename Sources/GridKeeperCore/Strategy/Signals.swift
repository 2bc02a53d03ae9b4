import Foundation

/// A value a rule could not compute, with the reason (history too short, empty book…).
public struct Unavailable: Error, Sendable, Equatable {
    public var reason: String
}

/// Computes signals and functions from a snapshot, never reading past `asOf`.
struct SignalContext {
    let snapshot: MarketSnapshot
    let burnWindow: Decimal
    /// History visible at `asOf` (later entries are cut off here, once).
    let market: ArraySlice<MarketSnapshot.MarketPoint>
    let balances: ArraySlice<MarketSnapshot.BalancePoint>
    private var cache: [Signal: Result<Decimal, Unavailable>] = [:]
    private var lotsCache: [(expires: Date, units: Int)]?

    /// Runway when nothing burns: long enough that no rule thinks it short.
    static let noBurnRunway = Decimal(365 * 86_400)

    init(snapshot: MarketSnapshot, burnWindow: Decimal) {
        self.snapshot = snapshot
        self.burnWindow = burnWindow
        market = snapshot.marketHistory[..<Self.cut(snapshot.marketHistory, at: snapshot.asOf) { $0.time }]
        balances = snapshot.balanceHistory[..<Self.cut(snapshot.balanceHistory, at: snapshot.asOf) { $0.time }]
    }

    /// Index of the first entry after `date` (binary search; history is oldest first).
    static func cut<T>(_ items: [T], at date: Date, time: (T) -> Date) -> Int {
        var low = 0, high = items.count
        while low < high {
            let mid = (low + high) / 2
            if time(items[mid]) <= date { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func value(_ signal: Signal) -> Result<Decimal, Unavailable> {
        if let cached = cache[signal] { return cached }
        let result = compute(signal)
        cache[signal] = result
        return result
    }

    private mutating func compute(_ signal: Signal) -> Result<Decimal, Unavailable> {
        let s = snapshot
        switch signal {
        case .consumption: return .success(Decimal(s.consumption))
        case .inventory: return .success(Decimal(s.inventory))
        case .usd: return .success(s.usdAvailable)
        case .spentToday: return .success(s.spentToday)
        case .spentMonth: return .success(s.spentMonth)
        case .tick: return .success(s.tick)
        case .hour:
            let seconds = Int(s.asOf.timeIntervalSince1970.rounded(.down))
            return .success(Decimal(((seconds % 86_400) + 86_400) % 86_400 / 3600))
        case .bid:
            guard let bid = s.bids.first?.price else { return .failure(Unavailable(reason: "no bids on the book")) }
            return .success(bid)
        case .ask:
            guard let ask = s.asks.first?.price else { return .failure(Unavailable(reason: "no asks on the book")) }
            return .success(ask)
        case .mid:
            return value(.bid).flatMap { bid in value(.ask).map { DecimalMath.divide($0 + bid, 2) } }
        case .spread:
            return value(.bid).flatMap { bid in value(.ask).map { $0 - bid } }
        case .last:
            guard let last = s.last else { return .failure(Unavailable(reason: "no trade printed yet")) }
            return .success(last)
        case .burn:
            return burnRate()
        case .runway:
            // Nothing usable is no runway, whatever the burn estimate says.
            if s.consumption == 0 { return .success(0) }
            switch value(.burn) {
            case .success(let burn): return .success(Self.seconds(runway(burnPerHour: burn)))
            case .failure(let missing): return .failure(missing)
            }
        case .stockRunway:
            if s.consumption + s.inventory == 0 { return .success(0) }
            return value(.burn).map { burn in burn > 0 ? Self.seconds(DecimalMath.divide(Decimal(s.consumption + s.inventory) * 3600, burn)) : Self.noBurnRunway }
        }
    }

    static let lotLife: TimeInterval = 4 * 3600

    /// The lots believed to be in the consumption account now, oldest first: when each expires
    /// and how many of its units are left. Lots the engine moved in are known exactly; other
    /// rises of the balance (auto-transfers, the balance first seen) count as lots arriving when
    /// they were seen. Units are used oldest first, so what is left is the newest lots.
    mutating func heldLots() -> [(expires: Date, units: Int)] {
        if let cached = lotsCache { return cached }
        let now = snapshot.asOf
        let from = now.addingTimeInterval(-Self.lotLife)
        var known = snapshot.expiries.map { (arrived: $0.time.addingTimeInterval(-Self.lotLife), units: $0.units) }
            .filter { $0.arrived > from && $0.arrived <= now }
        known.sort { $0.arrived < $1.arrived }
        // First balance point after `from` (history is oldest first).
        var low = balances.startIndex, high = balances.endIndex
        while low < high {
            let mid = (low + high) / 2
            if balances[mid].time <= from { low = mid + 1 } else { high = mid }
        }
        let seen = balances[low...]
        var arrivals = known
        if let first = seen.first {
            var k = 0
            var before = 0
            while k < known.count, known[k].arrived <= first.time {
                before += known[k].units
                k += 1
            }
            arrivals.append((first.time, max(0, first.consumption - before)))
            var previous = first
            for point in seen.dropFirst() {
                var explained = 0
                while k < known.count, known[k].arrived <= point.time {
                    explained += known[k].units
                    k += 1
                }
                let rise = point.consumption - previous.consumption
                if rise > explained { arrivals.append((point.time, rise - explained)) }
                previous = point
            }
            arrivals.sort { $0.arrived < $1.arrived }
        }
        var left = snapshot.consumption
        var lots: [(expires: Date, units: Int)] = []
        for lot in arrivals.reversed() where left > 0 {
            let units = min(lot.units, left)
            if units > 0 { lots.append((lot.arrived.addingTimeInterval(Self.lotLife), units)) }
            left -= units
        }
        if left > 0 {
            // Units no record explains: assume they arrived with the oldest known lot (or now).
            lots.append(((arrivals.first?.arrived ?? now).addingTimeInterval(Self.lotLife), left))
        }
        lots.reverse()
        lotsCache = lots
        return lots
    }

    /// Seconds until consumption runs out: used oldest lot first at `burnPerHour`, each lot
    /// lost when it expires.
    mutating func runway(burnPerHour burn: Decimal) -> Decimal {
        let now = snapshot.asOf
        let lots = heldLots()
        let perSecond = NSDecimalNumber(decimal: burn).doubleValue / 3600
        var t = now
        for lot in lots where t < lot.expires {
            let finish = perSecond > 0 ? t.addingTimeInterval(Double(lot.units) / perSecond) : .distantFuture
            t = min(finish, lot.expires)
        }
        // Nothing is used: nothing will run out for lack of units.
        if perSecond <= 0 { return Self.noBurnRunway }
        let seconds = t.timeIntervalSince(now)
        return ValueFormat.shifted(Decimal(Int((seconds * 1000).rounded())), by: -3)
    }

    /// Units that will be used within `seconds` at `burnPerHour`: the oldest lot first, none of
    /// a lot after it expires.
    mutating func usable(within seconds: Decimal, burnPerHour burn: Decimal) -> Decimal {
        let perSecond = NSDecimalNumber(decimal: burn).doubleValue / 3600
        guard perSecond > 0 else { return Decimal(snapshot.consumption) }
        let end = snapshot.asOf.addingTimeInterval(NSDecimalNumber(decimal: seconds).doubleValue)
        var t = snapshot.asOf
        var used = 0.0
        for lot in heldLots() where t < lot.expires && t < end {
            let stop = min(lot.expires, end, t.addingTimeInterval(Double(lot.units) / perSecond))
            used += min(Double(lot.units), stop.timeIntervalSince(t) * perSecond)
            t = stop
        }
        return ValueFormat.shifted(Decimal(Int((used * 1000).rounded(.down))), by: -3)
    }

    /// Durations are kept to the millisecond.
    static func seconds(_ value: Decimal) -> Decimal {
        var v = value
        var r = Decimal()
        NSDecimalRound(&r, &v, 3, .plain)
        return r
    }

    /// Units per hour used over `burnWindow`: drops in the consumption balance, less modelled
    /// lot expiries; rises (transfers in) are not burn.
    private func burnRate() -> Result<Decimal, Unavailable> {
        let asOf = snapshot.asOf
        let from = asOf.addingTimeInterval(-NSDecimalNumber(decimal: burnWindow).doubleValue)
        var low = balances.startIndex, high = balances.endIndex
        while low < high {
            let mid = (low + high) / 2
            if balances[mid].time < from { low = mid + 1 } else { high = mid }
        }
        let window = balances[low...]
        let needed = min(NSDecimalNumber(decimal: burnWindow).doubleValue / 4, 900)
        guard let first = window.first, let lastPoint = window.last, window.count >= 2,
            lastPoint.time.timeIntervalSince(first.time) >= needed
        else {
            let have = window.count >= 2 ? window.last!.time.timeIntervalSince(window.first!.time) : 0
            return .failure(Unavailable(reason: "burn needs \(ValueFormat.duration(seconds: Decimal(Int(needed)))) of balance history, have \(ValueFormat.duration(seconds: Decimal(Int(have))))"))
        }
        // Per interval: the drop, less lots that expired in it (at most the whole drop).
        var used = 0
        var previous = first
        var expiryIndex = snapshot.expiries.firstIndex { $0.time > first.time } ?? snapshot.expiries.endIndex
        for point in window.dropFirst() {
            var expired = 0
            while expiryIndex < snapshot.expiries.endIndex, snapshot.expiries[expiryIndex].time <= point.time {
                expired += snapshot.expiries[expiryIndex].units
                expiryIndex += 1
            }
            used += max(0, previous.consumption - point.consumption - expired)
            previous = point
        }
        // units / (ms / 3,600,000), with one division.
        let ms = Decimal(Int(lastPoint.time.timeIntervalSince(first.time) * 1000))
        return .success(DecimalMath.divide(Decimal(used * 3_600_000), ms))
    }

    /// `avg`, `min`, `max` or `ewma` of a signal over the last `window` seconds, in one pass
    /// over integer values (micro-dollars for prices, units for balances).
    func aggregate(_ function: Function, _ signal: Signal, window: Decimal) -> Result<Decimal, Unavailable> {
        let seconds = NSDecimalNumber(decimal: window).doubleValue
        let from = snapshot.asOf.addingTimeInterval(-seconds)
        var count = 0
        var sum: Int64 = 0
        var low = Int64.max
        var high = Int64.min
        var weighted = 0.0, weights = 0.0
        var oldest: Date?
        let asOf = snapshot.asOf
        @inline(__always) func add(_ v: Int64, at time: Date) {
            if oldest == nil { oldest = time }
            count += 1
            sum += v
            low = Swift.min(low, v)
            high = Swift.max(high, v)
            if function == .ewma {
                let w = exp(-asOf.timeIntervalSince(time) / seconds)
                weighted += w * Double(v)
                weights += w
            }
        }
        switch signal {
        case .consumption, .inventory:
            let start = balances.firstIndex { $0.time >= from } ?? balances.endIndex
            for p in balances[start...] { add(Int64(signal == .consumption ? p.consumption : p.inventory), at: p.time) }
        default:
            let start = Self.firstIndex(market, notBefore: from)
            for p in market[start...] {
                switch signal {
                case .bid: if let v = p.bidMicros { add(v, at: p.time) }
                case .ask: if let v = p.askMicros { add(v, at: p.time) }
                case .last: if let v = p.lastMicros { add(v, at: p.time) }
                case .mid: if let b = p.bidMicros, let a = p.askMicros { add((b + a) / 2, at: p.time) }
                case .spread: if let b = p.bidMicros, let a = p.askMicros { add(a - b, at: p.time) }
                default: break
                }
            }
        }
        // The window must be (nearly) covered: 90 % of it, and at least two points.
        guard count >= 2, let oldest, asOf.timeIntervalSince(oldest) >= seconds * 0.9 else {
            let have = oldest.map { asOf.timeIntervalSince($0) } ?? 0
            return .failure(Unavailable(reason: "\(function.rawValue)(\(signal.rawValue), \(ValueFormat.duration(seconds: window))) needs \(ValueFormat.duration(seconds: window)) of history, have \(ValueFormat.duration(seconds: Decimal(Int(have))))"))
        }
        let scale: Decimal = (signal == .consumption || signal == .inventory) ? 1 : 1_000_000
        switch function {
        case .avg: return .success(scale == 1 ? DecimalMath.divide(Decimal(sum), Decimal(count)) : ValueFormat.shifted(DecimalMath.divide(Decimal(sum), Decimal(count)), by: -6))
        case .min: return .success(scale == 1 ? Decimal(low) : ValueFormat.shifted(Decimal(low), by: -6))
        case .max: return .success(scale == 1 ? Decimal(high) : ValueFormat.shifted(Decimal(high), by: -6))
        case .ewma:
            // Weights decay with age, time constant `window`; computed in floating point over
            // integer micro-dollars and rounded back to whole micro-dollars.
            let value = Decimal(Int64((weighted / weights).rounded()))
            return .success(scale == 1 ? value : ValueFormat.shifted(value, by: -6))
        case .cover, .coverStock:
            return .failure(Unavailable(reason: "internal: not an aggregate"))
        }
    }

    /// First market point at or after `date` (binary search).
    static func firstIndex(_ points: ArraySlice<MarketSnapshot.MarketPoint>, notBefore date: Date) -> Int {
        var low = points.startIndex, high = points.endIndex
        while low < high {
            let mid = (low + high) / 2
            if points[mid].time < date { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
