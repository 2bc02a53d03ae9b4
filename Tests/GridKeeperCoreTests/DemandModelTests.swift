import Foundation
import Testing

@testable import GridKeeperCore

/// The demand model: stockouts counted as demand, quarter-hour peaks, the weekly forecast,
/// and ranks of prices in their own history.
@Suite struct DemandModelTests {
    static let asOf = EvaluatorTests.asOf  // a Monday, 14:13:20 UTC

    /// A snapshot whose consumption balance, sampled every `step` minutes up to `asOf`, is
    /// `balance(minutesAgo)`.
    static func snapshot(hours: Double, step: Int = 5, consumption balance: (Int) -> Int) -> MarketSnapshot {
        var snap = EvaluatorTests.snapshot(openBuys: 1)
        let minutes = Int(hours * 60)
        snap.balanceHistory = stride(from: minutes, through: 0, by: -step).map { ago in
            .init(time: asOf.addingTimeInterval(-Double(ago) * 60), consumption: balance(ago), inventory: 0)
        }[...]
        snap.consumption = balance(0)
        snap.expiries = []
        return snap
    }

    /// The value of a numeric expression on `snap`, through a rule's inputs.
    static func value(_ expression: String, type: ValueType = .rate, on snap: MarketSnapshot) throws -> Decimal {
        let strategy = try EvaluatorTests.strategy("  - { name: r, when: \"\(expression) >= 0\", cancel: all }")
        let outcome = try EvaluatorTests.outcome(Evaluator.evaluate(strategy, on: snap), "r")
        #expect(outcome.outcome == .fired, "\(expression): \(outcome.reason)")
        let text = try #require(outcome.inputs[expression] ?? outcome.inputs.first { $0.key.hasPrefix(expression.prefix(while: { $0 != "(" })) }?.value,
                                "\(expression) not among the inputs \(outcome.inputs)")
        return try #require(Decimal(string: String(text.prefix { "0123456789.-".contains($0) }), locale: Locale(identifier: "en_US_POSIX")))
    }

    // MARK: Stockouts

    @Test func aStockoutCountsAsDemandAtTheRateBeforeIt() throws {
        // 12 units/hour (one every 5 minutes) until the balance runs out 30 minutes ago.
        let snap = Self.snapshot(hours: 1.5) { ago in max(0, (ago - 30) / 5) }
        // Seen in the last hour: 6 units; the 30 dry minutes count at 12/h as well.
        #expect(try Self.value("burn", on: snap) == 12)
        #expect(try Self.value("burn(30m)", on: snap) == 12)
    }

    @Test func withoutDemandBeforeItAnEmptyBalanceIsNoDemand() throws {
        let snap = Self.snapshot(hours: 2) { _ in 0 }
        #expect(try Self.value("burn", on: snap) == 0)
        #expect(try Self.value("burn_peak(1h)", on: snap) == 0)
    }

    @Test func aStockoutEndsWhenUnitsArrive() throws {
        // Dry from 60 to 30 minutes ago at 12/h before it; then 10 units arrived and nothing was used.
        let snap = Self.snapshot(hours: 2) { ago in ago >= 60 ? max(0, (ago - 60) / 5) : ago >= 30 ? 0 : 10 }
        // The last half hour shows no use, and is not held to the rate before the stockout.
        #expect(try Self.value("burn(30m)", on: snap) == 0)
        // The hour before holds the dry half hour at 12/h: 6 units in it.
        #expect(try Self.value("burn(1h)", on: snap) == 6)
    }

    @Test func lotExpiriesAreNotDemandAndDoNotStartAStockout() throws {
        var snap = Self.snapshot(hours: 1) { ago in ago > 20 ? 5 : 0 }
        // The five units left when their lot expired 20 minutes ago.
        snap.expiries = [.init(time: Self.asOf.addingTimeInterval(-20 * 60), units: 5)]
        #expect(try Self.value("burn", on: snap) == 0)
    }

    // MARK: Peaks

    @Test func burnPeakSeesABurstWithinMinutesAndForgetsItAfterItsWindow() throws {
        // Idle at one unit an hour for two hours, then 24/h (two units every 5 minutes) for the last 20 minutes.
        let burst = Self.snapshot(hours: 2) { ago in 100 + (ago >= 20 ? (ago - 20) / 60 : 0) + min(ago, 20) * 2 / 5 - 8 }
        #expect(try Self.value("burn_peak(30m)", on: burst) == 24)
        #expect(try Self.value("burn", on: burst) < 12)

        // The same burst, from 70 to 50 minutes ago.
        let ended = Self.snapshot(hours: 3) { ago in ago >= 70 ? 200 + (ago - 70) / 60 : ago >= 50 ? 200 - (70 - ago) * 2 / 5 : 192 }
        #expect(try Self.value("burn_peak(1h)", on: ended) == 24)
        #expect(try Self.value("burn_peak(30m)", on: ended) == 0)
    }

    // MARK: Forecast

    @Test func forecastWithoutAProfileIsTheCurrentRate() throws {
        let snap = Self.snapshot(hours: 2) { ago in 50 + ago / 5 }
        #expect(try Self.value("forecast(2h)", type: .units, on: snap) == 24)
    }

    @Test func forecastFadesIntoTheWeeklyProfile() throws {
        // A week of one unit an hour, except the same hours a week ago (14:00–17:00 UTC on
        // Monday), when the team used 20 an hour.
        let week = 7 * 24 * 60
        // Units used from `m` minutes ago until now, minute by minute (asOf is 14:13:20: a week
        // ago 14:00 is week + 13 minutes ago, 17:00 is week − 167).
        var used = [0.0]
        for m in 0..<(week + 60) { used.append(used[m] + (m >= week - 166 && m < week + 13 ? 20.0 : 1.0) / 60) }
        let snap = Self.snapshot(hours: Double(week) / 60 + 1, step: 1) { ago in 5000 + Int(used[ago]) }
        let forecast = try Self.value("forecast(2h)", type: .units, on: snap)
        // ∫₀² [e^(−t)·1 + (1 − e^(−t))·20] dt = 40 − 19·(1 − e^(−2)) ≈ 23.57 units, a little
        // less because this hour so far (1/h) shares Monday 14:00 with last week's 20/h.
        #expect(forecast > 21.5 && forecast < 24, "forecast(2h) = \(forecast)")
        // Outside those hours the profile is one an hour, as is the current rate.
        let quiet = try Self.value("forecast(1h)", type: .units, on: Self.snapshot(hours: 30, step: 1) { ago in 5000 + ago / 60 })
        #expect(quiet > 0.9 && quiet < 1.1, "forecast(1h) = \(quiet)")
    }

    // MARK: Rank

    @Test func rankPlacesTheAskInItsOwnHistory() throws {
        var snap = EvaluatorTests.snapshot(openBuys: 1)
        // A day of asks from 2.40 to 2.599, evenly spread.
        snap.marketHistory = (0..<1440).map { i in
            MarketSnapshot.MarketPoint(time: Self.asOf.addingTimeInterval(-Double(1439 - i) * 60), bidMicros: nil,
                                       askMicros: 2_400_000 + Int64(i % 200) * 1_000, lastMicros: nil)
        }[...]
        snap.asks = [.init(price: EvaluatorTests.dec("2.45"), quantity: 10)]
        // 390 of the 1,440 asks are under 2.45 and 7 equal to it: (390 + 3.5) / 1440 = 0.273.
        #expect(try Self.value("rank(ask, 1d)", type: .number, on: snap) == EvaluatorTests.dec("0.273"))
        snap.asks = [.init(price: EvaluatorTests.dec("2.30"), quantity: 10)]
        #expect(try Self.value("rank(ask, 1d)", type: .number, on: snap) == 0)
        snap.asks = [.init(price: EvaluatorTests.dec("2.70"), quantity: 10)]
        #expect(try Self.value("rank(ask, 1d)", type: .number, on: snap) == 1)
    }

    @Test func rankNeedsItsWindowOfHistory() throws {
        let strategy = try EvaluatorTests.strategy("  - { name: r, when: \"rank(ask, 7d) < 0.5\", cancel: all }")
        let outcome = try EvaluatorTests.outcome(Evaluator.evaluate(strategy, on: EvaluatorTests.snapshot(openBuys: 1)), "r")
        #expect(outcome.outcome == .skipped)
        #expect(outcome.reason.contains("rank(ask, 7d) needs 7d of history"), "\(outcome.reason)")
    }

    // MARK: cover at a rate

    @Test func coverTakesARate() throws {
        // 10 units held, at 24/h one hour needs 24: 14 more.
        let snap = Self.snapshot(hours: 2) { ago in 10 + ago / 5 }
        #expect(try Self.value("cover(1h, 24)", type: .units, on: snap) == 14)
        #expect(try Self.value("cover(1h, burn_peak(30m) * 2)", type: .units, on: snap) == 14)
        #expect(try Self.value("cover(1h)", type: .units, on: snap) == 2)
    }

    // MARK: Validation

    @Test(arguments: [
        ("burn_peak(5m) > 0", "burn_peak(…) needs a duration of at least 15m"),
        ("burn(1m) > 0", "burn(…) needs a duration of at least 5m"),
        ("forecast(60d) > 0", "forecast(…) takes at most 28d"),
        ("rank(ask, 30d) < 0.5", "the window of rank(…) is at most 28d"),
        ("rank(burn, 1d) < 0.5", "burn has no recorded history"),
        ("cover(1h, ask) > 0", "the second argument of cover(…) is a rate"),
        ("rank(ask, 1d) < 2h", "cannot compare"),
        ("burn_peak(1h) > 2h", "cannot compare"),
    ])
    func demandFunctionsAreCheckedWhenTheFileIsValidated(_ condition: String, _ message: String) throws {
        #expect(throws: (any Error).self) { try EvaluatorTests.strategy("  - { name: r, when: \"\(condition)\", cancel: all }") }
        do {
            _ = try EvaluatorTests.strategy("  - { name: r, when: \"\(condition)\", cancel: all }")
        } catch {
            #expect("\(error)".contains(message), "\(condition): \(error)")
        }
    }

    @Test func theHistoryLoadedCoversWhatTheRulesRead() throws {
        #expect(try EvaluatorTests.strategy("  - { name: r, when: burn > 0, cancel: all }").historyNeeded == 3600)
        #expect(try EvaluatorTests.strategy("  - { name: r, when: \"rank(ask, 3d) < 0.2\", cancel: all }").historyNeeded == 3 * 86_400)
        #expect(try EvaluatorTests.strategy("  - { name: r, when: burn_peak(2h) > 0, cancel: all }").historyNeeded == 2 * 3600 + 900)
        #expect(try EvaluatorTests.strategy("  - { name: r, when: consumption > 0, transfer: { quantity: forecast(2h) } }").historyNeeded == 7 * 86_400)
    }

    @Test func hoursOfTheWeekStartOnMondayUTC() {
        // 2026-11-30 is a Monday.
        let monday: Int64 = 1_795_996_800_000
        #expect(DemandModel.hourOfWeek(ms: monday) == 0)
        #expect(DemandModel.hourOfWeek(ms: monday + 3_600_000 * 25) == 25)
        #expect(DemandModel.hourOfWeek(ms: monday - 1) == 167)
    }
}
