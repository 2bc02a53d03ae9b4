import ArgumentParser
import Backtest
import Foundation
import GridAPI

/// The checks and parsing of the sweep flags `backtest` and `tune` share: `--sweep`,
/// `--objective`, `--stockout-cost` and `--jobs`.
enum SweepFlags {
    /// - Throws: `ValidationError` when `objective` names no `SweepObjective`.
    static func validate(objective: String) throws {
        guard SweepObjective(rawValue: objective) != nil else {
            throw ValidationError("--objective must be one of \(SweepObjective.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// - Throws: `ValidationError` when `stockoutCost` is not an amount ≥ 0 or `jobs` is under 1.
    static func validate(stockoutCost: String, jobs: Int?) throws {
        guard StrictDecimal.parse(stockoutCost).map({ $0 >= 0 }) == true else { throw ValidationError("--stockout-cost must be an amount ≥ 0") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
    }

    /// The `--sweep KEY=V1,V2,…` texts as axes.
    /// - Throws: `CommandFailure` (exit 64) when one does not parse or the axes clash.
    static func axes(_ sweep: [String]) throws -> [SweepAxis] {
        do {
            let axes = try sweep.map { text throws(BacktestError) in try SweepAxis.parse(text) }
            try Sweep.check(axes)
            return axes
        } catch { throw CommandFailure(message: "\(error)", exitCode: 64) }
    }
}
