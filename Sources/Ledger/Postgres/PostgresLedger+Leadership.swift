import Foundation
import GridKeeperCore
import PostgresNIO

/// Who leads a ledger shared by several daemons, as the database records it.
public struct LeadershipState: Sendable, Equatable, Codable {
    public var holder: String
    public var token: Int64
    public var since: Date
    public var expiresAt: Date
    /// Whether the lease was still running when read (by the database's clock).
    public var live: Bool

    enum CodingKeys: String, CodingKey { case holder, token, since, expiresAt = "expires_at", live }
}

extension PostgresLedger {
    /// Takes the lease for `ttl` if nobody holds a live one, with the next fencing token, which
    /// this ledger's trading writes carry from then on.
    /// - Returns: the new leadership, or nil when another holder's lease is still running.
    public func acquireLeadership(holder: String, ttl: TimeInterval) throws(LedgerError) -> LeadershipState? {
        let ms = Int64(ttl * 1000)
        let acquired = try write { c -> LeadershipState? in
            // A frozen leader's open transaction may hold the lease row: fail fast and look again.
            try c.execute("SET LOCAL lock_timeout = '2s'")
            guard let row = try c.query("""
                INSERT INTO leadership AS l (id, holder, token, acquired_at, renewed_at, expires_at)
                VALUES (1, \(holder), 1, clock_timestamp(), clock_timestamp(), clock_timestamp() + \(ms) * INTERVAL '1 millisecond')
                ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, token = l.token + 1, acquired_at = excluded.acquired_at,
                                               renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
                WHERE l.expires_at <= clock_timestamp()
                RETURNING token, acquired_at, expires_at
                """).rows.first else { return nil }
            let (token, since, expires) = try row.decode((Int64, Date, Date).self)
            try c.execute("""
                INSERT INTO leadership_changes (token, holder, acquired_at, previous)
                VALUES (\(token), \(holder), \(since), (SELECT holder FROM leadership_changes ORDER BY token DESC LIMIT 1))
                """)
            return LeadershipState(holder: holder, token: token, since: since, expiresAt: expires, live: true)
        }
        if let acquired { setFencingToken(acquired.token) }
        return acquired
    }

    /// Extends this process's lease by `ttl` from now (the database's clock).
    /// - Returns: the new expiry, or nil when the lease was lost (expired or taken): the
    ///   fencing token is dropped and every trading write is refused from then on.
    public func renewLeadership(ttl: TimeInterval) throws(LedgerError) -> Date? {
        guard let token = fencingToken else { return nil }
        let ms = Int64(ttl * 1000)
        let expires = try write { c in
            try c.execute("SET LOCAL lock_timeout = '2s'")
            return try c.query("""
                UPDATE leadership SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + \(ms) * INTERVAL '1 millisecond'
                WHERE id = 1 AND token = \(token) AND expires_at > clock_timestamp()
                RETURNING expires_at
                """).rows.first.map { try $0.decode(Date.self) }
        }
        if expires == nil { setFencingToken(nil) }
        return expires
    }

    /// Ends this process's lease now, so a standby takes over at its next look instead of
    /// waiting for the lease to run out.
    public func releaseLeadership() throws(LedgerError) {
        guard let token = fencingToken else { return }
        setFencingToken(nil)
        try write { c in
            try c.execute("UPDATE leadership SET expires_at = clock_timestamp() WHERE id = 1 AND token = \(token) AND expires_at > clock_timestamp()")
        }
    }

    /// Forgets the token without telling the database (a process that knows it lost the lease).
    public func dropLeadership() { setFencingToken(nil) }

    /// The lease as the database holds it, or nil when no daemon ever led this ledger.
    public func leadership() throws(LedgerError) -> LeadershipState? {
        try read { c in
            try c.query("SELECT holder, token, acquired_at, expires_at, expires_at > clock_timestamp() FROM leadership WHERE id = 1").rows.first.map { row in
                let (holder, token, since, expires, live) = try row.decode((String, Int64, Date, Date, Bool).self)
                return LeadershipState(holder: holder, token: token, since: since, expiresAt: expires, live: live)
            }
        }
    }

    /// When the last cycle of `strategy` started, whoever ran it: a new leader keeps the
    /// strategy's cadence instead of buying again within one interval of the old leader.
    public func lastCycleStart(strategy: String) throws(LedgerError) -> Date? {
        try read { c in
            try c.query("SELECT MAX(started_ms) FROM cycles WHERE strategy = \(strategy) AND mode <> 'dry'").rows.first?
                .decode(Int64?.self).map { Date(ledgerMilliseconds: $0) }
        }
    }
}
