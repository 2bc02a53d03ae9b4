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
            Each strategy's cycle runs every `every` of its file. SIGTERM or SIGINT stops new
            cycles and lets the one in progress finish. SIGHUP reloads the strategy files; an
            invalid set is rejected and the running one kept. A status endpoint on loopback
            serves /healthz, /status (JSON) and /metrics (Prometheus: cycles, decisions, orders,
            fills, errors, spend and budget left, runway, cycle duration). The kill switch (gridkeeper pause) is honoured
            from the next cycle.
            """
    )

    @Option(help: ArgumentHelp("Directory of strategy files (*.yaml).", valueName: "dir"))
    var strategies: String = "strategies"

    @Option(name: .customLong("status-port"), help: "Port of the status endpoint (0 picks a free one).")
    var statusPort: Int = 9469

    @Option(name: .customLong("status-host"), help: "Address of the status endpoint.")
    var statusHost: String = "127.0.0.1"

    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard (0...65535).contains(statusPort) else { throw ValidationError("--status-port must be between 0 and 65535") }
    }

    func run() async throws {
        try await reportingFailures {
            let directory = strategies
            let loaded = try OnceCommand.loadStrategies(directory)
            let opened = try ledger.open()
            let lock = try LedgerLock(path: opened.path + ".lock")
            defer { lock.release() }
            let client = try connection.makeClient()
            let logger = Logger(label: "gridkeeper.daemon")
            let runner = CycleRunner(exchange: GridExchange(client: client), ledger: opened,
                                     configuration: EngineConfiguration(mode: .live, timeZone: ledger.zone), logger: logger)
            let state = DaemonState(strategies: loaded, startedAt: Date())
            let metrics = EngineMetrics()
            let scheduler = StrategyScheduler(runner: runner, state: state, metrics: metrics, logger: logger) {
                try OnceCommand.loadStrategies(directory)
            }
            let host = statusHost
            let status = StatusServer.application(state: state, metrics: metrics, host: host, port: statusPort, logger: logger) { port in
                FileHandle.standardOutput.write(Data("gridkeeper running \(loaded.count) strategies; status on http://\(host):\(port)/status\n".utf8))
            }
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: scheduler, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                           .init(service: status)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do {
                try await group.run()
            } catch {
                throw CommandFailure(message: "\(error)")
            }
            FileHandle.standardOutput.write(Data("gridkeeper stopped\n".utf8))
        }
    }
}
