import Execution
import Foundation

/// The text and HTML forms of a backtest.
public enum BacktestReport {
    static func money(_ v: Decimal?, _ places: Int = 2) -> String { v.map { BacktestMetrics.text($0, places: places) } ?? "—" }

    static func percent(_ price: Decimal?, against reference: Decimal?) -> String {
        guard let price, let reference, reference > 0 else { return "—" }
        let change = NSDecimalNumber(decimal: (price - reference) / reference * 100).doubleValue
        return String(format: "%+.1f %%", change)
    }

    /// `1.25 %`, or `—`.
    static func percent(_ value: Decimal?) -> String {
        guard let value else { return "—" }
        return BacktestMetrics.text(value, places: 2) + " %"
    }

    /// `3 d 4 h`, `7 h 30 min`, `45 min`.
    static func duration(_ seconds: Int) -> String {
        let d = seconds / 86_400, h = seconds % 86_400 / 3600, m = seconds % 3600 / 60
        if d > 0 { return h > 0 ? "\(d) d \(h) h" : "\(d) d" }
        if h > 0 { return m > 0 ? "\(h) h \(m) min" : "\(h) h" }
        return "\(m) min"
    }

    static func minutes(_ m: Double) -> String { m < 10 ? String(format: "%.1f min", m) : "\(Int(m.rounded())) min" }

