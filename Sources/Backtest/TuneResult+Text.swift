import Execution
import Foundation

extension TuneResult {
    /// The summary for people: spans, the proposed change, a table of both spans' metrics for
    /// current and proposed parameters, the training ranking's head and the verdict.
    public func text(top: Int = 5) -> String {
        func when(_ d: Date) -> String { BacktestReport.day(d) }
        func length(_ a: Date, _ b: Date) -> String { BacktestReport.duration(Int(b.timeIntervalSince(a).rounded())) }
        var out = "tune \(strategy) (\(file)) on \(instrument), objective \(objective.rawValue)"
        if objective == .score || objective == .costPerUnitUsed { out += ", stockout \(BacktestMetrics.text(stockoutCost)) USD/min" }
        out += "\n  training \(when(spans.trainingFrom)) → \(when(spans.trainingTo)) (\(length(spans.trainingFrom, spans.trainingTo))), \(training.count - 1) combination\(training.count == 2 ? "" : "s") and the current parameters\n"
        out += "  holdout  \(when(spans.holdoutFrom)) → \(when(spans.holdoutTo)) (\(length(spans.holdoutFrom, spans.holdoutTo)))\n\n"

        var rows: [(String, String, Candidate)] = [("training", "current", current)]
        if let proposed { rows.append(("training", "proposed", proposed)) }
        if let runnerUp { rows.append(("training", "best other", runnerUp)) }
        if let holdoutCurrent { rows.append(("holdout", "current", holdoutCurrent)) }
        if let holdoutProposed { rows.append(("holdout", "proposed", holdoutProposed)) }

        if changes.isEmpty {
            out += "no change proposed: the current parameters win on the training span"
            if let runnerUp { out += " (best other: \(runnerUp.label))" }
            out += "\n\n"
        } else {
            out += "proposed change:\n"
            let width = changes.map(\.key.count).max() ?? 0
            for change in changes {
                out += "  \(change.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(change.old ?? "(not set)") → \(change.new)\n"
            }
            out += "\n"
        }

        let header = ["span", "parameters", objective.rawValue, "cost/unit used", "avg price", "spend", "stockout", "expired", "used"]
        let table = rows.map { row -> [String] in
            let (span, name, c) = row
            let m = c.metrics
            return [span, name, c.scoreValue.map { BacktestMetrics.text($0, places: 4) } ?? "—", m.costPerUnitUsed.map { BacktestMetrics.text($0, places: 4) } ?? "—",
                    m.averagePrice.map { BacktestMetrics.text($0, places: 4) } ?? "—", BacktestMetrics.text(m.spend),
                    String(format: "%.1f min", m.stockoutMinutes), m.expiredPercent.map { BacktestMetrics.text($0, places: 1) + " %" } ?? "—",
                    "\(m.consumption.usedUnits)"]
        }
        out += Self.columns([header] + table, right: Set(2..<header.count)) + "\n\n"

        if training.count > 2 {
            out += "training ranking (\(min(top, training.count)) of \(training.count)):\n"
            for (i, c) in training.prefix(top).enumerated() {
                out += "  \(i + 1). \(c.scoreValue.map { BacktestMetrics.text($0, places: 4) } ?? "—")  \(c.label)\n"
            }
            out += "\n"
        }
        out += "verdict: \(verdictText)\n"
        return out
    }

    /// One sentence: what tune concluded and why.
    public var verdictText: String {
        func score(_ c: Candidate?) -> String { c?.scoreValue.map { BacktestMetrics.text($0, places: 4) } ?? "—" }
        switch verdict {
        case .currentWinsTraining:
            return "keep \(file): no combination beats the current parameters on the training span (\(objective.rawValue) \(score(current)))"
        case .improves:
            var text = "the proposal beats the current parameters on the holdout (\(objective.rawValue) \(score(holdoutProposed)) against \(score(holdoutCurrent)))"
            if let p = holdoutProposed?.scoreValue, let c = holdoutCurrent?.scoreValue, c > 0 {
                text += ", \(BacktestMetrics.text((c - p) * 100 / c, places: 1)) % better"
            }
            return text
        case .worseOnHoldout:
            return "keep \(file): the proposal won on the training span but not on the holdout (\(objective.rawValue) \(score(holdoutProposed)) against the current \(score(holdoutCurrent))); it fits the training data, not the market after it"
        }
    }

    static func columns(_ rows: [[String]], right: Set<Int>) -> String {
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        return rows.map { row in
            row.indices.map { i in
                let pad = String(repeating: " ", count: widths[i] - row[i].count)
                return right.contains(i) ? pad + row[i] : row[i] + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
