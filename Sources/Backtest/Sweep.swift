import Execution
import Foundation
import GridKeeperCore
import Yams

/// Parameter sweeps: the same backtest over every combination of values for some keys of a
/// strategy file, run in parallel and ranked.
///
/// An axis is `KEY=V1,V2,…`. KEY is a dotted path into the strategy file; inside `rules` the
/// next part is a rule's name: `budget.daily=20,40,80`, `every=1m,5m`,
/// `rules.restock.when=ask <= avg(last, 24h) * 0.97,ask <= avg(last, 24h) * 0.99`,
/// `rules.restock.buy.price=bid,bid + tick`. Commas inside parentheses do not split values.
public struct SweepAxis: Sendable, Equatable {
    public var key: String
    public var values: [String]

    /// Parses `KEY=V1,V2,…`.
    public static func parse(_ text: String) throws(BacktestError) -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else { throw BacktestError("--sweep \(text): expected KEY=V1,V2,… like budget.daily=20,40,80") }
        let key = text[..<eq].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty }) else {
            throw BacktestError("--sweep \(text): the key must be a dotted path like budget.daily or rules.restock.when")
        }
        var values: [String] = []
        var depth = 0
        var current = ""
        for ch in text[text.index(after: eq)...] {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 {
                values.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(ch)
            }
        }
        values.append(current.trimmingCharacters(in: .whitespaces))
        guard values.allSatisfy({ !$0.isEmpty }) else { throw BacktestError("--sweep \(text): empty value") }
        return SweepAxis(key: key, values: values)
    }
}

/// What the sweep ranks by (lower is better).
public enum SweepObjective: String, Sendable, CaseIterable {
    /// Spend plus a price per minute of stockout.
    case score
    case averagePrice = "avg-price"
    case spend
    case stockout
    case expired
    /// Cost per unit used (expired units charged to the ones used) plus the stockout price
    /// spread over the units used: what each used unit cost, counting the time without any.
    case costPerUnitUsed = "cost-per-unit-used"
}

public enum Sweep {
    /// Every combination of the axes' values, in order (the first axis varies slowest).
    /// The most combinations one sweep runs: each is a whole backtest.
    public static let maximumCombinations = 1_000

    /// Checks a sweep before anything runs: every key once, and at most
    /// `maximumCombinations` combinations.
    /// - Returns: the number of combinations.
    @discardableResult
    public static func check(_ axes: [SweepAxis]) throws(BacktestError) -> Int {
        var seen = Set<String>()
        for axis in axes where !seen.insert(axis.key).inserted {
            throw BacktestError("--sweep \(axis.key) is given twice: list all its values in one --sweep \(axis.key)=V1,V2,…")
        }
        var count = 1
        for axis in axes {
            let (product, overflow) = count.multipliedReportingOverflow(by: max(1, axis.values.count))
            count = overflow ? Int.max : product
        }
        guard count <= maximumCombinations else {
            let sizes = axes.map { "\($0.values.count)" }.joined(separator: " × ")
            let shown = count == Int.max ? "too many" : "\(count)"
            throw BacktestError("--sweep: \(sizes) = \(shown) combinations, each a whole backtest; at most \(maximumCombinations) run in one sweep: give fewer values")
        }
        return count
    }

    public static func combinations(_ axes: [SweepAxis]) -> [[(key: String, value: String)]] {
        axes.reduce([[]]) { partial, axis in partial.flatMap { prefix in axis.values.map { prefix + [(axis.key, $0)] } } }
    }

