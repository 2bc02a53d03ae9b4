import ArgumentParser
import Foundation
import Ledger

/// `--db` and `--time-zone`, shared by the commands that use the ledger.
struct LedgerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Ledger: a SQLite file, or postgres://USER@HOST:PORT/DB (password from the URL, ?password_file=FILE or $PGPASSWORD) (default: the --config file's `ledger`, else $XDG_STATE_HOME/gridkeeper/ledger.sqlite).", valueName: "file|url"))
    var db: String?

    @Option(name: .customLong("time-zone"), help: ArgumentHelp("Time zone for daily and monthly spend, e.g. Europe/Berlin or UTC (default: the --config file's, else the system's).", valueName: "tz"))
    var timeZone: String?

    var path: String { db ?? Ledger.defaultPath() }

    func validate() throws {
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("--time-zone '\(timeZone)' is not a time zone name like UTC or America/New_York")
        }
    }

    var zone: TimeZone { timeZone.flatMap(TimeZone.init(identifier:)) ?? .current }
}

/// Parses `--since`: `24h`, `7d`, `30m`, a date `2026-11-01` (local midnight) or an ISO-8601 time.
func parseSince(_ text: String, now: Date, timeZone: TimeZone) -> Date? {
    if let unit = text.last, let value = Double(text.dropLast()), value >= 0 {
        switch unit {
        case "m": return now.addingTimeInterval(-value * 60)
        case "h": return now.addingTimeInterval(-value * 3600)
        case "d": return now.addingTimeInterval(-value * 86_400)
        default: break
        }
    }
    let parts = text.split(separator: "-")
    if parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: y, month: m, day: d))
    }
    return try? Date(text, strategy: .iso8601)
}
