import Foundation
import GridAPI
import Simulator
import Testing
import TestSupport

/// The client against a real HTTP server on loopback that verifies every signature.
@Suite struct ClientEndToEndTests {
    static func dec(_ text: String) -> Decimal { StrictDecimal.parse(text)! }

    @Test func readOnlyEndpointsRoundTripExactly() async throws {
        let config = SimulatorConfiguration(startingUSD: Self.dec("1234.56"), startingInventory: ["text-prime": 7], startingConsumption: ["text-prime": 3])
        try await SimulatorHarness.with(config) { h throws in
            let client = h.client
            #expect(try await client.health().status == "ok")
            #expect(try await client.me().canTrade)
            let usd = try await client.currencyAccounts().collect()
            #expect(usd.map(\.availableBalance) == [Self.dec("1234.56")])
            let instrument = try await client.instrument(symbol: "text-prime")
            #expect(try await client.instrument(id: instrument.instrumentID) == instrument)
            let trading = try await client.tradingAccounts().collect()
            #expect(trading.first { $0.instrumentID == instrument.instrumentID }?.availableBalance == 7)
            #expect(trading.first { $0.currency == "usd" }?.availableBalance == Self.dec("1234.56"))
            let consumption = try await client.consumptionAccounts(instrumentID: instrument.instrumentID).collect()
            #expect(consumption.map(\.available) == [3])
            let markets = try await client.markets().collect()
            #expect(markets.count == 9)
            let market = try #require(try await client.market(forInstrument: instrument.instrumentID))
            #expect(market.orderControls?.tickSize == Self.dec("0.01"))
            #expect(try await client.market(id: market.marketID).marketID == market.marketID)
            let book = try await client.orderBook(marketID: market.marketID, depth: 3)
            #expect(book.asks.count == 3 && book.bestAsk?.price == Self.dec("2.51") && book.bestBid?.price == Self.dec("2.49"))
            let ticker = try await client.ticker(marketID: market.marketID)
            #expect(ticker.lowestAsk == Self.dec("2.51") && ticker.lastPrice == nil)
            #expect(try await client.accountLimits(marketID: market.marketID).orderRateLimits?.maxOrdersPerMinute == 300)
            #expect(try await client.publicTrades(marketID: market.marketID).isEmpty)
            #expect(try await client.instruments(symbol: "text-prime").collect().count == 1)
        }
    }

