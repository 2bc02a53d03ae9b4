import ArgumentParser
import Daemon
import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run unattended: every strategy on its interval, until SIGTERM or SIGINT.",
        discussion: """
            Each strategy's cycle runs every `every` of its file, all of them under the global budget of --config. SIGTERM or SIGINT stops new cycles and lets the one in progress finish (--cancel-on-exit then cancels open orders). SIGHUP reloads the strategy files and checks the ledger; an invalid set is rejected and the running one kept, a damaged ledger stops the daemon. The ledger is checked (PRAGMA quick_check) at start too, before anything is sent. A status endpoint on loopback serves /healthz, /status (JSON) and /metrics (Prometheus: cycles, decisions, orders, fills, errors, spend and budget left, runway, cycle duration); it is bound before the first cycle, so a port in use stops the daemon at once. The kill switch (gridkeeper pause) is honoured from the next cycle.

            --status-host other than loopback needs a bearer token (--status-token-file, $GRIDKEEPER_STATUS_TOKEN or status.token_file in --config): with a token, /status and /metrics require `Authorization: Bearer TOKEN`; /healthz stays open.

            --paper reads the real market but fills orders locally against the observed book,
            records them as paper in their own ledger (paper-ledger.sqlite beside the default one) and sends nothing mutating to the exchange.

            --db postgres://USER@HOST:PORT/DB puts the ledger on PostgreSQL, where an active and a standby daemon on two hosts may share it: the one holding the ledger's lease runs cycles, the other stands by and takes over within two strategy intervals when the leader dies or loses the database. Every trading write carries the lease's fencing token, and the database refuses a stale one. /status shows who leads, since when and with which token. See docs/OPERATIONS.md.

            --notify URL posts JSON to a webhook on fills, the kill switch, the budget running
            out, runway under --runway-critical and repeated errors.
            """
    )

    @Option(help: ArgumentHelp("Directory of strategy files (*.yaml) (default: the config's, else ./strategies).", valueName: "dir"))
    var strategies: String?

    @Option(name: .customLong("status-port"), help: "Port of the status endpoint, 0 picks a free one (default: 9469).")
    var statusPort: Int?

    @Option(name: .customLong("status-host"), help: "Address of the status endpoint (default: 127.0.0.1); any other than loopback needs a token.")
    var statusHost: String?

    @Option(name: .customLong("status-token-file"), help: ArgumentHelp("File (mode 0600) with the bearer token /status and /metrics then require (also $GRIDKEEPER_STATUS_TOKEN, status.token_file).", valueName: "file"))
    var statusTokenFile: String?

    static let tokenVariable = "GRIDKEEPER_STATUS_TOKEN"

    @Flag(help: "Paper trading: fill orders locally against the observed book; send nothing mutating.")
    var paper = false

    @Option(help: ArgumentHelp("Webhook to POST JSON notifications to.", valueName: "url"))
    var notify: String?

    @Option(name: .customLong("runway-critical"), help: ArgumentHelp("Runway that sends a runway_critical notification (default: 30m).", valueName: "duration"))
    var runwayCritical: String?

    @Flag(name: .customLong("cancel-on-exit"), help: "Cancel open orders when stopped by SIGTERM or SIGINT.")
    var cancelOnExit = false

    @Option(name: .customLong("lease-ttl"), help: ArgumentHelp("On a PostgreSQL ledger: seconds a leader's lease lasts unrenewed (default: half the shortest strategy interval, 1 to 30).", valueName: "seconds"))
    var leaseTTL: Double?

    @OptionGroup var config: ConfigOptions
    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if let statusPort, !(0...65535).contains(statusPort) { throw ValidationError("--status-port must be between 0 and 65535") }
        if let leaseTTL, !(0.5...600).contains(leaseTTL) { throw ValidationError("--lease-ttl must be between 0.5 and 600 seconds, got \(leaseTTL)") }
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
            let factory = EngineFactory(mode: paper ? .paper : .live, strategies: strategies ?? settings.strategies, ledger: ledger.db ?? settings.ledger,
                                        timeZone: ledger.zone(settings), globalBudget: settings.budget, autoTransfers: settings.autoTransfer ?? false)
            // The status endpoint first: where it listens, who may read it, and that it can bind.
            let host = statusHost ?? settings.statusHost ?? "127.0.0.1"
            let port = statusPort ?? settings.statusPort ?? 9469
            let token = try Self.statusToken(file: statusTokenFile, config: settings)
            if token == nil, !StatusServer.isLoopback(host) {
                throw CommandFailure(
                    message: "--status-host \(host) would serve spend and budget figures to the network without authentication: give a bearer token "
                        + "with --status-token-file FILE (or $\(Self.tokenVariable), or status.token_file in --config), or keep the default 127.0.0.1",
                    exitCode: ExitStatus.configuration)
            }
            do { try StatusServer.checkAvailable(host: host, port: port) } catch { throw CommandFailure(message: "\(error)") }
            let logger = connection.logger("gridkeeper.daemon")
            let deployment = try factory.build(logger: logger, announce: Output.notice) {
                try connection.makeClient(config: settings)
            }
            defer { deployment.close() }
            let critical = runwayCritical.flatMap(StrategyParser.duration) ?? settings.runwayCritical ?? 1800
            let daemon = DaemonSettings(statusHost: host, statusPort: port, statusToken: token, notifyURL: notify ?? settings.notifyURL,
                                        notifyThresholds: .init(runwayCritical: NSDecimalNumber(decimal: critical).doubleValue, errorsInARow: settings.errorsInARow ?? 3),
                                        leaseTTL: leaseTTL, cancelOnExit: cancelOnExit)
            do {
                try await deployment.runDaemon(daemon, logger: logger) { line in FileHandle.standardOutput.write(Data("\(line)\n".utf8)) }
            } catch {
                if let bind = StatusServerError.from(error, host: host, port: port) { throw CommandFailure(message: bind.description) }
                throw CommandFailure(message: "\(error)")
            }
            FileHandle.standardOutput.write(Data("gridkeeper stopped\n".utf8))
        }
    }

    /// The bearer token for `/status` and `/metrics`: `--status-token-file`, else
    /// `$GRIDKEEPER_STATUS_TOKEN`, else the configuration's `status.token_file`; none by default.
    /// - Throws: `CommandFailure` naming the file or variable, never the token.
    static func statusToken(file: String?, config: KeeperConfiguration,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StatusToken? {
        let source: String
        let text: String
        let fromEnvironment = environment[tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let path = file ?? (fromEnvironment == nil ? config.statusTokenFile : nil) {
            do { text = String(decoding: try SecretFile.read(path, what: "status token file"), as: UTF8.self) } catch {
                throw CommandFailure(message: error.description, exitCode: ExitStatus.configuration)
            }
            source = "the status token file \(path)"
        } else if let fromEnvironment {
            text = fromEnvironment
            source = "$\(tokenVariable)"
        } else {
            return nil
        }
        guard let token = StatusToken(text) else {
            throw CommandFailure(message: "\(source) must hold one token of at least \(StatusToken.minimumLength) characters without spaces "
                                     + "(e.g. from `openssl rand -hex 32`)", exitCode: ExitStatus.configuration)
        }
        return token
    }
}
