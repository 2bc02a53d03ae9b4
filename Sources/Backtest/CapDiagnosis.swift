import Execution
import Foundation
import GridKeeperCore

/// How often one cap blocked or cut the strategy's buys over a replay.
public struct CapTally: Sendable, Equatable, Encodable {
    public var cap: RuleOutcome.BudgetLimit
    /// The cap's value: USD, or USD per unit for `max_unit_price`.
    public var limit: Decimal?
    /// Buy decisions the cap blocked (nothing bought) and cut (fewer units, or a lower price).
    public var blocked = 0
    public var cut = 0
    /// Of those, the decisions taken while consumption was dry or under `CapDiagnosis.shortRunway` of runway.
    public var blockedWhileShort = 0
    public var cutWhileShort = 0

    enum CodingKeys: String, CodingKey {
        case cap, limit, blocked, cut, blockedWhileShort = "blocked_while_short", cutWhileShort = "cut_while_short"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cap.rawValue, forKey: .cap)
        try c.encodeText(limit, forKey: .limit)
        try c.encode(blocked, forKey: .blocked)
        try c.encode(cut, forKey: .cut)
        try c.encode(blockedWhileShort, forKey: .blockedWhileShort)
        try c.encode(cutWhileShort, forKey: .cutWhileShort)
    }

    /// `daily cap 40.00`, `max_unit_price 3.00`.
    public var name: String {
        let value = limit.map { " " + CapDiagnosis.fixed($0, places: 2) } ?? ""
        switch cap {
        case .daily: return "daily cap" + value
        case .monthly: return "monthly cap" + value
        case .perOrder: return "per_order cap" + value
        case .maxUnitPrice: return "max_unit_price" + value
        case .globalDaily: return "global daily cap" + value
        case .globalMonthly: return "global monthly cap" + value
        }
    }
}

/// Stockouts the caps caused: which caps held buys back while the team ran dry or nearly, and
/// what the demand would have cost.
public struct CapDiagnosis: Sendable, Equatable, Encodable {
    /// Runway under which the team counts as short, seconds (one hour).
    public static let shortRunway = 3600

    /// The caps that blocked or cut a buy, in the order of `RuleOutcome.BudgetLimit.allCases`.
    public var caps: [CapTally]
    public var stockoutMinutes: Double
    /// Units the demand needed over the replay: used plus unmet (rounded to whole units).
    public var demandUnits: Int
    public var days: Double
    /// The price the estimate uses, USD per unit: the strategy's average price paid, else the
    /// period's VWAP, else its mean best ask.
    public var pricePerUnit: Decimal?
    public var priceSource: PriceSource?
    /// What the demand needed, USD per day: `demandUnits` × `pricePerUnit` ÷ `days`.
    public var neededPerDay: Decimal?

    /// Where `pricePerUnit` comes from.
    public enum PriceSource: String, Sendable, Equatable, Encodable {
        case averagePricePaid = "average_price_paid"
        case vwap
        case meanAsk = "mean_ask"
    }

    enum CodingKeys: String, CodingKey {
        case caps, stockoutMinutes = "stockout_minutes", demandUnits = "demand_units", days, pricePerUnit = "price_per_unit"
        case priceSource = "price_source", neededPerDay = "needed_usd_per_day"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(caps, forKey: .caps)
        try c.encode((stockoutMinutes * 10).rounded() / 10, forKey: .stockoutMinutes)
        try c.encode(demandUnits, forKey: .demandUnits)
        try c.encode((days * 100).rounded() / 100, forKey: .days)
        try c.encodeText(pricePerUnit, places: 6, forKey: .pricePerUnit)
        try c.encodeIfPresent(priceSource, forKey: .priceSource)
        try c.encodeText(neededPerDay, forKey: .neededPerDay)
    }

