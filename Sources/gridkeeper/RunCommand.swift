import ArgumentParser
import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Hummingbird
import Ledger
import Logging
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run unattended: every strategy on its interval, until SIGTERM or SIGINT.",
        discussion: """
            Each strategy's cycle runs every `every` of its file, all of them under the global budget of --config. SIGTERM or SIGINT stops new cycles and lets the one in progress finish (--cancel-on-exit then cancels open orders). SIGHUP reloads the strategy files; an invalid set is rejected and the running one kept. A status endpoint on loopback serves /healthz, /status (JSON) and /metrics (Prometheus: cycles, decisions, orders, fills, errors, spend and budget left, runway, cycle duration). The kill switch (gridkeeper pause) is honoured from the next cycle.

            --paper reads the real market but fills orders locally against the observed book,
            records them as paper in their own ledger (paper-ledger.sqlite beside the default one) and sends nothing mutating to the exchange.

            --notify URL posts JSON to a webhook on fills, the kill switch, the budget running
            out, runway under --runway-critical and repeated errors.
            """
    )

    @Option(help: ArgumentHelp("Directory of strategy files (*.yaml) (default: the config's, else ./strategies).", valueName: "dir"))
    var strategies: String?

    @Option(name: .customLong("status-port"), help: "Port of the status endpoint, 0 picks a free one (default: 9469).")
    var statusPort: Int?

    @Option(name: .customLong("status-host"), help: "Address of the status endpoint (default: 127.0.0.1).")
    var statusHost: String?

    @Flag(help: "Paper trading: fill orders locally against the observed book; send nothing mutating.")
    var paper = false

    @Option(help: ArgumentHelp("Webhook to POST JSON notifications to.", valueName: "url"))
    var notify: String?

    @Option(name: .customLong("runway-critical"), help: ArgumentHelp("Runway that sends a runway_critical notification (default: 30m).", valueName: "duration"))
    var runwayCritical: String?

    @Flag(name: .customLong("cancel-on-exit"), help: "Cancel open orders when stopped by SIGTERM or SIGINT.")
    var cancelOnExit = false

    @OptionGroup var config: ConfigOptions
    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if let statusPort, !(0...65535).contains(statusPort) { throw ValidationError("--status-port must be between 0 and 65535") }
        if let notify, URL(string: notify)?.host == nil || !["http", "https"].contains(URL(string: notify)?.scheme ?? "") {
            throw ValidationError("--notify must be an http(s) URL, got \(notify)")
        }
        if let runwayCritical, StrategyParser.duration(runwayCritical) == nil {
            throw ValidationError("--runway-critical: expected a duration like 30m or 2h, got \(runwayCritical)")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let settings = try config.load()
            let directory = strategies ?? settings.strategies ?? "strategies"
            let loaded = try OnceCommand.loadStrategies(directory)
            let mode: LedgerMode = paper ? .paper : .live
            let path = ledger.path(settings, fallback: paper ? (Ledger.defaultPath() as NSString).deletingLastPathComponent + "/paper-ledger.sqlite" : nil)
            let opened: Ledger
            do { opened = try Ledger(path: path) } catch { throw CommandFailure(message: "\(error)") }
            let lock = try LedgerLock(path: opened.path + ".lock")
            defer { lock.release() }
            try OnceCommand.checkMode(mode, of: opened)
            let client = try connection.makeClient(config: settings)
            let logger = Logger(label: "gridkeeper.daemon")
            let live = GridExchange(client: client, autoTransfers: settings.autoTransfer ?? false, sharedReadsFor: 5)
            let exchange: any Exchange = paper ? PaperExchange(market: live, carried: try Self.paperCarry(opened, strategies: loaded)) : live
            let runner = CycleRunner(exchange: exchange, ledger: opened,
                                     configuration: EngineConfiguration(mode: mode, timeZone: ledger.zone(settings), globalBudget: settings.budget),
                                     logger: logger)
            let state = DaemonState(strategies: loaded, startedAt: Date())
            let metrics = EngineMetrics()
            var notifier: Notifier?
            if let url = notify ?? settings.notifyURL {
                let critical = runwayCritical.flatMap(StrategyParser.duration) ?? settings.runwayCritical ?? 1800
                notifier = Notifier(url: url, thresholds: .init(runwayCritical: NSDecimalNumber(decimal: critical).doubleValue,
                                                                errorsInARow: settings.errorsInARow ?? 3), logger: logger)
            }
            let scheduler = StrategyScheduler(runner: runner, state: state, metrics: metrics, logger: logger, notifier: notifier,
                                              cancelOnExit: cancelOnExit) {
                try OnceCommand.loadStrategies(directory)
            }
            let host = statusHost ?? settings.statusHost ?? "127.0.0.1"
            let status = StatusServer.application(state: state, metrics: metrics, host: host, port: statusPort ?? settings.statusPort ?? 9469,
                                                  logger: logger) { port in
                FileHandle.standardOutput.write(Data("gridkeeper running \(loaded.count) strategies\(paper ? " (paper)" : ""); status on http://\(host):\(port)/status\n".utf8))
            }
            // Services stop in reverse order: the scheduler first (the cycle in progress finishes,
            // open orders are cancelled if asked), then the status endpoint, then the notifier,
            // which posts what is still queued.
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let notifier { services.append(.init(service: notifier)) }
            services.append(.init(service: status))
            services.append(.init(service: scheduler, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do {
                try await group.run()
            } catch {
                throw CommandFailure(message: "\(error)")
            }
            FileHandle.standardOutput.write(Data("gridkeeper stopped\n".utf8))
        }
    }

    /// What earlier paper runs bought and moved, so paper balances carry over a restart.
    static func paperCarry(_ ledger: Ledger, strategies: [Strategy]) throws -> PaperCarry {
        var carry = PaperCarry()
        do {
            for s in strategies {
                let totals = try ledger.fillTotals(instrument: s.instrument, from: .distantPast, to: .distantFuture)
                carry.spent += totals.cost
                carry.bought[s.instrument] = totals.units
                carry.transfers[s.instrument] = try ledger.transfersIn(instrument: s.instrument, from: .distantPast)
            }
        } catch { throw CommandFailure(message: "\(error)") }
        return carry
    }
}
