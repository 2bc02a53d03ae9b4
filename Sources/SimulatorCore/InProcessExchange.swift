import Foundation
import GridAPI
import GridKeeperCore

/// The simulator's market behind the engine's `Exchange` port, in process: no sockets, no
/// signing, the same market semantics and the same view as over HTTP (the latest 50 public
/// trades, as `GridClient` reads them). Engine tests and the chaos campaign run on
/// it; a few end-to-end tests keep the HTTP path (`GridExchange` over `GridClient`).
///
/// The simulator's refusals read as the port's errors the way the live client reads HTTP: a
/// 4xx is `rejected`; a 5xx is `unavailable` for a read and `outcomeUnknown` for a request with
/// an effect.
public struct InProcessExchange: Exchange {
    public let simulator: SimulatedExchange
    public var autoTransfers: Bool { false }

    public init(_ simulator: SimulatedExchange) {
        self.simulator = simulator
    }

    static func translate(_ error: SimulatorError, _ endpoint: String, mutating: Bool) -> ExchangeError {
        let message = "\(endpoint): HTTP \(error.status): \(error.detail)"
        guard error.status >= 500 else { return .rejected(message) }
        return mutating ? .outcomeUnknown(message) : .unavailable(message)
    }

    private func call<T: Sendable>(_ endpoint: String, mutating: Bool, _ body: () async throws(SimulatorError) -> T) async throws(ExchangeError) -> T {
        do { return try await body() } catch { throw Self.translate(error, endpoint, mutating: mutating) }
    }

    public func view(instrument symbol: String) async throws(ExchangeError) -> ExchangeView {
        let sim = simulator
        return try await call("view \(symbol)", mutating: false) { () async throws(SimulatorError) -> ExchangeView in
            let instrument = try await sim.instrument(symbol: symbol)
            guard let market = await sim.listMarkets().first(where: { $0.associatedInstruments.contains(instrument.instrumentID) }) else {
                throw SimulatorError(404, "no market trades \(symbol)")
            }
            let consumption = await sim.consumptionAccounts(instrumentID: instrument.instrumentID).reduce(Decimal(0)) { $0 + $1.available }
            let inventory = await sim.tradingAccounts().filter { $0.instrumentID == instrument.instrumentID }.reduce(Decimal(0)) { $0 + $1.availableBalance }
            let usd = await sim.currencyAccounts().filter { $0.currency.lowercased() == "usd" }.reduce(Decimal(0)) { $0 + $1.availableBalance }
            let book = try await sim.orderBook(marketID: market.marketID, depth: 10)
            let ticker = try await sim.ticker(marketID: market.marketID)
            let open = try await sim.listOrders(query: ["market_id": market.marketID]).filter { !$0.isTerminal }
            let trades = try await sim.publicTrades(marketID: market.marketID)
            return ExchangeView(instrumentID: instrument.instrumentID, marketID: market.marketID, consumption: Units(exactly: consumption)?.rawValue ?? 0,
                                inventory: Units(exactly: inventory)?.rawValue ?? 0, usdAvailable: usd, bids: book.bids.map(\.level), asks: book.asks.map(\.level),
                                last: ticker.lastPrice, rules: market.orderControls?.rules ?? .standard, openOrders: open.map(\.ticket),
                                publicTrades: trades.prefix(50).map(\.marketTrade), exchangeTime: book.timestamp.flatMap(Timestamp.parse))
        }
    }

    public func place(_ order: OrderRequest) async throws(ExchangeError) -> OrderTicket {
        let sim = simulator
        return try await call("POST /v1/orders", mutating: true) { () async throws(SimulatorError) -> OrderTicket in
            try await sim.placeOrder(PlaceOrderRequest(order)).order.ticket
        }
    }

    public func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? {
        let sim = simulator
        return try await call("GET /v1/orders?client_order_id", mutating: false) { () async throws(SimulatorError) -> OrderTicket? in
            var query = ["client_order_id": clientOrderID]
            if let marketID { query["market_id"] = marketID }
            return try await sim.listOrders(query: query).first?.ticket
        }
    }

    public func order(id: String) async throws(ExchangeError) -> OrderTicket {
        let sim = simulator
        return try await call("GET /v1/orders/\(id)", mutating: false) { () async throws(SimulatorError) -> OrderTicket in try await sim.order(id: id).ticket }
    }

    public func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] {
        let sim = simulator
        return try await call("GET /v1/trades", mutating: false) { () async throws(SimulatorError) -> [OrderFill] in
            await sim.listFills(query: ["order_id": orderID]).map(\.fill)
        }
    }

    public func cancel(orderID: String) async throws(ExchangeError) {
        let sim = simulator
        try await call("DELETE /v1/orders/\(orderID)", mutating: true) { () async throws(SimulatorError) in
            do throws(SimulatorError) {
                try await sim.cancelOrder(id: orderID)
            } catch {
                // Cancelling what is already cancelled succeeds, as the live client treats it.
                guard error.detail == GridAPIError.orderAlreadyCancelled else { throw error }
            }
        }
    }

    public func transferToConsumption(instrumentID: String, quantity: Int) async throws(ExchangeError) -> String {
        let sim = simulator
        return try await call("POST /v1/transfers/trading-to-consumption", mutating: true) { () async throws(SimulatorError) -> String in
            try await sim.transfer(.tradingToConsumption, TransferRequest(instrumentID: instrumentID, quantity: quantity)).transferID
        }
    }
}
