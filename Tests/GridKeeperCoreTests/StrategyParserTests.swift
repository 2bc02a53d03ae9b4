import Foundation
import Testing

@testable import GridKeeperCore

@Suite struct StrategyParserTests {
    static let strategiesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies").standardized

    /// Every strategy file under strategies/, subdirectories (baselines/) included, as paths relative to it.
    static func exampleFiles() throws -> [String] {
        let root = strategiesDirectory.path
        let top = try FileManager.default.contentsOfDirectory(atPath: root)
        return try top.flatMap { entry -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + entry, isDirectory: &isDirectory), isDirectory.boolValue else { return [entry] }
            return try FileManager.default.contentsOfDirectory(atPath: root + "/" + entry).map { entry + "/" + $0 }
        }.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func everyExampleStrategyIsValid() throws {
        let files = try Self.exampleFiles()
        #expect(files.count >= 4)
        #expect(files.contains("baselines/jit-buyer.yaml"))
        for file in files {
            let strategy = try StrategyParser.load(path: Self.strategiesDirectory.appendingPathComponent(file).path)
            #expect(!strategy.rules.isEmpty, "\(file)")
            #expect(strategy.budget.maxUnitPrice != nil, "\(file)")
        }
    }

    @Test func theKeeperReadsAsWritten() throws {
        let strategy = try StrategyParser.load(path: Self.strategiesDirectory.appendingPathComponent("text-prime-keeper.yaml").path)
        #expect(strategy.name == "text-prime-keeper" && strategy.instrument == "text-prime" && strategy.every == 10)
        #expect(strategy.budget == .init(daily: 40, monthly: 600, perOrder: 15, maxUnitPrice: 3))
        #expect(strategy.rules.map(\.name) == ["renew", "feed", "emergency", "stock-deep", "restock"])
        guard case .buy(_, .market, _, _) = strategy.rules[2].action else {
            Issue.record("emergency should be a market buy")
            return
        }
        for rule in strategy.rules[3...] {
            guard case .buy(_, .limit, .some, let cancelAfter) = rule.action else {
                Issue.record("\(rule.name) should be a limit buy")
                return
            }
            #expect(cancelAfter == 600)
        }
    }

    static let valid = """
        strategy: s
        instrument: text-prime
        every: 1m
        budget: { daily: 10.00, max_unit_price: 3.00 }
        rules:
          - name: buy-some
            when: runway < 1h
            buy: { quantity: cover(2h), order: market }
        """

    @Test(arguments: [
        (valid.replacingOccurrences(of: "instrument: text-prime", with: "instrument: text-primo"), "2:13: instrument: unknown instrument 'text-primo'; did you mean 'text-prime'?"),
        (valid.replacingOccurrences(of: "every: 1m", with: "evry: 1m"), "3:1: unknown key 'evry' in the strategy; did you mean 'every'?"),
        (valid.replacingOccurrences(of: "every: 1m", with: "every: soon"), "3:8: every: expected a duration like 30s, 15m, 1h or 2d, got \"soon\""),
        (valid.replacingOccurrences(of: "daily: 10.00", with: "daily: ten"), "4:18: budget.daily: expected a decimal like 40.00, got \"ten\""),
        (valid.replacingOccurrences(of: "when: runway < 1h", with: "when: runway < ask"), "7:18: when: cannot compare a duration with a price (USD/unit) using <"),
        (valid.replacingOccurrences(of: "order: market", with: "order: limit, price: bid +* 2"), "8:59: buy.price: expected a decimal like 2.50 or an expression like bid + tick"),
        (valid.replacingOccurrences(of: "order: market", with: "order: cheap"), "8:40: buy.order: expected market or limit, got \"cheap\""),
        (valid.replacingOccurrences(of: "order: market", with: "order: limit"), "8:10: buy: a limit order needs a price"),
        (valid.replacingOccurrences(of: ", max_unit_price: 3.00", with: ""), "4:9: a strategy that buys needs budget.max_unit_price"),
        (valid.replacingOccurrences(of: "    buy:", with: "    bye:"), "8:5: unknown key 'bye' in a rule; did you mean 'buy'?"),
        ("strategy: [unclosed", "2:1: invalid YAML"),
        ("", "1:1: the file is empty"),
        ("- just\n- a list", "1:1: the strategy must be a mapping"),
    ])
    func errorsNameFileLineAndColumn(_ text: String, _ expected: String) {
        do {
            _ = try StrategyParser.parse(text, file: "s.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.contains { $0.description.hasPrefix("s.yaml:" + expected.prefix { $0 != " " }) && $0.description.contains(expected.drop { $0 != " " }.dropFirst()) },
                    "\(error.description)")
        }
    }

