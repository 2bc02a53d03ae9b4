import Foundation
import GridKeeperCore
import Simulator

/// One randomized fault schedule, drawn entirely from its seed: the same seed gives the same
/// schedule, market, faults and decisions.
public struct ChaosSchedule: Sendable, CustomStringConvertible {
    public struct StrategyPlan: Sendable {
        public var symbol: String
        public var yaml: String
        public var burnPerHour: Double
    }

    public var seed: UInt64
    public var timeZone: TimeZone
    /// The exchange's clock at the start.
    public var start: Date
    public var ticks: Int
    public var tickSeconds: TimeInterval
    /// Seconds the exchange's clock is ahead of ours (negative: behind).
    public var skew: TimeInterval
    /// Our clock steps (NTP) by `seconds` before tick `tick`.
    public var clockStep: (tick: Int, seconds: TimeInterval)?
    /// Probability that a request meets a network fault.
    public var networkFaultRate: Double
    /// Crashes: before tick `tick`, the `operation`-th call or write from then on dies, before or after it ran.
    public var crashes: [(tick: Int, operation: Int, after: Bool)]
    /// Ticks during which ledger writes fail: the disk is full, or the file read-only.
    public var diskFull: Range<Int>?
    public var readOnly: Range<Int>?
    /// Ticks during which the market's asks are withdrawn before every cycle.
    public var emptyMarket: Range<Int>?
    /// Ticks before which the exchange cancels every open order on its own.
    public var exchangeCancels: [Int]
    public var levelQuantity: Int
    public var strategies: [StrategyPlan]
    public var globalBudget: GlobalBudget?

    /// Where a run starts: (time zone, local start) pairs chosen so that a day boundary falls
    /// inside every run, and a daylight-saving change, a month end or a year end in most.
    static let starts: [(String, String)] = [
        ("America/New_York", "2026-10-31T18:00"),   // month end, then DST ends at 02:00
        ("America/New_York", "2026-03-07T20:00"),   // DST starts
        ("Europe/Berlin", "2026-03-28T20:00"),      // DST starts; March ends 3 days later
        ("Europe/Berlin", "2026-10-24T21:00"),      // DST ends
        ("Australia/Sydney", "2026-04-04T20:00"),   // DST ends
        ("Australia/Lord_Howe", "2026-10-03T20:00"),// a 30-minute DST change
        ("Asia/Kolkata", "2026-12-31T18:00"),       // +05:30, year end
        ("America/St_Johns", "2026-11-30T20:00"),   // -03:30, month end
        ("Pacific/Chatham", "2026-04-04T20:00"),    // +13:45 → +12:45
        ("UTC", "2026-06-30T21:00"),                // month end
    ]

    static let instruments: [(symbol: String, reference: Decimal)] = [
        ("text-prime", Decimal(string: "2.50")!), ("code-standard", Decimal(string: "1.20")!), ("agent-prime", Decimal(string: "4.00")!),
    ]