    @Test func ordersFillsTransfersAndCancels() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(startingUSD: 500)) { h throws in
            let client = h.client
            let instrument = try await client.instrument(symbol: "text-prime")
            let market = try #require(try await client.market(forInstrument: instrument.instrumentID))
            // A market buy of 60 walks two levels: 50 @ 2.51 and 10 @ 2.52.
            let placed = try await client.placeOrder(PlaceOrderRequest(marketID: market.marketID, side: .buy, type: .market, quantity: 60, clientOrderID: "gk-test-1"))
            let order = try await client.order(id: placed.orderID)
            #expect(order.status == "filled" && order.filledQuantity == 60 && order.clientOrderID == "gk-test-1")
            let fills = try await client.trades(TradeQuery(orderID: placed.orderID)).collect()
            #expect(fills.map(\.quantity) == [50, 10])
            #expect(fills.reduce(Decimal(0)) { $0 + $1.notional } == Self.dec("150.70"))
            #expect(try await client.currencyAccounts().collect().first?.availableBalance == Self.dec("349.30"))

            // The same client_order_id returns the existing order instead of buying twice.
            let again = try await client.placeOrder(PlaceOrderRequest(marketID: market.marketID, side: .buy, type: .market, quantity: 60, clientOrderID: "gk-test-1"))
            #expect(again.orderID == placed.orderID)
            #expect(try await client.order(clientOrderID: "gk-test-1")?.orderID == placed.orderID)
            #expect(try await client.order(clientOrderID: "gk-nope") == nil)

            // A resting limit order locks USD until cancelled; a second cancel is still success.
            let resting = try await client.placeOrder(PlaceOrderRequest(marketID: market.marketID, side: .buy, type: .limit, quantity: 10, price: Self.dec("2.00"), clientOrderID: "gk-test-2"))
            #expect(try await client.currencyAccounts().collect().first?.lockedBalance == Self.dec("20.00"))
            #expect(try await client.orders(OrderQuery(status: "active")).collect().map(\.orderID) == [resting.orderID])
            #expect(try await client.cancelOrder(id: resting.orderID) == .cancelled)
            #expect(try await client.cancelOrder(id: resting.orderID) == .alreadyCancelled)
            #expect(try await client.currencyAccounts().collect().first?.lockedBalance == 0)
            _ = try await client.placeOrder(PlaceOrderRequest(marketID: market.marketID, side: .buy, type: .limit, quantity: 1, price: Self.dec("1.00")))
            #expect(try await client.cancelAllOrders(marketID: market.marketID) == 1)
            #expect(try await client.cancelAllOrders() == 0)

            // Units move to consumption and back.
            let moved = try await client.transfer(.tradingToConsumption, instrumentID: instrument.instrumentID, quantity: 40)
            #expect(!moved.transferID.isEmpty)
            _ = try await client.transfer(.consumptionToTrading, instrumentID: instrument.instrumentID, quantity: 5)
            #expect(try await client.consumptionAccounts(instrumentID: instrument.instrumentID).collect().first?.available == 35)
            #expect(try await client.tradingAccounts().collect().first { $0.instrumentID == instrument.instrumentID }?.availableBalance == 25)
            #expect(try await client.transferHistories(instrumentID: instrument.instrumentID).collect().map(\.quantity) == [40, 5])
            await #expect(throws: GridAPIError.self) {
                try await client.transfer(.tradingToConsumption, instrumentID: instrument.instrumentID, quantity: 1000)
            }
        }
    }

    @Test func pagingWalksEveryPageWithTheSameFilters() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(startingUSD: 10_000)) { h throws in
            let marketID = try #require(await h.exchange.marketID(symbol: "code-prime"))
            for i in 0..<7 {
                _ = try await h.client.placeOrder(PlaceOrderRequest(marketID: marketID, side: .buy, type: .limit, quantity: 1, price: Self.dec("1.00"), clientOrderID: "page-\(i)"))
            }
            let all = try await h.client.orders(OrderQuery(marketID: marketID, limit: 3)).collect()
            #expect(all.map(\.clientOrderID) == (0..<7).map { "page-\($0)" })
            let gets = await h.exchange.requestLog.filter { $0.method == "GET" && $0.path == "/v1/orders" }
            #expect(gets.count == 3)
        }
    }

    @Test func rateLimitIsRetriedAfterTheServersRetryAfter() async throws {
        try await SimulatorHarness.with { h throws in
            await h.exchange.inject(Fault(method: "GET", pathPrefix: "/v1/me", action: .status(429, detail: "rate_limited", retryAfterSeconds: 2), times: 2))
            #expect(try await h.client.me().canTrade)
            #expect(h.sleeper.recorded == [.seconds(2), .seconds(2)])
            #expect(await h.exchange.requestLog.filter { $0.path == "/v1/me" }.map(\.status) == [429, 429, 200])
        }
    }

    @Test func readsGiveUpAsRetryableWhenRetriesRunOut() async throws {
        try await SimulatorHarness.with(retry: RetryPolicy(maxAttempts: 3)) { h throws in
            await h.exchange.inject(Fault(method: "GET", pathPrefix: "/v1/markets", action: .status(503, detail: "maintenance", retryAfterSeconds: nil), times: 5))
            do {
                _ = try await h.client.markets().collect()
                Issue.record("expected an error")
            } catch let error as GridAPIError {
                #expect(error.isRetryable && error.status == 503)
            }
            #expect(h.sleeper.recorded.count == 2)
        }
    }

    @Test func staleTimestampIsRejectedThenResignedWithServerTime() async throws {
        // The client's clock is two minutes slow: the first request is refused with 401, the
        // reply's Date header reveals the offset, and the request is signed again once.
        try await SimulatorHarness.with(clientClockOffset: -120) { h throws in
            #expect(try await h.client.me().userID.isEmpty == false)
            #expect(await h.exchange.requestLog.map(\.status) == [401, 200])
            #expect(h.client.serverClock.isCorrecting)
            #expect(try await h.client.currencyAccounts().collect().count == 1)
            #expect(await h.exchange.requestLog.map(\.status) == [401, 200, 200])
        }
    }

    @Test func unregisteredKeyIsRejectedWithAHint() async throws {
        try await SimulatorHarness.with { h throws in
            let stranger = try GridClient(configuration: .init(baseURL: h.baseURL, retry: .none), signer: RequestSigner(key: SigningKey.generate()))
            do {
                _ = try await stranger.me()
                Issue.record("expected a 401")
            } catch let error as GridAPIError {
                #expect(error.status == 401)
                #expect(error.description.contains("Unknown key fingerprint") && error.description.contains("registered"))
            }
        }
    }

    @Test func droppedConnectionAfterPlacingIsOutcomeUnknownAndNotResent() async throws {
        try await SimulatorHarness.with { h throws in
            let marketID = try #require(await h.exchange.marketID(symbol: "text-prime"))
            await h.exchange.inject(Fault(method: "POST", pathPrefix: "/v1/orders", action: .dropAfterCommit))
            let request = PlaceOrderRequest(marketID: marketID, side: .buy, type: .limit, quantity: 2, price: Self.dec("2.00"), clientOrderID: "gk-lost-reply")
            do {
                _ = try await h.client.placeOrder(request)
                Issue.record("expected outcome unknown")
            } catch let error as GridAPIError {
                #expect(error.isOutcomeUnknown, "\(error)")
            }
            #expect(await h.exchange.requestLog.filter { $0.method == "POST" }.count == 1, "a mutating request is never resent")
            // The order did reach the exchange: it is resolved by its client_order_id.
            let found = try #require(try await h.client.order(clientOrderID: "gk-lost-reply"))
            #expect(found.quantity == 2)
        }
    }

    @Test func serverErrorOnPlacingIsOutcomeUnknownButRateLimitIsRetried() async throws {
        try await SimulatorHarness.with { h throws in
            let marketID = try #require(await h.exchange.marketID(symbol: "text-prime"))
            let request = PlaceOrderRequest(marketID: marketID, side: .buy, type: .limit, quantity: 1, price: Self.dec("2.00"), clientOrderID: "gk-5xx")
            await h.exchange.inject(Fault(method: "POST", pathPrefix: "/v1/orders", action: .status(502, detail: "bad gateway", retryAfterSeconds: nil)))
            await #expect(throws: GridAPIError.self) { try await h.client.placeOrder(request) }
            #expect(await h.exchange.requestLog.filter { $0.method == "POST" }.count == 1)
            await h.exchange.inject(Fault(method: "POST", pathPrefix: "/v1/orders", action: .status(429, detail: "slow down", retryAfterSeconds: 1)))
            let placed = try await h.client.placeOrder(request)
            #expect(placed.clientOrderID == "gk-5xx")
            #expect(await h.exchange.requestLog.filter { $0.method == "POST" }.map(\.status) == [502, 429, 201])
        }
    }

    @Test func droppedConnectionOnAReadIsRetried() async throws {
        // The deadline leaves room for a loaded test machine: under the full suite the dropped
        // attempt alone once took 48 s to come back, past the default 30 s, and was not retried.
        // The retry's wait is recorded, not slept.
        try await SimulatorHarness.with(retry: RetryPolicy(deadline: .seconds(600))) { h throws in
            await h.exchange.inject(Fault(method: "GET", pathPrefix: "/v1/me", action: .dropBeforeCommit))
            #expect(try await h.client.me().canTrade)
            #expect(h.sleeper.recorded.count == 1)
        }
    }

    @Test func autoModeAccountsAreToldToSwitchToAdvanced() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(accountMode: "easy")) { h throws in
            let marketID = try #require(await h.exchange.marketID(symbol: "text-prime"))
            do {
                _ = try await h.client.placeOrder(PlaceOrderRequest(marketID: marketID, side: .buy, type: .market, quantity: 1))
                Issue.record("expected a 403")
            } catch let error as GridAPIError {
                #expect(error.isAutoModeRestricted && error.status == 403)
                #expect(error.description.contains("switch the account to Advanced mode"))
            }
        }
    }

    @Test func quantitiesSentAsStringsAreAccepted() async throws {
        try await SimulatorHarness.with(SimulatorConfiguration(startingConsumption: ["text-prime": 12], quantitiesAsStrings: true),
                                        clientConfiguration: { $0.quantitiesAsStrings = true }) { h throws in
            let rows = try await h.client.consumptionAccounts().collect()
            #expect(rows.first { $0.instrumentSymbol == "text-prime" }?.available == 12)
            let marketID = try #require(await h.exchange.marketID(symbol: "text-prime"))
            let placed = try await h.client.placeOrder(PlaceOrderRequest(marketID: marketID, side: .buy, type: .market, quantity: 2))
            #expect(try await h.client.order(id: placed.orderID).filledQuantity == 2)
        }
    }

    @Test func connectionRefusedIsRetryableEvenForAnOrder() async throws {
        let client = try GridClient(configuration: .init(baseURL: "http://127.0.0.1:9/v1", requestTimeout: .seconds(1), retry: RetryPolicy(maxAttempts: 2)),
                                    signer: RequestSigner(key: TestKeys.reference), sleep: { _ in })
        do {
            _ = try await client.placeOrder(PlaceOrderRequest(marketID: "m", side: .buy, type: .market, quantity: 1))
            Issue.record("expected an error")
        } catch {
            #expect(error.isRetryable, "nothing was sent, so nothing is unknown: \(error)")
        }
    }

    @Test func aRefusedConnectionFailsAtOnceNotAtTheRequestTimeout() async throws {
        // The default HTTP client with no waits between retries: AsyncHTTPClient's shared pool
        // kept reconnecting until each request's timeout, so a refused port cost a whole
        // request timeout per attempt. Each attempt must now fail as soon as the port refuses.
        // The request timeout (240 s) and the deadline are far above what four refused
        // connections take even on a loaded machine, and the bound is half of one timeout, so
        // the old behaviour fails here and load alone does not.
        let port = try LoopbackPort.closed()
        let requestTimeout = Duration.seconds(240)
        let client = try GridClient(configuration: .init(baseURL: "http://127.0.0.1:\(port)/v1", requestTimeout: requestTimeout,
                                                         retry: RetryPolicy(maxAttempts: 4, deadline: .seconds(1_200))),
                                    signer: RequestSigner(key: TestKeys.reference), sleep: { _ in })
        let started = ContinuousClock.now
        do throws(GridAPIError) {
            _ = try await client.me()
            Issue.record("expected an error")
        } catch {
            #expect(error.isRetryable)
            #expect(error.description.contains("connection refused connecting to http://127.0.0.1:\(port)") && error.description.contains("4 attempts"), "\(error)")
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < requestTimeout / 2, "\(elapsed)")
    }

    @Test func retriesStopAtTheDeadline() async throws {
        // A Retry-After of 45 s does not fit a 30 s deadline: no wait, the error at once.
        try await SimulatorHarness.with { h throws in
            await h.exchange.inject(Fault(method: "GET", pathPrefix: "/v1/me", action: .status(429, detail: "rate_limited", retryAfterSeconds: 45), times: 3))
            do throws(GridAPIError) {
                _ = try await h.client.me()
                Issue.record("expected an error")
            } catch {
                #expect(error.isRetryable && error.status == 429 && error.description.contains("1 attempt in"), "\(error)")
            }
            #expect(h.sleeper.recorded.isEmpty)
        }
        // Waits that add up past the deadline stop there: 3 × 12 s is more than 30 s.
        try await SimulatorHarness.with(retry: RetryPolicy(maxAttempts: 10, deadline: .seconds(30))) { h throws in
            await h.exchange.inject(Fault(method: "GET", pathPrefix: "/v1/me", action: .status(503, detail: "maintenance", retryAfterSeconds: 12), times: 10))
            await #expect(throws: GridAPIError.self) { try await h.client.me() }
            #expect(h.sleeper.recorded == [.seconds(12), .seconds(12)])
        }
    }

    @Test func badBaseURLsAreRefused() {
        #expect(throws: GridAPIError.self) { try GridClient(configuration: .init(baseURL: "trading.api.thegrid.ai/v1"), signer: nil) }
        #expect(throws: GridAPIError.self) { try GridClient(configuration: .init(baseURL: "ftp://x/v1"), signer: nil) }
    }
}
