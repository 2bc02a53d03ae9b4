import Execution
import Foundation

/// Checks every intent against the budget, the market's rules and the lot window, after the
/// rules and whatever they ask. Each change is recorded with its reason.
struct Guardrails {
    let strategy: Strategy
    let snapshot: MarketSnapshot
    /// Spent within this plan so far (a second buy in one cycle is already excluded).
    var plannedSpend: Exact = .zero

    static let lotLifetimeHours = Exact(ConsumptionLot.lifetimeHours)

    static func money(_ v: Exact) -> String { ValueFormat.text(v, as: .money) }

    /// The whole units a rule's quantity asks for (fractions round up), noting a cut when it
    /// asks for more than `Evaluator.maximumUnits`.
    static func requested(_ quantity: Exact, notes: inout [String]) -> Int {
        let units = Evaluator.wholeUnits(quantity)
        if quantity > Exact(Evaluator.maximumUnits) {
            notes.append("quantity \(ValueFormat.text(quantity.rounded(0, .up), as: .units)) cut to \(units), the most one rule may ask for")
        }
        return units
    }

    /// - Parameter quantity: the units the rule asks for, as computed (rounded up to whole units here).
    mutating func buy(rule: String, reason: String, units quantity: Exact, kind: Strategy.OrderKind, price: Exact?,
                      cancelAfter: Decimal?, inputs: [String: String]) -> RuleOutcome {
        var notes: [String] = []
        let requested = Self.requested(quantity, notes: &notes)
        var budget: RuleOutcome.BudgetEffect?
        // The cap that last took units (or the price) away from the rule's ask.
        var capLimit: RuleOutcome.BudgetLimit?
        func blocked(_ why: String) -> RuleOutcome {
            RuleOutcome(rule: rule, outcome: .blocked, reason: reason, intent: nil, guardrails: notes + [why], inputs: inputs, budget: budget,
                        limit: capLimit)
        }
        if snapshot.paused { return blocked("kill switch engaged: no new orders") }
        guard requested >= 1 else {
            return RuleOutcome(rule: rule, outcome: .skipped, reason: "\(reason), but nothing is needed (quantity 0)", intent: nil, guardrails: [], inputs: inputs)
        }
        let caps = strategy.budget.caps
        guard let maxPrice = caps.maxUnitPrice else { return blocked("no budget.max_unit_price") }
        var units = requested
        var limit: Exact?
        var unitCost: Exact
        switch kind {
        case .limit:
            guard var p = price, p > .zero else { return blocked("the limit price is not positive") }
            let tick = Exact(snapshot.tick)
            let onTick = Self.floor(p, to: tick)
            if onTick != p {
                notes.append("price \(Self.money(p)) rounded down to the tick \(Self.money(tick)): \(Self.money(onTick))")
                p = onTick
            }
            if p > maxPrice {
                notes.append("price \(Self.money(p)) capped at max_unit_price \(Self.money(maxPrice))")
                capLimit = .maxUnitPrice
                budget = .cut
                p = Self.floor(maxPrice, to: tick)
            }
            guard p > .zero else { return blocked("the limit price rounds to zero") }
            limit = p
            unitCost = p
        case .market:
            // Only liquidity at or under the price cap counts; the reservation assumes the
            // worst price walked.
            var available = 0
            var worst: Exact = .zero
            for level in snapshot.asks where available < units {
                let price = Exact(level.price)
                guard price <= maxPrice else { continue }
                available += level.quantity
                worst = price
            }
            guard available > 0 else {
                let best = snapshot.asks.first.map { "best ask \(Self.money(Exact($0.price)))" } ?? "no asks"
                if !snapshot.asks.isEmpty { capLimit = .maxUnitPrice }
                return blocked("\(best) is above max_unit_price \(Self.money(maxPrice))")
            }
            if available < units {
                notes.append("only \(available) units offered at or under max_unit_price \(Self.money(maxPrice)); buying \(available) of \(units)")
                capLimit = .maxUnitPrice
                budget = .cut
                units = available
            }
            unitCost = worst
        }
        // Lot and minimum size.
        let lot = max(1, snapshot.lotSize)
        if units % lot != 0 {
            let rounded = units / lot * lot
            notes.append("quantity \(units) rounded down to the lot size \(lot): \(rounded)")
            units = rounded
        }
        // Budget: the smallest of what is left (described only when it matters).
        let spentToday = Exact(snapshot.spentToday) + plannedSpend, spentMonth = Exact(snapshot.spentMonth) + plannedSpend
        // The tightest limit: its room, and how to say what it is (only said when it matters).
        let usd = Exact(snapshot.usdAvailable)
        var room = usd
        var tightest = Tightest.usd(usd)
        func consider(_ candidate: Exact, _ limit: @autoclosure () -> Tightest) {
            if candidate < room { (room, tightest) = (candidate, limit()) }
        }
        if let perOrder = caps.perOrder { consider(perOrder, .perOrder(perOrder)) }
        if let daily = caps.daily { consider(daily - spentToday, .cap("daily", daily, spentToday)) }
        if let monthly = caps.monthly { consider(monthly - spentMonth, .cap("monthly", monthly, spentMonth)) }
        if let shared = snapshot.shared {
            let sharedToday = Exact(shared.spentToday) + plannedSpend, sharedMonth = Exact(shared.spentMonth) + plannedSpend
            if let daily = shared.daily.map(Exact.init) { consider(daily - sharedToday, .cap("global daily", daily, sharedToday)) }
            if let monthly = shared.monthly.map(Exact.init) { consider(monthly - sharedMonth, .cap("global monthly", monthly, sharedMonth)) }
        }
        // Each unit costs its price plus the fee on it, rounded up to the micro-dollar (the fee
        // of a fill of n units is never more than n times that).
        let fee = Exact(snapshot.feeRate)
        let perUnit = fee > .zero ? unitCost + (unitCost * fee).rounded(6, .up) : unitCost
        let affordable = room > .zero ? ((room / perUnit).rounded(0, .down).integer ?? 0) / lot * lot : 0
        if affordable < units {
            if affordable < max(1, snapshot.minOrderSize) {
                budget = .exhausted
                capLimit = tightest.limit
                return blocked("budget exhausted: \(tightest) leaves \(Self.money(max(room, .zero))), not enough for \(max(1, snapshot.minOrderSize)) unit\(snapshot.minOrderSize == 1 ? "" : "s") at \(Self.money(perUnit))\(fee > .zero ? " with its fee" : "")")
            }
            notes.append("quantity \(units) cut to \(affordable) by the \(tightest)")
            if case .usd = tightest {} else { budget = .cut; capLimit = tightest.limit }
            units = affordable
        }
        if units < max(1, snapshot.minOrderSize) {
            return blocked("quantity \(units) is under the market's minimum order size \(snapshot.minOrderSize)")
        }
        let maxCost = perUnit * Exact(units)
        plannedSpend = plannedSpend + maxCost
        let intent = Intent.buy(quantity: units, order: kind, limitPrice: limit?.decimal, maxCost: maxCost.decimal, cancelAfter: cancelAfter)
        return RuleOutcome(rule: rule, outcome: notes.isEmpty ? .fired : .adjusted, reason: reason, intent: intent, guardrails: notes, inputs: inputs,
                           budget: budget, limit: capLimit)
    }

