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

    /// Runway when nothing burns: long enough that no rule thinks it short.
    static let noBurnRunway = Decimal(365 * 86_400)

    init(snapshot: MarketSnapshot, burnWindow: Decimal) {
        self.snapshot = snapshot
        self.burnWindow = burnWindow
        market = snapshot.marketHistory[..<Self.cut(snapshot.marketHistory.map(\.time), at: snapshot.asOf)]
        balances = snapshot.balanceHistory[..<Self.cut(snapshot.balanceHistory.map(\.time), at: snapshot.asOf)]
    }

    /// Index of the first entry after `date` (binary search; history is oldest first).
    static func cut(_ times: [Date], at date: Date) -> Int {
        var low = 0, high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] <= date { low = mid + 1 } else { high = mid }
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
            return value(.bid).flatMap { bid in value(.ask).map { ($0 + bid) / 2 } }
        case .spread:
            return value(.bid).flatMap { bid in value(.ask).map { $0 - bid } }
        case .last:
            guard let last = s.last else { return .failure(Unavailable(reason: "no trade printed yet")) }
            return .success(last)
        case .burn:
            return burnRate()
        case .runway:
            return value(.burn).map { burn in burn > 0 ? Self.seconds(Decimal(s.consumption) / burn * 3600) : Self.noBurnRunway }
        case .stockRunway:
            return value(.burn).map { burn in burn > 0 ? Self.seconds(Decimal(s.consumption + s.inventory) / burn * 3600) : Self.noBurnRunway }
        }
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
        let start = balances.firstIndex { $0.time >= from } ?? balances.endIndex
        let window = balances[start...]
        let needed = min(NSDecimalNumber(decimal: burnWindow).doubleValue / 4, 900)
        guard let first = window.first, let lastPoint = window.last, window.count >= 2,
            lastPoint.time.timeIntervalSince(first.time) >= needed
        else {
            let have = window.count >= 2 ? window.last!.time.timeIntervalSince(window.first!.time) : 0
            return .failure(Unavailable(reason: "burn needs \(ValueFormat.duration(seconds: Decimal(Int(needed)))) of balance history, have \(ValueFormat.duration(seconds: Decimal(Int(have))))"))
        }
        var used = 0
        var previous = first.consumption
        for point in window.dropFirst() {
            if point.consumption < previous { used += previous - point.consumption }
            previous = point.consumption
        }
        let expired = snapshot.expiries.filter { $0.time > first.time && $0.time <= lastPoint.time }.reduce(0) { $0 + $1.units }
        used = max(0, used - expired)
        let hours = Decimal(Int(lastPoint.time.timeIntervalSince(first.time) * 1000)) / 3_600_000
        return .success(Decimal(used) / hours)
    }

    /// `avg`, `min`, `max` or `ewma` of a signal over the last `window` seconds.
    func aggregate(_ function: Function, _ signal: Signal, window: Decimal) -> Result<Decimal, Unavailable> {
        let seconds = NSDecimalNumber(decimal: window).doubleValue
        let from = snapshot.asOf.addingTimeInterval(-seconds)
        var values: [(Double, Int64)] = []  // (age seconds, value in micros or units)
        var oldest: Date?
        switch signal {
        case .consumption, .inventory:
            let start = balances.firstIndex { $0.time >= from } ?? balances.endIndex
            for p in balances[start...] {
                oldest = oldest ?? p.time
                values.append((snapshot.asOf.timeIntervalSince(p.time), Int64(signal == .consumption ? p.consumption : p.inventory)))
            }
        default:
            let start = market.firstIndex { $0.time >= from } ?? market.endIndex
            for p in market[start...] {
                let v: Int64?
                switch signal {
                case .bid: v = p.bidMicros
                case .ask: v = p.askMicros
                case .last: v = p.lastMicros
                case .mid: v = p.bidMicros.flatMap { b in p.askMicros.map { (b + $0) / 2 } }
                case .spread: v = p.bidMicros.flatMap { b in p.askMicros.map { $0 - b } }
                default: v = nil
                }
                guard let v else { continue }
                oldest = oldest ?? p.time
                values.append((snapshot.asOf.timeIntervalSince(p.time), v))
            }
        }
        // The window must be (nearly) covered: 90 % of it, and at least two points.
        guard values.count >= 2, let oldest, snapshot.asOf.timeIntervalSince(oldest) >= seconds * 0.9 else {
            let have = oldest.map { snapshot.asOf.timeIntervalSince($0) } ?? 0
            return .failure(Unavailable(reason: "\(function.rawValue)(\(signal.rawValue), \(ValueFormat.duration(seconds: window))) needs \(ValueFormat.duration(seconds: window)) of history, have \(ValueFormat.duration(seconds: Decimal(Int(have))))"))
        }
        let scale: Decimal = (signal == .consumption || signal == .inventory) ? 1 : 1_000_000
        switch function {
        case .avg:
            let sum = values.reduce(Int64(0)) { $0 + $1.1 }
            return .success(Decimal(sum) / Decimal(values.count) / scale)
        case .min:
            return .success(Decimal(values.map(\.1).min()!) / scale)
        case .max:
            return .success(Decimal(values.map(\.1).max()!) / scale)
        case .ewma:
            // Weights decay with age, time constant `window`; computed in floating point over
            // integer micro-dollars and rounded back to whole micro-dollars.
            var weighted = 0.0, total = 0.0
            for (age, v) in values {
                let w = exp(-age / seconds)
                weighted += w * Double(v)
                total += w
            }
            return .success(Decimal(Int64((weighted / total).rounded())) / scale)
        case .cover, .coverStock:
            return .failure(Unavailable(reason: "internal: not an aggregate"))
        }
    }
}
