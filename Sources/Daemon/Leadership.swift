import Engine
import Foundation
import Ledger
import Logging
import ServiceLifecycle
import Synchronization

/// Which of the daemons sharing a PostgreSQL ledger runs cycles: the one holding the ledger's
/// lease. The others stand by and look every `ttl / 3`; the leader renews as often.
///
/// A leader trusts its lease only for `ttl × 0.8` after the renewal that granted it began, by
/// its own monotonic clock (which keeps counting through SIGSTOP and VM pauses), so one that was
/// frozen starts no cycle before renewing. Whatever it was in the middle of is refused by the
/// database: every trading write carries the lease's fencing token (`PostgresLedger`).
public final class Leadership: Service, Sendable {
    /// What `/status` and `gridkeeper status` show.
    public struct Status: Sendable, Encodable, Equatable {
        public var role: String
        /// This process's name in the lease.
        public var holder: String
        /// Who leads, as the database last said.
        public var leader: String?
        public var token: Int64?
        public var since: Date?
        public var ttlSeconds: Double

        enum CodingKeys: String, CodingKey { case role, holder, leader, token, since, ttlSeconds = "ttl_seconds" }
    }

    private struct State {
        var token: Int64?
        var trustedUntil: ContinuousClock.Instant?
        var since: Date?
        var lastSeen: LeadershipState?
    }

    public let holder: String
    public let ttl: TimeInterval
    private let ledger: PostgresLedger
    private let logger: Logger
    private let notifier: Notifier?
    private let metrics: EngineMetrics?
    private let state = Mutex(State())

    /// - Parameters:
    ///   - ttl: how long a lease lasts unrenewed; `ttl(forIntervals:)` picks it from the
    ///     strategies so a standby takes over within two intervals.
    public init(ledger: PostgresLedger, holder: String = Leadership.holderName(role: "run"), ttl: TimeInterval, logger: Logger,
                notifier: Notifier? = nil, metrics: EngineMetrics? = nil) {
        self.ledger = ledger
        self.holder = holder
        self.ttl = ttl
        self.logger = logger
        self.notifier = notifier
        self.metrics = metrics
    }

    /// `HOST:PID:ROLE`, unique per process.
    public static func holderName(role: String) -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(role)"
    }

    /// Half the shortest strategy interval, between 1 and 30 seconds. A standby then notices a
    /// dead leader within `ttl + ttl / 3` and runs its first cycle at once: inside two intervals.
    public static func ttl(forIntervals intervals: [TimeInterval]) -> TimeInterval {
        min(30, max(1, (intervals.min() ?? 60) / 2))
    }

    /// The fencing token while this process leads and trusts its lease, else nil. A scheduler
    /// that sees it change knows another daemon may have led in between.
    public var leadingToken: Int64? {
        state.withLock { s in
            guard let token = s.token, let until = s.trustedUntil, ContinuousClock.now < until else { return nil }
            return token
        }
    }

    /// Whether this process leads and its lease is certainly still running.
    public var isLeading: Bool { leadingToken != nil }

    public var status: Status {
        let leading = isLeading
        return state.withLock { s in
            Status(role: leading ? "leader" : "standby", holder: holder, leader: s.lastSeen?.live == true ? s.lastSeen?.holder : nil,
                          token: leading ? s.token : s.lastSeen?.token, since: leading ? s.since : s.lastSeen?.since, ttlSeconds: ttl)
        }
    }

    /// Waits until this process leads (or the task is cancelled).
    public func waitUntilLeading() async throws {
        while !isLeading {
            try Task.checkCancellation()
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Gives up leadership at once (the scheduler saw a write refused as fenced).
    public func stepDown(reason: String) async {
        let had = state.withLock { s -> Bool in
            defer { s.token = nil; s.trustedUntil = nil }
            return s.token != nil
        }
        ledger.dropLeadership()
        guard had else { return }
        logger.warning("lost leadership; standing by", metadata: ["holder": "\(holder)", "reason": "\(reason)"])
        metrics?.observeLeadership(leading: false, token: nil)
        await notifier?.leaderChanged("\(holder) stopped leading: \(reason)", details: ["holder": holder], at: Date())
    }

    /// Takes, renews and (on a graceful shutdown) hands back the lease.
    public func run() async throws {
        let period = Duration.milliseconds(Int64(ttl * 1000 / 3))
        metrics?.observeLeadership(leading: false, token: nil)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let asked = ContinuousClock.now
            if state.withLock({ $0.token }) != nil {
                do {
                    if try ledger.renewLeadership(ttl: ttl) != nil {
                        state.withLock { $0.trustedUntil = asked + .milliseconds(Int64(ttl * 800)) }
                    } else {
                        await stepDown(reason: "the lease ran out before it was renewed")
                    }
                } catch {
                    // The database is unreachable: the lease will run out; stop trusting it now.
                    await stepDown(reason: "cannot renew the lease: \(error)")
                }
            } else {
                do {
                    if let won = try ledger.acquireLeadership(holder: holder, ttl: ttl) {
                        state.withLock { s in
                            s.token = won.token
                            s.since = won.since
                            s.trustedUntil = asked + .milliseconds(Int64(ttl * 800))
                            s.lastSeen = won
                        }
                        logger.notice("leading", metadata: ["holder": "\(holder)", "token": "\(won.token)"])
                        metrics?.observeLeadership(leading: true, token: won.token)
                        await notifier?.leaderChanged("\(holder) leads with token \(won.token)",
                                                      details: ["holder": holder, "token": "\(won.token)"], at: won.since)
                    } else {
                        let seen = try? ledger.leadership()
                        state.withLock { $0.lastSeen = seen }
                    }
                } catch {
                    logger.warning("cannot reach the ledger to take the lease", metadata: ["error": "\(error)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: period) }
        }
        if state.withLock({ $0.token }) != nil {
            try? ledger.releaseLeadership()
            state.withLock { $0.token = nil; $0.trustedUntil = nil }
            metrics?.observeLeadership(leading: false, token: nil)
            logger.notice("lease handed back", metadata: ["holder": "\(holder)"])
        }
    }

    /// When `strategy`'s last cycle started on the shared ledger, by whichever daemon.
    public func lastCycleStart(of strategy: String) -> Date? {
        (try? ledger.lastCycleStart(strategy: strategy)) ?? nil
    }

    /// Whether `error` is a trading write refused because this process no longer leads.
    public static func isFenced(_ error: any Error) -> Bool {
        if case LedgerError.fenced = error { return true }
        if case EngineError.ledger(.fenced) = error { return true }
        return false
    }
}
