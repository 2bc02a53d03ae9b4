import ArgumentParser
import Daemon
import Foundation
import Ledger

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the ledger holds: spend today and this month, open orders and reservations, the last cycle, the kill switch, and who leads a shared ledger.",
        discussion: "Spend includes budget reserved by orders not yet settled. Read-only; a --db path with no ledger is an error (nothing is created). --config reads the daemon's ledger path and time zone from its configuration file."
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var ledger: LedgerOptions

    @Flag(help: "Print JSON (money as exact decimal strings).")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let settings = try config.load()
            let status = try LedgerAccess.status(path: ledger.path(settings), asOf: Date(), timeZone: ledger.zone(settings))
            if json {
                Output.printJSON(status)
                return
            }
            print("ledger \(status.ledger)")
            if let lease = status.leadership {
                let held = lease.live ? "led by \(lease.holder)" : "no live leader (last: \(lease.holder))"
                print("\(held) since \(lease.since.ISO8601Format()) with fencing token \(lease.token); lease \(lease.live ? "runs" : "ran") until \(lease.expiresAt.ISO8601Format())")
            }
            if let kill = status.killSwitch, kill.engaged {
                print("KILL SWITCH ENGAGED since \(kill.changedAt.ISO8601Format()) by \(kill.changedBy): \(kill.reason)  (gridkeeper resume)")
            } else {
                print("kill switch off")
            }
            print("spend today \(Output.money(status.spend.today))  this month \(Output.money(status.spend.month))  (\(Output.money(status.spend.reserved)) reserved, \(status.timeZone))")
            if let last = status.lastCycle {
                print("last cycle \(last.startedAt.ISO8601Format()) \(last.mode) \(last.strategy) (\(last.instrument))")
            } else {
                print("no cycles recorded yet")
            }
            print("")
            if status.openOrders.isEmpty {
                print("no open orders")
            } else {
                print(Output.table(["client order id", "instrument", "type", "qty", "filled", "limit", "state"],
                                   status.openOrders.map { [$0.clientOrderID, $0.instrument, $0.type, "\($0.quantity)", "\($0.filledQuantity)", $0.limitPrice ?? "-", $0.state] },
                                   rightAligned: [3, 4, 5]))
            }
            if !status.openReservations.isEmpty {
                print("")
                print(Output.table(["reservation", "instrument", "amount", "spent"],
                                   status.openReservations.map { [$0.clientOrderID, $0.instrument, $0.amount, $0.spent] }, rightAligned: [2, 3]))
            }
        }
    }
}
