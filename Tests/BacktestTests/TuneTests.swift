import Execution
import Foundation
import GridKeeperCore
import Ledger
import Testing

@testable import Backtest

/// Walk-forward tuning on recordings whose right answer is known, and rewriting strategy files
/// in place.
@Suite struct TuneTests {
    /// Restocks at market whenever stock is low; the sweeps below add a price condition.
    static let strategy = """
        # A test keeper: buy at market when stock is low, feed consumption from stock.
        strategy: tune-test
        instrument: text-prime
        every: 5m

        budget:
          daily: 500.00      # generous: no cap decides anything
          max_unit_price: 5.00

        rules:
          # Move stock to consumption before it runs dry.
          - name: feed
            when: consumption < 6 and inventory > 0
            transfer: { quantity: 9, beyond_lot_window: true }
          # Restock.
          - name: restock
            when: inventory + consumption < 30
            buy: { quantity: 10, order: market }

        """

    /// Only buy in the dips: wins wherever the dips are, starves where there are none.
    static let dipsOnly = "rules.restock.when=inventory + consumption < 30,inventory + consumption < 30 and ask <= 2.20"

    static let t0: Int64 = 1_790_035_200_000

    /// A book every 5 minutes for `days`, best ask `ask(ms)` (100 units on each of five levels),
    /// bid a tick under, demand a constant 3 units/h.
    static func recording(days: Int, ask: (Int64) -> Int64) -> Recording {
        var books = RecordedBooks(depth: 5)
        let step: Int64 = 300_000
        for i in 0...(Int64(days) * 86_400_000 / step) {
            let ms = t0 + i * step
            let a = ask(ms)
            books.append(ms: ms, bids: (0..<5).map { (a - 10_000 * Int64($0 + 1), 100) }, asks: (0..<5).map { (a + 10_000 * Int64($0), 100) }, last: a)
        }
        return Recording(instrument: "text-prime", books: books, burn: [BurnStep(ms: t0, milliUnitsPerHour: 3000)])
    }

    /// 2.10 in the first hour of every four, 2.90 otherwise.
    static func dips(_ ms: Int64) -> Int64 { (ms - t0) % 14_400_000 < 3_600_000 ? 2_100_000 : 2_900_000 }

    static func options(_ split: TuneSplit = .default) -> Tune.Options {
        Tune.Options(backtest: BacktestConfiguration(replay: ReplaySettings(startingInventory: 20, startingConsumption: 10)), split: split, jobs: 2)
    }

    @Test func proposesTheValueThatWinsAndConfirmsItOnTheHoldout() async throws {
        // Dips all along: buying only in them costs 2.10 a unit; buying whenever stock is low
        // pays 2.90 three times in four.
        let recording = Self.recording(days: 3, ask: Self.dips)
        let result = try await Tune.run(text: Self.strategy, file: "tune-test.yaml", axes: [try SweepAxis.parse(Self.dipsOnly)], on: recording, options: Self.options())
        #expect(result.verdict == .improves, "\(result.text())")
        #expect(result.changes == [TuneResult.Change(key: "rules.restock.when", old: "inventory + consumption < 30", new: "inventory + consumption < 30 and ask <= 2.20")])
        let trained = try #require(result.proposed?.metrics.averagePrice), current = try #require(result.current.metrics.averagePrice)
        #expect(trained == Decimal(string: "2.1")! && current > trained, "\(trained) \(current)")
        let p = try #require(result.holdoutProposed), c = try #require(result.holdoutCurrent)
        #expect(p.score < c.score && p.metrics.stockoutMinutes == 0)
        #expect(result.shouldWrite)
        // The spans follow each other and the default split trains on two thirds.
        #expect(result.spans.trainingFrom == recording.start && result.spans.holdoutTo == recording.end)
        #expect(result.spans.holdoutFrom.ledgerMilliseconds - result.spans.trainingTo.ledgerMilliseconds == 1)
        #expect(abs(result.spans.trainingTo.timeIntervalSince(result.spans.trainingFrom) - 0.67 * 3 * 86_400) < 1)
        let text = result.text()
        #expect(text.contains("rules.restock.when  inventory + consumption < 30 → inventory + consumption < 30 and ask <= 2.20"), "\(text)")
        #expect(text.contains("holdout   proposed") && text.contains("verdict: the proposal beats the current parameters on the holdout"), "\(text)")
    }