    static func day(_ d: Date) -> String {
        let f = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
        return d.formatted(f).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    /// A summary for the terminal: the strategy, the `--baseline` strategy when there is one,
    /// and Auto Mode side by side; then the cap diagnosis when caps held buys back while the
    /// team ran dry.
    public static func text(_ r: BacktestResult) -> String {
        let days = r.to.timeIntervalSince(r.from) / 86_400
        let auto = r.autoModeSettings
        // Columns: the strategy, the baseline (when given), Auto Mode.
        let columns = [r.metrics] + (r.baseline.map { [$0.metrics] } ?? []) + [r.autoMode]
        let isAuto = columns.indices.map { $0 == columns.count - 1 }
        func row(_ name: String, _ value: (BacktestMetrics, Bool) -> String) -> (String, [String]) {
            (name, zip(columns, isAuto).map { value($0.0, $0.1) })
        }
        var rows: [(String, [String])] = [
            row("spend (USD)") { m, _ in money(m.spend) },
            row("units bought") { m, _ in "\(m.unitsBought)" },
            row("average price") { m, _ in money(m.averagePrice, 4) },
        ]
        if let vwap = r.vwap { rows.append(row("  against VWAP \(money(vwap, 4))") { m, _ in percent(m.averagePrice, against: vwap) }) }
        if let ask = r.averageAsk { rows.append(row("  against mean ask \(money(ask, 4))") { m, _ in percent(m.averagePrice, against: ask) }) }
        rows += [
            row("stockout") { m, _ in minutes(m.stockoutMinutes) },
            row("units used") { m, _ in "\(m.consumption.usedUnits)" },
            row("units expired unused") { m, _ in "\(m.consumption.expiredUnits)" },
            row("  expired of bought") { m, _ in percent(m.expiredPercent) },
            row("cost per unit used") { m, _ in money(m.costPerUnitUsed, 4) },
            row("orders / cancels") { m, auto in "\(m.ordersPlaced) / \(auto ? 0 : m.cancels)" },
            row("budget cap hits") { m, auto in auto ? "—" : "\(m.capHits)" },
            row("fees (USD)") { m, _ in money(m.fees) },
        ]
        if r.baseline != nil {
            // "—" when either bought nothing: units from the starting balance cost nothing.
            rows.append(("  cost per unit used ÷ baseline", [money(r.costPerUnitUsedAgainstBaseline, 3)] + Array(repeating: "", count: columns.count - 1)))
        }
        var out = "\(r.strategy) on \(r.instrument), \(day(r.from)) → \(day(r.to)) UTC (\(String(format: "%.1f", days)) days)\n"
        out += "\(r.snapshots) snapshots, \(r.trades) recorded trades, \(r.cycles) cycles\n"
        if let longest = r.gaps.max(by: { $0.seconds < $1.seconds }) {
            let total = r.gaps.reduce(0) { $0 + $1.seconds }
            out += "\(r.gaps.count) gap\(r.gaps.count == 1 ? "" : "s") without data skipped (\(duration(total)) in all, the longest \(duration(longest.seconds)) from \(day(longest.from))): no cycle ran in them\n"
        }
        if let baseline = r.baseline { out += "baseline: \(baseline.strategy) (\(baseline.file)), same data and settings\n" }
        out += "\n"
        let width = max(24, rows.map(\.0.count).max() ?? 0) + 2
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        let baselineWidth = max(16, (r.baseline?.strategy.count ?? 0) + 2)
        out += pad("", width) + pad("strategy", 16) + (r.baseline.map { pad($0.strategy, baselineWidth) } ?? "")
            + "Auto Mode (buy \(auto.amount) when under \(auto.threshold))\n"
        for (name, values) in rows {
            var line = pad(name, width)
            for (i, v) in values.enumerated() { line += i == values.count - 1 ? v : pad(v, i == 0 ? 16 : baselineWidth) }
            out += line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        if let diagnosis = r.capDiagnosis { out += "\n" + diagnosis.text }
        return out
    }

    // MARK: HTML

    /// One self-contained page (inline CSS and SVG, no scripts, no network) with the summary
    /// and three charts: price with buys marked, consumption and runway, cumulative spend of
    /// the strategy, Auto Mode and the `--baseline` strategy against the caps. The strategy's
    /// stockouts are shaded on every chart; each chart has a legend.
    public static func html(_ r: BacktestResult) -> String {
        let summary = text(r).split(separator: "\n", omittingEmptySubsequences: false).map(escape).joined(separator: "\n")
        let start = r.from.timeIntervalSince1970, span = max(1, r.to.timeIntervalSince1970 - start)
        func x(_ t: Date) -> Double { 60 + (t.timeIntervalSince1970 - start) / span * 860 }
        func d(_ v: Decimal) -> Double { NSDecimalNumber(decimal: v).doubleValue }

        // Price.
        let asks = r.series.compactMap { p in p.ask.map { (p.t, d($0)) } }
        let buyPrices = r.buys.map { d($0.price) }
        var lo = (asks.map(\.1) + buyPrices).min() ?? 0, hi = (asks.map(\.1) + buyPrices).max() ?? 1
        if hi - lo < 0.01 { hi += 0.01; lo -= 0.01 }
        let pad = (hi - lo) * 0.08
        lo -= pad; hi += pad
        func yPrice(_ v: Double) -> Double { 190 - (v - lo) / (hi - lo) * 170 }
        let bands = stockoutBands(r, x: x)
        var price = axes(title: "Best ask (USD/unit) and buys", lo: lo, hi: hi, format: "%.2f", r: r) + bands
        price += polyline(asks.map { (x($0.0), yPrice($0.1)) }, color: colors.strategy)
        if let vwap = r.vwap {
            price += "<line x1=\"60\" x2=\"920\" y1=\"\(f(yPrice(d(vwap))))\" y2=\"\(f(yPrice(d(vwap))))\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>"
            price += "<text x=\"918\" y=\"\(f(yPrice(d(vwap)) - 3))\" text-anchor=\"end\" class=\"note\">VWAP \(money(vwap, 4))</text>"
        }
        let biggest = Double(r.buys.map(\.quantity).max() ?? 1)
        for b in r.buys.prefix(4000) {
            let radius = 2 + 4 * (Double(b.quantity) / biggest).squareRoot()
            price += "<circle cx=\"\(f(x(b.t)))\" cy=\"\(f(yPrice(d(b.price))))\" r=\"\(f(radius))\" fill=\"\(colors.buys)\" fill-opacity=\"0.7\"><title>\(b.quantity) @ \(money(b.price, 4)), \(day(b.t))</title></circle>"
        }

        // Consumption and runway.
        let maxUnits = Double(max(1, r.series.map(\.consumption).max() ?? 1))
        let hours = r.series.map { min(Double($0.runwaySeconds ?? 0) / 3600, 24) }
        let maxHours = max(1, hours.max() ?? 1)
        var stock = axes(title: "Consumption (units) and runway (hours; right axis, capped at 24 h)", lo: 0, hi: maxUnits, format: "%.0f", r: r) + bands
        stock += polyline(r.series.map { (x($0.t), 190 - Double($0.consumption) / maxUnits * 170) }, color: colors.strategy)
        stock += polyline(zip(r.series, hours).map { (x($0.0.t), 190 - $0.1 / maxHours * 170) }, color: colors.runway)
        stock += "<text x=\"925\" y=\"24\" class=\"note\">\(f(maxHours)) h</text><text x=\"925\" y=\"190\" class=\"note\">0 h</text>"

        // Spend against caps: the strategy, Auto Mode and the baseline.
        let spent = r.series.map { d($0.spent) }
        let autoSpent = r.autoModeSpend.map { (x($0.t), d($0.spent)) }
        let baselineSpent = (r.baseline?.spend ?? []).map { (x($0.t), d($0.spent)) }
        let days = Int(ceil(span / 86_400))
        let dailyAllowance = r.dailyCap.map { d($0) * Double(max(days, 1)) }
        let most = (spent + autoSpent.map(\.1) + baselineSpent.map(\.1)).max() ?? 0
        let ceiling = max(most, min(dailyAllowance ?? 0, r.monthlyCap.map(d) ?? .infinity), 1) * 1.08
        func ySpend(_ v: Double) -> Double { 190 - v / ceiling * 170 }
        var spend = axes(title: "Cumulative spend (USD) against the caps", lo: 0, hi: ceiling, format: "%.0f", r: r) + bands
        if let cap = r.dailyCap {
            var points: [(Double, Double)] = []
            for k in 0..<max(days, 1) {
                let a = r.from.addingTimeInterval(Double(k) * 86_400), b = min(r.to, r.from.addingTimeInterval(Double(k + 1) * 86_400))
                let level = ySpend(min(d(cap) * Double(k + 1), ceiling))
                points += [(x(a), level), (x(b), level)]
            }
            spend += polyline(points, color: colors.dailyCap, dash: true)
        }
        if let monthly = r.monthlyCap, d(monthly) <= ceiling {
            spend += "<line x1=\"60\" x2=\"920\" y1=\"\(f(ySpend(d(monthly))))\" y2=\"\(f(ySpend(d(monthly))))\" stroke=\"\(colors.monthlyCap)\" stroke-dasharray=\"6 3\"/>"
            spend += "<text x=\"918\" y=\"\(f(ySpend(d(monthly)) - 3))\" text-anchor=\"end\" class=\"note\">monthly cap \(CapDiagnosis.fixed(monthly, places: 2))</text>"
        }
        spend += polyline(autoSpent.map { ($0.0, ySpend($0.1)) }, color: colors.autoMode)
        spend += polyline(baselineSpent.map { ($0.0, ySpend($0.1)) }, color: colors.baseline)
        spend += polyline(zip(r.series, spent).map { (x($0.0.t), ySpend($0.1)) }, color: colors.strategy)

        // Legends.
        var priceKey: [(swatch: Swatch, color: String, label: String)] = [(.line, colors.strategy, "best ask"), (.dot, colors.buys, "buys (\(r.strategy))")]
        if r.vwap != nil { priceKey.append((.dashed, colors.vwap, "VWAP")) }
        price += legend(priceKey + stockoutLegend(r))
        stock += legend([(.line, colors.strategy, "consumption (\(r.strategy))"), (.line, colors.runway, "runway")] + stockoutLegend(r))
        var spendKey: [(swatch: Swatch, color: String, label: String)] = [(.line, colors.strategy, "strategy: \(r.strategy)")]
        if let baseline = r.baseline { spendKey.append((.line, colors.baseline, "baseline: \(baseline.strategy)")) }
        if !autoSpent.isEmpty { spendKey.append((.line, colors.autoMode, "Auto Mode")) }
        if let cap = r.dailyCap { spendKey.append((.dashed, colors.dailyCap, "daily cap \(CapDiagnosis.fixed(cap, places: 2)) × days")) }
        spend += legend(spendKey + stockoutLegend(r))

        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Backtest: \(escape(r.strategy)) on \(escape(r.instrument))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 980px; color: #222; }
            pre { background: #f6f6f4; padding: 12px 16px; border-radius: 6px; overflow-x: auto; }
            svg { display: block; margin: 8px 0 24px; background: #fff; border: 1px solid #ddd; border-radius: 6px; }
            .axis { stroke: #999; } .grid { stroke: #eee; } text { font-size: 11px; fill: #555; } .title { font-size: 13px; fill: #222; }
            .note { font-size: 11px; fill: #777; }
            </style></head><body>
            <h1>Backtest: \(escape(r.strategy))</h1>
            <pre>\(summary)</pre>
            <svg viewBox="0 0 960 240" width="960" height="240" role="img">\(price)</svg>
            <svg viewBox="0 0 960 240" width="960" height="240" role="img">\(stock)</svg>
            <svg viewBox="0 0 960 240" width="960" height="240" role="img">\(spend)</svg>
            <p class="note">Generated by gridkeeper backtest. Auto Mode: market buy of \(r.autoModeSettings.amount) units whenever consumption is under \(r.autoModeSettings.threshold), on the same data.\(r.baseline.map { " Baseline: \(escape($0.strategy)) (\(escape($0.file))), on the same data and settings." } ?? "") Shaded: when \(escape(r.strategy))'s team had no usable consumption while there was demand, at cycle resolution.</p>
            </body></html>

            """
    }

    static func axes(title: String, lo: Double, hi: Double, format: String, r: BacktestResult) -> String {
        var s = "<text x=\"60\" y=\"14\" class=\"title\">\(escape(title))</text>"
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4, y = 190 - Double(k) / 4 * 170
            s += "<line x1=\"60\" x2=\"920\" y1=\"\(f(y))\" y2=\"\(f(y))\" class=\"grid\"/>"
            s += "<text x=\"55\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(String(format: format, v))</text>"
        }
        s += "<line x1=\"60\" x2=\"920\" y1=\"190\" y2=\"190\" class=\"axis\"/><line x1=\"60\" x2=\"60\" y1=\"20\" y2=\"190\" class=\"axis\"/>"
        s += "<text x=\"60\" y=\"206\">\(escape(day(r.from)))</text><text x=\"920\" y=\"206\" text-anchor=\"end\">\(escape(day(r.to)))</text>"
        return s
    }

    static func polyline(_ points: [(Double, Double)], color: String, dash: Bool = false) -> String {
        guard !points.isEmpty else { return "" }
        let p = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dash ? " stroke-dasharray=\"5 3\"" : "") points=\"\(p)\"/>"
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v.isFinite ? v : 0) }

    static func escape(_ s: some StringProtocol) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
