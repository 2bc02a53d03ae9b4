import ArgumentParser
import Foundation
import GridKeeperCore

/// `--config FILE`: the global budget and defaults for paths, the Trading API and notifications.
/// Flags win over the environment, the environment over the file.
struct ConfigOptions: ParsableArguments {
    static let variable = "GRIDKEEPER_CONFIG"

    @Option(help: ArgumentHelp("Configuration file: global budget, paths, Trading API, notifications (also $GRIDKEEPER_CONFIG).", valueName: "file"))
    var config: String?

    /// The parsed file, or an empty configuration when none is given.
    /// - Throws: `CommandFailure` (exit 3) with file:line:column of every problem.
    func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KeeperConfiguration {
        guard let path = config ?? environment[Self.variable].flatMap({ $0.isEmpty ? nil : $0 }) else { return KeeperConfiguration() }
        do {
            return try KeeperConfiguration.load(path: path)
        } catch {
            throw CommandFailure(message: error.description, exitCode: ExitStatus.configuration)
        }
    }
}

extension LedgerOptions {
    /// `--db`, else the configuration's ledger, else the platform default (or `fallback`).
    func path(_ config: KeeperConfiguration, fallback: String? = nil) -> String { db ?? config.ledger ?? fallback ?? path }

    /// `--time-zone`, else the configuration's, else the system's.
    func zone(_ config: KeeperConfiguration) -> TimeZone { timeZone.flatMap(TimeZone.init(identifier:)) ?? config.timeZone ?? .current }
}
