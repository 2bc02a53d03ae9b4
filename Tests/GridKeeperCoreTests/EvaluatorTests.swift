import Foundation
import Testing

@testable import GridKeeperCore

/// Snapshot in, plan out: every signal, rule outcome and guardrail.
@Suite struct EvaluatorTests {
    static let asOf = Date(timeIntervalSince1970: 1_790_000_000)  // 14:13:20 UTC
    static func dec(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }

    /// A snapshot whose balance history shows `burn` units/hour for the last two hours and
    /// whose market history holds 24 h of one-minute points at `averagePrice` (last).
    static func snapshot(consumption: Int = 10, inventory: Int = 0, usd: String = "1000", burn: Int = 12, bid: String = "2.49",
                         ask: String = "2.51", askDepth: [(String, Int)] = [], averagePrice: String = "2.60", spentToday: String = "0",
                         paused: Bool = false, historyHours: Double = 24, openBuys: Int = 0, lotSize: Int = 1,
                         balanceMinutes: Int = 120) -> MarketSnapshot {
        var balances: [MarketSnapshot.BalancePoint] = []
        for i in stride(from: balanceMinutes, through: 0, by: -5) {
            balances.append(.init(time: asOf.addingTimeInterval(-Double(i) * 60), consumption: consumption + burn * i / 60, inventory: inventory))
        }
        let micros = Int64(NSDecimalNumber(decimal: dec(averagePrice) * 1_000_000).int64Value)
        let points = Int(historyHours * 60)
        let market = (0..<points).map { i in
            MarketSnapshot.MarketPoint(time: asOf.addingTimeInterval(-Double(points - 1 - i) * 60), bidMicros: micros - 10_000, askMicros: micros + 10_000,
                                       lastMicros: micros + Int64(i % 2 == 0 ? 5_000 : -5_000))
        }
        var asks = [MarketSnapshot.Level(price: dec(ask), quantity: 50)]
        asks += askDepth.map { .init(price: dec($0.0), quantity: $0.1) }
        return MarketSnapshot(asOf: asOf, instrument: "text-prime", consumption: consumption, inventory: inventory, usdAvailable: dec(usd),
                              spentToday: dec(spentToday), spentMonth: dec(spentToday), bids: [.init(price: dec(bid), quantity: 50)], asks: asks,
                              last: dec(averagePrice), lotSize: lotSize, openBuyOrders: openBuys, paused: paused, marketHistory: market[...],
                              balanceHistory: balances[...])
    }

    static func strategy(_ rules: String, budget: String = "{ daily: 40.00, monthly: 600.00, per_order: 15.00, max_unit_price: 3.00 }") throws -> Strategy {
        try StrategyParser.parse("""
            strategy: t
            instrument: text-prime
            every: 1m
            budget: \(budget)
            rules:
            \(rules)
            """, file: "t.yaml")
    }

    static var keeper: Strategy {
        get throws {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized.path
            return try StrategyParser.load(path: path)
        }
    }

    static func outcome(_ plan: Plan, _ rule: String) throws -> RuleOutcome {
        try #require(plan.outcomes.first { $0.rule == rule })
    }

    // MARK: Signals

    @Test(arguments: [
        ("consumption == 10", true), ("inventory == 0", true), ("burn == 12", true), ("runway == 50m", true),
        ("stock_runway == 50m", true), ("bid == 2.49", true), ("ask == 2.51", true), ("mid == 2.50", true), ("spread == 0.02", true),
        ("last == 2.60", true), ("tick == 0.01", true), ("usd == 1000", true), ("spent_today == 0", true), ("spent_month == 0", true),
        ("hour == 14", true), ("on_order == 0", true), ("avg(last, 24h) == 2.60", true), ("min(last, 1h) == 2.595", true), ("max(last, 1h) == 2.605", true),
        ("avg(mid, 2h) == 2.60", true), ("avg(consumption, 1h) > consumption", true), ("ewma(bid, 1h) == 2.59", true),
        ("cover(2h) == 14", true), ("cover_stock(2h) == 14", true), ("burn * 1h == 12", true), ("consumption / burn == 50m", true),
    ])
    func signalsAndFunctionsHaveTheirValues(_ condition: String, _ expected: Bool) throws {
        let strategy = try Self.strategy("  - { name: r, when: \"\(condition)\", cancel: all }")
        let plan = Evaluator.evaluate(strategy, on: Self.snapshot(openBuys: 1))
        let outcome = try Self.outcome(plan, "r")
        #expect((outcome.outcome == .fired) == expected, "\(condition): \(outcome.reason)")
    }

