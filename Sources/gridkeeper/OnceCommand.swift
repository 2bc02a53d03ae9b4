import ArgumentParser
import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging

struct OnceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "once",
        abstract: "Run one cycle of every strategy, then exit (for cron).",
        discussion: """
            Reads balances and the book, settles earlier orders, evaluates each strategy file (one per instrument), applies the guardrails and — unless --dry-run — places orders and transfers, recording everything in the ledger. --dry-run sends no mutating request and prints the plan. A lock on the ledger stops overlapping runs, so it is safe every minute from cron.

            Exit status: 0 ran; 1 exchange or ledger error; 3 invalid configuration (strategy files); 4 a buy was blocked because the budget is exhausted; 5 paused (kill switch); 75 another run holds the ledger's lock.
            """
    )

    @Option(help: ArgumentHelp("Directory of strategy files (*.yaml) (default: the config's, else ./strategies).", valueName: "dir"))
    var strategies: String?

    @Flag(name: .customLong("dry-run"), help: "Send no mutating request; print the plan.")
    var dryRun = false

    @Flag(help: "Print JSON: every decision, reason, guardrail and action.")
    var json = false

    @OptionGroup var config: ConfigOptions
    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var connection: ConnectionOptions

    static let exitError: Int32 = 1, exitConfiguration: Int32 = 3, exitBudget: Int32 = 4, exitPaused: Int32 = 5, exitLocked: Int32 = 75

    func run() async throws {
        try await reportingFailures {
            let settings = try config.load()
            let loaded = try Self.loadStrategies(strategies ?? settings.strategies ?? "strategies")
            let opened = try ledger.openOrCreate(settings)
            let lock = try LedgerLock(path: opened.path + ".lock")
            defer { lock.release() }
            try Self.checkIntegrity(of: opened)
            try Self.checkMode(.live, of: opened)
            let client = try connection.makeClient(config: settings)
            let runner = CycleRunner(exchange: GridExchange(client: client, autoTransfers: settings.autoTransfer ?? false, sharedReadsFor: 5), ledger: opened,
                                     configuration: EngineConfiguration(mode: dryRun ? .dry : .live, timeZone: ledger.zone(settings),
                                                                        globalBudget: settings.budget),
                                     logger: Logger(label: "gridkeeper.engine"))
            var reports: [CycleReport] = []
            for strategy in loaded {
                do {
                    reports.append(try await runner.run(strategy))
                } catch {
                    throw CommandFailure(message: "\(error)", exitCode: Self.exitError)
                }
            }
            if json {
                Output.printJSON(reports)
            } else {
                for report in reports { Self.print(report) }
            }
            if reports.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(Self.exitError) }
            if reports.contains(where: \.paused) { throw ExitCode(Self.exitPaused) }
            if reports.contains(where: \.budgetBlocked) { throw ExitCode(Self.exitBudget) }
        }
    }

    /// Refuses a damaged ledger before anything is sent to the exchange (exit 1, with the
    /// recovery steps).
    static func checkIntegrity(of ledger: Ledger) throws {
        do { try ledger.checkIntegrity() } catch { throw CommandFailure(message: error.description, exitCode: exitError) }
    }

    /// Refuses a ledger that holds another mode's orders: paper and live spend must never mix.
    static func checkMode(_ mode: LedgerMode, of ledger: Ledger) throws {
        let modes: Set<LedgerMode>
        do { modes = try ledger.orderModes() } catch { throw CommandFailure(message: "\(error)") }
        let others = modes.subtracting([mode, .dry])
        guard others.isEmpty else {
            throw CommandFailure(
                message: "\(ledger.path) holds \(others.map(\.rawValue).sorted().joined(separator: ", ")) orders; \(mode.rawValue) trading needs its own ledger: pass another --db",
                exitCode: exitConfiguration)
        }
    }

    /// Every strategy in a directory (or one file), with the checks `validate` makes
    /// (`StrategySet`): each file valid, one per instrument, names unique.
    static func loadStrategies(_ path: String) throws -> [Strategy] {
        guard let files = StrategySet.files(at: path) else {
            throw CommandFailure(message: "no strategies at \(path): pass --strategies DIR", exitCode: exitConfiguration)
        }
        guard !files.isEmpty else { throw CommandFailure(message: "\(path) holds no .yaml strategy files", exitCode: exitConfiguration) }
        let set = StrategySet.load(files: files)
        let problems = set.diagnostics
        guard problems.isEmpty else { throw CommandFailure(message: problems.map(\.description).joined(separator: "\n"), exitCode: exitConfiguration) }
        return set.strategies
    }

    static func print(_ report: CycleReport) {
        Swift.print("\(report.strategy) (\(report.instrument)) at \(report.asOf.ISO8601Format()) — \(report.mode.rawValue)\(report.paused ? ", PAUSED" : "")")
        for d in report.decisions {
            Swift.print("  \(d.rule.padding(toLength: 12, withPad: " ", startingAt: 0)) \(d.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(d.reason)")
            for g in d.guardrails { Swift.print("  \(String(repeating: " ", count: 21))guardrail: \(g)") }
            if let intent = d.intent { Swift.print("  \(String(repeating: " ", count: 21))→ \(CycleRunner.describe(intent))") }
        }
        for r in report.reconciled { Swift.print("  settled: \(r)") }
        for a in report.actions { Swift.print("  \(a)") }
        for e in report.errors { Swift.print("  error: \(e)") }
    }
}

/// An exclusive, non-blocking lock next to the ledger; released on exit (even a crash).
final class LedgerLock {
    private var fd: Int32

    init(path: String) throws {
        fd = open(path, O_CREAT | O_RDWR, 0o600)
        guard fd >= 0 else { throw CommandFailure(message: "cannot open lock file \(path): \(String(cString: strerror(errno)))", exitCode: 1) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            fd = -1
            throw CommandFailure(message: "another gridkeeper run holds \(path); try again later", exitCode: OnceCommand.exitLocked)
        }
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