    /// - Parameter quantity: the units the rule asks for, as computed (rounded up to whole units here).
    func transfer(rule: String, reason: String, units quantity: Exact, beyondLotWindow: Bool, burn: Exact?, inputs: [String: String]) -> RuleOutcome {
        var notes: [String] = []
        let requested = Self.requested(quantity, notes: &notes)
        if snapshot.paused {
            return RuleOutcome(rule: rule, outcome: .blocked, reason: reason, intent: nil, guardrails: ["kill switch engaged: no transfers"], inputs: inputs)
        }
        guard requested >= 1 else {
            return RuleOutcome(rule: rule, outcome: .skipped, reason: "\(reason), but nothing is needed (quantity 0)", intent: nil, guardrails: [], inputs: inputs)
        }
        var units = requested
        if units > snapshot.inventory {
            guard snapshot.inventory > 0 else {
                return RuleOutcome(rule: rule, outcome: .blocked, reason: reason, intent: nil, guardrails: ["no units in the trading account to transfer"], inputs: inputs)
            }
            notes.append("quantity \(units) cut to the \(snapshot.inventory) units in the trading account")
            units = snapshot.inventory
        }
        if !beyondLotWindow, let burn {
            // Lots expire four hours after they arrive: more than the next four hours of burn
            // (less what consumption already holds) would expire unused.
            // With nothing in consumption the burn is hidden: at least one unit may go.
            let usable = max(Evaluator.wholeUnits(burn * Self.lotLifetimeHours) - snapshot.consumption, snapshot.consumption == 0 ? 1 : 0)
            if units > usable {
                guard usable >= 1 else {
                    return RuleOutcome(rule: rule, outcome: .blocked, reason: reason, intent: nil,
                                       guardrails: notes + ["consumption already holds the next 4 h of burn (\(ValueFormat.text(burn, as: .rate))); more would expire unused"], inputs: inputs)
                }
                notes.append("quantity \(units) cut to \(usable): lots expire after 4 h and burn is \(ValueFormat.text(burn, as: .rate)) (set beyond_lot_window: true to allow more)")
                units = usable
            }
        }
        return RuleOutcome(rule: rule, outcome: notes.isEmpty ? .fired : .adjusted, reason: reason, intent: .transfer(quantity: units), guardrails: notes, inputs: inputs)
    }

    func cancel(rule: String, reason: String, olderThan: Decimal?, inputs: [String: String]) -> RuleOutcome {
        guard snapshot.openBuyOrders > 0 else {
            return RuleOutcome(rule: rule, outcome: .skipped, reason: "\(reason), but there are no open buy orders", intent: nil, guardrails: [], inputs: inputs)
        }
        return RuleOutcome(rule: rule, outcome: .fired, reason: reason, intent: .cancelOpenBuys(olderThan: olderThan), guardrails: [], inputs: inputs)
    }

    /// Rounds `value` down to a multiple of `step`.
    static func floor(_ value: Exact, to step: Exact) -> Exact {
        guard step > .zero else { return value }
        return (value / step).rounded(0, .down) * step
    }

    /// The budget limit with the least room left.
    enum Tightest: CustomStringConvertible {
        case usd(Exact)
        case perOrder(Exact)
        /// A daily or monthly cap (the strategy's or the global one) with what is spent.
        case cap(String, Exact, Exact)

        /// The cap this is; nil for the USD balance, which is not a cap.
        var limit: RuleOutcome.BudgetLimit? {
            switch self {
            case .usd: nil
            case .perOrder: .perOrder
            case .cap(let name, _, _):
                switch name {
                case "daily": .daily
                case "monthly": .monthly
                case "global daily": .globalDaily
                case "global monthly": .globalMonthly
                default: nil
                }
            }
        }

        var description: String {
            switch self {
            case .usd(let usd): return "available USD \(Guardrails.money(usd))"
            case .perOrder(let cap): return "per_order cap \(Guardrails.money(cap))"
            case .cap(let name, let cap, let spent): return "\(name) cap \(Guardrails.money(cap)) with \(Guardrails.money(spent)) spent"
            }
        }
    }
}
