import ArgumentParser
import Chaos
import Foundation

/// The fault campaign: randomized schedules of network faults, clock skew and steps, day,
/// month and daylight-saving boundaries, crashes and restarts, a full or read-only disk and a
/// market that empties, each checked against the exchange's records.
struct ChaosBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Run randomized fault schedules against the daemon's cycle and check its invariants.",
        discussion: """
            Each schedule runs the daemon's own cycle, its strategies and a SQLite ledger file against the simulator's \
            exchange in process, over a simulated day or more, with faults drawn from its seed. After it settles, the \
            exchange's own records are checked: spend per day and month under every cap (per instrument and global), no \
            client_order_id twice, every exchange order and fill in the ledger, no negative balance, units conserved. \
            A failing schedule prints its seed; `--seed S --schedules 1` replays it exactly.
            """
    )

    @Option(help: "How many schedules to run.")
    var schedules: Int = 100

    @Option(help: "The first schedule's seed; schedules use consecutive seeds.")
    var seed: UInt64 = 1

    @Option(help: "Schedules run at a time (default: one per core).")
    var parallel: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Flag(help: "Reach the simulator over loopback HTTP with the signed client (slower; faults injected by the server).")
    var loopback = false

    @Flag(help: "Print each schedule's set-up and outcome.")
    var verbose = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        guard schedules >= 1 else { throw ValidationError("--schedules must be at least 1") }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    func run() async throws {
        let verbose = self.verbose
        let total = schedules
        let summary = await ChaosCampaign(firstSeed: seed, count: schedules, parallel: parallel, transport: loopback ? .loopback : .inProcess).run { outcome, done in
            if verbose {
                let state = outcome.violations.isEmpty ? "ok" : "FAILED"
                print("\(state) \(outcome.schedule) — \(outcome.cycles) cycles, \(outcome.restarts) restarts, \(outcome.orders) orders, \(outcome.fills) fills, \(String(format: "%.2f", outcome.seconds)) s")
            } else if done % 100 == 0 || done == total {
                FileHandle.standardError.write(Data("\(done)/\(total) schedules\n".utf8))
            }
            for violation in outcome.violations { print("  seed \(outcome.schedule.seed): \(violation)") }
        }
        if json {
            let object: [String: Any] = [
                "schedules": summary.schedules, "failed_seeds": summary.failed.map { Int($0.schedule.seed) }, "seconds": summary.seconds,
                "cycles": summary.cycles, "restarts": summary.restarts, "orders": summary.orders, "fills": summary.fills,
                "faults": summary.faults, "setups": summary.setups,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(summary.schedules) schedules in \(String(format: "%.1f", summary.seconds)) s: \(summary.cycles) cycles, \(summary.restarts) restarts, \(summary.orders) orders, \(summary.fills) fills")
            print("schedules with:")
            for (tag, n) in summary.setups.sorted(by: { $0.key < $1.key }) { print("  \(tag): \(n)") }
            print("faults injected:")
            for (kind, n) in summary.faults.sorted(by: { $0.key < $1.key }) { print("  \(kind): \(n)") }
            if summary.failed.isEmpty {
                print("0 invariant violations")
            } else {
                print("\(summary.failed.count) schedule\(summary.failed.count == 1 ? "" : "s") broke an invariant; replay with --seed N --schedules 1 --verbose:")
                for outcome in summary.failed { print("  seed \(outcome.schedule.seed): \(outcome.violations.first ?? "")") }
            }
        }
        if !summary.failed.isEmpty { throw ExitCode(1) }
    }
}
