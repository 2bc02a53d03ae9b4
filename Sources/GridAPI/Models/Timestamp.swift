import Foundation

/// The exchange's ISO-8601 timestamps, with or without fractional seconds.
public enum Timestamp {
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension Timestamp {
    /// Milliseconds since 1970 of `2026-09-22T00:00:00Z` or `…00.123Z` (UTC only) without a
    /// formatter — for files with millions of timestamps; anything else goes through `parse`.
    public static func milliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        if b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b.last == 90,
           let y = digits(0, 4), let mo = digits(5, 2), let d = digits(8, 2), let h = digits(11, 2), let mi = digits(14, 2), let s = digits(17, 2) {
            var ms = 0
            if b.count == 20 {
                ms = 0
            } else if b[19] == 46, b.count >= 22, b.count <= 30, let f = digits(20, b.count - 21) {
                let places = b.count - 21
                ms = places >= 3 ? f / Int(pow(10, Double(places - 3))) : f * Int(pow(10, Double(3 - places)))
            } else {
                return parse(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) }
            }
            // A time of this shape that names no real instant is refused, not parsed leniently.
            return utcMilliseconds(year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: ms)
        }
        return parse(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) }
    }

    /// Milliseconds since 1970 of a UTC calendar time; nil when it names no real instant
    /// (February 30th, 25:00, minute or second 60), instead of rolling it over. The
    /// arithmetic is the proleptic Gregorian calendar's, in integers.
    @inlinable
    public static func utcMilliseconds(year y: Int, month mo: Int, day d: Int, hour h: Int, minute mi: Int, second s: Int, millisecond ms: Int) -> Int64? {
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let monthDays = mo == 2 ? (leap ? 29 : 28) : (mo == 4 || mo == 6 || mo == 9 || mo == 11 ? 30 : 31)
        guard (1...12).contains(mo), d >= 1, d <= monthDays, (0..<24).contains(h), (0..<60).contains(mi), (0..<60).contains(s), (0..<1000).contains(ms)
        else { return nil }
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Int64(days) * 86_400_000 + Int64(h * 3_600_000 + mi * 60_000 + s * 1000 + ms)
    }
}
