import Foundation
import GridAPI
import GridKeeperCore
import Ledger

extension BacktestResult {
    /// Cumulative spend at a time, USD (fees included).
    public struct SpendPoint: Sendable, Encodable, Equatable {
        public var t: Date
        public var spent: Decimal

        enum CodingKeys: String, CodingKey { case t, spent }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(t, forKey: .t)
            try c.encodeText(spent, places: 6, forKey: .spent)
        }
    }

    /// A stretch of replay time in which the strategy's team ran dry, at the resolution of its
    /// cycles: from the cycle before the stockout began to the first cycle that saw it over.
    public typealias Stockout = ReplaySpan

    /// A second strategy (`--baseline FILE`) replayed over the same recording with the same
    /// settings, shown beside the strategy and Auto Mode.
    public struct Baseline: Sendable, Encodable {
        /// The strategy's name in its file.
        public var strategy: String
        public var file: String
        public var metrics: BacktestMetrics
        /// Cumulative spend over the replay (for the HTML chart).
        public var spend: [SpendPoint]

        /// - Parameters:
        ///   - result: the baseline's own backtest.
        ///   - file: the file it was read from.
        ///   - keepSeries: keep its spend curve (not needed in sweep rows).
        public init(_ result: BacktestResult, file: String, keepSeries: Bool = true) {
            strategy = result.strategy
            self.file = file
            metrics = result.metrics
            spend = keepSeries ? result.series.map { SpendPoint(t: $0.t, spent: $0.spent) } : []
        }

        enum CodingKeys: String, CodingKey { case strategy, file, metrics, spend }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(strategy, forKey: .strategy)
            try c.encode(file, forKey: .file)
            try c.encode(metrics, forKey: .metrics)
            if !spend.isEmpty { try c.encode(spend, forKey: .spend) }
        }
    }

    /// The strategy's cost per unit used over the baseline's; nil without a baseline, or when
    /// either bought or used nothing (units from the starting balance cost nothing).
    public var costPerUnitUsedAgainstBaseline: Decimal? {
        guard let baseline, metrics.unitsBought > 0, baseline.metrics.unitsBought > 0,
              let mine = metrics.costPerUnitUsed, let theirs = baseline.metrics.costPerUnitUsed, theirs > 0 else { return nil }
        return mine / theirs
    }
}

extension Backtester {
    /// Cumulative spend as a step curve from fills: zero at `start`, a point at each fill, the
    /// total at `end`; at most `limit` points.
    static func spendCurve(_ fills: [OrderFill], start: Int64, end: Int64, limit: Int) -> [BacktestResult.SpendPoint] {
        var points = [BacktestResult.SpendPoint(t: Date(ledgerMilliseconds: start), spent: 0)]
        var spent = Decimal(0)
        let timed = fills.map { (ms: $0.executedAt?.ledgerMilliseconds ?? end, cost: $0.cost) }
        for fill in timed.sorted(by: { $0.ms < $1.ms }) {
            let t = Date(ledgerMilliseconds: min(max(fill.ms, start), end))
            points.append(.init(t: t, spent: spent))
            spent += fill.cost
            points.append(.init(t: t, spent: spent))
        }
        points.append(.init(t: Date(ledgerMilliseconds: end), spent: spent))
        return downsample(points, to: limit)
    }

    /// Extends `periods` with a stockout between two cycle times, joining it to the last one
    /// when they touch.
    static func addStockout(_ periods: inout [BacktestResult.Stockout], from: Int64, to: Int64) {
        let a = Date(ledgerMilliseconds: from), b = Date(ledgerMilliseconds: to)
        if let last = periods.last, last.to >= a {
            periods[periods.count - 1].to = max(last.to, b)
        } else {
            periods.append(.init(from: a, to: b))
        }
    }
}
