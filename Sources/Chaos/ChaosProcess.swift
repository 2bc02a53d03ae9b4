import Foundation
import Synchronization

/// One life of the simulated daemon process. Every exchange call and ledger write counts as an
/// operation; a crash armed for the n-th operation ends the life there — before it (the write
/// never commits, the request is never sent) or right after it (done, but nothing after it
/// happens). A dead process does nothing more: each later call fails at once.
final class ChaosProcess: Sendable {
    enum Gate: Sendable {
        case proceed
        /// Die now, without doing the operation.
        case dieBefore
        /// Do the operation, then die.
        case dieAfter
        case dead
    }

    private struct State {
        var dead = false
        var operations = 0
        var crashAt: Int?
        var crashAfter = false
    }

    private let state = Mutex(State())
    /// Where crashes at exchange calls are counted (ledger writes count their own).
    let tally: FaultTally?

    init(tally: FaultTally? = nil) { self.tally = tally }

    /// `gate()` for an exchange call, counting a crash there.
    func gateExchangeCall() -> Gate {
        let gate = gate()
        switch gate {
        case .dieBefore: tally?.count("crash: before an exchange call")
        case .dieAfter: tally?.count("crash: after an exchange call")
        case .proceed, .dead: break
        }
        return gate
    }

    /// Arms a crash at the `operation`-th operation from now.
    func arm(at operation: Int, after: Bool) {
        state.withLock { s in
            s.crashAt = s.operations + max(1, operation)
            s.crashAfter = after
        }
    }

    /// Cancels a crash armed and not yet reached.
    func disarm() { state.withLock { $0.crashAt = nil } }

    var isDead: Bool { state.withLock { $0.dead } }

    /// Counts one operation and says whether it may run.
    func gate() -> Gate {
        state.withLock { s in
            if s.dead { return .dead }
            s.operations += 1
            guard let at = s.crashAt, s.operations >= at else { return .proceed }
            s.crashAt = nil
            if s.crashAfter { return .dieAfter }
            s.dead = true
            return .dieBefore
        }
    }

    /// Marks the process dead after an operation that ran (`dieAfter`).
    func die() { state.withLock { $0.dead = true } }
}

/// How a run's faults were mixed, by kind.
final class FaultTally: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func count(_ kind: String, _ n: Int = 1) { counts.withLock { $0[kind, default: 0] += n } }
    var all: [String: Int] { counts.withLock { $0 } }
}
