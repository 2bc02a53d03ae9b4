import Foundation
import GridKeeperCore
import Testing

@testable import Ledger

/// Spend when the exchange's clock and ours disagree: a fill counts in every day and month
/// that either clock places it in, on the SQLite, PostgreSQL and in-memory ledgers alike.
@Suite struct SpendClockTests {
    static let newYork = TimeZone(identifier: "America/New_York")!

    /// Every ledger, fresh.
    static func ledgers() throws -> [(String, any LedgerStore)] {
        [("sqlite", try LedgerBackend.sqlite.make()), ("postgres", try LedgerBackend.postgres.make()), ("memory", MemoryLedger())]
    }

    /// Local wall-clock time in New York.
    static func local(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int) -> Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = newYork
        return c.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi))!
    }

    /// Reserves `cost` at `reserved` (our clock) and fills it all at `executed` (the exchange's).
    static func buy(_ ledger: any LedgerStore, _ id: String, cost: Int, reserved: Date, executed: Date) throws {
        try ledger.reserve(Decimal(cost), for: OrderRecord(clientOrderID: id, mode: .live, instrument: "text-prime", marketID: "m", type: "market",
                                                           quantity: cost, limitPrice: nil), at: reserved)
        _ = try ledger.record(fills: [FillRecord(tradeID: "t-" + id, clientOrderID: id, quantity: cost, price: 1, executedAt: executed)], at: reserved)
    }

    @Test func aFillTheExchangeDatesAheadOfOurClockCountsAtOnce() throws {
        for (name, ledger) in try Self.ledgers() {
            let now = Self.local(2026, 3, 10, 10, 0)
            // The exchange's clock is 10 minutes ahead: the fill is dated 10:10 while we read 10:00.
            try Self.buy(ledger, "gk-a", cost: 12, reserved: now, executed: now.addingTimeInterval(600))
            let spend = try ledger.spend(asOf: now.addingTimeInterval(1), timeZone: Self.newYork, instrument: "text-prime")
            #expect(spend.today == 12 && spend.month == 12 && spend.reserved == 0, "\(name): \(spend)")
            // Two clocks, one day: counted once.
            let later = try ledger.spend(asOf: now.addingTimeInterval(3600), timeZone: Self.newYork, instrument: nil)
            #expect(later.today == 12, "\(name): \(later)")
        }
    }

    @Test func aFillWhoseClocksFallOnDifferentDaysCountsOnBoth() throws {
        for (name, ledger) in try Self.ledgers() {
            // Ours reads 23:55 on the 10th, the exchange's 00:08 on the 11th (New York time).
            let reserved = Self.local(2026, 3, 10, 23, 55)
            try Self.buy(ledger, "gk-ahead", cost: 7, reserved: reserved, executed: reserved.addingTimeInterval(13 * 60))
            // Ours reads 00:05 on the 12th, the exchange's 23:52 on the 11th.
            let behind = Self.local(2026, 3, 12, 0, 5)
            try Self.buy(ledger, "gk-behind", cost: 5, reserved: behind, executed: behind.addingTimeInterval(-13 * 60))
            func today(_ at: Date) throws -> Decimal { try ledger.spend(asOf: at, timeZone: Self.newYork, instrument: "text-prime").today }
            #expect(try today(Self.local(2026, 3, 10, 23, 59)) == 7, "\(name): the 10th by our clock")
            #expect(try today(Self.local(2026, 3, 11, 12, 0)) == 12, "\(name): the 11th by the exchange's clock, both fills")
            #expect(try today(Self.local(2026, 3, 12, 9, 0)) == 5, "\(name): the 12th by our clock")
            #expect(try today(Self.local(2026, 3, 13, 9, 0)) == 0, "\(name)")
            // Over the month each fill counts once.
            #expect(try ledger.spend(asOf: Self.local(2026, 3, 20, 9, 0), timeZone: Self.newYork, instrument: nil).month == 12, "\(name)")
        }
    }

    @Test func aFillAcrossAMonthBoundaryCountsInBothMonths() throws {
        for (name, ledger) in try Self.ledgers() {
            let reserved = Self.local(2026, 3, 31, 23, 58)
            try Self.buy(ledger, "gk-m", cost: 9, reserved: reserved, executed: reserved.addingTimeInterval(5 * 60))
            #expect(try ledger.spend(asOf: reserved, timeZone: Self.newYork, instrument: nil).month == 9, "\(name): March")
            #expect(try ledger.spend(asOf: Self.local(2026, 4, 2, 9, 0), timeZone: Self.newYork, instrument: nil).month == 9, "\(name): April")
            #expect(try ledger.spend(asOf: Self.local(2026, 5, 2, 9, 0), timeZone: Self.newYork, instrument: nil).month == 0, "\(name): May")
        }
    }

    @Test func daysFollowDaylightSavingChanges() throws {
        // 2026-03-08 is 23 hours long in New York; 2026-11-01 is 25 hours long.
        let short = SpendPeriods(containing: Self.local(2026, 3, 8, 12, 0), in: Self.newYork)
        #expect(short.dayEnd - short.dayStart == 23 * 3_600_000)
        let long = SpendPeriods(containing: Self.local(2026, 11, 1, 12, 0), in: Self.newYork)
        #expect(long.dayEnd - long.dayStart == 25 * 3_600_000)
        for (name, ledger) in try Self.ledgers() {
            // 23:30 on the long day is still that day (a 24-hour day would have ended at 23:00).
            let lateOnLongDay = Self.local(2026, 11, 1, 23, 30)
            try Self.buy(ledger, "gk-d", cost: 3, reserved: lateOnLongDay, executed: lateOnLongDay)
            #expect(try ledger.spend(asOf: Self.local(2026, 11, 1, 8, 0), timeZone: Self.newYork, instrument: nil).today == 3, "\(name)")
            #expect(try ledger.spend(asOf: Self.local(2026, 11, 2, 8, 0), timeZone: Self.newYork, instrument: nil).today == 0, "\(name)")
        }
    }
}
