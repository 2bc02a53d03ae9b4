import Execution
import Foundation
import GridKeeperCore
import Ledger
import Testing

@testable import Backtest

/// The market regimes: reproducible, sound books, each with its defining property; the cost
/// per unit used; and the suite that compares a strategy with the JIT buyer and Auto Mode.
@Suite struct RegimesTests {
    static let strategies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies").standardized

    static func mids(_ r: Recording) -> [Double] {
        let d = r.books.depth
        return (0..<r.books.count).map { Double(r.books.bidPrices[$0 * d] + r.books.askPrices[$0 * d]) / 2 }
    }

    /// Demand in units/hour from `from` to `to` (ms), weighted by time.
    static func meanRate(_ r: Recording, where include: (Int64) -> Bool) -> Double {
        let end = r.books.times.last ?? 0
        var units = 0.0, hours = 0.0
        for (i, step) in r.burn.enumerated() {
            let next = i + 1 < r.burn.count ? r.burn[i + 1].ms : end
            var t = step.ms
            while t < next {  // minute by minute, so a step across midnight is split
                let span = Double(min(60_000, next - t)) / 3_600_000
                if include(t) {
                    units += Double(step.milliUnitsPerHour) / 1000 * span
                    hours += span
                }
                t += 60_000
            }
        }
        return hours > 0 ? units / hours : 0
    }

    @Test(arguments: Regime.allCases)
    func aRegimeIsTheSameForASeedAndDiffersAcrossSeeds(_ regime: Regime) {
        let a = Regime.recording(regime, seed: 1, days: 2), b = Regime.recording(regime, seed: 1, days: 2)
        let c = Regime.recording(regime, seed: 2, days: 2)
        #expect(a.books == b.books && a.trades == b.trades && a.burn == b.burn)
        #expect(a.books.count == 2 * 1440 + 1)
        #expect(a.books.askPrices != c.books.askPrices && a.books.askQuantities != c.books.askQuantities && a.trades != c.trades)
        #expect(a.burn != c.burn)
    }

    @Test(arguments: Regime.allCases)
    func booksAreSoundAndTradesCanFillRestingOrders(_ regime: Regime) {
        let r = Regime.recording(regime, seed: 3, days: 3)
        let d = r.books.depth
        #expect(d == 5)
        var crossed = 0, badLevels = 0
        for i in 0..<r.books.count {
            let bids = (0..<d).map { r.books.bidPrices[i * d + $0] }, asks = (0..<d).map { r.books.askPrices[i * d + $0] }
            if bids[0] >= asks[0] { crossed += 1 }
            for k in 1..<d where bids[k] >= bids[k - 1] || asks[k] <= asks[k - 1] { badLevels += 1 }
            for p in bids + asks where p <= 0 || p % Regime.tick != 0 { badLevels += 1 }
        }
        #expect(crossed == 0)
        #expect(badLevels == 0)
        #expect(r.books.bidQuantities.allSatisfy { $0 >= 0 } && r.books.askQuantities.allSatisfy { $0 >= 1 })
        #expect(r.trades.allSatisfy { $0.quantity >= 1 && $0.price > 0 })
        #expect(zip(r.trades, r.trades.dropFirst()).allSatisfy { $0.ms <= $1.ms })
        // The recording ends with its last snapshot, whatever the snapshots' spacing.
        #expect(r.trades.allSatisfy { $0.ms <= r.books.times.last! })
        let hourly = Regime.recording(regime, seed: 3, days: 1, every: 3600)
        #expect(hourly.trades.allSatisfy { $0.ms <= hourly.books.times.last! }, "\(hourly.trades.last.map(\.ms) ?? 0)")
        // Some trades print strictly under the best ask of the snapshot before them.
        var under = 0, j = 0
        for trade in r.trades {
            while j + 1 < r.books.count, r.books.times[j + 1] <= trade.ms { j += 1 }
            if trade.price < r.books.askPrices[j * d] { under += 1 }
        }
        #expect(under > r.trades.count / 3, "\(under) of \(r.trades.count)")
        #expect(r.burn.first?.ms == r.books.times.first && r.burn.allSatisfy { $0.milliUnitsPerHour >= 0 })
        // Around the reference price of 2.50 (the trend has had three days to rise).
        let mids = Self.mids(r).sorted()
        #expect((2_200_000...2_800_000).contains(mids[mids.count / 2]))
    }

