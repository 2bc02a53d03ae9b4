import Foundation
import GRDB
import Testing

@testable import Ledger

/// Real files: bad inputs are refused and left untouched.
@Suite struct LedgerFileTests {
    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    static func bytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    @Test func aNewLedgerIsCreatedWithItsDirectoryInWALMode() throws {
        let path = try Self.scratch() + "/state/gridkeeper/ledger.sqlite"
        let ledger = try Ledger(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try ledger.integrityCheck() == "ok")
        let mode = try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // Reopening applies nothing new.
        #expect(try Ledger(path: path).migrationStatus().allSatisfy { $0.isApplied })
    }

    @Test func aFileThatIsNotSQLiteIsRefusedUnchanged() throws {
        let path = try Self.scratch() + "/notes.txt"
        try Data("these are my notes, not a database\n".utf8).write(to: URL(fileURLWithPath: path))
        let before = Self.bytes(path)
        #expect(throws: LedgerError.notALedger(path: path)) { try Ledger(path: path) }
        #expect(Self.bytes(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aLedgerFromANewerSchemaIsRefusedUnchanged() throws {
        let path = try Self.scratch() + "/ledger.sqlite"
        let future = Migration.bundled + [Migration(id: Migration.bundled.count + 1, name: "0999_future", sql: "CREATE TABLE future (x INTEGER);")]
        do { _ = try Ledger(path: path, migrations: future) }
        let before = Self.bytes(path)
        #expect(throws: LedgerError.newerSchema(path: path, applied: future.count, supported: Migration.bundled.count)) { try Ledger(path: path) }
        #expect(Self.bytes(path) == before)
    }

    @Test func anotherSQLiteDatabaseIsRefusedUnchanged() throws {
        let path = try Self.scratch() + "/other.sqlite"
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { try $0.execute(sql: "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')") }
            try queue.close()
        }
        let before = Self.bytes(path)
        #expect(throws: LedgerError.notALedger(path: path)) { try Ledger(path: path) }
        #expect(Self.bytes(path) == before)
        let mode = try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "delete", "not switched to WAL")
    }

    @Test func anEditedMigrationIsDetected() throws {
        let path = try Self.scratch() + "/ledger.sqlite"
        _ = try Ledger(path: path)
        var edited = Migration.bundled
        edited[0].sql += "\n-- edited"
        #expect(throws: LedgerError.editedMigration(path: path, name: edited[0].name)) { try Ledger(path: path, migrations: edited) }
    }

    @Test func aFailingMigrationLeavesTheLedgerAsItWas() throws {
        let path = try Self.scratch() + "/ledger.sqlite"
        let ledger = try Ledger(path: path)
        try ledger.setKillSwitch(engaged: true, reason: "keep me", by: "test", at: Date())
        let broken = Migration.bundled + [
            Migration(id: Migration.bundled.count + 1, name: "0002_half", sql: "CREATE TABLE half (x INTEGER); INSERT INTO missing VALUES (1);"),
        ]
        do {
            _ = try Ledger(path: path, migrations: broken)
            Issue.record("expected the migration to fail")
        } catch {
            #expect(error.description.contains("0002_half") && error.description.contains("left as it was"))
        }
        let reopened = try Ledger(path: path)
        #expect(try reopened.migrationStatus().count == Migration.bundled.count)
        #expect(try reopened.killSwitch()?.reason == "keep me")
        let hasHalf = try DatabaseQueue(path: path).read { try $0.tableExists("half") }
        #expect(!hasHalf)
    }

    @Test func aReadOnlyLedgerIsRefusedForWritingButReadable() throws {
        let path = try Self.scratch() + "/ledger.sqlite"
        try Ledger(path: path).setKillSwitch(engaged: false, reason: "x", by: "t", at: Date())
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path) }
        if getuid() != 0 {
            #expect(throws: LedgerError.readOnly(path: path)) { try Ledger(path: path) }
        }
        #expect(try Ledger(path: path, readOnly: true).killSwitch()?.reason == "x")
    }

    @Test func defaultPathFollowsXDG() {
        #expect(Ledger.defaultPath(environment: ["XDG_STATE_HOME": "/var/lib/x", "HOME": "/home/u"]) == "/var/lib/x/gridkeeper/ledger.sqlite")
        #expect(Ledger.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/state/gridkeeper/ledger.sqlite")
        #expect(Ledger.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/u"]) == "/home/u/.local/state/gridkeeper/ledger.sqlite")
    }
}
