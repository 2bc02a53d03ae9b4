import Engine
import Foundation
import GridKeeperCore
import Prometheus

/// Prometheus metrics of the daemon: cycles, decisions, orders, fills, errors, spend against
/// the caps, runway, and cycle duration (which is mostly Trading API latency).
public final class EngineMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    public init() {}

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gridkeeper", metricName: metric, unitName: unit, helpText: help)
    }

    /// Records one finished cycle.
    public func observe(_ report: CycleReport, duration: Duration) {
        let s = [("strategy", report.strategy)]
        registry.makeCounter(descriptor: Self.name("cycles", "total", "Cycles run"), labels: s).increment()
        for decision in report.decisions {
            registry.makeCounter(descriptor: Self.name("decisions", "total", "Rule outcomes"), labels: s + [("outcome", decision.outcome.rawValue)]).increment()
        }
        registry.makeCounter(descriptor: Self.name("orders", "total", "Orders placed"), labels: s).increment(by: Int64(report.ordersPlaced))
        registry.makeCounter(descriptor: Self.name("fills", "total", "Fills recorded"), labels: s).increment(by: Int64(report.fillsRecorded))
        registry.makeCounter(descriptor: Self.name("errors", "total", "Exchange errors in cycles"), labels: s).increment(by: Int64(report.errors.count))
        // Gauges are floating point by Prometheus' definition; the ledger holds the exact amounts.
        func gauge(_ metric: String, _ help: String, _ value: Decimal?, _ labels: [(String, String)]) {
            guard let value else { return }
            registry.makeGauge(descriptor: Self.name(metric, "usd", help), labels: s + labels).set(to: NSDecimalNumber(decimal: value).doubleValue)
        }
        let today = report.spentToday, month = report.spentMonth
        gauge("spend", "Spend so far, reservations included", today, [("period", "day")])
        gauge("spend", "Spend so far, reservations included", month, [("period", "month")])
        if let cap = report.dailyCap, let today { gauge("budget_left", "Budget left under the cap", cap - today, [("period", "day")]) }
        if let cap = report.monthlyCap, let month { gauge("budget_left", "Budget left under the cap", cap - month, [("period", "month")]) }
        // The global budget is one for all strategies: the latest cycle's view of it.
        func global(_ cap: Decimal?, _ spent: Decimal?, _ period: String) {
            guard let cap, let spent else { return }
            registry.makeGauge(descriptor: Self.name("global_budget_left", "usd", "Global budget left, every instrument together"), labels: [("period", period)])
                .set(to: NSDecimalNumber(decimal: cap - spent).doubleValue)
        }
        global(report.globalDailyCap, report.globalSpentToday, "day")
        global(report.globalMonthlyCap, report.globalSpentMonth, "month")
        if let runway = report.runwaySeconds {
            registry.makeGauge(descriptor: Self.name("runway", "seconds", "Consumption runway"), labels: [("instrument", report.instrument)])
                .set(to: Double(runway))
        }
        registry.makeGauge(descriptor: Self.name("paused", "", "1 while the kill switch is engaged"), labels: []).set(to: report.paused ? 1 : 0)
        registry.makeDurationHistogram(
            descriptor: Self.name("cycle_duration", "seconds", "Cycle duration, mostly Trading API latency"), labels: s,
            buckets: [.milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10)]
        ).recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// The Prometheus text exposition.
    /// The lease of a shared ledger: whether this daemon leads, and with which fencing token.
    public func observeLeadership(leading: Bool, token: Int64?) {
        registry.makeGauge(descriptor: Self.name("leader", "", "1 while this daemon holds the shared ledger's lease"), labels: []).set(to: leading ? 1 : 0)
        if let token {
            registry.makeGauge(descriptor: Self.name("lease_token", "", "Fencing token of the lease this daemon holds"), labels: []).set(to: Double(token))
        }
    }

    public func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

extension EngineMetrics: CycleObserver {
    public func didRun(_ strategy: Strategy, report: CycleReport, took: Duration) async { observe(report, duration: took) }
}