    @Test func burstyDemandIdlesThenBurstsForHours() {
        let r = Regime.recording(.bursty, seed: 4, days: 3)
        let end = r.books.times.last ?? 0
        var bursts: [(start: Int64, end: Int64, rates: [Int64])] = []
        for (i, step) in r.burn.enumerated() {
            let next = i + 1 < r.burn.count ? r.burn[i + 1].ms : end
            if step.milliUnitsPerHour < 5000 {
                #expect((150...250).contains(step.milliUnitsPerHour), "idle at \(step.milliUnitsPerHour) milli-units/h")
            } else if let last = bursts.last, last.end == step.ms {
                bursts[bursts.count - 1].end = next
                bursts[bursts.count - 1].rates.append(step.milliUnitsPerHour)
            } else {
                bursts.append((step.ms, next, [step.milliUnitsPerHour]))
            }
        }
        #expect(bursts.count >= 6, "several bursts a day, got \(bursts.count) in 3 days")
        for burst in bursts {
            #expect(burst.rates.allSatisfy { (10_000...25_000).contains($0) }, "\(burst.rates)")
            if burst.end < end {  // the last may be cut by the end of the recording
                #expect((3_600_000...10_800_000).contains(burst.end - burst.start), "a burst of \(burst.end - burst.start) ms")
            }
        }
    }

    /// Growth over 30 days of the mid price, from a least-squares fit of its logarithm.
    static func monthlyGrowth(_ r: Recording) -> Double {
        let y = Self.mids(r).map { log($0) }
        let x = r.books.times.map { Double($0 - r.books.times[0]) / 86_400_000 }
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        let slope = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        return exp(slope * 30) - 1
    }

    @Test func theTrendRisesAQuarterAMonth() {
        for seed: UInt64 in [1, 2, 3] {
            let growth = Self.monthlyGrowth(Regime.recording(.trend, seed: seed, days: 14))
            #expect((0.2...0.3).contains(growth), "seed \(seed): \(growth * 100) % a month")
        }
        let calm = Self.monthlyGrowth(Regime.recording(.calm, seed: 1, days: 14))
        #expect(abs(calm) < 0.12, "calm: \(calm * 100) % a month")
    }

    @Test func spikesRiseFortyToHundredTwentyPercentForTenToSixtyMinutes() {
        let r = Regime.recording(.spikes, seed: 5, days: 3)
        let mids = Self.mids(r)
        let median = mids.sorted()[mids.count / 2]
        var spikes: [(start: Int, end: Int)] = []
        for (i, mid) in mids.enumerated() where mid > median * 1.25 {
            if let last = spikes.last, last.end == i { spikes[spikes.count - 1].end = i + 1 } else { spikes.append((i, i + 1)) }
        }
        #expect(spikes.count >= 6, "several spikes a day, got \(spikes.count) in 3 days")
        for spike in spikes where spike.start > 0 && spike.end < mids.count {
            let before = mids[spike.start - 1], peak = mids[spike.start..<spike.end].max() ?? 0
            #expect((0.35...1.3).contains(peak / before - 1), "a spike of \((peak / before - 1) * 100) %")
            #expect((9...61).contains(spike.end - spike.start), "a spike of \(spike.end - spike.start) min")
        }
        // Thin books: most levels hold at most 30 units.
        let d = r.books.depth
        let quantities = (0..<r.books.count).map { r.books.askQuantities[$0 * d] }.sorted()
        #expect(quantities[quantities.count / 2] <= 30)
        let calm = Regime.recording(.calm, seed: 5, days: 3)
        let calmMids = Self.mids(calm), calmMedian = calmMids.sorted()[calmMids.count / 2]
        #expect(calmMids.allSatisfy { $0 < calmMedian * 1.25 })
    }

    @Test func droughtsHoldOneToThreeUnitsALevelForHours() {
        func runs(_ r: Recording) -> [(start: Int, end: Int)] {
            let d = r.books.depth
            var out: [(start: Int, end: Int)] = []
            for i in 0..<r.books.count {
                let levels = (0..<d).flatMap { [r.books.bidQuantities[i * d + $0], r.books.askQuantities[i * d + $0]] }
                guard levels.allSatisfy({ (1...3).contains($0) }) else { continue }
                if let last = out.last, last.end == i { out[out.count - 1].end = i + 1 } else { out.append((i, i + 1)) }
            }
            return out
        }
        let r = Regime.recording(.drought, seed: 6, days: 5)
        let droughts = runs(r)
        #expect(!droughts.isEmpty)
        for drought in droughts where drought.end < r.books.count {
            #expect(drought.end - drought.start >= 115, "a drought of \(drought.end - drought.start) min")
        }
        // Outside droughts, the book is deep.
        let d = r.books.depth
        let inDrought = Set(droughts.flatMap { Array($0.start..<$0.end) })
        let shallow = (0..<r.books.count).filter { i in !inDrought.contains(i) && (0..<d).contains { r.books.askQuantities[i * d + $0] < 20 } }
        #expect(shallow.isEmpty)
        #expect(runs(Regime.recording(.calm, seed: 6, days: 5)).isEmpty)
    }

