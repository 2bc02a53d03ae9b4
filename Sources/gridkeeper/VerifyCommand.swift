import ArgumentParser
import GridAPI

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check keys, account mode, balances and markets, read-only.",
        discussion: """
            Sends only GET requests: the service health, a signed /v1/me (orders need Advanced mode), USD balance, trading and consumption accounts, and markets with their order controls. Exits 0 when nothing failed (warnings allowed), 1 otherwise — an account in Auto Mode fails, since it can place no orders; each problem says how to fix it.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let client = try connection.makeClient()
            let report = await Preflight(client: client).run()
            if json {
                Output.printJSON(report)
            } else {
                print("GridKeeper verify — \(report.baseURL)")
                if let fingerprint = report.fingerprint { print("key fingerprint \(fingerprint)") }
                print("")
                for check in report.checks {
                    let mark = switch check.status {
                    case .pass: "ok  "
                    case .warn: "warn"
                    case .fail: "FAIL"
                    case .skip: "skip"
                    }
                    print("[\(mark)] \(check.name): \(check.detail)")
                    if let fix = check.fix { print("       → \(fix)") }
                }
                print("")
                print(report.ok ? "All checks passed." : "Some checks failed.")
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