    /// The strategy file's text with `assignments` applied, parsed and validated.
    /// - Throws: `BacktestError` naming the key that does not exist or the value the strategy
    ///   parser refuses.
    public static func apply(_ assignments: [(key: String, value: String)], to text: String, file: String) throws(BacktestError) -> Strategy {
        var root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw BacktestError("\(file) is empty") }
            root = node
        } catch let error as BacktestError {
            throw error
        } catch {
            throw BacktestError("\(file): \(error)")
        }
        for (key, value) in assignments {
            let path = key.split(separator: ".").map(String.init)
            guard let updated = set(root, path: path[...], value: value, key: key) else {
                throw BacktestError("--sweep \(key): \(file) has no such key\(hint(root, path))")
            }
            root = updated
        }
        let label = assignments.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let serialized: String
        do { serialized = try Yams.serialize(node: root) } catch { throw BacktestError("\(file): \(error)") }
        do {
            return try StrategyParser.parse(serialized, file: "\(file) [\(label)]")
        } catch {
            throw BacktestError("--sweep \(label): \(error.description)")
        }
    }

    static func set(_ node: Node, path: ArraySlice<String>, value: String, key: String) -> Node? {
        guard let head = path.first else {
            return Node(value)
        }
        switch node {
        case .mapping(var mapping):
            let rest = path.dropFirst()
            if let existing = mapping[head] {
                guard let changed = set(existing, path: rest, value: value, key: key) else { return nil }
                mapping[head] = changed
            } else {
                // A missing leaf under an existing mapping is added (budget.per_order, …).
                guard rest.isEmpty, head != "rules" else { return nil }
                mapping[head] = Node(value)
            }
            return .mapping(mapping)
        case .sequence(var sequence):
            guard let index = sequence.firstIndex(where: { $0.mapping?["name"]?.string == head }) else { return nil }
            guard let changed = set(sequence[index], path: path.dropFirst(), value: value, key: key) else { return nil }
            sequence[index] = changed
            return .sequence(sequence)
        default:
            return nil
        }
    }

    static func hint(_ root: Node, _ path: [String]) -> String {
        if path.first == "rules", path.count > 1, let rules = root.mapping?["rules"]?.sequence {
            let names = rules.compactMap { $0.mapping?["name"]?.string }
            if !names.contains(path[1]) { return " (no rule named \(path[1]); rules: \(names.joined(separator: ", ")))" }
        }
        return ""
    }

    public struct Outcome: Sendable {
        public var label: String
        public var result: BacktestResult
    }

    /// Backtests every strategy, `jobs` at a time, and ranks them by `objective`.
    public static func run(_ strategies: [(label: String, strategy: Strategy)], on recording: Recording, configuration: BacktestConfiguration,
                           objective: SweepObjective, stockoutCost: Decimal = 1, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(BacktestError) -> [Outcome] {
        let demand = configuration.demand ?? recording.slice(from: configuration.from, to: configuration.to).demand
        let baseline = await Backtester.autoMode(recording.slice(from: configuration.from, to: configuration.to), demand: demand,
                                                 settings: configuration.replay, auto: configuration.autoMode, maxGap: configuration.maxGap)
        let outcomes = try await BoundedRuns.run(count: strategies.count, jobs: jobs) { i throws(BacktestError) in
            let result = try await Backtester.run(strategies[i].strategy, on: recording, configuration: configuration, baseline: baseline)
            return Outcome(label: strategies[i].label, result: result)
        } finished: { done, _ in
            progress?(done, strategies.count)
        }
        return outcomes.sorted { a, b in
            let (x, y) = (score(a.result, objective, stockoutCost), score(b.result, objective, stockoutCost))
            return x != y ? x < y : a.result.metrics.spend < b.result.metrics.spend
        }
    }

    /// The objective's value for a result (lower is better).
    public static func score(_ r: BacktestResult, _ objective: SweepObjective, _ stockoutCost: Decimal) -> Decimal {
        switch objective {
        case .score: return r.metrics.spend + Decimal(r.metrics.stockoutMinutes) * stockoutCost
        case .averagePrice: return r.metrics.averagePrice ?? Decimal(Int.max)
        case .spend: return r.metrics.spend
        case .stockout: return Decimal(r.metrics.stockoutMinutes)
        case .expired: return r.metrics.consumption.expiredUnits
        case .costPerUnitUsed:
            // Nothing used: nothing to compare per unit, so it ranks last.
            guard let perUnit = r.metrics.costPerUnitUsed else { return Decimal(Int.max) }
            let stockoutSeconds = Decimal(Int(r.metrics.consumption.stockoutSeconds.rounded()))
            return perUnit + stockoutSeconds / 60 * stockoutCost / r.metrics.consumption.usedUnits
        }
    }
}
