import Foundation
import GridAPI
import HTTPTypes
import Hummingbird
import HummingbirdCore

extension SimulatorServer {
    /// A route's work: a response, or a `SimulatorError` that `ErrorMiddleware` answers with.
    typealias Handler = @Sendable (RouteCall) async throws -> Response

    /// The Trading API's routes below `/v1`. Each runs on the market stepped to now.
    func addAPIRoutes(to router: Router<SimulatorContext>) {
        let ex = exchange
        on(router, .get, "/v1/health") { _ in json(DataEnvelope(data: Health(status: "ok", service: "gridkeeper-sim"))) }
        on(router, .get, "/v1/me") { _ in json(DataEnvelope(data: await ex.me())) }
        on(router, .get, "/v1/account/limits") { call in json(DataEnvelope(data: await ex.accountLimits(marketID: call.query["market_id"]))) }

        on(router, .get, "/v1/instruments") { call in
            json(try PageRequest(query: call.query).page(await ex.listInstruments(symbol: call.query["symbol"])))
        }
        on(router, .get, "/v1/instruments/:id") { call in json(DataEnvelope(data: try await ex.instrument(id: call.parameter("id")))) }
        on(router, .get, "/v1/instruments/by-symbol/:symbol") { call in
            json(DataEnvelope(data: try await ex.instrument(symbol: call.parameter("symbol"))))
        }

        on(router, .get, "/v1/markets") { call in json(try PageRequest(query: call.query).page(await ex.listMarkets())) }
        on(router, .get, "/v1/markets/:id") { call in json(DataEnvelope(data: try await ex.market(id: call.parameter("id")))) }
        on(router, .get, "/v1/markets/:id/ticker") { call in json(DataEnvelope(data: try await ex.ticker(marketID: call.parameter("id")))) }
        on(router, .get, "/v1/markets/:id/orderbook") { call in
            let depth = try Self.intParameter(call.query["depth"], name: "depth", default: 20, range: 1...100)
            return json(DataEnvelope(data: try await ex.orderBook(marketID: call.parameter("id"), depth: depth)))
        }
        on(router, .get, "/v1/markets/:id/trades") { call in
            json(try PageRequest(query: call.query).page(try await ex.publicTrades(marketID: call.parameter("id"))))
        }
        on(router, .delete, "/v1/markets/:id/orders") { call in
            json(DataEnvelope(data: CancelAllResult(cancelled: try await ex.cancelAll(marketID: call.parameter("id")))))
        }

        on(router, .post, "/v1/orders") { call in
            let request = try decodeBody(PlaceOrderRequest.self, call.body)
            let (order, created) = try await ex.placeOrder(request)
            return json(DataEnvelope(data: order), status: created ? 201 : 200)
        }
        on(router, .get, "/v1/orders") { call in json(try PageRequest(query: call.query).page(try await ex.listOrders(query: call.query))) }
        on(router, .delete, "/v1/orders") { _ in json(DataEnvelope(data: CancelAllResult(cancelled: try await ex.cancelAll(marketID: nil)))) }
        on(router, .get, "/v1/orders/:id") { call in json(DataEnvelope(data: try await ex.order(id: call.parameter("id")))) }
        on(router, .delete, "/v1/orders/:id") { call in
            try await ex.cancelOrder(id: call.parameter("id"))
            return Response(status: .noContent)
        }

        on(router, .get, "/v1/trades") { call in json(try PageRequest(query: call.query).page(await ex.listFills(query: call.query))) }
        on(router, .get, "/v1/trading-accounts") { call in json(try PageRequest(query: call.query).page(await ex.tradingAccounts())) }
        on(router, .get, "/v1/currency-trading-accounts") { call in json(try PageRequest(query: call.query).page(await ex.currencyAccounts())) }
        on(router, .get, "/v1/consumption-accounts") { call in
            json(try PageRequest(query: call.query).page(await ex.consumptionAccounts(instrumentID: call.query["instrument_id"])))
        }
        on(router, .post, "/v1/transfers/:direction") { call in
            guard let direction = TransferDirection(rawValue: call.parameter("direction")) else { throw SimulatorError.notFound("path \(call.path)") }
            let request = try decodeBody(TransferRequest.self, call.body)
            return json(try await ex.transfer(direction, request), status: 202)
        }
        on(router, .get, "/v1/transfer-histories") { call in
            json(try PageRequest(query: call.query).page(await ex.transferHistories(instrumentID: call.query["instrument_id"])))
        }
    }

    /// Adds one API route; its handler runs after the market has caught up with the clock.
    func on(_ router: Router<SimulatorContext>, _ method: HTTPRequest.Method, _ path: RouterPath, _ handler: @escaping Handler) {
        let exchange = self.exchange
        let adminEnabled = self.adminEnabled
        router.on(path, method: method) { request, context in
            await exchange.catchUp()
            return try await handler(RouteCall(request, context, adminEnabled: adminEnabled))
        }
    }

    static func intParameter(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws(SimulatorError) -> Int {
        guard let text else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw SimulatorError.invalid("\(name) must be an integer between \(range.lowerBound) and \(range.upperBound)")
        }
        return parsed
    }
}
