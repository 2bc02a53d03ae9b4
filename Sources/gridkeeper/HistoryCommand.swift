import ArgumentParser
import Daemon
import Foundation
import Ledger

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Decisions and fills from the ledger, oldest first. Read-only.",
        discussion: "A --db path with no ledger is an error (nothing is created). --config reads the daemon's ledger path and time zone from its configuration file."
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var ledger: LedgerOptions

    @Option(help: "From when: 24h, 7d, 30m, a date (2026-11-01) or an ISO-8601 time.")
    var since: String = "24h"

    @Option(help: "At most this many lines (the newest).")
    var limit: Int = 200

    @Flag(help: "Also list rules that did not fire.")
    var all = false

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard parseSince(since, now: Date(), timeZone: .current) != nil else {
            throw ValidationError("--since '\(since)' is not 24h, 7d, 30m, a date like 2026-11-01 or an ISO-8601 time")
        }
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
    }

    func run() async throws {
        try await reportingFailures {
            let settings = try config.load()
            let from = parseSince(since, now: Date(), timeZone: ledger.zone(settings))!
            let entries = try LedgerAccess.history(path: ledger.path(settings), since: from, limit: limit, includeSkipped: all)
            if json {
                Output.printJSON(entries)
                return
            }
            guard !entries.isEmpty else {
                print("nothing recorded since \(from.ISO8601Format())")
                return
            }
            print(Output.table(["time", "instrument", "what", "outcome", "qty", "price", "cost", "detail"],
                               entries.map { e in
                                   [e.at.ISO8601Format(), e.instrument, e.subject, e.outcome, e.quantity.map(String.init) ?? "", e.price ?? "", e.cost ?? "", e.detail]
                               }, rightAligned: [4, 5, 6]))
        }
    }
}
