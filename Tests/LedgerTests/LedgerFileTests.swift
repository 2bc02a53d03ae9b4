import Foundation
import GRDB
import GridKeeperCore
import Testing
import TestSupport

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

    @Test func aMissingLedgerIsNotCreatedUnlessAsked() throws {
        let dir = try Self.scratch()
        let path = dir + "/typo/ledger.sqlite"
        #expect(throws: LedgerError.notFound(path: path)) { try Ledger(path: path, create: false) }
        #expect(throws: LedgerError.notFound(path: path)) { try Ledger(path: path, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/typo"), "not even the directory")
        #expect(LedgerError.notFound(path: path).description.contains("no ledger at \(path)"))
        #expect(try Ledger(path: path).created)
        #expect(try !Ledger(path: path, create: false).created)
        #expect(throws: LedgerError.self) { try Ledger(path: dir, create: false) }
    }

    /// A ledger with a few hundred pages of market history, closed (nothing left in the WAL).
    static func populatedLedger() throws -> String {
        let path = try Self.scratch() + "/ledger.sqlite"
        do {
            let ledger = try Ledger(path: path)
            let start = Date(timeIntervalSince1970: 1_790_035_200)
            let levels = (0..<5).map { MarketSnapshotRecord.Level(price: Decimal(250 + $0) / 100, quantity: 40 + $0) }
            for batch in 0..<20 {
                try ledger.record(marketSnapshots: (0..<200).map { i in
                    MarketSnapshotRecord(instrument: "code-max", takenAt: start.addingTimeInterval(Double(batch * 200 + i) * 10), bids: levels, asks: levels, last: 2)
                })
            }
            try ledger.checkIntegrity()
        }
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        #expect(wal == 0, "closing checkpoints the WAL into the file")
        return path
    }

    @Test func aDamagedLedgerIsFoundWithRecoverySteps() throws {
        let path = try Self.populatedLedger()
        try FileDamage.corruptMiddlePages(of: path)
        do throws(LedgerError) {
            // The schema pages are intact, so the damage may only show when every page is read.
            let ledger = try Ledger(path: path)
            try ledger.checkIntegrity()
            Issue.record("the damage went unnoticed")
        } catch {
            guard case .damaged(let where_, let problems) = error else {
                Issue.record("expected .damaged, got \(error)")
                return
            }
            #expect(where_ == path && !problems.isEmpty)
            #expect(error.description.contains("sqlite3 \(path) \".recover\"") && error.description.contains("gridkeeper migrate --status"), "\(error)")
            #expect(error.description.contains("backup") && error.description.contains("stop the daemon"))
        }
    }

    @Test func defaultPathFollowsXDG() {
        #expect(Ledger.defaultPath(environment: ["XDG_STATE_HOME": "/var/lib/x", "HOME": "/home/u"]) == "/var/lib/x/gridkeeper/ledger.sqlite")
        #expect(Ledger.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/state/gridkeeper/ledger.sqlite")
        #expect(Ledger.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/u"]) == "/home/u/.local/state/gridkeeper/ledger.sqlite")
    }
}
