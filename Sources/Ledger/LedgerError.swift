import Foundation

/// Why the ledger could not be opened or written. Each description says what to do.
public enum LedgerError: Error, Sendable, CustomStringConvertible, Equatable {
    case notALedger(path: String)
    case newerSchema(path: String, applied: Int, supported: Int)
    case editedMigration(path: String, name: String)
    case readOnly(path: String)
    case cannotOpen(path: String, reason: String)
    /// No file at the path, and the command only acts on an existing ledger.
    case notFound(path: String)
    /// SQLite found the file damaged (`PRAGMA quick_check`, or "database disk image is malformed").
    case damaged(path: String, problems: String)
    case migrationFailed(name: String, reason: String)
    case invalidValue(String)
    case write(String)
    case read(String)
    /// A shared ledger refused a trading write: this process's lease ran out and another
    /// daemon leads (fencing token `token`, current `current`).
    case fenced(String)

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
        case .notFound(let path):
            return "no ledger at \(path): check --db (or `ledger:` in the --config file); nothing was created. "
                + "To start a new ledger there, run `gridkeeper migrate --db \(path)`"
        case .damaged(let path, let problems):
            let recovered = (path as NSString).deletingPathExtension + "-recovered.sqlite"
            return """
                the ledger \(path) is damaged (\(problems)); GridKeeper will not trade on it. To recover:
                  1. stop the daemon and cron runs that use it (systemctl stop gridkeeper; comment out the cron line)
                  2. keep the damaged file: cp \(path) \(path).damaged (and its -wal file, if any)
                  3. recover what SQLite can read into a new file: sqlite3 \(path) ".recover" | sqlite3 \(recovered)
                     (where sqlite3 lacks .recover, as Debian 12's does: sqlite3 \(path) .dump | sed 's/^ROLLBACK; -- due to errors$/COMMIT;/' | sqlite3 \(recovered))
                     or restore the ledger from a backup
                  4. check it: gridkeeper migrate --status --db \(recovered), then move it into place and start again
                """
        case .migrationFailed(let name, let reason):
            return "migration \(name) failed: \(reason); the ledger was left as it was"
        case .invalidValue(let message):
            return "invalid ledger value: \(message)"
        case .write(let message):
            return "cannot write the ledger: \(message); trading must stop until it is fixed"
        case .read(let message):
            return "cannot read the ledger: \(message)"
        case .fenced(let message):
            return "this process no longer leads the ledger, so it records and places nothing: \(message)"
        }
    }
}
