import Foundation
import GridKeeperCore

/// The day and the month that contain a moment, in a time zone, as half-open millisecond
/// ranges `[start, end)` — what the daily and monthly caps count.
public struct SpendPeriods: Sendable, Equatable {
    public var dayStart: Int64
    public var dayEnd: Int64
    public var monthStart: Int64
    public var monthEnd: Int64

    public init(containing time: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let day = calendar.startOfDay(for: time)
        // Days are 23 or 25 hours long across a daylight-saving change; the calendar knows.
        let nextDay = calendar.date(byAdding: .day, value: 1, to: day) ?? day.addingTimeInterval(86_400)
        let month = calendar.date(from: calendar.dateComponents([.year, .month], from: time)) ?? day
        let nextMonth = calendar.date(byAdding: .month, value: 1, to: month) ?? month.addingTimeInterval(31 * 86_400)
        dayStart = day.ledgerMilliseconds
        dayEnd = nextDay.ledgerMilliseconds
        monthStart = month.ledgerMilliseconds
        monthEnd = nextMonth.ledgerMilliseconds
    }

    /// Whether a millisecond time falls in the day.
    public func inDay(_ ms: Int64) -> Bool { ms >= dayStart && ms < dayEnd }
    /// Whether a millisecond time falls in the month.
    public func inMonth(_ ms: Int64) -> Bool { ms >= monthStart && ms < monthEnd }
}