    @Test func refusesAProposalThatLosesOnTheHoldout() async throws {
        // Dips while training, a flat 2.50 afterwards: the dip buyer never buys again and runs dry.
        let cut = Self.t0 + 2 * 86_400_000
        let recording = Self.recording(days: 3) { $0 < cut ? Self.dips($0) : 2_500_000 }
        let result = try await Tune.run(text: Self.strategy, file: "tune-test.yaml", axes: [try SweepAxis.parse(Self.dipsOnly)], on: recording,
                                        options: Self.options(.durations(training: 2 * 86_400, holdout: nil)))
        #expect(result.proposed?.label == "rules.restock.when=inventory + consumption < 30 and ask <= 2.20", "\(result.text())")
        #expect(result.verdict == .worseOnHoldout && !result.shouldWrite, "\(result.text())")
        let p = try #require(result.holdoutProposed), c = try #require(result.holdoutCurrent)
        #expect(p.metrics.stockoutMinutes > 600 && c.metrics.stockoutMinutes == 0, "\(p.metrics.stockoutMinutes) \(c.metrics.stockoutMinutes)")
        #expect(result.text().contains("verdict: keep tune-test.yaml: the proposal won on the training span but not on the holdout"))
    }

    @Test func keepsTheCurrentParametersWhenTheyWinInTraining() async throws {
        // No dips at all: only buying in them starves.
        let recording = Self.recording(days: 3) { _ in 2_500_000 }
        let result = try await Tune.run(text: Self.strategy, file: "tune-test.yaml", axes: [try SweepAxis.parse(Self.dipsOnly)], on: recording, options: Self.options())
        #expect(result.verdict == .currentWinsTraining && result.changes.isEmpty && result.proposed == nil, "\(result.text())")
        #expect(result.holdoutCurrent == nil && result.holdoutProposed == nil, "no holdout runs without a proposal")
        #expect(result.runnerUp?.label.contains("ask <= 2.20") == true)
        #expect(result.training.first?.label == Tune.currentLabel)
        #expect(result.text().contains("no change proposed: the current parameters win on the training span"))
    }

