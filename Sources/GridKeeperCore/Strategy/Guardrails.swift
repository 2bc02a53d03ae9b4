import Foundation

/// Checks every intent against the budget, the market's rules and the lot window, after the
/// rules and whatever they ask. Each change is recorded with its reason.
struct Guardrails {
    let strategy: Strategy
    let snapshot: MarketSnapshot
    /// Spent within this plan so far (a second buy in one cycle is already excluded).
    var plannedSpend: Decimal = 0

    static let lotLifetimeHours: Decimal = 4

    static func money(_ v: Decimal) -> String { ValueFormat.text(v, as: .money) }

    mutating func buy(rule: String, reason: String, units requested: Int, kind: Strategy.OrderKind, price: Decimal?,
                      cancelAfter: Decimal?, inputs: [String: String]) -> RuleOutcome {
        var notes: [String] = []
        func blocked(_ why: String) -> RuleOutcome {
            RuleOutcome(rule: rule, outcome: .blocked, reason: reason, intent: nil, guardrails: notes + [why], inputs: inputs)
        }
        if snapshot.paused { return blocked("kill switch engaged: no new orders") }
        guard requested >= 1 else {
            return RuleOutcome(rule: rule, outcome: .skipped, reason: "\(reason), but nothing is needed (quantity 0)", intent: nil, guardrails: [], inputs: inputs)
        }
        guard let maxPrice = strategy.budget.maxUnitPrice else { return blocked("no budget.max_unit_price") }
        var units = requested
        var limit: Decimal?
        var unitCost: Decimal
        switch kind {
        case .limit:
            guard var p = price, p > 0 else { return blocked("the limit price is not positive") }
            let onTick = Self.floor(p, to: snapshot.tick)
            if onTick != p {
                notes.append("price \(Self.money(p)) rounded down to the tick \(Self.money(snapshot.tick)): \(Self.money(onTick))")
                p = onTick
            }
            if p > maxPrice {
                notes.append("price \(Self.money(p)) capped at max_unit_price \(Self.money(maxPrice))")
                p = Self.floor(maxPrice, to: snapshot.tick)
            }
            guard p > 0 else { return blocked("the limit price rounds to zero") }
            limit = p
            unitCost = p
        case .market:
            // Only liquidity at or under the price cap counts; the reservation assumes the
            // worst price walked.
            var available = 0
            var worst: Decimal = 0
            for level in snapshot.asks where level.price <= maxPrice && available < units {
                available += level.quantity
                worst = level.price
            }
            guard available > 0 else {
                let best = snapshot.asks.first.map { "best ask \(Self.money($0.price))" } ?? "no asks"
                return blocked("\(best) is above max_unit_price \(Self.money(maxPrice))")
            }
            if available < units {
                notes.append("only \(available) units offered at or under max_unit_price \(Self.money(maxPrice)); buying \(available) of \(units)")
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
        let spentToday = snapshot.spentToday + plannedSpend, spentMonth = snapshot.spentMonth + plannedSpend
        let usd = snapshot.usdAvailable
        var limits: [(() -> String, Decimal)] = [({ "available USD \(Self.money(usd))" }, usd)]
        if let perOrder = strategy.budget.perOrder { limits.append(({ "per_order cap \(Self.money(perOrder))" }, perOrder)) }
        if let daily = strategy.budget.daily {
            limits.append(({ "daily cap \(Self.money(daily)) with \(Self.money(spentToday)) spent" }, daily - spentToday))
        }
        if let monthly = strategy.budget.monthly {
            limits.append(({ "monthly cap \(Self.money(monthly)) with \(Self.money(spentMonth)) spent" }, monthly - spentMonth))
        }
        if let shared = snapshot.shared {
            let sharedToday = shared.spentToday + plannedSpend, sharedMonth = shared.spentMonth + plannedSpend
            if let daily = shared.daily {
                limits.append(({ "global daily cap \(Self.money(daily)) with \(Self.money(sharedToday)) spent" }, daily - sharedToday))
            }
            if let monthly = shared.monthly {
                limits.append(({ "global monthly cap \(Self.money(monthly)) with \(Self.money(sharedMonth)) spent" }, monthly - sharedMonth))
            }
        }
        let (describeTightest, room) = limits.min { $0.1 < $1.1 }!
        let affordable = room > 0 ? NSDecimalNumber(decimal: Self.floor(DecimalMath.divide(room, unitCost), to: 1)).intValue / lot * lot : 0
        if affordable < units {
            if affordable < max(1, snapshot.minOrderSize) {
                return blocked("budget exhausted: \(describeTightest()) leaves \(Self.money(max(room, 0))), not enough for \(max(1, snapshot.minOrderSize)) unit\(snapshot.minOrderSize == 1 ? "" : "s") at \(Self.money(unitCost))")
            }
            notes.append("quantity \(units) cut to \(affordable) by the \(describeTightest())")
            units = affordable
        }
        if units < max(1, snapshot.minOrderSize) {
            return blocked("quantity \(units) is under the market's minimum order size \(snapshot.minOrderSize)")
        }
        let maxCost = unitCost * Decimal(units)
        plannedSpend += maxCost
        let intent = Intent.buy(quantity: units, order: kind, limitPrice: limit, maxCost: maxCost, cancelAfter: cancelAfter)
        return RuleOutcome(rule: rule, outcome: notes.isEmpty ? .fired : .adjusted, reason: reason, intent: intent, guardrails: notes, inputs: inputs)
    }

    func transfer(rule: String, reason: String, units requested: Int, beyondLotWindow: Bool, burn: Decimal?, inputs: [String: String]) -> RuleOutcome {
        var notes: [String] = []
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
    static func floor(_ value: Decimal, to step: Decimal) -> Decimal {
        guard step > 0 else { return value }
        var q = DecimalMath.divide(value, step)
        var r = Decimal()
        NSDecimalRound(&r, &q, 0, .down)
        return r * step
    }
}
