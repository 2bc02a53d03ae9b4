import Daemon
import Foundation
import GridKeeperCore
import Ledger
import Synchronization
import Testing

@testable import Simulator

/// `gridkeeper record`'s loop, on simulated time against the simulator's market in process.
@Suite struct MarketRecorderTests {
    static func market() -> SimulatedExchange {
        SimulatedExchange(configuration: SimulatorConfiguration(), clock: SimulationClock(start: Date(timeIntervalSince1970: 1_790_035_200), speed: 0))
    }

    @Test func samplesEveryIntervalUntilTheDeadlineAndSkipsWhatTheExchangeRefuses() async throws {
        let market = Self.market()
        let clock = MarketClock(market)
        let start = clock.now
        let ledger = try Ledger(inMemory: Migration.bundled)
        let recorder = MarketRecorder(instruments: ["text-prime", "no-such-instrument"], interval: 10, deadline: start.addingTimeInterval(60))
        var skipped: [String] = []
        var progress: [Int] = []
        let recorded = try await recorder.run(from: InProcessExchange(market), into: ledger, clock: clock,
                                              skipped: { instrument, _ in skipped.append(instrument) }, progress: { progress.append($0) })
        // Samples at 0, 10, …, 50 s: none at the deadline itself.
        #expect(recorded == 6)
        #expect(progress == [1, 2, 3, 4, 5, 6])
        #expect(skipped == Array(repeating: "no-such-instrument", count: 6))
        let books = try ledger.recordedBooks(instrument: "text-prime")
        let startMs = Int64((start.timeIntervalSince1970 * 1000).rounded())
        #expect(books.times == (0..<6).map { startMs + Int64($0) * 10_000 })
        #expect(try ledger.recordedBalances(instrument: "text-prime").count == 6)
        #expect(clock.now == start.addingTimeInterval(60))
    }

    @Test func stopsWhenAskedBetweenSamples() async throws {
        let market = Self.market()
        let ledger = try Ledger(inMemory: Migration.bundled)
        let samples = Atomic<Int>(0)
        // A far deadline only so that a recorder which ignored `stop` fails here instead of hanging.
        let clock = MarketClock(market)
        let recorder = MarketRecorder(instruments: ["text-prime"], interval: 5, deadline: clock.now.addingTimeInterval(3600))
        let recorded = try await recorder.run(from: InProcessExchange(market), into: ledger, clock: clock,
                                              stop: { samples.load(ordering: .relaxed) >= 3 },
                                              progress: { samples.store($0, ordering: .relaxed) })
        #expect(recorded == 3)
        #expect(try ledger.recordedBooks(instrument: "text-prime").times.count == 3)
    }

    @Test func aZeroIntervalStillMovesTime() async throws {
        let market = Self.market()
        let clock = MarketClock(market)
        let start = clock.now
        let ledger = try Ledger(inMemory: Migration.bundled)
        let recorder = MarketRecorder(instruments: ["text-prime"], interval: 0, deadline: start.addingTimeInterval(0.005))
        #expect(recorder.interval == 0.001)
        // Without the floor time would not move: the stop after 100 samples makes that a failure, not a hang.
        let samples = Atomic<Int>(0)
        let recorded = try await recorder.run(from: InProcessExchange(market), into: ledger, clock: clock,
                                              stop: { samples.load(ordering: .relaxed) >= 100 }, progress: { samples.store($0, ordering: .relaxed) })
        #expect(recorded == 5)
    }
}
