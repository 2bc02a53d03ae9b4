import Engine
import Execution
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Testing
import TestSupport

@testable import Backtest

/// Recordings no recorder should make, but files arrive anyway: each gives a clear error or a
/// sensible result, in bounded time and memory.
@Suite struct OddRecordingTests {
    static let t0: Int64 = 1_790_035_200_000  // 2026-09-22 00:00 UTC

    /// A keeper that buys at market whenever it can.
    static func buyer(every: String = "1m") throws -> Strategy {
        try StrategyParser.parse("""
            strategy: buyer
            instrument: text-prime
            every: \(every)
            budget: { daily: 100.00, max_unit_price: 5.00 }
            rules:
              - { name: buy, when: usd > 0, buy: { quantity: 3, order: market } }
            """, file: "buyer.yaml")
    }

    static func books(from start: Int64, count: Int, every: Int64 = 60_000, askQuantity: Int = 10) -> RecordedBooks {
        var books = RecordedBooks(depth: 5)
        for i in 0..<count {
            books.append(ms: start + Int64(i) * every, bids: [(1_990_000, 50)], asks: [(2_000_000, askQuantity), (2_010_000, askQuantity)], last: nil)
        }
        return books
    }

    static func append(_ more: RecordedBooks, to books: inout RecordedBooks) {
        books.times += more.times
        books.lasts += more.lasts
        books.bidPrices += more.bidPrices
        books.bidQuantities += more.bidQuantities
        books.askPrices += more.askPrices
        books.askQuantities += more.askQuantities
    }

    @Test func aBookWhoseAsksAllHoldNothingBuysNothingAndDoesNotCrash() async throws {
        let recording = Recording(instrument: "text-prime", books: Self.books(from: Self.t0, count: 30, askQuantity: 0),
                                  burn: [BurnStep(ms: Self.t0, milliUnitsPerHour: 3000)])
        // Straight at the exchange: a market order walks five empty levels and ends there.
        let replay = ReplayExchange(recording: recording)
        let view = try await replay.view(instrument: "text-prime")
        let placed = try await replay.place(OrderRequest(clientOrderID: "m", marketID: view.marketID, quantity: 5))
        #expect(try await replay.order(id: placed.id).status == .cancelled)
        let limit = try await replay.place(OrderRequest(clientOrderID: "l", marketID: view.marketID, quantity: 5, limit: 3))
        await replay.advance(to: Self.t0 + 29 * 60_000)
        #expect(try await replay.order(id: limit.id).filled == 0)
        // Through the whole cycle, on the last snapshot too.
        let result = try await Backtester.run(try Self.buyer(), on: recording)
        #expect(result.metrics.unitsBought == 0 && result.cycles == 30)
    }

