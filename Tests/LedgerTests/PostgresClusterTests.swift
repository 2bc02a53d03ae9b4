import Foundation
import TestSupport
import Testing

/// The throw-away PostgreSQL harness the PostgreSQL ledger tests run against. Needs the PostgreSQL
/// server binaries (`apt-get install postgresql`); without them every test here fails saying so.
@Suite struct PostgresClusterTests {
    @Test func sharedClusterAnswersOverTCPWithThePassword() throws {
        let cluster = try PostgresCluster.shared()
        #expect(try PostgresCluster.shared() === cluster)
        let database = try cluster.createDatabase()
        let row = try cluster.psql("SELECT 1, current_user, host(inet_server_addr()), current_database()", database: database)
        #expect(row == "1|gridkeeper|127.0.0.1|\(database)")
        #expect(cluster.url(database: database) == "postgres://gridkeeper:\(cluster.password)@127.0.0.1:\(cluster.port)/\(database)")
        #expect(cluster.url(database: database, includePassword: false) == "postgres://gridkeeper@127.0.0.1:\(cluster.port)/\(database)")
    }

    @Test func createDatabaseGivesDistinctEmptyDatabases() throws {
        let cluster = try PostgresCluster.shared()
        let first = try cluster.createDatabase(prefix: "ledger")
        let second = try cluster.createDatabase(prefix: "ledger")
        #expect(first != second)
        #expect(first.hasPrefix("ledger_"))
        _ = try cluster.psql("CREATE TABLE marker (id int); INSERT INTO marker VALUES (7)", database: first)
        #expect(try cluster.psql("SELECT id FROM marker", database: first) == "7")
        #expect(try cluster.psql("SELECT to_regclass('marker') IS NULL", database: second) == "t")
    }

    @Test func connectionsWithoutTheRightPasswordAreRefused() throws {
        let cluster = try PostgresCluster.shared()
        #expect(!cluster.password.isEmpty)
        let noPassword = #expect(throws: PostgresClusterError.self) {
            try cluster.psql("SELECT 1", database: "postgres", password: nil)
        }
        #expect(noPassword?.output.contains("no password supplied") == true)
        let wrongPassword = #expect(throws: PostgresClusterError.self) {
            try cluster.psql("SELECT 1", database: "postgres", password: "not-the-password")
        }
        #expect(wrongPassword?.output.contains("password authentication failed") == true)
    }

    @Test func stopThenRestartKeepsCommittedData() throws {
        let cluster = try PostgresCluster.start()  // its own: stopping the shared one would break other tests
        defer { cluster.destroy() }
        let database = try cluster.createDatabase()
        _ = try cluster.psql("CREATE TABLE fills (id int); INSERT INTO fills VALUES (1), (2)", database: database)
        try cluster.stop()
        #expect(throws: PostgresClusterError.self) { try cluster.psql("SELECT 1", database: database) }
        try cluster.restart()
        #expect(try cluster.psql("SELECT sum(id) FROM fills", database: database) == "3")
        cluster.destroy()
        #expect(!FileManager.default.fileExists(atPath: cluster.directory))
    }
}
