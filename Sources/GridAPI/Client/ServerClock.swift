import Foundation
import Synchronization

/// Tracks the exchange's clock from `Date` headers so that requests are signed with a
/// timestamp the server accepts (±30 s) even when the local clock drifts.
///
/// The correction is applied only when the observed offset exceeds `threshold` (5 s by
/// default): `Date` has one-second resolution, so small offsets are noise.
public final class ServerClock: Sendable {
    private let now: @Sendable () -> Date
    private let thresholdMilliseconds: Int64
    private let offsetMilliseconds = Mutex<Int64?>(nil)

    /// - Parameters:
    ///   - now: the local wall clock.
    ///   - threshold: the offset above which the server's time is used.
    public init(threshold: Duration = .seconds(5), now: @escaping @Sendable () -> Date) {
        self.now = now
        self.thresholdMilliseconds = threshold.components.seconds * 1000 + threshold.components.attoseconds / 1_000_000_000_000_000
    }

    /// Records the server's `Date` header of a reply.
    public func observe(dateHeader: String?) {
        guard let dateHeader, let serverTime = HTTPDate.parse(dateHeader) else { return }
        let offset = Int64(((serverTime.timeIntervalSince1970 - now().timeIntervalSince1970) * 1000).rounded())
        offsetMilliseconds.withLock { $0 = offset }
    }

    /// Server time minus local time, when known.
    public var offset: Duration? {
        offsetMilliseconds.withLock { $0 }.map { .milliseconds($0) }
    }

    /// The server's time now, as its last `Date` header implies, when one was seen.
    public var serverNow: Date? {
        offsetMilliseconds.withLock { $0 }.map { now().addingTimeInterval(Double($0) / 1000) }
    }

    /// Whether requests are currently signed with the corrected clock.
    public var isCorrecting: Bool {
        guard let ms = offsetMilliseconds.withLock({ $0 }) else { return false }
        return abs(ms) > thresholdMilliseconds
    }

    /// The Unix time, in whole seconds, to sign the next request with.
    public func unixSeconds() -> Int64 {
        let local = now().timeIntervalSince1970
        guard isCorrecting, let ms = offsetMilliseconds.withLock({ $0 }) else { return Int64(local.rounded(.down)) }
        return Int64((local + Double(ms) / 1000).rounded(.down))
    }
}

/// RFC 7231 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), parsed and formatted without a
/// `DateFormatter`.
public enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]

    public static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT",
            let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3])
        else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (1...31).contains(day), (0...23).contains(hms[0]), (0...59).contains(hms[1]),
            (0...60).contains(hms[2])
        else { return nil }
        let days = daysFromCivil(year: year, month: month + 1, day: day)
        let seconds = days * 86_400 + Int64(hms[0] * 3600 + hms[1] * 60 + hms[2])
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    public static func format(_ date: Date) -> String {
        let total = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secs = total - days * 86_400
        let (y, m, d) = civilFromDays(days)
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekday), \(two(Int64(d))) \(months[m - 1]) \(y) \(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60)) GMT"
    }

    // Howard Hinnant's civil-date algorithms.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
