import ArgumentParser
import GridAPI

struct MarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Show an instrument's ticker and top of book.",
        discussion: "Prices are USD per unit (1 unit = 1M tokens)."
    )

    @Argument(help: "Instrument symbol, e.g. text-prime.")
    var symbol: String

    @Option(help: "Book levels per side (1–100).")
    var depth: Int = 5

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (1...100).contains(depth) else { throw ValidationError("--depth must be between 1 and 100, got \(depth)") }
        guard !symbol.isEmpty, symbol.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("'\(symbol)' is not an instrument symbol; try text-prime")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let summary = try await MarketSummary.fetch(symbol: symbol, depth: depth, from: try connection.makeClient())
            if json {
                Output.printJSON(summary)
                return
            }
            print("\(summary.symbol)  last \(Output.money(summary.lastPrice))  bid \(Output.money(summary.bestBid))  ask \(Output.money(summary.bestAsk))  spread \(Output.money(summary.spread))")
            if let controls = summary.orderControls {
                print("tick \(Output.number(controls.tickSize))  lot \(Output.number(controls.lotSize))  min \(Output.number(controls.minOrderSize))")
            }
            print("")
            let levels = max(summary.bids.count, summary.asks.count)
            let rows = (0..<levels).map { i -> [String] in
                let bid = summary.bids.indices.contains(i) ? summary.bids[i] : nil
                let ask = summary.asks.indices.contains(i) ? summary.asks[i] : nil
                return [bid.map { Output.number($0.quantity) } ?? "", bid.map { Output.money($0.price) } ?? "",
                        ask.map { Output.money($0.price) } ?? "", ask.map { Output.number($0.quantity) } ?? ""]
            }
            print(Output.table(["bid qty", "bid", "ask", "ask qty"], rows, rightAligned: [0, 1, 2, 3]))
        }
    }
}
