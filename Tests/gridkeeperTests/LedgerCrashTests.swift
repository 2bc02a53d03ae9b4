import Foundation
import GRDB
import Ledger
import Testing
import TestSupport

/// A process writing the ledger is killed with SIGKILL at random points; every time, the
/// file opens, passes `PRAGMA integrity_check`, and holds only whole transactions.
@Suite struct LedgerCrashTests {
    static let kills = 100

    static func waitForReady(_ pipe: Pipe) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var line = Data()
                while let byte = try? pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
                    if byte == Data("\n".utf8) { break }
                    line.append(byte)
                }
                continuation.resume(returning: line == Data("ready".utf8))
            }
        }
    }

    /// Invariants that hold only if no transaction was torn.
    static func violations(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var problems: [String] = []
            let torn = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM cycles c WHERE c.decision_count != (SELECT COUNT(*) FROM decisions d WHERE d.cycle_id = c.id)
                """) ?? -1
            if torn != 0 { problems.append("\(torn) cycles without all their decisions") }
            let orphanOrders = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM orders o LEFT JOIN budget_reservations r ON r.id = o.reservation_id
                WHERE r.id IS NULL OR r.client_order_id != o.client_order_id
                """) ?? -1
            if orphanOrders != 0 { problems.append("\(orphanOrders) orders without their reservation") }
            let badFilled = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM orders o
                WHERE o.filled_quantity != (SELECT COALESCE(SUM(quantity), 0) FROM fills f WHERE f.order_id = o.id)
                """) ?? -1
            if badFilled != 0 { problems.append("\(badFilled) orders whose filled quantity disagrees with their fills") }
            let badSpent = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM budget_reservations r JOIN orders o ON o.reservation_id = r.id
                WHERE r.spent_micros != (SELECT COALESCE(SUM(cost_micros), 0) FROM fills f WHERE f.order_id = o.id)
                """) ?? -1
            if badSpent != 0 { problems.append("\(badSpent) reservations whose spend disagrees with their fills") }
            let fills = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(cost_micros), 0) FROM fills") ?? -1
            let buckets = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(cost_micros), 0) FROM spend_buckets") ?? -2
            if fills != buckets { problems.append("spend buckets \(buckets) ≠ fills \(fills)") }
            return problems
        }
    }

    @Test func killedWritersLeaveOnlyWholeTransactions() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("ledger.sqlite").path
        var generator = SystemRandomNumberGenerator()
        var cycles: [Int] = []
        for attempt in 1...Self.kills {
            let process = Process()
            process.executableURL = CLIRunner.executable
            process.arguments = ["ledger-stress", "--db", path]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let ready = await Self.waitForReady(out)
            #expect(ready, "writer \(attempt) started")
            try await Task.sleep(for: .milliseconds(Int.random(in: 1...120, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)

            let ledger = try Ledger(path: path)
            #expect(try ledger.integrityCheck() == "ok", "after kill \(attempt)")
            let problems = try Self.violations(path)
            #expect(problems.isEmpty, "after kill \(attempt): \(problems)")
            cycles.append(try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM cycles") ?? 0 })
        }
        #expect((cycles.last ?? 0) > Self.kills, "the writers did write: \(cycles.last ?? 0) cycles")
    }
}
