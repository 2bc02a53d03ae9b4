import Execution
import Foundation
import GridKeeperCore
import Testing

@testable import Backtest

/// A second strategy beside the strategy and Auto Mode; caps that starve the team, diagnosed;
/// stockouts and every spend line in the HTML report.
@Suite struct BaselineAndCapTests {
    static let strategies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies").standardized
    static var keeperText: String { get throws { try String(contentsOf: strategies.appendingPathComponent("text-prime-keeper.yaml"), encoding: .utf8) } }
    static var jitBuyer: Strategy { get throws { try StrategyParser.load(path: strategies.appendingPathComponent("baselines/jit-buyer.yaml").path) } }

    /// Two calm days (demand about 3 units/h at about 2.50 USD: some 180 USD a day).
    static let recording = Regime.recording(.calm, seed: 4, days: 2)
    static let configuration = BacktestConfiguration(replay: ReplaySettings(startingUSD: 100_000, startingConsumption: 10))

    /// The keeper with a daily cap of 5 USD: about two units a day for a team that uses seventy.
    static func starved() throws -> Strategy {
        try StrategyParser.parse(try keeperText.replacingOccurrences(of: "daily: 40.00", with: "daily: 5.00"), file: "starved.yaml")
    }

    static func json(_ result: BacktestResult) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try #require(try JSONSerialization.jsonObject(with: encoder.encode(result)) as? [String: Any])
    }

    @Test func aTinyDailyCapIsDiagnosedWithWhatTheDemandNeeded() async throws {
        let result = try await Backtester.run(try Self.starved(), on: Self.recording, configuration: Self.configuration)
        #expect(result.metrics.stockoutMinutes > 600, "the team ran dry for hours: \(result.metrics.stockoutMinutes)")
        let diagnosis = try #require(result.capDiagnosis, "a daily cap of 5 USD starves the team")
        let daily = try #require(diagnosis.caps.first { $0.cap == .daily })
        #expect(daily.limit == 5 && daily.blocked > 0 && daily.blockedWhileShort > 0, "\(daily)")
        let budgetCaps = diagnosis.caps.filter { $0.cap != .maxUnitPrice }.reduce(0) { $0 + $1.blocked + $1.cut }
        #expect(budgetCaps <= result.metrics.capHits, "every decision a budget cap shaped is a cap hit")
        // Demand: used plus unmet units over two days at the price paid, about 180 USD a day.
        let units = Int((NSDecimalNumber(decimal: result.metrics.consumption.usedUnits).doubleValue + result.metrics.consumption.unmetUnits).rounded())
        #expect(diagnosis.demandUnits == units && (120...170).contains(units), "\(units)")
        let perDay = try #require(diagnosis.neededPerDay)
        #expect(perDay > 130 && perDay < 230, "\(perDay)")
        let seconds = Decimal(Int(result.to.timeIntervalSince(result.from)))
        let expected = (try #require(diagnosis.pricePerUnit)) * Decimal(units) * 86_400 / seconds
        #expect(abs(perDay - expected) < Decimal(string: "0.01")!, "units × price ÷ days: \(perDay) against \(expected)")

        let text = BacktestReport.text(result)
        #expect(text.contains("Caps and stockouts") && text.contains("daily cap 5.00 blocked \(CapDiagnosis.grouped(daily.blocked)) decisions"), "\(text)")
        #expect(text.contains("the demand needed about \(BacktestMetrics.text(perDay, places: 0)) USD a day"), "\(text)")
        let json = try Self.json(result)
        let encoded = try #require(json["cap_diagnosis"] as? [String: Any])
        let caps = try #require(encoded["caps"] as? [[String: Any]])
        #expect(caps.contains { $0["cap"] as? String == "daily" && $0["limit"] as? String == "5" && $0["blocked"] as? Int == daily.blocked }, "\(caps)")
        #expect(encoded["needed_usd_per_day"] as? String == BacktestMetrics.text(perDay))

        // Stockouts, at cycle resolution: the periods hold every dry second, and little more.
        let shaded = result.stockouts.reduce(0) { $0 + $1.seconds }
        #expect(!result.stockouts.isEmpty && Double(shaded) >= result.metrics.consumption.stockoutSeconds - 1)
        #expect(Double(shaded) <= result.metrics.consumption.stockoutSeconds + Double(result.stockouts.count) * 120, "\(shaded) s shaded")
        #expect(zip(result.stockouts, result.stockouts.dropFirst()).allSatisfy { $0.to < $1.from }, "periods are apart and in order")
    }

    @Test func noDiagnosisWhenTheCapsNeverBind() async throws {
        let free = try RegimeSuite.uncapped(try Self.keeperText, file: "free.yaml")
        let result = try await Backtester.run(free, on: Self.recording, configuration: Self.configuration)
        #expect(result.metrics.capHits == 0 && result.metrics.unitsBought > 0)
        #expect(result.capDiagnosis == nil)
        #expect(!BacktestReport.text(result).contains("Caps and stockouts"))
        #expect(try Self.json(result)["cap_diagnosis"] == nil)
    }

    @Test func onlyCapsThatHeldBuysBackWhileTheTeamWasShortAreDiagnosed() {
        let vwap = Decimal(string: "2.5")!
        var metrics = BacktestMetrics()
        metrics.consumption.usedMilliUnits = 96_000
        // A per_order cap trimming emergency buys while the team never ran dry: the budget working.
        var trims = CapTally(cap: .perOrder, limit: 15)
        trims.cut = 10
        trims.cutWhileShort = 4
        #expect(CapDiagnosis.make(tallies: [trims], metrics: metrics, vwap: vwap, averageAsk: nil, seconds: 86_400) == nil)
        // A daily cap blocking, but only while consumption was ample.
        var ample = CapTally(cap: .daily, limit: 40)
        ample.blocked = 50
        #expect(CapDiagnosis.make(tallies: [trims, ample], metrics: metrics, vwap: vwap, averageAsk: nil, seconds: 86_400) == nil)
        // The same trims in a replay where the team ran dry: diagnosed, priced at the VWAP (nothing bought).
        metrics.consumption.stockoutSeconds = 600
        metrics.consumption.unmetUnits = 4
        let trimmed = CapDiagnosis.make(tallies: [trims, ample], metrics: metrics, vwap: vwap, averageAsk: nil, seconds: 2 * 86_400)
        #expect(trimmed?.caps.map(\.cap) == [.perOrder, .daily] && trimmed?.priceSource == .vwap)
        #expect(trimmed?.demandUnits == 100 && trimmed?.neededPerDay == 125, "100 units × 2.50 ÷ 2 days")
        // A block while short is diagnosed even without a stockout.
        metrics.consumption.stockoutSeconds = 0
        ample.blockedWhileShort = 1
        #expect(CapDiagnosis.make(tallies: [ample], metrics: metrics, vwap: vwap, averageAsk: nil, seconds: 86_400) != nil)
    }

    @Test func aBaselineStrategyIsShownBesideTheStrategyAndAutoMode() async throws {
        let keeper = try RegimeSuite.uncapped(try Self.keeperText, file: "keeper.yaml")
        var result = try await Backtester.run(keeper, on: Self.recording, configuration: Self.configuration)
        let jit = try await Backtester.run(try Self.jitBuyer, on: Self.recording, configuration: Self.configuration, baseline: result.autoMode)
        result.baseline = BacktestResult.Baseline(jit, file: "strategies/baselines/jit-buyer.yaml")
        #expect(jit.metrics.unitsBought > 0 && jit.metrics != result.metrics)
        #expect(jit.autoMode == result.autoMode, "Auto Mode is replayed once and shared")

        let text = BacktestReport.text(result)
        let header = try #require(text.split(separator: "\n").first { $0.contains("Auto Mode (buy") })
        #expect(header.contains("strategy") && header.contains("jit-buyer"), "\(header)")
        #expect(text.contains("baseline: jit-buyer (strategies/baselines/jit-buyer.yaml)"))
        let spendRow = try #require(text.split(separator: "\n").first { $0.hasPrefix("spend (USD)") })
        let cells = spendRow.split(separator: " ", omittingEmptySubsequences: true).suffix(3).map(String.init)
        #expect(cells == [BacktestMetrics.text(result.metrics.spend), BacktestMetrics.text(jit.metrics.spend), BacktestMetrics.text(result.autoMode.spend)],
                "\(spendRow)")
        let ratio = try #require(result.costPerUnitUsedAgainstBaseline)
        #expect(ratio == (try #require(result.metrics.costPerUnitUsed)) / (try #require(jit.metrics.costPerUnitUsed)))
        let ratioRow = try #require(text.split(separator: "\n").first { $0.hasPrefix("  cost per unit used ÷ baseline") })
        #expect(ratioRow.hasSuffix(" " + BacktestMetrics.text(ratio, places: 3)), "\(ratioRow)")

        let json = try Self.json(result)
        let baseline = try #require(json["baseline"] as? [String: Any])
        #expect(baseline["strategy"] as? String == "jit-buyer" && baseline["file"] as? String == "strategies/baselines/jit-buyer.yaml")
        let metrics = try #require(baseline["metrics"] as? [String: Any]), mine = try #require(json["metrics"] as? [String: Any])
        #expect(Set(metrics.keys) == Set(mine.keys), "the same metrics as the strategy's")
        #expect(metrics["spend"] as? String == BacktestMetrics.text(jit.metrics.spend, places: 6) && metrics["cost_per_unit_used"] != nil)
        #expect(json["cost_per_unit_used_against_baseline"] as? String == BacktestMetrics.text(ratio, places: 4))
        // Auto Mode's spend curve ends at what it spent.
        #expect(result.autoModeSpend.last?.spent == result.autoMode.spend && result.autoModeSpend.first?.spent == 0)
        #expect(result.baseline?.spend.last?.spent == jit.metrics.spend)
    }

    @Test func theHTMLShadesStockoutsAndDrawsEverySpendLineWithALegend() async throws {
        var result = try await Backtester.run(try Self.starved(), on: Self.recording, configuration: Self.configuration)
        let jit = try await Backtester.run(try Self.jitBuyer, on: Self.recording, configuration: Self.configuration, baseline: result.autoMode)
        result.baseline = BacktestResult.Baseline(jit, file: "jit-buyer.yaml")
        let html = BacktestReport.html(result)
        #expect(html.components(separatedBy: "<svg").count == 4 && !html.contains("<script") && !html.contains("http"), "self-contained")
        // Shading on each of the three charts, under the lines.
        let bands = html.components(separatedBy: "<rect class=\"stockout\"").count - 1
        #expect(bands >= 3 && bands % 3 == 0, "\(bands)")
        for chart in html.components(separatedBy: "<svg").dropFirst() {
            let shaded = chart.contains("class=\"stockout\""), keyed = chart.contains("class=\"legend\"") && chart.contains(">stockout (text-prime-keeper)</text>")
            #expect(shaded && keyed)
            if let band = chart.range(of: "class=\"stockout\""), let line = chart.range(of: "<polyline") { #expect(band.lowerBound < line.lowerBound) }
        }
        // Three spend lines, each in the legend.
        let spend = try #require(html.components(separatedBy: "<svg").last)
        for (label, color) in [("strategy: text-prime-keeper", BacktestReport.colors.strategy), ("baseline: jit-buyer", BacktestReport.colors.baseline),
                               ("Auto Mode", BacktestReport.colors.autoMode)] {
            let entry = spend.contains(">\(label)</text>"), line = spend.contains("<polyline fill=\"none\" stroke=\"\(color)\"")
            #expect(entry, "\(label)")
            #expect(line, "\(label)'s line")
        }
        let capEntry = spend.contains(">daily cap 5.00 × days</text>")
        #expect(capEntry)

        // No baseline: no baseline line nor entry; nothing dry: no shading.
        result.baseline = nil
        result.stockouts = []
        let plain = BacktestReport.html(result)
        let noBaseline = !plain.contains("baseline: "), noShading = !plain.contains("class=\"stockout\""), auto = plain.contains(">Auto Mode</text>")
        #expect(noBaseline && noShading && auto)
    }
}
