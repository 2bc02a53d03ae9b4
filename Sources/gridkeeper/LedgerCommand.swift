import ArgumentParser
import Daemon
import Foundation

/// `gridkeeper ledger …`: whole-ledger operations.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Whole-ledger operations: copy a ledger to another location or backend.",
        subcommands: [Copy.self]
    )

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy a ledger into a new or empty one (e.g. SQLite into PostgreSQL), then verify it row by row.",
            discussion: """
                Stop the daemon and cron runs first. The source is opened read-only; the destination must hold no rows \
                (a new file, an empty database, or a ledger with empty tables), else nothing is changed. Every table is \
                copied with its ids in one transaction; the destination derives its spend buckets from the fills. Then \
                both are read back and compared column by column, with spend to date at a few instants; any difference \
                exits 1 naming the first differing table, row and column.
                """
        )

        @Option(help: ArgumentHelp("Ledger to copy: a SQLite file or postgres://USER@HOST:PORT/DB.", valueName: "file|url"))
        var from: String

        @Option(help: ArgumentHelp("New or empty ledger to fill: postgres://USER@HOST:PORT/DB (password from the URL, ?password_file=FILE or $PGPASSWORD) or a SQLite file.", valueName: "url|file"))
        var to: String

        @Option(name: .customLong("time-zone"), help: ArgumentHelp("Time zone of the days and months whose spend is compared (also compared in UTC; default: the system's).", valueName: "tz"))
        var timeZone: String?

        @Flag(help: "Print a JSON summary.")
        var json = false

        func validate() throws {
            if let timeZone, TimeZone(identifier: timeZone) == nil { throw ValidationError("--time-zone \(timeZone) is not a time zone, e.g. Europe/Berlin or UTC") }
        }

        func run() async throws {
            try await reportingFailures {
                let summary: LedgerCopySummary
                do {
                    summary = try LedgerCopy.copy(from: from, to: to, now: Date(), timeZone: timeZone.flatMap(TimeZone.init(identifier:)) ?? .current,
                                                  progress: Output.notice)
                } catch {
                    throw CommandFailure(message: "\(error)")
                }
                if json {
                    Output.printJSON(summary)
                    return
                }
                print("copied \(summary.from) to \(summary.to)")
                let rows = summary.tables.map { [$0.name, String($0.rows)] }
                print(Output.table(["table", "rows"], rows + [["total", String(summary.copiedRows)]], rightAligned: [1]))
                for spend in summary.spendBuckets {
                    print("spend \(spend.instrument): \(Output.money(spend.cost)) for \(spend.units) units (derived from the fills, equal on both sides)")
                }
                print("verified \(summary.verifiedRows) rows; spend to date equal at \(summary.spendInstantsCompared) checks")
            }
        }
    }
}
