import Foundation
import GridKeeperCore
import Ledger
import Testing
import TestSupport

/// What only the PostgreSQL ledger has: URLs and passwords, a database it must not take over,
/// and leadership with fencing tokens.
@Suite struct PostgresLedgerTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    static func fresh() throws -> (cluster: PostgresCluster, database: String, ledger: PostgresLedger) {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase()
        let ledger = try #require(try LedgerOpener.open(cluster.url(database: database)) as? PostgresLedger)
        return (cluster, database, ledger)
    }

    static func order(_ id: String) -> OrderRecord {
        OrderRecord(clientOrderID: id, mode: .live, instrument: "text-prime", marketID: "m", type: "market", quantity: 2, limitPrice: nil)
    }

    @Test func theURLIsReadStrictlyAndNeverShowsThePassword() throws {
        let location = try PostgresLocation(url: "postgres://gk:s3cr%40t@db.example:6543/ledger?sslmode=require", environment: [:])
        #expect(location.password == "s3cr@t" && location.port == 6543 && location.database == "ledger" && location.tls == .require)
        #expect(location.description == "postgres://gk@db.example:6543/ledger")
        #expect(try PostgresLocation(url: "postgresql://gk@h/d", environment: ["PGPASSWORD": "fromenv"]).password == "fromenv")
        #expect(try PostgresLocation(url: "postgres://gk@h/d", environment: [:]).port == 5432)
        for bad in ["postgres://h/d", "postgres://gk@/d", "postgres://gk@h", "postgres://gk:pw@h/d?sslmode=sometimes", "postgres://gk@h/d?colour=red",
                    "postgres://gk:pw@h:99999/d"] {
            #expect {
                try PostgresLocation(url: bad, environment: [:])
            } throws: { error in
                "\(error)".contains("pw") == false && "\(error)".contains("cannot open ledger")
            }
        }
        #expect(PostgresLocation.redact("postgres://gk:hunter2@h:5432/d") == "postgres://gk:***@h:5432/d")
    }

    @Test func aPasswordComesFromTheURLAFileOrPGPASSWORDAndAWrongOneIsRefusedWithoutEchoingIt() throws {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase()
        let bare = cluster.url(database: database, includePassword: false)
        _ = try LedgerOpener.open(cluster.url(database: database))
        _ = try LedgerOpener.open(bare, environment: ["PGPASSWORD": cluster.password])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gk-pw-\(UUID().uuidString)").path
        try (cluster.password + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try LedgerOpener.open(bare + "?password_file=" + file, environment: [:])
        let wrong = "not-the-password-\(UUID().uuidString.prefix(8))"
        #expect {
            try LedgerOpener.open(bare, environment: ["PGPASSWORD": wrong])
        } throws: { error in
            let text = "\(error)"
            return !text.contains(wrong) && !text.contains(cluster.password) && text.contains("password")
        }
    }

    @Test func aDatabaseThatHoldsSomethingElseIsRefusedUnchanged() throws {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase()
        _ = try cluster.psql("CREATE TABLE customers (id int)", database: database)
        #expect(throws: LedgerError.notALedger(path: cluster.url(database: database, includePassword: false))) {
            try LedgerOpener.open(cluster.url(database: database))
        }
        #expect(try cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: database).contains("1"))
    }

    @Test func anEmptyDatabaseIsNotTakenUnlessAskedAndANewerOrEditedSchemaIsRefused() throws {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase()
        let url = cluster.url(database: database)
        #expect(throws: LedgerError.self) { try LedgerOpener.open(url, create: false) }
        #expect(throws: LedgerError.self) { try LedgerOpener.open(url, readOnly: true) }
        #expect(try cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: database).contains("0"), "nothing was created")
        let location = try PostgresLocation(url: url)
        let older = try PostgresLedger(location: location, migrations: Array(Migration.bundledPostgres.prefix(3)))
        #expect(older.created)
        #expect(try older.schemaStatus().filter(\.isApplied).count == 3)
        var edited = Migration.bundledPostgres
        edited[0].sql += "\n-- edited"
        #expect {
            try PostgresLedger(location: location, migrations: edited)
        } throws: { error in
            guard case LedgerError.editedMigration = error else { return false }
            return true
        }
        // Upgrading applies the rest; an older build then refuses the newer schema.
        let current = try PostgresLedger(location: location)
        #expect(!current.created)
        #expect(try current.schemaStatus().allSatisfy(\.isApplied))
        #expect {
            try PostgresLedger(location: location, migrations: Array(Migration.bundledPostgres.prefix(3)))
        } throws: { error in
            guard case LedgerError.newerSchema(_, let applied, let supported) = error else { return false }
            return applied == Migration.bundledPostgres.count && supported == 3
        }
    }

    @Test func twoDaemonsCreatingTheSameLedgerAtOnceBothSucceed() async throws {
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(database: try cluster.createDatabase())
        async let first = Task.detached { try LedgerOpener.open(url).path }.value
        async let second = Task.detached { try LedgerOpener.open(url).path }.value
        let paths = try await [first, second]
        #expect(paths[0] == paths[1])
        #expect(!paths[0].contains(cluster.password))
    }

    @Test func aStaleLeaderCanNeitherReserveNorRecord() throws {
        let (cluster, database, first) = try Self.fresh()
        let second = try #require(try LedgerOpener.open(cluster.url(database: database)) as? PostgresLedger)
        // Nobody has led yet: writes need no token.
        try first.reserve(5, for: Self.order("gk-before"), at: Self.t0)

        let lead = try #require(try first.acquireLeadership(holder: "host-a", ttl: 3))
        #expect(try second.acquireLeadership(holder: "host-b", ttl: 30) == nil, "a live lease is not taken")
        try first.reserve(5, for: Self.order("gk-a1"), at: Self.t0)
        #expect(throws: LedgerError.self, "a process without the token cannot write once someone leads") {
            try second.reserve(5, for: Self.order("gk-b0"), at: Self.t0)
        }
        #expect(try first.renewLeadership(ttl: 1) != nil)

        // host-a stops renewing (paused); its lease runs out and host-b takes over.
        Thread.sleep(forTimeInterval: 1.3)
        let takeover = try #require(try second.acquireLeadership(holder: "host-b", ttl: 30))
        #expect(takeover.token > lead.token)
        #expect(try second.leadership()?.holder == "host-b")

        // host-a wakes up still believing it leads: everything it tries to record is refused.
        #expect(first.fencingToken == lead.token)
        #expect(throws: LedgerError.self) { try first.reserve(5, for: Self.order("gk-a2"), at: Self.t0) }
        #expect(throws: LedgerError.self) { try first.updateOrder(clientOrderID: "gk-a1", state: .cancelled, at: Self.t0) }
        #expect(throws: LedgerError.self) {
            try first.record(fills: [FillRecord(tradeID: "t-a", clientOrderID: "gk-a1", quantity: 2, price: 1, executedAt: Self.t0)], at: Self.t0)
        }
        #expect(throws: LedgerError.self) {
            try first.record(CycleRecord(startedAt: Self.t0, mode: .live, strategy: "s", instrument: "text-prime", snapshotDigest: "d", decisions: []))
        }
        #expect(try first.renewLeadership(ttl: 30) == nil, "renewal tells it that it lost the lease")
        #expect(first.fencingToken == nil)
        // Nothing of host-a's after the takeover reached the ledger; host-b writes normally.
        try second.reserve(5, for: Self.order("gk-b1"), at: Self.t0)
        let orders = try second.openOrders(instrument: "text-prime").map(\.clientOrderID)
        #expect(orders == ["gk-before", "gk-a1", "gk-b1"])
        #expect(try second.status(asOf: Self.t0, timeZone: .gmt).leadership?.token == takeover.token)

        // A graceful hand-over: released, the lease is free at once, with the next token.
        try second.releaseLeadership()
        let third = try #require(try first.acquireLeadership(holder: "host-a", ttl: 30))
        #expect(third.token == takeover.token + 1)
    }

    @Test func theLedgerReconnectsAfterTheDatabaseRestarts() throws {
        let cluster = try PostgresCluster.start()
        defer { cluster.destroy() }
        let ledger = try LedgerOpener.open(cluster.url(database: try cluster.createDatabase()))
        try ledger.reserve(5, for: Self.order("gk-1"), at: Self.t0)
        try cluster.stop()
        #expect(throws: LedgerError.self, "a database that is down is an error, not a hang") {
            try ledger.reserve(5, for: Self.order("gk-2"), at: Self.t0)
        }
        try cluster.restart()
        try ledger.reserve(5, for: Self.order("gk-3"), at: Self.t0)
        #expect(try ledger.openOrders(instrument: "text-prime").map(\.clientOrderID) == ["gk-1", "gk-3"])
    }
}
