import Engine
import Foundation
import GridKeeperCore
import Ledger

/// `gridkeeper record`: samples the market and balances of some instruments into a ledger at a
/// fixed interval, read-only on the exchange, until a deadline or until asked to stop.
///
/// Each sample is taken at the clock's time for every instrument. An exchange error skips that
/// instrument's sample (the next one may succeed); a ledger that cannot be written ends the
/// recording, because every later sample would be lost too.
public struct MarketRecorder: Sendable {
    public var instruments: [String]
    /// Seconds between samples (at least a millisecond: the ledger keeps one sample per
    /// instrument and millisecond, and a zero interval would spin).
    public var interval: TimeInterval
    /// No sample is taken at or after it; nil records until `stop` says so.
    public var deadline: Date?

    public init(instruments: [String], interval: TimeInterval, deadline: Date?) {
        self.instruments = instruments
        self.interval = max(interval, 0.001)
        self.deadline = deadline
    }

    /// Records until the deadline or until `stop` returns true (checked between sleeps, so a
    /// clock that sleeps in short steps stops promptly).
    /// - Parameters:
    ///   - skipped: an instrument whose sample failed, and why.
    ///   - progress: the number of snapshots recorded so far, after each sample.
    /// - Returns: the snapshots recorded.
    /// - Throws: `DeploymentError.unavailable` when the ledger cannot be written.
    public func run(from exchange: any Exchange, into ledger: any LedgerDatabase, clock: any EngineClock,
                    stop: @Sendable () -> Bool = { false },
                    skipped: (_ instrument: String, _ error: any Error) -> Void = { _, _ in },
                    progress: (_ recorded: Int) -> Void = { _ in }) async throws(DeploymentError) -> Int {
        var recorded = 0
        func open(_ now: Date) -> Bool { !stop() && deadline.map { now < $0 } ?? true }
        while open(clock.now) {
            let time = clock.now
            for instrument in instruments {
                do {
                    try await LedgerAccess.recordMarket(instrument, from: exchange, into: ledger, at: time)
                    recorded += 1
                } catch let error as DeploymentError {
                    throw error
                } catch {
                    skipped(instrument, error)
                }
            }
            progress(recorded)
            let next = time.addingTimeInterval(interval)
            while clock.now < next, open(clock.now) {
                do { try await clock.sleep(until: next) } catch { return recorded }
            }
        }
        return recorded
    }
}
