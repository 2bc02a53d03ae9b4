import ArgumentParser
import Daemon
import Engine
import Foundation
import GridKeeperCore

struct OnceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "once",
        abstract: "Run one cycle of every strategy, then exit (for cron).",
        discussion: """
            Reads balances and the book, settles earlier orders, evaluates each strategy file (one per instrument), applies the guardrails and — unless --dry-run — places orders and transfers, recording everything in the ledger. --dry-run sends no mutating request and prints the plan. A lock on the ledger stops overlapping runs, so it is safe every minute from cron.

            Exit status: 0 ran; 1 exchange or ledger error; 3 invalid configuration (strategy files); 4 a buy was blocked because the budget is exhausted; 5 paused (kill switch); 75 another run holds the ledger's lock (on a PostgreSQL ledger: another daemon holds its lease).
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

    func run() async throws {
        try await reportingFailures {
            let settings = try config.load()
            let factory = EngineFactory(mode: dryRun ? .dryRun : .live, strategies: strategies ?? settings.strategies, ledger: ledger.db ?? settings.ledger,
                                        timeZone: ledger.zone(settings), globalBudget: settings.budget, autoTransfers: settings.autoTransfer ?? false)
            let deployment = try factory.build(logger: connection.logger("gridkeeper.engine"), announce: Output.notice) {
                try connection.makeClient(config: settings)
            }
            defer { deployment.close() }
            let reports: [CycleReport]
            do {
                reports = try await deployment.runOnce()
            } catch let error as DeploymentError {
                // A daemon leads the shared ledger: like a held lock, try again later.
                throw CommandFailure(message: error.description, exitCode: error.exitStatus)
            } catch {
                throw CommandFailure(message: "\(error)", exitCode: ExitStatus.error)
            }
            if json {
                Output.printJSON(reports)
            } else {
                for report in reports { Self.print(report) }
            }
            if reports.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(ExitStatus.error) }
            if reports.contains(where: \.paused) { throw ExitCode(ExitStatus.paused) }
            if reports.contains(where: \.budgetBlocked) { throw ExitCode(ExitStatus.budget) }
        }
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
