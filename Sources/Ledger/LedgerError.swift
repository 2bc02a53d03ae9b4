/// Why the ledger could not be opened or written. Each description says what to do.
public enum LedgerError: Error, Sendable, CustomStringConvertible, Equatable {
    case notALedger(path: String)
    case newerSchema(path: String, applied: Int, supported: Int)
    case editedMigration(path: String, name: String)
    case readOnly(path: String)
    case cannotOpen(path: String, reason: String)
    case migrationFailed(name: String, reason: String)
    case invalidValue(String)
    case write(String)
    case read(String)

    public var description: String {
        switch self {
        case .notALedger(let path):
            return "\(path) is not a GridKeeper ledger; pass --db with a ledger path or a new file (nothing was changed)"
        case .newerSchema(let path, let applied, let supported):
            return "\(path) has schema version \(applied) but this gridkeeper supports up to \(supported): upgrade gridkeeper (nothing was changed)"
        case .editedMigration(let path, let name):
            return "\(path): migration \(name) differs from the one that was applied: restore migrations/\(name).sql and add a new migration instead (nothing was changed)"
        case .readOnly(let path):
            return "\(path) is read-only: fix its permissions or pass --db with a writable path (nothing was changed)"
        case .cannotOpen(let path, let reason):
            return "cannot open ledger \(path): \(reason)"
        case .migrationFailed(let name, let reason):
            return "migration \(name) failed: \(reason); the ledger was left as it was"
        case .invalidValue(let message):
            return "invalid ledger value: \(message)"
        case .write(let message):
            return "cannot write the ledger: \(message); trading must stop until it is fixed"
        case .read(let message):
            return "cannot read the ledger: \(message)"
        }
    }
}