    /// Items the probe found accepted or misreported: a bare number beside a duration, a
    /// quantity out of range, a price of 0 or less, a description that is not text.
    static let itemErrors: [(String, String)] = [
        (valid.replacingOccurrences(of: "runway < 1h", with: "runway < 2.50"), "7:20: when: runway is a duration: write 2.5 with a unit, as 2.5h, 2.5m or 2.5s"),
        (valid.replacingOccurrences(of: "quantity: cover(2h)", with: "quantity: 99999999999999999999"),
         "8:22: buy.quantity: 99999999999999999999 is more than 1000000 units, the most one rule may ask for"),
        (valid.replacingOccurrences(of: "quantity: cover(2h)", with: "quantity: -5"), "8:22: buy.quantity: -5 is negative"),
        (valid.replacingOccurrences(of: "buy: { quantity: cover(2h), order: market }", with: "transfer: { quantity: -(5) }"),
         "8:27: transfer.quantity: -5 is negative"),
        (valid.replacingOccurrences(of: "order: market", with: "order: limit, price: -1"), "8:54: buy.price: a limit price must be more than 0, got -1"),
        (valid.replacingOccurrences(of: "order: market", with: "order: limit, price: 0"), "8:54: buy.price: a limit price must be more than 0, got 0"),
        (valid + "\ndescription: { a: 1 }", "9:14: description: expected text"),
        (valid + "\ndescription: [a, b]", "9:14: description: expected text"),
    ]

    /// Each is the file's only error.
    @Test(arguments: itemErrors)
    func itemErrorsNameFileLineAndColumn(_ text: String, _ expected: String) {
        do {
            _ = try StrategyParser.parse(text, file: "s.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.count == 1 && error.description.hasPrefix("s.yaml:" + expected), "\(error.description)")
        }
    }

    @Test func everyErrorOfAFileIsListed() {
        let text = """
            strategy: s
            instrument: text-nope
            every: 1m
            budget: { daily: abc }
            rules:
              - name: a
                when: runway < ask
                transfer: { quantity: cover(1h) }
              - name: a
                when: inventory > 0
                transfer: { quantity: 5, extra: 1 }
            """
        do {
            _ = try StrategyParser.parse(text, file: "many.yaml")
            Issue.record("expected errors")
        } catch {
            #expect(error.diagnostics.count >= 4, "\(error.description)")
            #expect(error.diagnostics.map(\.position) == error.diagnostics.map(\.position).sorted())
            #expect(error.description.contains("rule name 'a' is used twice"))
        }
    }

    /// A cap that is written but wrong is one error, not also "needs" the cap.
    @Test(arguments: [
        ("max_unit_price: 3.00", "max_unit_price: -1", "4:41: budget.max_unit_price: must not be negative, got -1"),
        ("daily: 10.00", "daily: -1", "4:18: budget.daily: must not be negative, got -1"),
        ("daily: 10.00", "daily: ~", "4:18: budget.daily: expected a decimal like 40.00"),
        ("budget: { daily: 10.00, max_unit_price: 3.00 }", "budget: 5", "4:9: budget must be a mapping"),
    ])
    func aWrongCapIsOneError(_ replaced: String, _ replacement: String, _ expected: String) {
        do {
            _ = try StrategyParser.parse(Self.valid.replacingOccurrences(of: replaced, with: replacement), file: "s.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.count == 1, "\(error.description)")
            #expect(error.description.hasPrefix("s.yaml:" + expected), "\(error.description)")
        }
    }

    @Test func aDescriptionIsText() throws {
        #expect(try StrategyParser.parse(Self.valid + "\ndescription: keeps text-prime stocked", file: "s.yaml").description == "keeps text-prime stocked")
        #expect(try StrategyParser.parse(Self.valid + "\ndescription:", file: "s.yaml").description == nil)
        #expect(try StrategyParser.parse(Self.valid, file: "s.yaml").description == nil)
    }
}
