import ArgumentParser
import Foundation
import GridAPI
import GridKeeperCore
import Logging

/// Options shared by every command that talks to the Trading API.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: ArgumentHelp("Trading API base URL including /v1.", valueName: "url"))
    var baseURL: String?

    @Option(name: .customLong("key-file"), help: ArgumentHelp("Private key file (mode 0600) instead of GRID_TRADING_PRIVATE_KEY.", valueName: "file"))
    var keyFile: String?

    @Option(name: .customLong("log-level"), help: "Log level on stderr: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .warning

    @Option(name: .customLong("requests-per-minute"),
            help: ArgumentHelp("The account's signed-request limit; requests are paced to 90 % of it.", valueName: "n"))
    var requestsPerMinute: Int = 100

    /// A logger for `label`, logging to stderr at `--log-level` (set up on first use).
    func logger(_ label: String) -> Logger {
        LogSetup.bootstrap(level: logLevel)
        return Logger(label: label)
    }

    /// A signed client from the flags and the environment.
    /// - Throws: `CommandFailure` with the key or URL problem; never the key itself.
    /// Precedence: flags, then the environment, then the configuration file.
    func makeClient(environment: [String: String] = ProcessInfo.processInfo.environment, config: KeeperConfiguration = KeeperConfiguration()) throws -> GridClient {
        LogSetup.bootstrap(level: logLevel)
        guard requestsPerMinute >= 2 else { throw CommandFailure(message: "--requests-per-minute must be at least 2, got \(requestsPerMinute)") }
        let key: SigningKey
        let keyInEnvironment = !(environment[KeySource.environmentVariable] ?? "").isEmpty
        let baseInEnvironment = !(environment[GridClient.baseURLVariable] ?? "").isEmpty
        do {
            key = try KeySource.load(keyFile: keyFile ?? (keyInEnvironment ? nil : config.keyFile), environment: environment)
        } catch {
            throw CommandFailure(message: error.description)
        }
        let fingerprint = environment[KeySource.fingerprintVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let fingerprint, fingerprint != key.fingerprint {
            throw CommandFailure(message: "GRID_TRADING_FINGERPRINT (\(fingerprint)) does not match the key's fingerprint (\(key.fingerprint)): unset it or use the matching key")
        }
        do {
            var configuration = GridClient.Configuration(environment: environment, baseURL: baseURL ?? (baseInEnvironment ? nil : config.baseURL))
            configuration.pacer = RequestPacer(perMinute: requestsPerMinute)
            return try GridClient(configuration: configuration, signer: RequestSigner(key: key, fingerprint: fingerprint), logger: Logger(label: "gridkeeper.api"))
        } catch {
            throw CommandFailure(message: error.description)
        }
    }
}

/// A failure already explained to the user; printed as is, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32 = 1
    var description: String { message }
}
