import Foundation

/// Demand as the consumption balance history shows it.
///
/// Units used are seen only as drops of the consumption balance, so a stockout hides demand: a
/// team that has run dry shows no drops. Each interval between two balance points whose later
/// point is empty is *censored*: it counts as at least the rate the team was burning when the
/// stockout began (`burn` over `burn_window` just before it), not as zero. Lot expiries are
/// not demand.
public enum DemandModel {
    /// The stretch `burn_peak` measures each rate over: a quarter hour.
    public static let peakStretch: Decimal = 900
    /// The longest window or horizon a demand or history function takes: four weeks.
    public static let longestDuration: Decimal = 28 * 86_400
    /// How long the recent rate dominates `forecast` before the weekly profile takes over
    /// (the weight of the current rate is e^(−t/1h)).
    public static let forecastBlend: Double = 3600
    /// An hour of the week is known to the profile once this much of it was observed.
    static let profileCoverage: Int64 = 30 * 60 * 1000
    /// Intervals longer than this are gaps in the history (the daemon was down), not demand.
    static let longestInterval: Int64 = 3600 * 1000

    /// Monday 00:00 UTC = 0 … Sunday 23:00 UTC = 167.
    static func hourOfWeek(ms: Int64) -> Int {
        // 1970-01-01 was a Thursday: three days after a Monday.
        let hours = Int(floorDivide(ms, 3_600_000)) + 72
        return ((hours % 168) + 168) % 168
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}

/// Units used between consecutive balance points, with censored intervals filled in; prefix
/// sums make any window's total O(1).
struct UsageSeries {
    /// Balance point times (ms), oldest first.
    var times: [Int64] = []
    /// Observed whole units used up to and including interval `i` (the one ending at `times[i]`).
    var observed: [Int64] = []
    /// Milli-units imputed to censored intervals, up to and including interval `i`.
    var imputed: [Int64] = []

    var count: Int { times.count }

    /// Total milli-units used between points `a` and `b` (a ≤ b).
    func milli(from a: Int, to b: Int) -> Int64 { (observed[b] - observed[a]) * 1000 + imputed[b] - imputed[a] }

    /// First index whose time is ≥ `ms`.
    func firstIndex(notBefore ms: Int64) -> Int {
        var low = 0, high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] < ms { low = mid + 1 } else { high = mid }
        }
        return low
    }

    init() {}

    /// - Parameter burnWindow: the window whose rate a censored interval is held to (ms).
    init(balances: ArraySlice<MarketSnapshot.BalancePoint>, expiries: [MarketSnapshot.Expiry], burnWindow: Int64) {
        times.reserveCapacity(balances.count)
        observed.reserveCapacity(balances.count)
        imputed.reserveCapacity(balances.count)
        var expiryIndex = 0
        var previous: MarketSnapshot.BalancePoint?
        // The rate censored intervals are held to, fixed when a stockout begins (milli-units/h).
        var stockoutRate: Int64?
        var windowStart = 0
        for point in balances {
            let ms = point.time.milliseconds
            guard let before = previous else {
                while expiryIndex < expiries.count, expiries[expiryIndex].time <= point.time { expiryIndex += 1 }
                times.append(ms)
                observed.append(0)
                imputed.append(0)
                previous = point
                continue
            }
            var expired = 0
            while expiryIndex < expiries.count, expiries[expiryIndex].time <= point.time {
                expired += expiries[expiryIndex].units
                expiryIndex += 1
            }
            let drop = Int64(max(0, before.consumption - point.consumption - expired))
            var extra: Int64 = 0
            let span = ms - times[times.count - 1]
            if point.consumption == 0, span <= DemandModel.longestInterval {
                if stockoutRate == nil {
                    // The rate over `burnWindow` up to the last point before the stockout.
                    let last = times.count - 1
                    let from = times[last] - burnWindow
                    while windowStart < last, times[windowStart] < from { windowStart += 1 }
                    let covered = times[last] - times[windowStart]
                    stockoutRate = covered > 0 ? milli(from: windowStart, to: last) * 3_600_000 / covered : 0
                }
                let held = (stockoutRate ?? 0) * span / 3_600_000
                extra = max(0, held - drop * 1000)
            } else if point.consumption > 0 {
                stockoutRate = nil
            }
            times.append(ms)
            observed.append(observed[observed.count - 1] + drop)
            imputed.append(imputed[imputed.count - 1] + extra)
            previous = point
        }
    }
}

