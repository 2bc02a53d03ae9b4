import ArgumentParser
import GridAPI

struct BalancesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balances",
        abstract: "Show USD credit and units in the trading and consumption accounts."
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print JSON: USD as exact decimal strings, units as numbers.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let sheet = try await BalanceSheet.fetch(from: try connection.makeClient())
            if json {
                Output.printJSON(sheet)
                return
            }
            print("USD available \(Output.money(sheet.usdAvailable))   locked \(Output.money(sheet.usdLocked))")
            print("")
            let rows = sheet.instruments.map {
                [$0.symbol, Output.number($0.tradingAvailable), Output.number($0.tradingLocked), Output.number($0.consumptionAvailable)]
            }
            print(Output.table(["instrument", "trading", "in orders", "consumption"], rows, rightAligned: [1, 2, 3]))
        }
    }
}
