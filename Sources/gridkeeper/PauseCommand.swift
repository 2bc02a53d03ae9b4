import ArgumentParser
import Daemon
import Foundation

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Engage the kill switch: no new orders or transfers until `gridkeeper resume`.",
        discussion: """
            Kept in the ledger, so it survives restarts; a running daemon honours it within one cycle. The ledger must exist: a --db path with no ledger is an error and nothing is created. Give the daemon's --config (or --db) so the switch lands in the ledger it trades on.
            """
    )

    @OptionGroup var target: KillSwitchLedger

    @Option(help: "Why, for the record.")
    var reason: String = "paused by operator"

    func run() async throws {
        try await reportingFailures {
            let path = try target.setKillSwitch(engaged: true, reason: reason)
            print("kill switch engaged in \(path): \(reason)")
        }
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Release the kill switch.",
        discussion: "The ledger must exist: a --db path with no ledger is an error and nothing is created."
    )

    @OptionGroup var target: KillSwitchLedger

    @Option(help: "Why, for the record.")
    var reason: String = "resumed by operator"

    func run() async throws {
        try await reportingFailures {
            let path = try target.setKillSwitch(engaged: false, reason: reason)
            print("kill switch released in \(path)")
        }
    }
}

/// The ledger `pause` and `resume` set the kill switch in: the daemon's (--config) or --db.
struct KillSwitchLedger: ParsableArguments {
    @OptionGroup var config: ConfigOptions
    @OptionGroup var ledger: LedgerOptions

    /// Sets the kill switch as the current user.
    /// - Returns: the ledger's path.
    func setKillSwitch(engaged: Bool, reason: String) throws -> String {
        try LedgerAccess.setKillSwitch(path: ledger.path(try config.load()), engaged: engaged, reason: reason,
                                       by: ProcessInfo.processInfo.environment["USER"] ?? "operator", at: Date())
    }
}
