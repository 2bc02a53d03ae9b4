import Daemon

/// The exit statuses of the commands (docs/OPERATIONS.md): 0 ran, 64 bad usage.
enum ExitStatus {
    /// An exchange or ledger error.
    static let error: Int32 = 1
    /// Invalid configuration: strategy files, the configuration file, a ledger of another mode.
    static let configuration: Int32 = 3
    /// A buy was blocked because the budget is exhausted (`once`).
    static let budget: Int32 = 4
    /// The kill switch is engaged (`once`).
    static let paused: Int32 = 5
    /// Another run holds the ledger's lock.
    static let locked: Int32 = 75
}

extension DeploymentError {
    /// What the process exits with when this error ends a command.
    var exitStatus: Int32 {
        switch self {
        case .invalidConfiguration: ExitStatus.configuration
        case .locked: ExitStatus.locked
        case .unavailable: ExitStatus.error
        }
    }
}
