import Foundation
import NIOHTTP1

/// What happened to a cancel request.
public enum CancelOutcome: Sendable, Equatable {
    case cancelled
    /// The order was already cancelled (the server's HTTP 500 `order_already_cancelled`).
    case alreadyCancelled
}

extension GridClient {
    // MARK: Service and account

    /// `GET /v1/health` — public, unsigned.
    public func health() async throws(GridAPIError) -> Health {
        try await get("/health", signed: false)
    }

    /// `GET /v1/me` — the user and their account mode.
    public func me() async throws(GridAPIError) -> Me {
        try await get("/me")
    }

    /// `GET /v1/account/limits` — effective order rate limits.
    public func accountLimits(marketID: String? = nil) async throws(GridAPIError) -> AccountLimits {
        try await get("/account/limits", query: marketID.map { [("market_id", $0)] } ?? [])
    }

    // MARK: Instruments and markets

    /// `GET /v1/instruments`, every page.
    public func instruments(symbol: String? = nil) -> PagedSequence<Instrument> {
        paged("/instruments", query: (symbol.map { [("symbol", $0)] } ?? []) + [("limit", "100")])
    }

    /// `GET /v1/instruments/{id}`.
    public func instrument(id: String) async throws(GridAPIError) -> Instrument {
        try await get("/instruments/\(Self.segment(id))")
    }

    /// `GET /v1/instruments/by-symbol/{symbol}`, falling back to `GET /v1/instruments?symbol=`
    /// when the server does not know that path.
    public func instrument(symbol: String) async throws(GridAPIError) -> Instrument {
        do {
            return try await get("/instruments/by-symbol/\(Self.segment(symbol))")
        } catch let error where error.status == 404 {
            let matches = try await instruments(symbol: symbol).collect().filter { $0.symbol.lowercased() == symbol.lowercased() }
            guard let first = matches.first else { throw error }
            return first
        }
    }

    /// `GET /v1/markets`, every page.
    public func markets() -> PagedSequence<Market> {
        paged("/markets", query: [("limit", "100")])
    }

    /// `GET /v1/markets/{id}`.
    public func market(id: String) async throws(GridAPIError) -> Market {
        try await get("/markets/\(Self.segment(id))")
    }

    /// The market trading `instrumentID` (one market per instrument).
    public func market(forInstrument instrumentID: String) async throws(GridAPIError) -> Market? {
        var iterator = markets().makeAsyncIterator()
        while let market = try await iterator.next() {
            if market.associatedInstruments.contains(instrumentID) || market.instruments.contains(where: { $0.instrumentID == instrumentID }) {
                return market
            }
        }
        return nil
    }

    /// `GET /v1/markets/{id}/ticker`.
    public func ticker(marketID: String) async throws(GridAPIError) -> Ticker {
        try await get("/markets/\(Self.segment(marketID))/ticker")
    }

    /// `GET /v1/markets/{id}/orderbook?depth=N` (1…100 levels a side).
    public func orderBook(marketID: String, depth: Int = 20) async throws(GridAPIError) -> OrderBook {
        try await get("/markets/\(Self.segment(marketID))/orderbook", query: [("depth", String(min(max(depth, 1), 100)))])
    }

    /// `GET /v1/markets/{id}/trades` — the latest public trades (one page).
    public func publicTrades(marketID: String, limit: Int = 50) async throws(GridAPIError) -> [PublicTrade] {
        let page: Page<PublicTrade> = try await page(
            "/markets/\(Self.segment(marketID))/trades", query: [("limit", String(min(max(limit, 1), 100)))], cursor: nil)
        return page.items
    }

    // MARK: Orders

    /// `POST /v1/orders`. Never retried once sent: a lost reply is `outcomeUnknown`, to be
    /// resolved with `order(clientOrderID:)`.
    public func placeOrder(_ order: PlaceOrderRequest) async throws(GridAPIError) -> PlacedOrder {
        let response = try await send(.POST, "/orders", body: encodeBody(order))
        return try decode(DataEnvelope<PlacedOrder>.self, from: response, endpoint: "POST \(endpoint.pathPrefix)/orders").data
    }

