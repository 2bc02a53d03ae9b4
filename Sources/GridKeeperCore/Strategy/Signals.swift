import Execution
import Foundation

/// A value a rule could not compute, with the reason (history too short, empty book…).
public struct Unavailable: Error, Sendable, Equatable {
    public var reason: String
}

/// Computes signals and functions from a snapshot, never reading past `asOf`.
struct SignalContext {
    let snapshot: MarketSnapshot
    /// Seconds.
    let burnWindow: Double
    /// History visible at `asOf` (later entries are cut off here, once).
    let market: ArraySlice<MarketSnapshot.MarketPoint>
    let balances: ArraySlice<MarketSnapshot.BalancePoint>
    /// Computed signals, by `Signal.index`.
    private var cache: [Result<Exact, Unavailable>?] = Array(repeating: nil, count: Signal.allCases.count)
    private var lotsCache: [(expires: Date, units: Int)]?
    private var usageCache: UsageSeries?
    var profileCache: [Int: Double]?

    /// Runway when nothing burns: long enough that no rule thinks it short.
    static let noBurnRunway = Exact(365 * 86_400)

    init(snapshot: MarketSnapshot, burnWindow: Decimal) {
        self.snapshot = snapshot
        self.burnWindow = NSDecimalNumber(decimal: burnWindow).doubleValue
        market = snapshot.marketHistory[..<Self.cut(snapshot.marketHistory, at: snapshot.asOf) { $0.time }]
        balances = snapshot.balanceHistory[..<Self.cut(snapshot.balanceHistory, at: snapshot.asOf) { $0.time }]
    }

