import Foundation

extension RegimeSuite {
    /// `value` rounded to `places` decimals, trailing zeros kept (`2.5000`).
    public static func fixed(_ value: Decimal, places: Int) -> String {
        let text = BacktestMetrics.text(value, places: places)
        guard places > 0 else { return text }
        let parts = text.split(separator: ".", maxSplits: 1)
        let decimals = parts.count > 1 ? String(parts[1]) : ""
        return String(parts[0]) + "." + decimals + String(repeating: "0", count: max(0, places - decimals.count))
    }

    /// The outcome as a Markdown table, one row per regime with the seeds' values as
    /// `a / b / c`, then the bar's checks with PASS or FAIL.
    public static func table(_ outcome: Outcome) -> String {
        func seeds<T>(_ runs: [Run], _ value: (Run) -> T?, _ format: (T) -> String) -> String {
            runs.map { value($0).map(format) ?? "—" }.joined(separator: " / ")
        }
        func money(_ d: Decimal) -> String { fixed(d, places: 4) }
        func percent(_ d: Decimal) -> String { fixed(d, places: 2) }
        func minutes(_ m: Double) -> String { String(format: "%.1f", m) }
        func change(_ ratio: Decimal?) -> String {
            guard let ratio else { return "—" }
            let d = (ratio - 1) * 100
            return (d > 0 ? "+" : "") + fixed(d, places: 1) + " %"
        }
        var out = "keeper = \(outcome.strategy), JIT = \(outcome.baseline); \(outcome.seeds.count) seed\(outcome.seeds.count == 1 ? "" : "s") "
        out += "(\(outcome.seeds.map(String.init).joined(separator: ", "))) × \(String(format: "%g", outcome.days)) days; $/used = cost per unit used, USD\n\n"
        out += "| regime | keeper $/used | keeper stockout min | keeper expired % | Auto Mode $/used (expired %) | JIT $/used (stockout min) | keeper vs JIT |\n"
        out += "|---|---|---|---|---|---|---|\n"
        for row in outcome.rows {
            let r = row.runs
            let cells = [
                row.regime.rawValue,
                seeds(r, { $0.strategy.costPerUnitUsed }, money),
                seeds(r, { $0.strategy.stockoutMinutes }, minutes),
                seeds(r, { $0.strategy.expiredPercent }, percent),
                seeds(r, { $0.autoMode.costPerUnitUsed }, money) + " (" + seeds(r, { $0.autoMode.expiredPercent }, percent) + ")",
                seeds(r, { $0.baseline.costPerUnitUsed }, money) + " (" + seeds(r, { $0.baseline.stockoutMinutes }, minutes) + ")",
                seeds(r, { ratio($0.strategy.costPerUnitUsed, $0.baseline.costPerUnitUsed) }, { change($0) }) + " (mean \(change(row.againstBaseline)))",
            ]
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        out += "\nbar:\n"
        for row in outcome.rows {
            out += "  \(row.regime.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(row.passed ? "PASS" : "FAIL")"
            out += "  " + row.checks.map { "\($0.name): \($0.passed ? "pass" : "FAIL") (\($0.detail))" }.joined(separator: "; ") + "\n"
        }
        for check in outcome.checks { out += "  \(check.name): \(check.passed ? "PASS" : "FAIL") (\(check.detail))\n" }
        out += "overall: \(outcome.barPassed ? "PASS" : "FAIL")\n"
        return out
    }
}
