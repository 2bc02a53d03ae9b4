import Foundation
import Simulator
import Synchronization

/// What the network does to one request, drawn from a seeded generator.
enum NetworkFault: String, Sendable, CaseIterable {
    /// Refused before anything was sent.
    case connectionRefused = "connection refused"
    /// 429 with Retry-After: nothing happened.
    case rateLimited = "429 rate limited"
    /// 502/503/504 from a gateway that never passed the request on.
    case gateway = "5xx before the exchange"
    /// Timed out before the exchange had it.
    case timeoutBefore = "timeout before commit"
    /// The exchange did it, and the reply was lost (timeout, dropped connection, 5xx).
    case lostReply = "reply lost after commit"
}

/// Draws network faults at a rate, the same sequence for the same seed.
final class NetworkFaults: Sendable {
    private let state: Mutex<(rng: SplitMix64, rate: Double, enabled: Bool)>
    let tally: FaultTally

    init(seed: UInt64, rate: Double, tally: FaultTally) {
        state = Mutex((SplitMix64(seed: seed), rate, true))
        self.tally = tally
    }

    func setEnabled(_ on: Bool) { state.withLock { $0.enabled = on } }

    /// A fault for the next request, or nil; `mutating` requests may also lose their reply.
    func draw(mutating: Bool) -> NetworkFault? {
        let fault: NetworkFault? = state.withLock { s in
            guard s.enabled, s.rate > 0, s.rng.unit() < s.rate else { return nil }
            let kinds: [NetworkFault] = mutating ? NetworkFault.allCases : [.connectionRefused, .rateLimited, .gateway, .timeoutBefore]
            return kinds[Int(s.rng.next() % UInt64(kinds.count))]
        }
        if let fault { tally.count("network: \(fault.rawValue)") }
        return fault
    }
}
