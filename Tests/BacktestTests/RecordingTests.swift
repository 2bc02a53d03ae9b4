import Foundation
import GRDB
import GridAPI
import Ledger
import Testing

@testable import Backtest

/// Recordings: round trips through JSON lines and the ledger, and located errors for bad files.
@Suite struct RecordingTests {
    static func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gk-rec-\(UUID().uuidString)-\(name)").path
    }

    static func same(_ a: Recording, _ b: Recording) {
        #expect(a.instrument == b.instrument)
        #expect(a.books == b.books)
        #expect(a.trades == b.trades)
        #expect(a.burn == b.burn)
        #expect(a.balances.map(\.ms) == b.balances.map(\.ms) && a.balances.map(\.consumption) == b.balances.map(\.consumption))
    }

    @Test func recordingsRoundTripThroughJSONLinesAndTheLedger() throws {
        var recording = SyntheticData.randomWalk(days: 1, every: 60, seed: 3)
        recording.balances = [(recording.books.times[0], 12), (recording.books.times[10], 9)]
        let lines = Self.temp("r.jsonl"), db = Self.temp("r.sqlite")
        defer { try? FileManager.default.removeItem(atPath: lines); try? FileManager.default.removeItem(atPath: db) }
        try RecordingIO.writeLines(recording, to: lines)
        Self.same(try RecordingIO.load(path: lines), recording)
        try RecordingIO.writeLedger(recording, to: db)
        let fromLedger = try RecordingIO.load(path: db)
        Self.same(fromLedger, recording)
        #expect(try RecordingIO.load(path: db, instrument: "text-prime").books.count == 1441)
        #expect(throws: RecordingError.self) { try RecordingIO.load(path: db, instrument: "code-prime") }
        // Demand from balances when no burn was recorded: 3 units over 10 minutes = 18/h.
        let derived = Recording(instrument: "x", books: recording.books, balances: recording.balances)
        #expect(derived.demand == [BurnStep(ms: recording.books.times[0], milliUnitsPerHour: 18_000)])
    }

    static let header = #"{"kind":"recording","version":1,"instrument":"text-prime"}"#
    static let book = #"{"kind":"book","t":"2026-09-22T00:00:00.000Z","bids":[["2.49",50]],"asks":[["2.51",50]]}"#

    @Test(arguments: [
        (header + "\n" + book + "\n" + #"{"kind":"book","t":"2026-09-22T00:01:00.000Z","bids":[["2.49",50]],"asks":[["2.5"#, ":3: not valid JSON: the last line is incomplete (truncated file?)"),
        (header + "\n" + book + "\n" + #"{"kind":"book","t":"2026-09-22T00:01:00Z","asks":[["abc",5]]}"# + "\n", ":3: book: asks[0][0]: expected a price like \"2.51\", got abc"),
        (header + "\n" + #"{"kind":"book","t":"2026-09-22T00:01:00Z","asks":[["2.51",1.5]]}"# + "\n", ":2: book: asks[0][1]: expected whole units ≥ 0, got 1.5"),
        (header + "\n" + book + "\n" + #"{"kind":"book","t":"2026-09-21T23:59:00Z","asks":[]}"# + "\n", ":3: book at 2026-09-21T23:59:00Z is earlier than the one before it"),
        (book + "\n", ":1: the first line must be the header"),
        (header + "\n" + #"{"kind":"tick","t":"2026-09-22T00:00:00Z"}"# + "\n", ":2: unknown kind \"tick\""),
        (header + "\n" + #"{"kind":"trade","t":"yesterday","price":"2.5","quantity":1}"# + "\n", ":2: trade: \"t\": expected an ISO-8601 time"),
        // Times that name no real instant are refused where they stand, never rolled over.
        (header + "\n" + book + "\n" + #"{"kind":"trade","t":"2026-02-30T00:00:08.236Z","price":"2.5","quantity":1}"# + "\n", ":3: trade: \"t\": expected an ISO-8601 time"),
        (header + "\n" + book + "\n" + #"{"kind":"trade","t":"2026-09-22T25:00:00Z","price":"2.5","quantity":1}"# + "\n", ":3: trade: \"t\": expected an ISO-8601 time"),
        (header + "\n" + book + "\n" + #"{"kind":"trade","t":"2026-09-22T00:61:00Z","price":"2.5","quantity":1}"# + "\n", ":3: trade: \"t\": expected an ISO-8601 time"),
        (header + "\n" + book + "\n" + #"{"kind":"trade","t":"2026-09-22T00:00:60Z","price":"2.5","quantity":1}"# + "\n", ":3: trade: \"t\": expected an ISO-8601 time"),
        (header + "\n" + #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.5000001","quantity":1}"# + "\n", ":2: trade: \"price\": expected a price"),
        (header + "\n", ": no book snapshots"),
        ("", ": empty"),
        (#"{"kind":"recording","version":2,"instrument":"text-prime"}"# + "\n", ":1: unsupported version 2"),
    ])
    func badJSONLinesAreLocated(_ text: String, _ expected: String) throws {
        let path = Self.temp("bad.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try RecordingIO.load(path: path)
            Issue.record("accepted a bad recording")
        } catch {
            #expect(error.description.hasPrefix(path), "\(error.description)")
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func aCorruptLedgerRowIsNamed() throws {
        let db = Self.temp("corrupt.sqlite")
        defer { try? FileManager.default.removeItem(atPath: db) }
        try RecordingIO.writeLedger(SyntheticData.randomWalk(days: 0.01, every: 60, seed: 1), to: db)
        let queue = try DatabaseQueue(path: db)
        let row = try queue.write { db -> Int64 in
            let ms = try Int64.fetchOne(db, sql: "SELECT taken_ms FROM market_snapshots ORDER BY taken_ms LIMIT 1 OFFSET 5")!
            try db.execute(sql: "UPDATE market_snapshots SET depth = x'ff' WHERE taken_ms = ?", arguments: [ms])
            return ms
        }
        try queue.close()
        do {
            _ = try RecordingIO.load(path: db)
            Issue.record("accepted a corrupt row")
        } catch {
            #expect(error.description.contains("market_snapshots row (text-prime, taken_ms \(row)") && error.description.contains("corrupt"), "\(error.description)")
        }
        // Not a recording at all.
        let junk = Self.temp("junk.bin")
        defer { try? FileManager.default.removeItem(atPath: junk) }
        try Data([0x00, 0xff, 0x10, 0x0a, 0x7b]).write(to: URL(fileURLWithPath: junk))
        #expect(throws: RecordingError.self) { try RecordingIO.load(path: junk) }
        #expect(throws: RecordingError.self) { try RecordingIO.load(path: Self.temp("missing")) }
    }

    @Test func timestampsParseFastAndExactly() {
        #expect(Timestamp.milliseconds("2026-09-22T00:00:00Z") == 1_790_035_200_000)
        #expect(Timestamp.milliseconds("2026-09-22T00:00:00.123Z") == 1_790_035_200_123)
        #expect(Timestamp.milliseconds("2024-02-29T23:59:59.5Z") == Int64((Timestamp.parse("2024-02-29T23:59:59Z")!.timeIntervalSince1970 * 1000)) + 500)
        #expect(Timestamp.milliseconds("1969-12-31T23:59:59Z") == -1000)
        #expect(Timestamp.milliseconds("2026-09-22T02:00:00+02:00") == 1_790_035_200_000, "other forms go through the formatter")
        #expect(Timestamp.milliseconds("2026-13-01T00:00:00Z") == nil)
        #expect(RecordingIO.micros("2.51") == 2_510_000 && RecordingIO.micros("0.000001") == 1 && RecordingIO.micros("7") == 7_000_000)
        #expect(RecordingIO.micros("2.5000001") == nil && RecordingIO.micros("x") == nil && RecordingIO.micros("") == nil)
        #expect(RecordingIO.micros("2.5e1") == 25_000_000)
        #expect(RecordingIO.text(2_510_000) == "2.51" && RecordingIO.text(1) == "0.000001" && RecordingIO.text(-1_500_000) == "-1.5")
    }
}
