/// Why an engine could not be set up, grouped by what the operator may do next. Each
/// description is the whole message for the operator; none carries a secret.
public enum DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Strategy files, or a ledger that holds another mode's orders: fix the files or pass
    /// another ledger, then run again.
    case invalidConfiguration(String)
    /// Another run holds the ledger's lock (at `path`): try again later.
    case locked(path: String)
    /// The ledger or its lock file could not be opened, read, checked or written; the message
    /// says what and, where there is one, the way out.
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message), .unavailable(let message): message
        case .locked(let path): "another gridkeeper run holds \(path); try again later"
        }
    }
}
