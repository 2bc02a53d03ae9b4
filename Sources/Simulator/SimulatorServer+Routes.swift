import Foundation
import GridAPI
import HTTPTypes
import Hummingbird
import HummingbirdCore

extension SimulatorServer {
    /// Dispatches one authenticated request by method and path (below `/v1`).
    func route(method: String, path: String, query: [String: String], body: [UInt8]) async throws(SimulatorError) -> Response {
        guard path.hasPrefix("/v1/") else { throw .notFound("path \(path)") }
        let parts = path.dropFirst(4).split(separator: "/", omittingEmptySubsequences: false).map { $0.removingPercentEncoding ?? String($0) }
        let ex = exchange
        switch (method, parts.count, parts.first ?? "") {
        case ("GET", 1, "health"):
            return json(DataEnvelope(data: Health(status: "ok", service: "gridkeeper-sim")))
        case ("GET", 1, "me"):
            return json(DataEnvelope(data: await ex.me()))
        case ("GET", 2, "account") where parts[1] == "limits":
            return json(DataEnvelope(data: await ex.accountLimits(marketID: query["market_id"])))

        case ("GET", 1, "instruments"):
            return json(try PageRequest(query: query).page(await ex.listInstruments(symbol: query["symbol"])))
        case ("GET", 3, "instruments") where parts[1] == "by-symbol":
            return json(DataEnvelope(data: try await ex.instrument(symbol: parts[2])))
        case ("GET", 2, "instruments"):
            return json(DataEnvelope(data: try await ex.instrument(id: parts[1])))

        case ("GET", 1, "markets"):
            return json(try PageRequest(query: query).page(await ex.listMarkets()))
        case ("GET", 2, "markets"):
            return json(DataEnvelope(data: try await ex.market(id: parts[1])))
        case ("GET", 3, "markets") where parts[2] == "ticker":
            return json(DataEnvelope(data: try await ex.ticker(marketID: parts[1])))
        case ("GET", 3, "markets") where parts[2] == "orderbook":
            let depth = try Self.intParameter(query["depth"], name: "depth", default: 20, range: 1...100)
            return json(DataEnvelope(data: try await ex.orderBook(marketID: parts[1], depth: depth)))
        case ("GET", 3, "markets") where parts[2] == "trades":
            return json(try PageRequest(query: query).page(try await ex.publicTrades(marketID: parts[1])))
        case ("DELETE", 3, "markets") where parts[2] == "orders":
            return json(DataEnvelope(data: CancelAllResult(cancelled: try await ex.cancelAll(marketID: parts[1]))))

        case ("POST", 1, "orders"):
            let request = try decodeBody(PlaceOrderRequest.self, body)
            let (order, created) = try await ex.placeOrder(request)
            return json(DataEnvelope(data: order), status: created ? 201 : 200)
        case ("GET", 1, "orders"):
            return json(try PageRequest(query: query).page(try await ex.listOrders(query: query)))
        case ("DELETE", 1, "orders"):
            return json(DataEnvelope(data: CancelAllResult(cancelled: try await ex.cancelAll(marketID: nil))))
        case ("GET", 2, "orders"):
            return json(DataEnvelope(data: try await ex.order(id: parts[1])))
        case ("DELETE", 2, "orders"):
            try await ex.cancelOrder(id: parts[1])
            return Response(status: .noContent)

        case ("GET", 1, "trades"):
            return json(try PageRequest(query: query).page(await ex.listFills(query: query)))
        case ("GET", 1, "trading-accounts"):
            return json(try PageRequest(query: query).page(await ex.tradingAccounts()))
        case ("GET", 1, "currency-trading-accounts"):
            return json(try PageRequest(query: query).page(await ex.currencyAccounts()))
        case ("GET", 1, "consumption-accounts"):
            return json(try PageRequest(query: query).page(await ex.consumptionAccounts(instrumentID: query["instrument_id"])))
        case ("POST", 2, "transfers"):
            guard let direction = TransferDirection(rawValue: parts[1]) else { throw .notFound("path \(path)") }
            let request = try decodeBody(TransferRequest.self, body)
            return json(try await ex.transfer(direction, request), status: 202)
        case ("GET", 1, "transfer-histories"):
            return json(try PageRequest(query: query).page(await ex.transferHistories(instrumentID: query["instrument_id"])))
        default:
            throw .notFound("path \(method) \(path)")
        }
    }

    static func intParameter(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws(SimulatorError) -> Int {
        guard let text else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw .invalid("\(name) must be an integer between \(range.lowerBound) and \(range.upperBound)")
        }
        return parsed
    }
}
