import Foundation
import Synchronization

/// An exclusive, non-blocking `flock` on a file beside the ledger, so that two runs never
/// trade on one ledger at once. Held until `release()` or deinit; the kernel drops it when
/// the process ends, even by a crash.
public final class LedgerLock: Sendable {
    private let descriptor: Mutex<Int32>

    /// The lock file of the ledger at `ledgerPath`.
    public static func path(forLedger ledgerPath: String) -> String { ledgerPath + ".lock" }

    /// Takes the lock at `path` (created with mode 0600 if missing), or fails at once.
    /// - Throws: `DeploymentError.locked` when another process holds it;
    ///   `.unavailable` when the lock file cannot be opened.
    public init(path: String) throws(DeploymentError) {
        let fd = open(path, O_CREAT | O_RDWR, 0o600)
        guard fd >= 0 else { throw .unavailable("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .locked(path: path)
        }
        descriptor = Mutex(fd)
    }

    /// Releases the lock; later calls do nothing.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