    /// Index of the first entry after `date` (binary search; history is oldest first).
    static func cut<T>(_ items: ArraySlice<T>, at date: Date, time: (T) -> Date) -> Int {
        var low = items.startIndex, high = items.endIndex
        while low < high {
            let mid = (low + high) / 2
            if time(items[mid]) <= date { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func value(_ signal: Signal) -> Result<Exact, Unavailable> {
        if let cached = cache[signal.index] { return cached }
        let result = compute(signal)
        cache[signal.index] = result
        return result
    }

    private mutating func compute(_ signal: Signal) -> Result<Exact, Unavailable> {
        let s = snapshot
        switch signal {
        case .consumption: return .success(Exact(s.consumption))
        case .inventory: return .success(Exact(s.inventory))
        case .onOrder: return .success(Exact(s.unitsOnOrder))
        case .usd: return .success(Exact(s.usdAvailable))
        case .spentToday: return .success(Exact(s.spentToday))
        case .spentMonth: return .success(Exact(s.spentMonth))
        case .tick: return .success(Exact(s.tick))
        case .hour:
            let seconds = Int(s.asOf.timeIntervalSince1970.rounded(.down))
            return .success(Exact(((seconds % 86_400) + 86_400) % 86_400 / 3600))
        case .bid:
            guard let bid = s.bids.first?.price else { return .failure(Unavailable(reason: "no bids on the book")) }
            return .success(Exact(bid))
        case .ask:
            guard let ask = s.asks.first?.price else { return .failure(Unavailable(reason: "no asks on the book")) }
            return .success(Exact(ask))
        case .mid:
            return value(.bid).flatMap { bid in value(.ask).map { ($0 + bid) / 2 } }
        case .spread:
            return value(.bid).flatMap { bid in value(.ask).map { $0 - bid } }
        case .last:
            guard let last = s.last else { return .failure(Unavailable(reason: "no trade printed yet")) }
            return .success(Exact(last))
        case .burn:
            return burn(over: burnWindow)
        case .runway:
            // Nothing usable is no runway, whatever the burn estimate says.
            if s.consumption == 0 { return .success(0) }
            switch value(.burn) {
            case .success(let burn): return .success(Self.seconds(runway(burnPerHour: burn)))
            case .failure(let missing): return .failure(missing)
            }
        case .stockRunway:
            if s.consumption + s.inventory == 0 { return .success(0) }
            return value(.burn).map { burn in burn > .zero ? Self.seconds(Exact((s.consumption + s.inventory) * 3600) / burn) : Self.noBurnRunway }
        }
    }

    static let lotLife = ConsumptionLot.lifetime

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
        // Units are used oldest first, so the balance is the newest lots; units no record
        // explains count as arriving with the oldest known lot (or now).
        let explained = arrivals.reduce(0) { $0 + $1.units }
        var book = LotBook()
        if snapshot.consumption > explained { book.arrive(units: snapshot.consumption - explained, at: LotBook.milliseconds(arrivals.first?.arrived ?? now)) }
        for lot in arrivals { book.arrive(units: lot.units, at: LotBook.milliseconds(lot.arrived)) }
        book.use(Int64(max(0, explained - snapshot.consumption)) * 1000)
        let lots = book.lots.map { (expires: Date(timeIntervalSince1970: Double($0.expires) / 1000), units: Int($0.milli / 1000)) }
        lotsCache = lots
        return lots
    }

    /// Seconds until consumption runs out: used oldest lot first at `burnPerHour`, each lot
    /// lost when it expires.
    mutating func runway(burnPerHour burn: Exact) -> Exact {
        let now = snapshot.asOf
        let lots = heldLots()
        let perSecond = burn.double / 3600
        var t = now
        for lot in lots where t < lot.expires {
            let finish = perSecond > 0 ? t.addingTimeInterval(Double(lot.units) / perSecond) : .distantFuture
            t = min(finish, lot.expires)
        }
        // Nothing is used: nothing will run out for lack of units.
        if perSecond <= 0 { return Self.noBurnRunway }
        let seconds = t.timeIntervalSince(now)
        return Exact(Int64((seconds * 1000).rounded()), exponent: -3)
    }

    /// Units that will be used within `seconds` at `burnPerHour`: the oldest lot first, none of
    /// a lot after it expires.
    mutating func usable(within seconds: Exact, burnPerHour burn: Exact) -> Exact {
        let perSecond = burn.double / 3600
        guard perSecond > 0 else { return Exact(snapshot.consumption) }
        let end = snapshot.asOf.addingTimeInterval(seconds.double)
        var t = snapshot.asOf
        var used = 0.0
        for lot in heldLots() where t < lot.expires && t < end {
            let stop = min(lot.expires, end, t.addingTimeInterval(Double(lot.units) / perSecond))
            used += min(Double(lot.units), stop.timeIntervalSince(t) * perSecond)
            t = stop
        }
        return Exact(Int64((used * 1000).rounded(.down)), exponent: -3)
    }

    /// Durations are kept to the millisecond.
    static func seconds(_ value: Exact) -> Exact { value.rounded(3, .plain) }

    /// Units used between balance points, stockouts filled in (computed once a cycle).
    mutating func usageSeries() -> UsageSeries {
        if let cached = usageCache { return cached }
        let series = UsageSeries(balances: balances, expiries: snapshot.expiries, burnWindow: Int64(burnWindow * 1000))
        usageCache = series
        return series
    }

    /// `avg`, `min`, `max` or `ewma` of a signal over the last `window` seconds, in one pass
    /// over integer values (micro-dollars for prices, units for balances).
    func aggregate(_ function: Function, _ signal: Signal, window: Exact) -> Result<Exact, Unavailable> {
        let seconds = window.double
        let asOf = snapshot.asOf
        let from = asOf.addingTimeInterval(-seconds)
        var a = Aggregate(asOf: asOf, seconds: seconds, ewma: function == .ewma)
        // One loop per signal, so that nothing is decided per point but whether it has a value.
        switch signal {
        case .consumption, .inventory:
            let start = balances.firstIndex { $0.time >= from } ?? balances.endIndex
            if signal == .consumption {
                for p in balances[start...] { a.add(Int64(p.consumption), at: p.time) }
            } else {
                for p in balances[start...] { a.add(Int64(p.inventory), at: p.time) }
            }
        case .bid: a.scan(market[Self.firstIndex(market, notBefore: from)...]) { $0.bidMicros }
        case .ask: a.scan(market[Self.firstIndex(market, notBefore: from)...]) { $0.askMicros }
        case .last: a.scan(market[Self.firstIndex(market, notBefore: from)...]) { $0.lastMicros }
        case .mid: a.scan(market[Self.firstIndex(market, notBefore: from)...]) { p in p.bidMicros.flatMap { b in p.askMicros.map { (b + $0) / 2 } } }
        case .spread: a.scan(market[Self.firstIndex(market, notBefore: from)...]) { p in p.bidMicros.flatMap { b in p.askMicros.map { $0 - b } } }
        default: break
        }
        let (count, sum, low, high, weighted, weights) = (a.count, a.sum, a.low, a.high, a.weighted, a.weights)
        // The window must be (nearly) covered: 90 % of it, and at least two points.
        guard count >= 2, asOf.timeIntervalSince(a.oldest) >= seconds * 0.9 else {
            let have = count > 0 ? asOf.timeIntervalSince(a.oldest) : 0
            return .failure(Unavailable(reason: "\(function.rawValue)(\(signal.rawValue), \(ValueFormat.duration(seconds: window))) needs \(ValueFormat.duration(seconds: window)) of history, have \(ValueFormat.duration(wholeSeconds: Int(have)))"))
        }
        // Balances are whole units; prices micro-dollars.
        let exponent = (signal == .consumption || signal == .inventory) ? 0 : -6
        func value(_ v: Int64) -> Exact { Exact(v, exponent: exponent) }
        switch function {
        case .avg: return .success(value(sum) / Exact(count))
        case .min: return .success(value(low))
        case .max: return .success(value(high))
        case .ewma:
            // Weights decay with age, time constant `window`; computed in floating point over
            // integer micro-dollars and rounded back to whole micro-dollars.
            return .success(value(Int64((weighted / weights).rounded())))
        case .cover, .coverStock, .burnOver, .burnPeak, .forecast, .rank:
            return .failure(Unavailable(reason: "internal: not an aggregate"))
        }
    }

    /// Count, sum, least, greatest and the exponentially weighted sums of a window's values.
    struct Aggregate {
        let asOf: Date
        let seconds: Double
        let ewma: Bool
        var count = 0
        var sum: Int64 = 0
        var low = Int64.max
        var high = Int64.min
        var weighted = 0.0, weights = 0.0
        var oldest = Date.distantPast

        init(asOf: Date, seconds: Double, ewma: Bool) {
            self.asOf = asOf
            self.seconds = seconds
            self.ewma = ewma
        }

        /// Every point's value (points without one are skipped). Without `ewma` the loop only
        /// counts, sums and keeps the least and greatest: a day of minutes is 1,440 points,
        /// every cycle.
        @inline(__always) mutating func scan(_ points: ArraySlice<MarketSnapshot.MarketPoint>, _ value: (MarketSnapshot.MarketPoint) -> Int64?) {
            guard !ewma else {
                for p in points { if let v = value(p) { add(v, at: p.time) } }
                return
            }
            guard let first = points.firstIndex(where: { value($0) != nil }) else { return }
            oldest = points[first].time
            var (count, sum, low, high) = (0, Int64(0), Int64.max, Int64.min)
            for p in points[first...] {
                guard let v = value(p) else { continue }
                count += 1
                sum &+= v
                low = Swift.min(low, v)
                high = Swift.max(high, v)
            }
            (self.count, self.sum, self.low, self.high) = (count, sum, low, high)
        }

        @inline(__always) mutating func add(_ v: Int64, at time: Date) {
            if count == 0 { oldest = time }
            count += 1
            sum &+= v
            low = Swift.min(low, v)
            high = Swift.max(high, v)
            if ewma {
                let w = exp(-asOf.timeIntervalSince(time) / seconds)
                weighted += w * Double(v)
                weights += w
            }
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