    @Test func unitsOnOrderCountAsStock() throws {
        // Ten units still to come from open buy orders: `on_order` reads them, `cover_stock`
        // does not order them again, `cover` (consumption only) is unchanged.
        var snap = Self.snapshot(openBuys: 2)
        snap.unitsOnOrder = 10
        let strategy = try Self.strategy("  - { name: r, when: \"on_order == 10 and cover_stock(2h) == 4 and cover(2h) == 14\", cancel: all }")
        let outcome = try Self.outcome(Evaluator.evaluate(strategy, on: snap), "r")
        #expect(outcome.outcome == .fired, "\(outcome.reason)")
        snap.unitsOnOrder = 30
        let covered = try Self.strategy("  - { name: r, when: \"cover_stock(2h) == 0\", cancel: all }")
        #expect(try Self.outcome(Evaluator.evaluate(covered, on: snap), "r").outcome == .fired, "more on order than needed asks for nothing")
    }

    @Test func burnIgnoresTransfersInAndModelledExpiries() throws {
        var snap = Self.snapshot(consumption: 30, burn: 0)
        // Consumption 40 → 30 (used 10), +20 transferred in, 50 → 42 of which 5 expired.
        snap.balanceHistory = [(0, 40), (20, 30), (30, 50), (60, 42)].map { .init(time: Self.asOf.addingTimeInterval(Double($0.0 - 60) * 60), consumption: $0.1, inventory: 0) }[...]
        snap.expiries = [.init(time: Self.asOf.addingTimeInterval(-10 * 60), units: 5)]
        let strategy = try Self.strategy("  - { name: r, when: burn == 13, cancel: all }")
        snap.openBuyOrders = 1
        #expect(try Self.outcome(Evaluator.evaluate(strategy, on: snap), "r").outcome == .fired, "10 + 8 − 5 = 13 units in one hour")
    }

    @Test(arguments: [
        ("burn > 0", 0.1, "burn needs 15m of balance history"),
        ("avg(last, 24h) > 0", 12.0, "avg(last, 1d) needs 1d of history, have 11h59m"),
        ("ask > 0", -1.0, "no asks on the book"),
    ])
    func shortHistoryOrEmptyBooksStopTheRuleWithAReason(_ condition: String, _ hours: Double, _ reason: String) throws {
        let strategy = try Self.strategy("  - { name: r, when: \"\(condition)\", cancel: all }")
        var snap = Self.snapshot(historyHours: max(hours, 0.5), openBuys: 1)
        if hours < 1 && condition.hasPrefix("burn") { snap.balanceHistory = snap.balanceHistory.suffix(2) }
        if hours < 0 { snap.asks = [] }
        let outcome = try Self.outcome(Evaluator.evaluate(strategy, on: snap), "r")
        #expect(outcome.outcome == .skipped)
        #expect(outcome.reason.contains(reason), "\(outcome.reason)")
    }

    @Test func anEmptyConsumptionAccountHasNoRunway() throws {
        // Dry for a while: the balance history shows no burn, yet the runway is zero and
        // cover() asks for at least one unit.
        var snap = Self.snapshot(consumption: 0, inventory: 0, burn: 0)
        snap.openBuyOrders = 1
        let strategy = try Self.strategy("  - { name: r, when: \"runway < 20m and stock_runway == 0s and cover(2h) == 1 and cover_stock(2h) == 1\", cancel: all }")
        #expect(try Self.outcome(Evaluator.evaluate(strategy, on: snap), "r").outcome == .fired)
    }