    @Test func aCapThatStarvesTheKeeperIsRaisedOnACalmMarket() async throws {
        // The example keeper on a calm regime: a daily cap of 40 USD cannot buy a day's
        // demand (~3 units/h at ~2.50), 400 can. The monthly cap is lifted so it decides nothing.
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized.path
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "monthly: 600.00", with: "monthly: 90000.00")
            .replacingOccurrences(of: "every: 10s", with: "every: 5m")
        let recording = Regime.recording(.calm, seed: 3, days: 4, every: 300)
        let result = try await Tune.run(text: text, file: "keeper.yaml", axes: [try SweepAxis.parse("budget.daily=10,40.00,400")], on: recording,
                                        options: Tune.Options(backtest: BacktestConfiguration(replay: ReplaySettings(startingConsumption: 10)), jobs: 2))
        #expect(result.changes == [TuneResult.Change(key: "budget.daily", old: "40.00", new: "400")], "\(result.text())")
        #expect(result.verdict == .improves, "\(result.text())")
        #expect(result.training.count == 3, "40 is the current value, not run twice: \(result.training.map(\.label))")
        let holdoutCurrent = try #require(result.holdoutCurrent), holdoutProposed = try #require(result.holdoutProposed)
        #expect(holdoutCurrent.metrics.stockoutMinutes > holdoutProposed.metrics.stockoutMinutes, "\(result.text())")
    }

    @Test func badSweepsAreNamedBeforeAnythingRuns() async throws {
        let recording = Self.recording(days: 1) { _ in 2_500_000 }
        func message(_ axes: [String]) async -> String {
            do {
                _ = try await Tune.run(text: Self.strategy, file: "tune-test.yaml", axes: try axes.map { try SweepAxis.parse($0) }, on: recording, options: Self.options())
                return "no error"
            } catch let error as BacktestError { return error.description } catch { return "\(error)" }
        }
        #expect(await message(["rules.restok.when=true"]).contains("no rule named restok; rules: feed, restock"))
        #expect(await message(["budget.dialy.x=1"]).contains("budget.dialy.x: tune-test.yaml has no such key"))
        #expect(await message(["budget=1,2"]).contains("holds more than one value there"))
        #expect(await message(["budget.daily=lots"]).contains("budget.daily=lots"))
        #expect(await message(["budget.daily=1", "budget.daily=2"]).contains("given twice"))
    }

    @Test func costPerUnitUsedChargesStockouts() {
        var m = BacktestMetrics()
        m.unitsBought = 10
        m.spend = 25
        m.averagePrice = Decimal(string: "2.5")!
        m.consumption.usedMilliUnits = 8_000
        m.consumption.expiredMilliUnits = 2_000
        let result = BacktestResult(strategy: "s", instrument: "text-prime", from: Date(), to: Date(), cycles: 0, snapshots: 0, trades: 0, metrics: m,
                                    autoMode: m, autoModeSettings: AutoModeSettings(), series: [], buys: [])
        // 2.5 × 10 / 8 = 3.125 a unit used.
        #expect(Sweep.score(result, .costPerUnitUsed, 1) == Decimal(string: "3.125")!)
        var dry = result
        dry.metrics.consumption.stockoutSeconds = 1200  // 20 minutes at 2 USD/min over 8 units: +5
        #expect(Sweep.score(dry, .costPerUnitUsed, 2) == Decimal(string: "8.125")!)
        var unused = result
        unused.metrics.consumption.usedMilliUnits = 0
        #expect(Sweep.score(unused, .costPerUnitUsed, 1) == Decimal(Int.max), "nothing used ranks last")
    }

    @Test func splitsFitTheData() throws {
        let start = Date(ledgerMilliseconds: Self.t0), end = Date(ledgerMilliseconds: Self.t0 + 30 * 86_400_000)
        let both = try TuneSplit.durations(training: 20 * 86_400, holdout: 5 * 86_400).spans(from: start, to: end)
        #expect(both.trainingTo == start.addingTimeInterval(20 * 86_400) && both.holdoutTo == start.addingTimeInterval(25 * 86_400))
        let last = try TuneSplit.durations(training: nil, holdout: 10 * 86_400).spans(from: start, to: end)
        #expect(last.trainingTo == start.addingTimeInterval(20 * 86_400) && last.holdoutTo == end)
        let half = try TuneSplit.fraction(Decimal(string: "0.5")!).spans(from: start, to: end)
        #expect(half.trainingTo == start.addingTimeInterval(15 * 86_400))
        do {
            _ = try TuneSplit.durations(training: 25 * 86_400, holdout: 10 * 86_400).spans(from: start, to: end)
            Issue.record("accepted spans longer than the data")
        } catch {
            #expect(error.description.contains("need 35d of data; the recording covers 30d"), "\(error.description)")
        }
        #expect(throws: BacktestError.self) { try TuneSplit.fraction(1).spans(from: start, to: end) }
        #expect(throws: BacktestError.self) { try TuneSplit.durations(training: nil, holdout: 31 * 86_400).spans(from: start, to: end) }
    }
}