extension SignalContext {
    /// Units per hour used over the last `window` seconds, stockouts held at the rate before
    /// them. Needs a quarter of the window (at most 15 minutes) of history.
    mutating func burn(over window: Double) -> Result<Exact, Unavailable> {
        let series = usageSeries()
        let now = snapshot.asOf.milliseconds
        let first = series.firstIndex(notBefore: now - Int64(window * 1000))
        let needed = min(window / 4, 900)
        let last = series.count - 1
        guard last > first, Double(series.times[last] - series.times[first]) / 1000 >= needed else {
            let have = last > first ? Int((series.times[last] - series.times[first]) / 1000) : 0
            return .failure(Unavailable(reason: "burn needs \(ValueFormat.duration(wholeSeconds: Int(needed))) of balance history, have \(ValueFormat.duration(wholeSeconds: have))"))
        }
        let ms = Exact(Int(series.times[last] - series.times[first]))
        let units = Exact(Int(series.observed[last] - series.observed[first]))
        let imputed = series.imputed[last] - series.imputed[first]
        // units / (ms / 3,600,000), with one division; exact when nothing was imputed.
        let total = imputed == 0 ? units : units + Exact(imputed, exponent: -3)
        return .success(total * Exact(3_600_000) / ms)
    }

    /// The highest rate over any quarter hour ending in the last `window` seconds (units/h).
    mutating func burnPeak(over window: Double) -> Result<Exact, Unavailable> {
        let series = usageSeries()
        let now = snapshot.asOf.milliseconds
        let stretch = Int64(NSDecimalNumber(decimal: DemandModel.peakStretch).int64Value * 1000)
        var end = series.firstIndex(notBefore: now - Int64(window * 1000))
        var start = series.firstIndex(notBefore: (end < series.count ? series.times[end] : now) - stretch)
        var best: Int64?
        while end < series.count {
            let from = series.times[end] - stretch
            while start < end, series.times[start] < from { start += 1 }
            // A stretch counts once two thirds of it is covered.
            let covered = series.times[end] - series.times[start]
            if covered * 3 >= stretch * 2 {
                let rate = series.milli(from: start, to: end) * 3_600_000 / covered
                best = max(best ?? rate, rate)
            }
            end += 1
        }
        guard let best else {
            return .failure(Unavailable(reason: "burn_peak needs \(ValueFormat.duration(wholeSeconds: Int(stretch / 1000 * 2 / 3))) of balance history"))
        }
        return .success(Exact(best, exponent: -3))
    }

    /// Units expected to be used in the next `horizon` seconds: the current `burn`, fading
    /// with a one-hour time constant into the demand profile by hour of the week learned from
    /// the balance history (an hour the profile has not seen keeps the current rate).
    mutating func forecast(_ horizon: Double) -> Result<Exact, Unavailable> {
        let current: Double
        switch value(.burn) {
        case .success(let burn): current = burn.double
        case .failure(let missing): return .failure(missing)
        }
        let profile = demandProfile()
        let now = snapshot.asOf.milliseconds
        let tau = DemandModel.forecastBlend
        var units = 0.0
        var t = 0.0
        while t < horizon {
            let ms = now + Int64(t * 1000)
            let slotEnd = Double((DemandModel.floorDivide(ms, 3_600_000) + 1) * 3_600_000 - now) / 1000
            let b = min(horizon, max(slotEnd, t + 1))
            let expected = profile[DemandModel.hourOfWeek(ms: ms)] ?? current
            // ∫ current·w + expected·(1 − w) over [t, b], w = e^(−s/τ).
            let weighted = tau * (Foundation.exp(-t / tau) - Foundation.exp(-b / tau))
            units += (current * weighted + expected * ((b - t) - weighted)) / 3600
            t = b
        }
        return .success(Exact(Int64((units * 1000).rounded()), exponent: -3))
    }

    /// Mean units per hour in each hour of the week (UTC), where observed.
    mutating func demandProfile() -> [Int: Double] {
        if let profile = profileCache { return profile }
        let series = usageSeries()
        var milli = [Int64](repeating: 0, count: 168), covered = [Int64](repeating: 0, count: 168)
        for i in series.times.indices.dropFirst() {
            let span = series.times[i] - series.times[i - 1]
            guard span <= DemandModel.longestInterval else { continue }
            let slot = DemandModel.hourOfWeek(ms: series.times[i - 1] + span / 2)
            milli[slot] += series.milli(from: i - 1, to: i)
            covered[slot] += span
        }
        var profile: [Int: Double] = [:]
        for slot in 0..<168 where covered[slot] >= DemandModel.profileCoverage {
            profile[slot] = Double(milli[slot]) / 1000 * 3_600_000 / Double(covered[slot])
        }
        profileCache = profile
        return profile
    }

