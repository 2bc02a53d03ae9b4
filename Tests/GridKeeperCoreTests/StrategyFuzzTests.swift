import Foundation
import Testing

@testable import GridKeeperCore

/// Random and mutated strategy files: the parser never crashes, and every error it reports
/// carries a position inside the file.
@Suite struct StrategyFuzzTests {
    static let documents = 100_000

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        ":", "{", "}", "[", "]", "-", "- ", "'", "\"", "\t", "&a ", "*a", "!!binary ", "#", "\n", "  ", "?", "|", ">", ",", "%",
        "runway", "< 1h", "and", "or", "not", "(", ")", "cover(", "avg(last,", "24h", "1e9", "-1", "0.000001", "999999999999999999999",
        "buy:", "transfer:", "cancel:", "when:", "name:", "budget:", "rules:", "quantity:", "price:", "order: limit", "order: market",
        "max_unit_price:", "every:", "instrument:", "strategy:", "null", "~", "true", "é", "💸", "\u{0}", "\r\n",
        // Deep nesting: a few of these together pass the expression limit, or YAML's.
        String(repeating: "(", count: 40), String(repeating: ")", count: 40), String(repeating: "not ", count: 40),
        String(repeating: "- ", count: 40), String(repeating: " and inventory > 0", count: 40), String(repeating: "[", count: 400),
    ]

    static func seeds() throws -> [String] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies").standardized
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted().map {
            try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)
        }
    }

    static func mutate(_ text: String, using g: inout Generator) -> String {
        var chars = Array(text)
        let edits = Int.random(in: 1...6, using: &g)
        for _ in 0..<edits {
            let at = chars.isEmpty ? 0 : Int.random(in: 0..<chars.count, using: &g)
            switch Int.random(in: 0..<6, using: &g) {
            case 0 where !chars.isEmpty: chars.remove(at: at)
            case 1: chars.insert(contentsOf: fragments.randomElement(using: &g)!, at: at)
            case 2 where !chars.isEmpty: chars[at] = Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &g)))
            case 3:
                // Drop or duplicate a line.
                var lines = String(chars).components(separatedBy: "\n")
                let i = Int.random(in: 0..<lines.count, using: &g)
                if Bool.random(using: &g) { lines.remove(at: i) } else { lines.insert(lines[i], at: i) }
                chars = Array(lines.joined(separator: "\n"))
            case 4:
                // Swap a value for another fragment.
                if let colon = chars[at...].firstIndex(of: ":"), let end = chars[colon...].firstIndex(of: "\n") {
                    chars.replaceSubrange(colon + 1..<end, with: " " + fragments.randomElement(using: &g)!)
                }
            default:
                if !chars.isEmpty { chars.removeSubrange(at..<min(chars.count, at + Int.random(in: 1...20, using: &g))) }
            }
        }
        return String(chars)
    }

    static func random(using g: inout Generator) -> String {
        (0..<Int.random(in: 0...40, using: &g)).map { _ in fragments.randomElement(using: &g)! }.joined(separator: Bool.random(using: &g) ? " " : "")
    }

    /// Yields to other tests every few hundred documents: this is long CPU work on the shared
    /// cooperative thread pool.
    static func check(seed: UInt64, count: Int, seeds: [String]) async -> (parsed: Int, rejected: Int, unpositioned: [String]) {
        var g = Generator(state: seed)
        var parsed = 0, rejected = 0
        var unpositioned: [String] = []
        for i in 0..<count {
            if i % 200 == 0 { await Task.yield() }
            let text = i % 5 == 0 ? random(using: &g) : mutate(seeds[i % seeds.count], using: &g)
            // Line breaks as YAML counts them: \n, \r\n and a lone \r.
            let scalars = Array(text.unicodeScalars)
            let breaks = scalars.indices.filter { scalars[$0] == "\n" || (scalars[$0] == "\r" && ($0 + 1 == scalars.count || scalars[$0 + 1] != "\n")) }.count
            let lineCount = breaks + 2
            do {
                _ = try StrategyParser.parse(text, file: "fuzz.yaml")
                parsed += 1
            } catch {
                rejected += 1
                for d in error.diagnostics where d.position.line < 1 || d.position.column < 1 || d.position.line > lineCount || d.file != "fuzz.yaml" || d.message.isEmpty {
                    if unpositioned.count < 5 { unpositioned.append("\(d) in \(text.debugDescription.prefix(200))") }
                }
                if error.diagnostics.isEmpty, unpositioned.count < 5 { unpositioned.append("no diagnostics for \(text.debugDescription.prefix(200))") }
            }
        }
        return (parsed, rejected, unpositioned)
    }

    @Test func aHundredThousandDocumentsNeverCrashTheParser() async throws {
        let seeds = try Self.seeds()
        let half = Self.documents / 2
        async let a = Self.check(seed: 1, count: half, seeds: seeds)
        async let b = Self.check(seed: 2, count: Self.documents - half, seeds: seeds)
        let results = await [a, b]
        let total = results.reduce(0) { $0 + $1.parsed + $1.rejected }
        #expect(total == Self.documents)
        #expect(results.flatMap(\.unpositioned).isEmpty, "\(results.flatMap(\.unpositioned))")
        #expect(results.reduce(0) { $0 + $1.rejected } > Self.documents / 2, "most mutations are errors")
        #expect(results.reduce(0) { $0 + $1.parsed } > 0, "some mutations are still valid strategies")
    }

    @Test func randomExpressionsNeverCrashTheExpressionParser() async {
        var g = Generator(state: 3)
        for i in 0..<20_000 {
            if i % 500 == 0 { await Task.yield() }
            let text = Self.random(using: &g)
            do {
                _ = try ExpressionParser.parse(text, expecting: .bool)
            } catch {
                #expect(error.offset >= 0 && error.offset <= text.count, "\(text.debugDescription): \(error)")
            }
        }
    }

    // MARK: Deep nesting

    static let limit = ExpressionParser.maximumDepth
    static let kinds = ["not", "and", "or", "parentheses", "minus", "subtraction"]

    /// A `when` exactly `depth` levels deep as `ExpressionParser.maximumDepth` counts them
    /// (a comparison over two leaves is two). Each walks to its innermost part when evaluated.
    static func condition(_ kind: String, depth: Int) -> String {
        let levels = depth - 2
        switch kind {
        case "not": return String(repeating: "not ", count: levels) + "inventory > 0"
        case "and": return Array(repeating: "inventory > 0", count: levels + 1).joined(separator: " and ")
        case "or": return Array(repeating: "inventory < 0", count: levels + 1).joined(separator: " or ")
        case "parentheses": return String(repeating: "(", count: levels) + "inventory > 0" + String(repeating: ")", count: levels)
        case "minus": return "inventory > " + String(repeating: "-", count: levels) + "1"
        default: return "inventory > inventory" + String(repeating: " - 1", count: levels)
        }
    }

    /// A quantity `depth` levels deep: a signal in parentheses.
    static func quantity(depth: Int) -> String {
        String(repeating: "(", count: depth - 1) + "inventory" + String(repeating: ")", count: depth - 1)
    }

    static func document(when: String, quantity: String = "1") -> String {
        "strategy: deep\ninstrument: text-prime\nevery: 1m\nrules:\n  - name: r\n    when: \(when)\n    transfer: { quantity: \(quantity) }\n"
    }

    /// Runs `body` on a thread with a 1 MB stack: half the smallest default glibc gives a
    /// thread (2 MB, 8 MB here), in whatever build the tests were built in.
    static func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { done in
            let thread = Thread { done.resume(returning: body()) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Every walk of the tree at the limit — parsing, type checking, compiling, evaluating,
    /// comparing, formatting — fits a small stack.
    @Test(arguments: kinds)
    func nestingAtTheLimitIsAcceptedAndWalkedOnASmallStack(_ kind: String) async {
        let text = Self.document(when: Self.condition(kind, depth: Self.limit), quantity: Self.quantity(depth: Self.limit))
        let result = await Self.onSmallStack { () -> String in
            do {
                let strategy = try StrategyParser.parse(text, file: "deep.yaml")
                let snapshot = MarketSnapshot(asOf: Date(timeIntervalSince1970: 1_790_000_000), instrument: "text-prime", consumption: 5,
                                              inventory: 5, usdAvailable: 10, bids: [], asks: [])
                let plan = Evaluator.evaluate(strategy, on: snapshot)
                guard strategy == (try StrategyParser.parse(text, file: "deep.yaml")) else { return "not equal to itself" }
                guard Evaluator.source(strategy.rules[0].when).hasPrefix(kind == "not" ? "not " : "inventory") else { return "badly formatted" }
                let outcome = plan.outcomes.first
                return "\(outcome?.outcome.rawValue ?? "none") \(outcome?.intent == .transfer(quantity: 5) ? "transfer 5" : "")"
            } catch {
                return "error: \(error)"
            }
        }
        // `or` of false parts is skipped; the others fire, and their quantity (inventory, 5)
        // is evaluated too.
        #expect(result == (kind == "or" ? "skipped " : "fired transfer 5"), "\(result)")
    }

    @Test(arguments: kinds)
    func nestingOverTheLimitIsALocatedError(_ kind: String) {
        for depth in [Self.limit + 1, 2_000, 5_000] {
            let when = Self.condition(kind, depth: depth)
            do {
                _ = try StrategyParser.parse(Self.document(when: when), file: "deep.yaml")
                Issue.record("\(kind) \(depth) levels deep was accepted")
            } catch {
                #expect(error.diagnostics.count == 1, "\(error)")
                let problem = error.diagnostics[0]
                #expect(problem.message.hasPrefix("when: expression nested deeper than \(Self.limit) levels"), "\(problem)")
                #expect(problem.position.line == 6 && (11...11 + when.count).contains(problem.position.column), "\(problem)")
            }
        }
        do {
            _ = try StrategyParser.parse(Self.document(when: "inventory > 0", quantity: Self.quantity(depth: Self.limit + 1)), file: "deep.yaml")
            Issue.record("a quantity over the limit was accepted")
        } catch {
            #expect(error.description.contains("deep.yaml:7:"), "\(error)")
            #expect(error.description.contains("transfer.quantity: expression nested deeper than"), "\(error)")
        }
    }

    /// libyaml stops at 1,000 levels, before Yams' composer (one recursion per level) runs out
    /// of stack; the error is located and says what is wrong.
    @Test(arguments: [("[", "]"), ("{a: ", "}"), ("[a: ", "]"), ("- ", "")])
    func yamlNestedTenThousandDeepIsALocatedError(_ open: String, _ close: String) {
        let text = "strategy: deep\ninstrument: text-prime\nevery: 1m\nrules:\n  " + String(repeating: open, count: 10_000) + "x"
            + String(repeating: close, count: 10_000) + "\n"
        do {
            _ = try StrategyParser.parse(text, file: "deep.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["invalid YAML: nested deeper than 1000 levels"], "\(error)")
            #expect(error.diagnostics.allSatisfy { $0.position.line == 5 && $0.position.column > 1 }, "\(error)")
        }
    }
}
