import Engine
import Foundation
import GridKeeperCore
import GridKeeperMacros
import Ledger
import Logging
import ServiceLifecycle
import UnixSignals

/// How `gridkeeper run` serves and watches a deployment: the status endpoint, notifications and,
/// on a shared ledger, the lease.
@MemberwiseInit
public struct DaemonSettings: Sendable {
    public var statusHost: String = "127.0.0.1"
    /// 0 picks a free port.
    public var statusPort: Int = 9469
    /// Required by `/status` and `/metrics` when set.
    public var statusToken: StatusToken? = nil
    /// Webhook for notifications; none when nil.
    public var notifyURL: String? = nil
    public var notifyThresholds: Notifier.Thresholds = .init()
    /// Seconds a leader's lease lasts unrenewed; nil: from the strategies' intervals.
    public var leaseTTL: TimeInterval? = nil
    public var cancelOnExit: Bool = false
}

extension Deployment {
    /// Runs the deployment as the daemon until SIGTERM or SIGINT: every strategy on its
    /// interval (`StrategyScheduler`), the status endpoint, the notifier and, on a PostgreSQL
    /// ledger, the lease (cycles run only while this daemon leads).
    ///
    /// No cycle starts before the status endpoint listens, so a port in use ends the daemon
    /// before anything is sent to the exchange. Services stop in reverse order: the scheduler
    /// first (the cycle in progress finishes, open orders are cancelled if asked), then the
    /// lease is handed back, then the status endpoint, then the notifier, which posts what is
    /// still queued.
    /// - Parameter listening: told once the status endpoint is bound, with a line that says
    ///   what runs and where the status is served.
    /// - Throws: the first service's error (a bind failure: see `StatusServerError.from`).
    public func runDaemon(_ settings: DaemonSettings, logger: Logger, listening: @escaping @Sendable (String) -> Void) async throws {
        let metrics = EngineMetrics()
        let notifier = settings.notifyURL.map { Notifier(url: $0, thresholds: settings.notifyThresholds, logger: logger) }
        let leadership = (ledger as? PostgresLedger).map { shared in
            Leadership(ledger: shared, ttl: settings.leaseTTL ?? Leadership.ttl(forIntervals: strategies.map { NSDecimalNumber(decimal: $0.every).doubleValue }),
                       logger: logger, notifier: notifier, metrics: metrics)
        }
        let state = DaemonState(strategies: strategies, startedAt: Date(), leadership: leadership)
        let (bound, announceBound) = AsyncStream<Void>.makeStream()
        let scheduler = StrategyScheduler(
            runner: leadership.map { runner(leadingWith: $0, logger: logger) } ?? runner, state: state, metrics: metrics, logger: logger, notifier: notifier,
            cancelOnExit: settings.cancelOnExit, checkLedger: checkLedger, startAfter: { for await _ in bound { break } }, leadership: leadership
        ) { [self] in try reloadStrategies() }
        let host = settings.statusHost
        let line = { @Sendable (port: Int) -> String in
            let shown = host.contains(":") ? "[\(host)]" : host
            let role = leadership.map { " (shared ledger \(self.ledger.path): cycles run while this daemon, \($0.holder), holds the lease)" } ?? ""
            let paper = self.mode == .paper ? " (paper)" : ""
            let token = settings.statusToken == nil ? "" : " (bearer token required)"
            return "gridkeeper running \(self.strategies.count) strategies\(paper)\(role); status on http://\(shown):\(port)/status\(token)"
        }
        let status = StatusServer.application(state: state, metrics: metrics, host: host, port: settings.statusPort, token: settings.statusToken,
                                              logger: logger) { port in
            listening(line(port))
            announceBound.yield()
            announceBound.finish()
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let notifier { services.append(.init(service: notifier)) }
        services.append(.init(service: status))
        if let leadership { services.append(.init(service: leadership)) }
        services.append(.init(service: scheduler, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