    /// The diagnosis of a replay, or nil when the caps caused no stockout: no cap blocked a buy
    /// while consumption was dry or under `shortRunway` of runway, and none cut one then in a
    /// replay where the team ran dry. (A cap that trims a buy while the team never runs dry is
    /// the budget working, not a stockout.)
    /// - Parameters:
    ///   - tallies: what each cap did, from the replay's cycles.
    ///   - metrics: the strategy's metrics.
    ///   - seconds: the replay's length.
    static func make(tallies: [CapTally], metrics: BacktestMetrics, vwap: Decimal?, averageAsk: Decimal?, seconds: TimeInterval) -> CapDiagnosis? {
        let caps = tallies.filter { $0.blocked + $0.cut > 0 }
        let blockedShort = caps.contains { $0.blockedWhileShort > 0 }
        let cutShort = caps.contains { $0.cutWhileShort > 0 } && metrics.consumption.stockoutSeconds > 0
        guard blockedShort || cutShort else { return nil }
        let units = Int((NSDecimalNumber(decimal: metrics.consumption.usedUnits).doubleValue + metrics.consumption.unmetUnits).rounded())
        let days = seconds / 86_400
        let price = metrics.averagePrice ?? vwap ?? averageAsk
        let source: PriceSource? = metrics.averagePrice != nil ? .averagePricePaid : vwap != nil ? .vwap : averageAsk != nil ? .meanAsk : nil
        var perDay: Decimal?
        if let price, days > 0 {
            // Days as exact thousandths: money stays Decimal.
            let thousandths = Decimal(max(1, Int((days * 1000).rounded())))
            perDay = price * Decimal(units) * 1000 / thousandths
        }
        return CapDiagnosis(caps: caps, stockoutMinutes: metrics.stockoutMinutes, demandUnits: units, days: days, pricePerUnit: price,
                            priceSource: source, neededPerDay: perDay)
    }

    /// Counts the caps in a replay's cycle reports.
    struct Counter {
        private(set) var tallies: [CapTally]

        init(budget: Strategy.Budget, global: GlobalBudget?) {
            tallies = RuleOutcome.BudgetLimit.allCases.map { cap in
                let limit: Decimal? = switch cap {
                case .daily: budget.daily
                case .monthly: budget.monthly
                case .perOrder: budget.perOrder
                case .maxUnitPrice: budget.maxUnitPrice
                case .globalDaily: global?.daily
                case .globalMonthly: global?.monthly
                }
                return CapTally(cap: cap, limit: limit)
            }
        }

        /// Counts a decision: `cap` is the decision's `cap`, `outcome` its outcome.
        mutating func count(cap: RuleOutcome.BudgetLimit?, outcome: RuleOutcome.Outcome, short: Bool) {
            guard let cap, let i = tallies.firstIndex(where: { $0.cap == cap }) else { return }
            if outcome == .blocked {
                tallies[i].blocked += 1
                if short { tallies[i].blockedWhileShort += 1 }
            } else {
                tallies[i].cut += 1
                if short { tallies[i].cutWhileShort += 1 }
            }
        }
    }

    /// The diagnosis for the terminal, a few lines.
    public var text: String {
        var out = "Caps and stockouts: the strategy ran dry for \(BacktestReport.minutes(stockoutMinutes)); caps held back buys while consumption was dry or under 1 h of runway:\n"
        for tally in caps {
            var parts: [String] = []
            if tally.blocked > 0 { parts.append("blocked \(Self.grouped(tally.blocked)) decision\(tally.blocked == 1 ? "" : "s")") }
            if tally.cut > 0 { parts.append("cut \(Self.grouped(tally.cut))") }
            let short = tally.blockedWhileShort + tally.cutWhileShort
            out += "  \(tally.name) \(parts.joined(separator: " and ")) (\(Self.grouped(short)) while short)\n"
        }
        if let perDay = neededPerDay, let price = pricePerUnit {
            let source = switch priceSource {
            case .averagePricePaid, nil: "the average price paid"
            case .vwap: "the period's VWAP; nothing was bought"
            case .meanAsk: "the mean best ask; nothing was bought"
            }
            out += "  the demand needed about \(Self.fixed(perDay, places: 0)) USD a day (\(Self.grouped(demandUnits)) units used or unmet over "
                + "\(String(format: "%.1f", days)) days at \(Self.fixed(price, places: 4)) USD/unit, \(source))"
            var against: [String] = []
            for tally in caps {
                guard let limit = tally.limit, limit > 0 else { continue }
                switch tally.cap {
                case .daily, .globalDaily: against.append("\(BacktestMetrics.text(perDay / limit, places: 1)) × the \(tally.name)")
                case .monthly, .globalMonthly:
                    against.append("about \(Self.fixed(perDay * 30, places: 0)) USD a 30-day month, "
                                   + "\(BacktestMetrics.text(perDay * 30 / limit, places: 1)) × the \(tally.name)")
                default: continue
                }
            }
            out += against.isEmpty ? "\n" : ": " + against.joined(separator: "; ") + "\n"
        }
        return out
    }

    /// Money with exactly `places` decimals: `40.00`.
    static func fixed(_ value: Decimal, places: Int) -> String {
        let text = BacktestMetrics.text(value, places: places)
        guard places > 0 else { return text }
        let parts = text.split(separator: ".", maxSplits: 1)
        let decimals = parts.count > 1 ? String(parts[1]) : ""
        return String(parts[0]) + "." + decimals + String(repeating: "0", count: max(0, places - decimals.count))
    }

    /// `7,882`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