    @Test func intradayPricesCycleAndWeekendsAreQuiet() {
        let r = Regime.recording(.intraday, seed: 7, days: 7)  // Tuesday to Tuesday
        func weekend(_ ms: Int64) -> Bool { let day = ((ms / 86_400_000) % 7 + 4) % 7; return day == 0 || day == 6 }
        let weekdays = Self.meanRate(r) { !weekend($0) }, weekends = Self.meanRate(r) { weekend($0) }
        #expect(weekdays > 2 && weekends < 0.3 * weekdays, "weekdays \(weekdays) units/h, weekends \(weekends)")
        func swing(_ r: Recording) -> Double {
            var sums = Array(repeating: 0.0, count: 24), counts = Array(repeating: 0.0, count: 24)
            for (t, mid) in zip(r.books.times, Self.mids(r)) {
                let hour = Int(t % 86_400_000 / 3_600_000)
                sums[hour] += mid
                counts[hour] += 1
            }
            let means = zip(sums, counts).map { $0 / $1 }
            return (means.max() ?? 0) / (means.min() ?? 1) - 1
        }
        #expect(swing(r) > 0.18, "intraday: highest hour \(swing(r) * 100) % over the lowest")
        #expect(swing(Regime.recording(.calm, seed: 7, days: 7)) < 0.1)
        let calm = Regime.recording(.calm, seed: 7, days: 7)
        #expect(Self.meanRate(calm) { weekend($0) } > 0.6 * Self.meanRate(calm) { !weekend($0) })
    }

    @Test func costPerUnitUsedChargesExpiredUnitsToTheUsedOnes() throws {
        var m = BacktestMetrics()
        #expect(m.costPerUnitUsed == nil && m.expiredPercent == nil)
        m.spend = 250
        m.unitsBought = 100
        m.averagePrice = Decimal(string: "2.5")!
        m.consumption.usedMilliUnits = 80_000
        m.consumption.expiredMilliUnits = 10_000
        // 2.50 × (80 + 10) / 80; the 10 units left over are not charged.
        #expect(m.costPerUnitUsed == Decimal(string: "2.8125")!)
        #expect(m.expiredPercent == 10)
        let json = String(decoding: try JSONEncoder().encode(m), as: UTF8.self)
        #expect(json.contains(#""cost_per_unit_used":"2.8125""#) && json.contains(#""expired_percent":"10""#), "\(json)")
        m.consumption.expiredMilliUnits = 0
        #expect(m.costPerUnitUsed == Decimal(string: "2.5")!)
        m.consumption.usedMilliUnits = 0
        #expect(m.costPerUnitUsed == nil)
    }

    @Test func theSuiteComparesAStrategyWithTheJITBuyerAndAutoMode() async throws {
        let keeperPath = Self.strategies.appendingPathComponent("text-prime-keeper.yaml").path
        let jitPath = Self.strategies.appendingPathComponent("baselines/jit-buyer.yaml").path
        let keeper = try RegimeSuite.uncapped(try String(contentsOfFile: keeperPath, encoding: .utf8), file: keeperPath)
        let jit = try RegimeSuite.uncapped(try String(contentsOfFile: jitPath, encoding: .utf8), file: jitPath, instrument: keeper.instrument)
        #expect(keeper.budget.daily == 10_000_000 && keeper.budget.perOrder == 10_000_000 && keeper.budget.maxUnitPrice == 1000)
        #expect(keeper.rules.map(\.name) == ["renew", "feed", "emergency", "stock-deep", "restock"] && jit.name == "jit-buyer")

        let settings = RegimeSuite.Settings(regimes: [.calm, .bursty], seeds: [1], days: 2, jobs: 2)
        let outcome = try await RegimeSuite.run(strategy: keeper, baseline: jit, settings: settings)
        #expect(outcome.rows.map(\.regime) == [.calm, .bursty])
        for row in outcome.rows {
            let run = try #require(row.runs.first)
            #expect(row.runs.count == 1 && run.seed == 1)
            for m in [run.strategy, run.baseline, run.autoMode] {
                #expect(m.unitsBought > 0 && m.consumption.usedUnits > 0 && m.stockoutMinutes.isFinite, "\(row.regime)")
                let cost = try #require(m.costPerUnitUsed)
                #expect(cost >= Decimal(string: "2.0")! && cost < 10, "\(row.regime): \(cost)")
            }
            // No cap decided anything.
            #expect(run.strategy.capHits == 0 && run.baseline.capHits == 0)
            #expect(row.strategyCost == run.strategy.costPerUnitUsed && row.baselineCost == run.baseline.costPerUnitUsed)
            #expect(row.againstBaseline != nil && row.againstAutoMode != nil && row.checks.count == 4)
        }
        #expect(outcome.averageAgainstBaseline != nil && outcome.checks.count == 2)
        let table = RegimeSuite.table(outcome)
        #expect(table.contains("| calm |") && table.contains("| bursty |") && table.contains("overall: "), "\(table)")
        let json = String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self)
        #expect(json.contains("\"bar_passed\":\(outcome.barPassed)"))
    }
}
