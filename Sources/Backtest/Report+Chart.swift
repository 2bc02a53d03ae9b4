import Foundation

/// Chart pieces of the HTML report: stockout shading and legends.
extension BacktestReport {
    /// How a legend entry is drawn.
    enum Swatch {
        case line
        case dashed
        case dot
        /// A shaded band (stockouts).
        case band
    }

    static let colors = (strategy: "#4a7bd0", baseline: "#e67e22", autoMode: "#7d4ea8", runway: "#3a9d5d", buys: "#e4572e",
                         stockout: "#e4572e", dailyCap: "#c9a227", monthlyCap: "#c0392b", vwap: "#888")

    /// A legend row under a chart's axis: a swatch and a label per entry, left to right.
    static func legend(_ entries: [(swatch: Swatch, color: String, label: String)]) -> String {
        var s = "<g class=\"legend\">"
        var x = 60.0
        let y = 226.0
        for entry in entries {
            s += "<g class=\"legend-entry\">"
            switch entry.swatch {
            case .line, .dashed:
                s += "<line x1=\"\(f(x))\" x2=\"\(f(x + 18))\" y1=\"\(f(y - 4))\" y2=\"\(f(y - 4))\" stroke=\"\(entry.color)\" stroke-width=\"2\""
                    + (entry.swatch == .dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>"
            case .dot:
                s += "<circle cx=\"\(f(x + 9))\" cy=\"\(f(y - 4))\" r=\"4\" fill=\"\(entry.color)\" fill-opacity=\"0.7\"/>"
            case .band:
                s += "<rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"18\" height=\"12\" fill=\"\(entry.color)\" fill-opacity=\"0.18\"/>"
            }
            s += "<text x=\"\(f(x + 23))\" y=\"\(f(y))\">\(escape(entry.label))</text></g>"
            // About 6 px a character at 11 px.
            x += 23 + Double(entry.label.count) * 6.2 + 18
        }
        return s + "</g>"
    }

    /// The strategy's stockouts as shaded bands over the plot area (drawn under the lines),
    /// each with its times as a tooltip. Bands closer than a pixel are drawn as one.
    static func stockoutBands(_ r: BacktestResult, x: (Date) -> Double) -> String {
        var bands: [(from: Date, to: Date, seconds: Int)] = []
        for period in r.stockouts {
            if let last = bands.last, x(period.from) - x(last.to) < 1 {
                bands[bands.count - 1].to = period.to
                bands[bands.count - 1].seconds += period.seconds
            } else {
                bands.append((period.from, period.to, period.seconds))
            }
        }
        var s = ""
        for band in bands {
            let a = x(band.from), width = max(1, x(band.to) - a)
            s += "<rect class=\"stockout\" x=\"\(f(a))\" y=\"20\" width=\"\(f(width))\" height=\"170\" fill=\"\(colors.stockout)\" fill-opacity=\"0.18\">"
                + "<title>stockout \(escape(day(band.from))) → \(escape(day(band.to))) UTC</title></rect>"
        }
        return s
    }

    /// The legend entry for the shading, when there is any.
    static func stockoutLegend(_ r: BacktestResult) -> [(swatch: Swatch, color: String, label: String)] {
        r.stockouts.isEmpty ? [] : [(.band, colors.stockout, "stockout (\(r.strategy))")]
    }
}