    @Test func noLookahead() throws {
        let strategy = try Self.strategy("  - { name: r, when: \"max(last, 1h) < 3\", cancel: all }")
        var snap = Self.snapshot(openBuys: 1)
        let before = Evaluator.evaluate(strategy, on: snap)
        // Data from the future — a spike and a balance jump — must change nothing.
        snap.marketHistory.append(.init(time: Self.asOf.addingTimeInterval(60), bidMicros: 9_000_000, askMicros: 9_100_000, lastMicros: 9_050_000))
        snap.balanceHistory.append(.init(time: Self.asOf.addingTimeInterval(60), consumption: 0, inventory: 0))
        let after = Evaluator.evaluate(strategy, on: snap)
        #expect(before == after)
        #expect(try Self.outcome(after, "r").outcome == .fired)
    }

    // MARK: Rules of the example keeper

    @Test func theKeeperFeedsFromInventoryJustInTime() throws {
        // Burn 12 units/h, steady for two hours: the peak quarter hour is 12/h too.
        let plan = Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 2, inventory: 40))
        #expect(try Self.outcome(plan, "renew").reason == "runway 10m ≥ 5m")
        // Three minutes at 12/h is 0.6, plus 1: the 2 held are enough.
        #expect(try Self.outcome(plan, "feed").intent == nil)
        let feed = try Self.outcome(Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 1, inventory: 40)), "feed")
        // With 1 held: 0.6 more, a whole unit.
        #expect(feed.outcome == .fired && feed.intent == .transfer(quantity: 1), "\(feed.reason)")
        #expect(feed.reason == "inventory 40 > 0")
        // Holding more than the next minutes need, it moves nothing.
        let full = try Self.outcome(Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 10, inventory: 40)), "feed")
        #expect(full.intent == nil, "\(full)")
        #expect(try Self.outcome(plan, "emergency").outcome == .skipped)
    }

    @Test func theKeeperRenewsBeforeConsumptionRunsOut() throws {
        let plan = Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 0, inventory: 40))
        let renew = try Self.outcome(plan, "renew")
        #expect(renew.outcome == .fired && renew.intent == .transfer(quantity: 2), "0.6 + 1 rounds up to 2: \(renew)")
    }

    @Test func theKeeperBuysAtMarketWhenStockRunsLow() throws {
        let plan = Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 2, inventory: 0))
        let emergency = try Self.outcome(plan, "emergency")
        // 2 + 0 units cannot cover half an hour at 12/h plus 4: buy two hours plus 4 = 28, but
        // per_order 15.00 at 2.51 allows 5.
        guard case .buy(let quantity, .market, nil, let maxCost, nil)? = emergency.intent else {
            Issue.record("expected a market buy: \(emergency)")
            return
        }
        #expect(quantity == 5 && maxCost == Self.dec("12.55"))
        #expect(emergency.outcome == .adjusted && emergency.guardrails == ["quantity 28 cut to 5 by the per_order cap 15"], "\(emergency)")
        #expect(try Self.outcome(plan, "restock").reason.contains("an earlier rule already buys"))
        // Enough in stock: no market buy, whatever consumption holds.
        let stocked = Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 0, inventory: 12))
        #expect(try Self.outcome(stocked, "emergency").outcome == .skipped)
    }

    @Test func theKeeperStocksOnlyWhenThePriceIsLow() throws {
        // The last day's asks stood at 2.61; an ask of 2.51 is the lowest of the day: stock
        // three days at the burn of the last day (12/h), at the bid, for ten minutes.
        let cheap = Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 200, inventory: 0, ask: "2.51", averagePrice: "2.60"))
        let deep = try Self.outcome(cheap, "stock-deep")
        guard case .buy(let quantity, .limit, let price, _, let cancelAfter)? = deep.intent else {
            Issue.record("expected a limit buy: \(deep)")
            return
        }
        #expect(price == Self.dec("2.49") && cancelAfter == 600 && quantity == 6, "\(deep)")
        #expect(deep.guardrails == ["quantity 864 cut to 6 by the per_order cap 15"], "\(deep.guardrails)")
        #expect(try Self.outcome(cheap, "restock").reason.contains("an earlier rule already buys"))
        // Over the day's asks: nothing is bought.
        let dear = Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 200, inventory: 0, ask: "2.62", averagePrice: "2.60"))
        for rule in ["stock-deep", "restock"] {
            let skipped = try Self.outcome(dear, rule)
            #expect(skipped.outcome == .skipped && skipped.reason.contains("rank(ask, 1d) = 1 >"), "\(skipped.reason)")
        }
    }

    @Test func theKeeperStocksADayInTheCheapestThirdAndThreeInTheCheapestTwentieth() throws {
        // Asks over the last day cycle through 2.50, 2.51, … 2.69, each as often.
        var snap = Self.snapshot(consumption: 200, inventory: 0, usd: "100000", ask: "2.53", averagePrice: "2.60")
        snap.marketHistory = snap.marketHistory.enumerated().map { i, point in
            let ask = 2_500_000 + Int64(i % 20) * 10_000
            return MarketSnapshot.MarketPoint(time: point.time, bidMicros: ask - 20_000, askMicros: ask, lastMicros: ask)
        }[...]
        var strategy = try Self.keeper
        strategy.budget = .init(daily: 10_000, monthly: 100_000, perOrder: 10_000, maxUnitPrice: 3)
        // 2.53 has three of twenty values below it and ties one: rank 0.175.
        let day = Evaluator.evaluate(strategy, on: snap)
        #expect(try Self.outcome(day, "stock-deep").outcome == .skipped)
        let restock = try Self.outcome(day, "restock")
        #expect(restock.intent.map { if case .buy(288, .limit, _, _, _) = $0 { true } else { false } } == true, "a day at 12/h: \(restock)")
        // 2.50 is the day's lowest: three days, less what is held.
        snap.asks = [.init(price: Self.dec("2.50"), quantity: 5_000)]
        snap.inventory = 100
        let deep = try Self.outcome(Evaluator.evaluate(strategy, on: snap), "stock-deep")
        #expect(deep.intent.map { if case .buy(764, .limit, _, _, _) = $0 { true } else { false } } == true, "3 × 288 − 100: \(deep)")
    }

    @Test func evaluationIsDeterministic() throws {
        let snap = Self.snapshot(consumption: 3, inventory: 7)
        #expect(Evaluator.evaluate(try Self.keeper, on: snap) == Evaluator.evaluate(try Self.keeper, on: snap))
    }

    // MARK: Guardrails

    @Test(arguments: [
        // (budget, spent today, usd, expected quantity or nil when blocked, guardrail text, budget effect)
        ("{ daily: 40.00, max_unit_price: 3.00 }", "35.00", "1000", 1, "daily cap 40 with 35 spent", RuleOutcome.BudgetEffect.cut),
        ("{ daily: 40.00, max_unit_price: 3.00 }", "39.00", "1000", nil, "budget exhausted: daily cap 40 with 39 spent leaves 1", .exhausted),
        ("{ monthly: 600.00, max_unit_price: 3.00 }", "595.00", "1000", 1, "monthly cap 600", .cut),
        ("{ daily: 40.00, per_order: 5.00, max_unit_price: 3.00 }", "0", "1000", 1, "per_order cap 5", .cut),
        ("{ daily: 40.00, max_unit_price: 3.00 }", "0", "7.00", 2, "available USD 7", nil),  // the balance is not a cap
        ("{ daily: 40.00, max_unit_price: 3.00 }", "0", "2.00", nil, "budget exhausted: available USD 2", .exhausted),
        ("{ daily: 40.00, max_unit_price: 2.00 }", "0", "1000", nil, "best ask 2.51 is above max_unit_price 2", nil),
    ] as [(String, String, String, Int?, String, RuleOutcome.BudgetEffect?)])
    func budgetsHoldWhateverTheRuleAsks(_ budget: String, _ spent: String, _ usd: String, _ expected: Int?, _ note: String,
                                        _ effect: RuleOutcome.BudgetEffect?) throws {
        let strategy = try Self.strategy("  - { name: r, when: consumption > 0, buy: { quantity: 100, order: market } }", budget: budget)
        let outcome = try Self.outcome(Evaluator.evaluate(strategy, on: Self.snapshot(usd: usd, askDepth: [("2.52", 500)], spentToday: spent)), "r")
        if let expected {
            guard case .buy(let quantity, _, _, let maxCost, _)? = outcome.intent else {
                Issue.record("expected a buy: \(outcome)")
                return
            }
            #expect(quantity == expected)
            #expect(maxCost <= Self.dec(usd))
        } else {
            #expect(outcome.outcome == .blocked && outcome.intent == nil)
        }
        #expect(outcome.guardrails.contains { $0.contains(note) }, "\(outcome.guardrails)")
        #expect(outcome.budget == effect, "\(outcome)")
    }

    @Test func aLimitPriceLoweredToMaxUnitPriceIsACut() throws {
        // The cap shaped the buy, so it counts where cap hits are counted (backtest, metrics).
        let strategy = try Self.strategy("  - { name: r, when: consumption > 0, buy: { quantity: 2, order: limit, price: ask + 1 } }",
                                         budget: "{ daily: 40.00, max_unit_price: 2.60 }")
        let outcome = try Self.outcome(Evaluator.evaluate(strategy, on: Self.snapshot()), "r")
        guard case .buy(_, _, let limit, _, _)? = outcome.intent else {
            Issue.record("expected a buy: \(outcome)")
            return
        }
        #expect(limit == Self.dec("2.60"))
        #expect(outcome.budget == .cut && outcome.limit == .maxUnitPrice, "\(outcome)")
    }

    /// A computed quantity beyond what one rule may ask for is cut with a note, not silently
    /// (a literal one is refused when the file is read).
    @Test func aHugeComputedQuantityIsCutWithANote() throws {
        let buy = try Self.strategy("  - { name: r, when: consumption > 0, buy: { quantity: consumption * 100000000000000000000, order: market } }")
        let bought = try Self.outcome(Evaluator.evaluate(buy, on: Self.snapshot(consumption: 10)), "r")
        #expect(bought.outcome == .adjusted, "\(bought)")
        #expect(bought.guardrails.first == "quantity 1000000000000000000000 cut to 1000000, the most one rule may ask for", "\(bought.guardrails)")
        #expect(bought.guardrails.dropFirst().first?.contains("buying 50 of 1000000") == true, "\(bought.guardrails)")
        let move = try Self.strategy("  - { name: r, when: inventory > 0, transfer: { quantity: inventory * 1000000, beyond_lot_window: true } }")
        let moved = try Self.outcome(Evaluator.evaluate(move, on: Self.snapshot(inventory: 3)), "r")
        #expect(moved.intent == .transfer(quantity: 3))
        #expect(moved.guardrails == ["quantity 3000000 cut to 1000000, the most one rule may ask for",
                                     "quantity 1000000 cut to the 3 units in the trading account"], "\(moved.guardrails)")
    }

    @Test func limitPricesRoundToTheTickAndStayUnderTheCap() throws {
        let strategy = try Self.strategy("  - { name: r, when: consumption > 0, buy: { quantity: 2, order: limit, price: bid * 1.005 } }",
                                         budget: "{ daily: 40.00, max_unit_price: 2.50 }")
        let outcome = try Self.outcome(Evaluator.evaluate(strategy, on: Self.snapshot(bid: "2.49")), "r")
        #expect(outcome.intent == .buy(quantity: 2, order: .limit, limitPrice: Self.dec("2.50"), maxCost: 5, cancelAfter: nil))
        #expect(outcome.guardrails == ["price 2.50245 rounded down to the tick 0.01: 2.5"])
        let capped = try Self.strategy("  - { name: r, when: consumption > 0, buy: { quantity: 2, order: limit, price: ask + 1 } }",
                                       budget: "{ daily: 40.00, max_unit_price: 2.55 }")
        let capOutcome = try Self.outcome(Evaluator.evaluate(capped, on: Self.snapshot()), "r")
        #expect(capOutcome.intent == .buy(quantity: 2, order: .limit, limitPrice: Self.dec("2.55"), maxCost: Self.dec("5.10"), cancelAfter: nil))
    }

    @Test func lotSizesAndMarketLiquidityShapeTheOrder() throws {
        let strategy = try Self.strategy("  - { name: r, when: consumption > 0, buy: { quantity: 7, order: market } }")
        let lots = try Self.outcome(Evaluator.evaluate(strategy, on: Self.snapshot(lotSize: 5)), "r")
        #expect(lots.intent.map { if case .buy(let q, _, _, _, _) = $0 { return q } else { return -1 } } == 5)
        let thin = try Self.strategy("  - { name: r, when: consumption > 0, buy: { quantity: 80, order: market } }", budget: "{ daily: 1000, max_unit_price: 2.52 }")
        let outcome = try Self.outcome(Evaluator.evaluate(thin, on: Self.snapshot(askDepth: [("2.52", 10), ("2.90", 100)])), "r")
        #expect(outcome.intent == .buy(quantity: 60, order: .market, limitPrice: nil, maxCost: Self.dec("151.20"), cancelAfter: nil))
    }

    @Test func ordersUnderTheMarketsMinimumAreBlocked() throws {
        let strategy = try Self.strategy("  - { name: r, when: consumption > 0, buy: { quantity: 3, order: market } }")
        var snap = Self.snapshot()
        snap.minOrderSize = 5
        let outcome = try Self.outcome(Evaluator.evaluate(strategy, on: snap), "r")
        #expect(outcome.outcome == .blocked && outcome.guardrails.last?.contains("minimum order size 5") == true, "\(outcome.guardrails)")
    }

    @Test func transfersStayWithinFourHoursOfBurn() throws {
        let strategy = try Self.strategy("  - { name: r, when: inventory > 0, transfer: { quantity: 500 } }")
        let outcome = try Self.outcome(Evaluator.evaluate(strategy, on: Self.snapshot(consumption: 10, inventory: 300, burn: 12)), "r")
        #expect(outcome.intent == .transfer(quantity: 38), "4 h × 12/h − 10 in consumption")
        #expect(outcome.guardrails.contains { $0.contains("lots expire after 4 h") }, "\(outcome.guardrails)")
        let explicit = try Self.strategy("  - { name: r, when: inventory > 0, transfer: { quantity: 500, beyond_lot_window: true } }")
        #expect(try Self.outcome(Evaluator.evaluate(explicit, on: Self.snapshot(inventory: 300)), "r").intent == .transfer(quantity: 300))
        let full = try Self.outcome(Evaluator.evaluate(strategy, on: Self.snapshot(consumption: 60, inventory: 300, burn: 12)), "r")
        #expect(full.outcome == .blocked)
    }

    @Test func theKillSwitchBlocksEverything() throws {
        let plan = Evaluator.evaluate(try Self.keeper, on: Self.snapshot(consumption: 2, inventory: 0, paused: true))
        let emergency = try Self.outcome(plan, "emergency")
        #expect(emergency.outcome == .blocked && emergency.guardrails == ["kill switch engaged: no new orders"])
        #expect(plan.intents.isEmpty)
    }

    @Test func cancelNeedsOpenOrders() throws {
        let strategy = try Self.strategy("  - { name: r, when: consumption > 0, cancel: { older_than: 15m } }")
        #expect(try Self.outcome(Evaluator.evaluate(strategy, on: Self.snapshot()), "r").outcome == .skipped)
        #expect(try Self.outcome(Evaluator.evaluate(strategy, on: Self.snapshot(openBuys: 2)), "r").intent == .cancelOpenBuys(olderThan: 900))
    }
}