    /// `GET /v1/orders/{id}`.
    public func order(id: String) async throws(GridAPIError) -> Order {
        try await get("/orders/\(Self.segment(id))")
    }

    /// Finds an order by the `client_order_id` it was placed with, or `nil` if the exchange has
    /// none. The server's `client_order_id` filter is used and the result re-checked locally.
    public func order(clientOrderID: String, marketID: String? = nil) async throws(GridAPIError) -> Order? {
        var iterator = orders(OrderQuery(marketID: marketID, clientOrderID: clientOrderID)).makeAsyncIterator()
        while let order = try await iterator.next() {
            if order.clientOrderID == clientOrderID { return order }
        }
        return nil
    }

    /// `GET /v1/orders`, every page.
    public func orders(_ query: OrderQuery = OrderQuery()) -> PagedSequence<Order> {
        paged("/orders", query: query.items)
    }

    /// `DELETE /v1/orders/{id}`; an order already cancelled counts as success.
    @discardableResult
    public func cancelOrder(id: String) async throws(GridAPIError) -> CancelOutcome {
        let response = try await send(.DELETE, "/orders/\(Self.segment(id))", acceptStatus: [500])
        if response.status == 500 {
            let detail = Self.errorDetail(response.body) ?? "internal server error"
            if detail == GridAPIError.orderAlreadyCancelled { return .alreadyCancelled }
            throw .outcomeUnknown(endpoint: "DELETE \(endpoint.pathPrefix)/orders/\(id)", reason: "HTTP 500: \(detail)")
        }
        return .cancelled
    }

    /// `DELETE /v1/orders` or `DELETE /v1/markets/{id}/orders`.
    /// - Returns: the server's (possibly stale) count of cancelled orders.
    @discardableResult
    public func cancelAllOrders(marketID: String? = nil) async throws(GridAPIError) -> Int {
        let path = marketID.map { "/markets/\(Self.segment($0))/orders" } ?? "/orders"
        let response = try await send(.DELETE, path)
        guard !response.body.isEmpty else { return 0 }
        return try decode(DataEnvelope<CancelAllResult>.self, from: response, endpoint: "DELETE \(endpoint.pathPrefix)\(path)").data.cancelled
    }

    // MARK: Fills

    /// `GET /v1/trades` — the caller's own fills, every page.
    public func trades(_ query: TradeQuery = TradeQuery()) -> PagedSequence<Trade> {
        paged("/trades", query: query.items)
    }

    // MARK: Balances

    /// `GET /v1/trading-accounts` — the USD row and one row per instrument held.
    public func tradingAccounts() -> PagedSequence<TradingAccount> {
        paged("/trading-accounts", query: [("limit", "100")])
    }

    /// `GET /v1/currency-trading-accounts` — USD credit.
    public func currencyAccounts() -> PagedSequence<CurrencyAccount> {
        paged("/currency-trading-accounts", query: [("limit", "100")])
    }

    /// `GET /v1/consumption-accounts`, optionally for one instrument.
    public func consumptionAccounts(instrumentID: String? = nil) -> PagedSequence<ConsumptionAccount> {
        paged("/consumption-accounts", query: (instrumentID.map { [("instrument_id", $0)] } ?? []) + [("limit", "100")])
    }

    // MARK: Transfers

    /// `POST /v1/transfers/{direction}` with whole units. Never retried once sent.
    public func transfer(_ direction: TransferDirection, instrumentID: String, quantity: Int) async throws(GridAPIError) -> TransferResult {
        guard quantity >= 1 else { throw .configuration("transfer quantity must be a whole number of units ≥ 1, got \(quantity)") }
        let path = "/transfers/\(direction.rawValue)"
        let response = try await send(.POST, path, body: encodeBody(TransferRequest(instrumentID: instrumentID, quantity: quantity)))
        return try decode(TransferResult.self, from: response, endpoint: "POST \(endpoint.pathPrefix)\(path)")
    }

    /// `GET /v1/transfer-histories`, every page.
    public func transferHistories(instrumentID: String? = nil) -> PagedSequence<TransferHistory> {
        paged("/transfer-histories", query: (instrumentID.map { [("instrument_id", $0)] } ?? []) + [("limit", "100")])
    }
}