/// Strategy files changed in place: only the swept keys, everything else byte for byte.
@Suite struct StrategyRewriteTests {
    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    @Test func onlyTheChangedValuesChange() throws {
        let original = TuneTests.strategy
        let result = try StrategyRewrite.apply([("budget.daily", "80"), ("rules.restock.when", "inventory + consumption < 30 and ask <= 2.20"),
                                                ("rules.restock.buy.quantity", "cover_stock(24h)")], to: original, file: "s.yaml")
        #expect(result.keptFormat)
        let before = Self.lines(original), after = Self.lines(result.text)
        #expect(before.count == after.count)
        let changed = zip(before, after).filter { $0 != $1 }.map { String($1) }
        #expect(changed == ["  daily: 80      # generous: no cap decides anything",
                            "    when: inventory + consumption < 30 and ask <= 2.20",
                            "    buy: { quantity: cover_stock(24h), order: market }"], "\(changed)")
        let parsed = try StrategyParser.parse(result.text, file: "s.yaml")
        #expect(parsed.budget.daily == 80 && parsed.rules[1].whenText == "inventory + consumption < 30 and ask <= 2.20")
    }

    @Test func valuesThatNeedQuotesGetThem() throws {
        // A comma inside a flow mapping would end the value: quoted.
        let result = try StrategyRewrite.apply([("rules.feed.transfer.quantity", "cover(2h, burn_peak(1h))")], to: TuneTests.strategy, file: "s.yaml")
        #expect(result.keptFormat, "\(result.reason ?? "")")
        #expect(result.text.contains(#"transfer: { quantity: "cover(2h, burn_peak(1h))", beyond_lot_window: true }"#), "\(result.text)")
        #expect(try StrategyParser.parse(result.text, file: "s.yaml").rules[0].action != StrategyParser.parse(TuneTests.strategy, file: "s.yaml").rules[0].action)
        // A quoted value stays quoted.
        let quoted = TuneTests.strategy.replacingOccurrences(of: "daily: 500.00", with: "daily: '500.00'")
        #expect(try StrategyRewrite.apply([("budget.daily", "70")], to: quoted, file: "s.yaml").text.contains("daily: '70'      # generous"))
    }

    @Test func aMissingKeyIsAddedBesideItsSiblings() throws {
        let result = try StrategyRewrite.apply([("budget.per_order", "15.00")], to: TuneTests.strategy, file: "s.yaml")
        #expect(result.keptFormat)
        #expect(result.text.contains("  daily: 500.00      # generous: no cap decides anything\n  per_order: 15.00\n  max_unit_price: 5.00\n"), "\(result.text)")
        #expect(try StrategyParser.parse(result.text, file: "s.yaml").budget.perOrder == 15)
    }

    @Test func aBlockScalarFallsBackToARewrite() throws {
        let text = TuneTests.strategy.replacingOccurrences(of: "    when: inventory + consumption < 30\n", with: "    when: >\n      inventory + consumption < 30\n")
        #expect(try StrategyParser.parse(text, file: "s.yaml").rules[1].whenText.hasPrefix("inventory + consumption < 30"))
        let result = try StrategyRewrite.apply([("rules.restock.when", "inventory < 5")], to: text, file: "s.yaml")
        #expect(!result.keptFormat)
        #expect(try StrategyParser.parse(result.text, file: "s.yaml").rules[1].whenText == "inventory < 5")
    }

    @Test func writingIsAtomicAndRefusesAFileChangedMeanwhile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-rewrite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.yaml").path
        let original = Data(TuneTests.strategy.utf8)
        try original.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        try StrategyRewrite.write("changed\n", to: path, replacing: original)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "changed\n")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o640)
        #expect(throws: BacktestError.self) { try StrategyRewrite.write("again\n", to: path, replacing: original) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "changed\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["s.yaml"], "no temporary file left")
        // A read-only file is refused, whoever runs tune (root could rename over it).
        let current = Data("changed\n".utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        #expect(throws: BacktestError.self) { try StrategyRewrite.write("again\n", to: path, replacing: current) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "changed\n")
        // The rewritten file keeps its owner and group (as root, a file of another user's stays theirs).
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        if getuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: path)
        }
        let before = try FileManager.default.attributesOfItem(atPath: path)
        try StrategyRewrite.write("third\n", to: path, replacing: current)
        let after = try FileManager.default.attributesOfItem(atPath: path)
        #expect(after[.ownerAccountID] as? Int == before[.ownerAccountID] as? Int && after[.groupOwnerAccountID] as? Int == before[.groupOwnerAccountID] as? Int)
    }
}
