import ArgumentParser
import Daemon
import Foundation

/// Writes whole batches to a ledger until killed; used by the crash test.
struct LedgerStressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-stress",
        abstract: "Write batches to a ledger until stopped (for crash testing).",
        shouldDisplay: false
    )

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "Decisions per cycle.")
    var decisions: Int = 8

    func run() async throws {
        try await reportingFailures {
            let opened = try LedgerAccess.openOrCreate(path: ledger.path, announce: Output.notice)
            var batch = 0
            FileHandle.standardOutput.write(Data("ready\n".utf8))
            while true {
                batch += 1
                try LedgerStress.write(batch: batch, decisions: decisions, into: opened, at: Date())
            }
        }
    }
}