    /// Where the signal's value now stands among its values over the last `window` seconds:
    /// the share of them below it, ties counting half (0 = the lowest seen, 1 = the highest).
    func rank(_ signal: Signal, window: Exact) -> Result<Exact, Unavailable> {
        let seconds = window.double
        let asOf = snapshot.asOf
        let from = asOf.addingTimeInterval(-seconds)
        let current: Int64
        let value: (MarketSnapshot.MarketPoint) -> Int64?
        switch signal {
        case .bid:
            value = { $0.bidMicros }
            guard let bid = snapshot.bids.first?.price else { return .failure(Unavailable(reason: "no bids on the book")) }
            current = Int64(truncating: NSDecimalNumber(decimal: bid * 1_000_000))
        case .ask:
            value = { $0.askMicros }
            guard let ask = snapshot.asks.first?.price else { return .failure(Unavailable(reason: "no asks on the book")) }
            current = Int64(truncating: NSDecimalNumber(decimal: ask * 1_000_000))
        case .last:
            value = { $0.lastMicros }
            guard let last = snapshot.last else { return .failure(Unavailable(reason: "no trade printed yet")) }
            current = Int64(truncating: NSDecimalNumber(decimal: last * 1_000_000))
        case .mid:
            value = { p in p.bidMicros.flatMap { b in p.askMicros.map { (b + $0) / 2 } } }
            guard let bid = snapshot.bids.first?.price, let ask = snapshot.asks.first?.price else {
                return .failure(Unavailable(reason: "no \(snapshot.bids.isEmpty ? "bids" : "asks") on the book"))
            }
            current = Int64(truncating: NSDecimalNumber(decimal: (bid + ask) * 500_000))
        case .spread:
            value = { p in p.bidMicros.flatMap { b in p.askMicros.map { $0 - b } } }
            guard let bid = snapshot.bids.first?.price, let ask = snapshot.asks.first?.price else {
                return .failure(Unavailable(reason: "no \(snapshot.bids.isEmpty ? "bids" : "asks") on the book"))
            }
            current = Int64(truncating: NSDecimalNumber(decimal: (ask - bid) * 1_000_000))
        case .consumption, .inventory:
            let points = balances[(balances.firstIndex { $0.time >= from } ?? balances.endIndex)...]
            let now = signal == .consumption ? snapshot.consumption : snapshot.inventory
            var below = 0, equal = 0, count = 0
            var oldest = asOf
            for p in points {
                let v = signal == .consumption ? p.consumption : p.inventory
                if count == 0 { oldest = p.time }
                count += 1
                if v < now { below += 1 } else if v == now { equal += 1 }
            }
            return Self.rankResult(below: below, equal: equal, count: count, covered: asOf.timeIntervalSince(oldest), seconds: seconds, signal: signal, window: window)
        default:
            return .failure(Unavailable(reason: "rank reads bid, ask, mid, last, spread, consumption or inventory"))
        }
        var below = 0, equal = 0, count = 0
        var oldest = asOf
        for p in market[Self.firstIndex(market, notBefore: from)...] {
            guard let v = value(p) else { continue }
            if count == 0 { oldest = p.time }
            count += 1
            if v < current { below += 1 } else if v == current { equal += 1 }
        }
        return Self.rankResult(below: below, equal: equal, count: count, covered: asOf.timeIntervalSince(oldest), seconds: seconds, signal: signal, window: window)
    }

    static func rankResult(below: Int, equal: Int, count: Int, covered: Double, seconds: Double, signal: Signal, window: Exact) -> Result<Exact, Unavailable> {
        guard count >= 2, covered >= seconds * 0.9 else {
            return .failure(Unavailable(reason: "rank(\(signal.rawValue), \(ValueFormat.duration(seconds: window))) needs \(ValueFormat.duration(seconds: window)) of history, have \(ValueFormat.duration(wholeSeconds: count > 0 ? Int(covered) : 0))"))
        }
        // (below + equal / 2) / count, to three decimals.
        let thousandths = (Int64(below) * 2000 + Int64(equal) * 1000) / (Int64(count) * 2)
        return .success(Exact(thousandths, exponent: -3))
    }
}

extension Date {
    /// Milliseconds since 1970, rounded down (as the ledger stores times).
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
