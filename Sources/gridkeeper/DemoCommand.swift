import ArgumentParser
import Foundation
import GridAPI
import Logging
import Simulator

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A guided run against an embedded simulator; no keys or set-up needed.",
        discussion: """
            Starts a simulated Grid on loopback with a throwaway key, then does what GridKeeper
            does against the real exchange: verifies the account, reads balances and the
            text-prime book, buys units with a signed limit order, follows the fill, and moves
            the units to the consumption account.
            """
    )

    @Option(help: "Instrument to buy.")
    var symbol: String = "text-prime"

    @Option(help: "Whole units to buy.")
    var units: Int = 20

    func validate() throws {
        guard (1...50).contains(units) else { throw ValidationError("--units must be between 1 and 50") }
        guard InstrumentCatalogNames.contains(symbol) else {
            throw ValidationError("unknown instrument '\(symbol)'; one of: \(InstrumentCatalogNames.sorted().joined(separator: ", "))")
        }
    }

    func run() async throws {
        LogSetup.bootstrap(level: .warning)
        let key = SigningKey.generate()
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingUSD: 500, startingConsumption: [symbol: 4]))
        let server = SimulatorServer(exchange: exchange, publicKeys: [key.publicKey])
        let symbol = self.symbol
        let units = self.units
        try await reportingFailures {
            try await server.withRunning { baseURL in
                let client = try GridClient(configuration: .init(baseURL: baseURL), signer: RequestSigner(key: key))
                try await Self.tour(client: client, baseURL: baseURL, symbol: symbol, units: units)
            }
        }
    }

    static func step(_ title: String) {
        print("\n── \(title) " + String(repeating: "─", count: max(0, 60 - title.count)))
    }

    static func tour(client: GridClient, baseURL: String, symbol: String, units: Int) async throws {
        print("GridKeeper demo — simulated Grid at \(baseURL), key \(client.fingerprint ?? "?")")

        step("1. verify: key, account mode, balances, markets (read-only)")
        let report = await Preflight(client: client).run()
        for check in report.checks { print("  [\(check.status == .pass ? "ok" : check.status.rawValue)] \(check.name): \(check.detail)") }

        step("2. balances")
        let before = try await BalanceSheet.fetch(from: client)
        print("  USD available \(Output.money(before.usdAvailable))")
        if let line = before.instruments.first(where: { $0.symbol == symbol }) {
            print("  \(symbol): \(Output.number(line.tradingAvailable)) in trading, \(Output.number(line.consumptionAvailable)) in consumption")
        }

        step("3. market \(symbol)")
        let market = try await MarketSummary.fetch(symbol: symbol, depth: 3, from: client)
        print("  bid \(Output.money(market.bestBid))  ask \(Output.money(market.bestAsk))  spread \(Output.money(market.spread))")
        for level in market.asks { print("    ask \(Output.money(level.price)) × \(Output.number(level.quantity))") }

        step("4. buy \(units) units with a signed limit order at the best ask")
        guard let ask = market.bestAsk else { throw CommandFailure(message: "the simulated book has no asks") }
        let clientOrderID = "gk-demo-\(UUID().uuidString.prefix(8).lowercased())"
        let placed = try await client.placeOrder(PlaceOrderRequest(
            marketID: market.marketID, side: .buy, type: .limit, quantity: Decimal(units), price: ask, clientOrderID: clientOrderID))
        let order = try await client.order(id: placed.orderID)
        print("  order \(order.orderID) (\(clientOrderID)): \(order.status), filled \(Output.number(order.filledQuantity))/\(Output.number(order.quantity)) at avg \(Output.money(order.averagePrice))")
        let fills = try await client.trades(TradeQuery(orderID: order.orderID)).collect()
        for fill in fills { print("    fill \(fill.tradeID): \(Output.number(fill.quantity)) × \(Output.money(fill.price)) = \(Output.money(fill.notional))") }
        if order.remainingQuantity > 0 {
            try await client.cancelOrder(id: order.orderID)
            print("  cancelled the unfilled \(Output.number(order.remainingQuantity)) units")
        }

        step("5. move the units to consumption (lots there expire after 4 hours)")
        let filled = NSDecimalNumber(decimal: order.filledQuantity).intValue
        if filled > 0 {
            let transfer = try await client.transfer(.tradingToConsumption, instrumentID: market.instrumentID, quantity: filled)
            print("  transfer \(transfer.transferID): \(filled) units → consumption")
        }

        step("6. balances after")
        let after = try await BalanceSheet.fetch(from: client)
        print("  USD available \(Output.money(after.usdAvailable)) (spent \(Output.money(before.usdAvailable - after.usdAvailable)))")
        if let line = after.instruments.first(where: { $0.symbol == symbol }) {
            print("  \(symbol): \(Output.number(line.tradingAvailable)) in trading, \(Output.number(line.consumptionAvailable)) in consumption")
        }
        print("\nDone. Run `gridkeeper sim` to keep a simulator up for your own scripts, and `gridkeeper verify` against The Grid.")
    }
}

import GridKeeperCore

/// Symbols the simulator lists.
let InstrumentCatalogNames = Set(InstrumentCatalog.all.map(\.symbol))