    public init(seed: UInt64) {
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
        func chance(_ p: Double) -> Bool { rng.unit() < p }
        func money(_ low: Int, _ high: Int) -> Decimal { Decimal(int(low...high)) }

        self.seed = seed
        let (zoneName, local) = Self.starts[int(0...(Self.starts.count - 1))]
        timeZone = TimeZone(identifier: zoneName) ?? .gmt
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = timeZone
        parser.dateFormat = "yyyy-MM-dd'T'HH:mm"
        let base = parser.date(from: local) ?? Date(timeIntervalSince1970: 1_790_000_000)
        start = base.addingTimeInterval(TimeInterval(int(-180...120) * 60))
        tickSeconds = 600
        let ticks = int(144...180)  // 24 to 30 hours
        self.ticks = ticks
        skew = TimeInterval(int(-900...900)) + Double(int(0...999)) / 1000
        clockStep = chance(0.4) ? (int(10...(ticks - 10)), TimeInterval(int(-900...900)) + Double(int(0...999)) / 1000) : nil
        networkFaultRate = [0, 0.02, 0.05, 0.1, 0.2][int(0...4)]
        var crashes: [(tick: Int, operation: Int, after: Bool)] = []
        for _ in 0..<int(0...4) { crashes.append((int(1...(ticks - 1)), int(1...14), chance(0.5))) }
        self.crashes = crashes.sorted { $0.tick < $1.tick }
        func window() -> Range<Int>? {
            guard chance(0.3) else { return nil }
            let from = int(1...(ticks - 20))
            return from..<(from + int(1...9))
        }
        diskFull = window()
        readOnly = window()
        emptyMarket = window()
        var cancels: [Int] = []
        if chance(0.3) { for _ in 0..<int(1...3) { cancels.append(int(1...(ticks - 1))) } }
        exchangeCancels = cancels
        levelQuantity = [2, 5, 20, 50][int(0...3)]

        let count = int(1...3)
        var plans: [StrategyPlan] = []
        for index in 0..<count {
            let (symbol, reference) = Self.instruments[index]
            let maxPrice = reference * Decimal(int(100...130)) / 100
            let daily = money(5, 60)
            let monthly = chance(0.3) ? daily + money(0, 20) : daily * 20
            let perOrder = money(3, 20)
            let every = ["10m", "20m", "30m"][int(0...2)]
            let rules: String
            switch int(0...2) {
            case 0:  // the example keeper's shape
                rules = """
                      - name: feed
                        when: runway < 90m and inventory > 0
                        transfer: { quantity: cover(2h) }
                      - name: emergency
                        when: runway < 45m and inventory == 0
                        buy: { quantity: cover(2h), order: market }
                      - name: restock
                        when: stock_runway < 24h and ask <= avg(last, 24h) * 1.02
                        buy: { quantity: cover_stock(12h), order: limit, price: bid + tick, cancel_after: 15m }
                    """
            case 1:  // buys whenever it can: only the caps stop it
                rules = """
                      - name: feed
                        when: inventory > 0
                        transfer: { quantity: inventory, beyond_lot_window: true }
                      - name: greedy
                        when: ask > 0
                        buy: { quantity: \(int(1...8)), order: market }
                    """
            default:  // resting limit orders that the market fills over time
                rules = """
                      - name: feed
                        when: runway < 2h and inventory > 0
                        transfer: { quantity: cover(3h) }
                      - name: ladder
                        when: stock_runway < 48h
                        buy: { quantity: \(int(2...10)), order: limit, price: bid, cancel_after: \(["10m", "30m", "2h"][int(0...2)]) }
                      - name: tidy
                        when: stock_runway > 72h
                        cancel: { older_than: 1h }
                    """
            }
            let yaml = """
                strategy: chaos-\(symbol)
                instrument: \(symbol)
                every: \(every)
                budget:
                  daily: \(daily)
                  monthly: \(monthly)
                  per_order: \(perOrder)
                  max_unit_price: \(maxPrice)
                rules:
                \(rules)
                """
            plans.append(StrategyPlan(symbol: symbol, yaml: yaml, burnPerHour: Double(int(0...12))))
        }
        strategies = plans
        globalBudget = count > 1 && chance(0.6) ? GlobalBudget(daily: money(8, 80), monthly: chance(0.5) ? money(80, 400) : nil) : nil
    }

    public var description: String {
        let f = ISO8601DateFormatter()
        f.timeZone = timeZone
        var parts = ["seed \(seed)", timeZone.identifier, "start \(f.string(from: start))", "\(ticks) ticks of \(Int(tickSeconds)) s",
                     "exchange clock \(skew >= 0 ? "+" : "")\(skew) s"]
        if let step = clockStep { parts.append("our clock steps \(step.seconds) s at tick \(step.tick)") }
        parts.append("network faults \(Int(networkFaultRate * 100)) %")
        if !crashes.isEmpty { parts.append("crashes at ticks \(crashes.map { "\($0.tick)\($0.after ? "+" : "-")\($0.operation)" }.joined(separator: ","))") }
        if let w = diskFull { parts.append("disk full \(w)") }
        if let w = readOnly { parts.append("read-only \(w)") }
        if let w = emptyMarket { parts.append("empty market \(w)") }
        if !exchangeCancels.isEmpty { parts.append("exchange cancels at \(exchangeCancels)") }
        parts.append("levels of \(levelQuantity) units")
        parts.append("strategies \(strategies.map(\.symbol).joined(separator: ","))")
        if let g = globalBudget { parts.append("global daily \(g.daily.map { "\($0)" } ?? "-") monthly \(g.monthly.map { "\($0)" } ?? "-")") }
        return parts.joined(separator: "; ")
    }
}