    @Test func aPeriodThatEndsBeforeItStartsIsEmptyNotATrap() async throws {
        let recording = Recording(instrument: "text-prime", books: Self.books(from: Self.t0, count: 10), burn: [BurnStep(ms: Self.t0, milliUnitsPerHour: 3000)])
        let from = Date(ledgerMilliseconds: Self.t0 + 300_000), to = Date(ledgerMilliseconds: Self.t0)
        #expect(recording.slice(from: from, to: to).books.count == 0)
        await #expect(throws: BacktestError.self) {
            try await Backtester.run(try Self.buyer(), on: recording, configuration: BacktestConfiguration(from: from, to: to))
        }
    }

    @Test func aYearWithoutDataIsJumpedNotReplayedMinuteByMinute() async throws {
        // Four hours, a year of nothing, four hours: 480 one-minute cycles, not 527,000. The
        // cycle count is the measure (wall time on a loaded machine is not).
        var books = Self.books(from: Self.t0, count: 240)
        let later = Self.t0 + 366 * 86_400_000
        Self.append(Self.books(from: later, count: 240), to: &books)
        let recording = Recording(instrument: "text-prime", books: books, burn: [BurnStep(ms: Self.t0, milliUnitsPerHour: 3000)])
        let result = try await Backtester.run(try Self.buyer(), on: recording)
        #expect(result.cycles == 2 * 240, "\(result.cycles) cycles")
        #expect(result.gaps.count == 1 && result.gaps[0].seconds == Int((later - (Self.t0 + 239 * 60_000)) / 1000))
        #expect(result.to == Date(ledgerMilliseconds: later + 239 * 60_000))
        // Demand and lot expiry ran through the gap: a year at 3 units an hour found nothing to use.
        #expect(result.metrics.consumption.stockoutSeconds > 360 * 86_400, "\(result.metrics.consumption)")
        #expect(BacktestReport.text(result).contains("1 gap without data skipped"), "\(BacktestReport.text(result))")
        // A short pause in the data is not a gap: every cycle runs.
        var short = Self.books(from: Self.t0, count: 60)
        Self.append(Self.books(from: Self.t0 + 3 * 3_600_000, count: 60), to: &short)
        let dense = try await Backtester.run(try Self.buyer(), on: Recording(instrument: "text-prime", books: short, burn: recording.burn))
        #expect(dense.gaps.isEmpty && dense.cycles == 4 * 60)
    }

    @Test func anImplausibleTimeIsRefusedWithWhereItIs() async throws {
        // In a JSON lines file: the line.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gk-odd-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("""
            {"kind":"recording","version":1,"instrument":"text-prime"}
            {"kind":"book","t":"2026-09-22T00:00:00Z","asks":[["2.5",10]]}
            {"kind":"book","t":"9999-12-31T00:00:00Z","asks":[["2.5",10]]}

            """.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RecordingError.self) { try RecordingIO.load(path: path) }
        do { _ = try RecordingIO.load(path: path) } catch {
            #expect(error.description.contains("\(path):3: book: \"t\": 9999-12-31T00:00:00Z is not a plausible time"), "\(error)")
        }
        // Handed over in memory: refused before a cycle is planned.
        var books = Self.books(from: Self.t0, count: 2)
        books.append(ms: 253_402_214_400_000, bids: [], asks: [(2_000_000, 1)], last: nil)
        let buyer = try Self.buyer()
        do throws(BacktestError) {
            _ = try await Backtester.run(buyer, on: Recording(instrument: "text-prime", books: books, burn: [BurnStep(ms: Self.t0, milliUnitsPerHour: 1000)]))
            Issue.record("replayed 8,000 years")
        } catch {
            #expect(error.description.contains("9999-12-31") && error.description.contains("not a plausible time"), "\(error)")
        }
    }

    @Test func anOverlongLineIsAnErrorAtThatLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gk-odd-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = #"{"kind":"recording","version":1,"instrument":"text-prime"}"# + "\n"
        text += #"{"kind":"book","t":"2026-09-22T00:00:00Z","asks":[["2.5",10]]}"# + "\n"
        text += #"{"kind":"book","t":"2026-09-22T00:01:00Z","source":""# + String(repeating: "x", count: 3 << 20) + "\"}\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try RecordingIO.load(path: path)
            Issue.record("accepted a 3 MiB line")
        } catch {
            #expect(error.description.hasPrefix("\(path):3: the line is longer than 1 MiB"), "\(error)")
        }
    }

    @Test(arguments: [5, 6_079])
    func aLineJustOverTheLimitIsRefusedWhereverItFalls(_ line: Int) throws {
        // 1.5 MiB: under the reader's buffer, over the limit; at line 5, or deep in a file.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gk-odd-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = #"{"kind":"recording","version":1,"instrument":"text-prime"}"# + "\n"
        for i in 0..<(line - 2) {
            text += #"{"kind":"book","t":"2026-09-22T"# + String(format: "%02d:%02d:%02d", i / 3600, i / 60 % 60, i % 60) + #"Z","asks":[["2.5",10]]}"# + "\n"
        }
        text += #"{"kind":"trade","t":"2026-09-23T00:00:00Z","price":"2.5","quantity":1,"note":""# + String(repeating: "x", count: 3 << 19) + "\"}\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try RecordingIO.load(path: path)
            Issue.record("accepted a 1.5 MiB line")
        } catch {
            #expect(error.description.hasPrefix("\(path):\(line): the line is longer than 1 MiB"), "\(error)")
        }
    }

    @Test func aHugeFileOfZerosIsRefusedAfterItsFirstMegabytes() throws {
        // 2 GB, sparse: no disk used. Reading it whole took 6.3 GB of memory before the error.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gk-odd-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 2 << 30)
        try handle.close()
        let before = ProcessMemory.peak()
        let started = ContinuousClock.now
        do {
            _ = try RecordingIO.load(path: path)
            Issue.record("accepted 2 GB of zeros")
        } catch {
            #expect(error.description.hasPrefix("\(path):1: the line is longer than 1 MiB"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        if let before, let after = ProcessMemory.peak() {
            #expect(after - before < 256 << 20, "peak memory grew by \((after - before) >> 20) MiB")
        }
    }
}
