import ArgumentParser
import Daemon
import Foundation
import Ledger

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the ledger, or show its schema version.",
        discussion: "Every command that writes the ledger migrates it too; this one does only that, and creates a new ledger where none exists (saying so on stderr). --status needs an existing ledger and changes nothing."
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var ledger: LedgerOptions

    @Flag(help: "Only show which migrations are applied; change nothing.")
    var status = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let settings = try config.load()
            let (path, migrations) = try LedgerAccess.migrations(path: ledger.path(settings), statusOnly: status, announce: Output.notice)
            if json {
                Output.printJSON(["ledger": AnyEncodable(path), "migrations": AnyEncodable(migrations)])
                return
            }
            print("ledger \(path)")
            for m in migrations {
                print("  \(m.isApplied ? "applied" : "pending") \(m.name)\(m.appliedAt.map { "  \($0.ISO8601Format())" } ?? "")")
            }
        }
    }
}

/// Lets `--json` output mix value types in one object.
struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encodeValue = value.encode }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
