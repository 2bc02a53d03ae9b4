import Foundation
import GridAPI
import GridKeeperCore
import Simulator
import SimulatorCore
import Synchronization
import Testing
import TestSupport

/// The check a daemon sharing its ledger makes after a request is signed and before it leaves
/// (`SendGate`), against the simulator on loopback, which refuses signatures over 30 s old.
@Suite struct SendGateTests {
    /// Counts the gate's calls and answers from a script (true: may send).
    final class Gate: Sendable {
        private let answers: Mutex<[Bool]>
        private let calls = Mutex<[String]>([])
        let onCall: @Sendable (Int) -> Void

        init(_ answers: [Bool], onCall: @escaping @Sendable (Int) -> Void = { _ in }) {
            self.answers = Mutex(answers)
            self.onCall = onCall
        }

        var endpoints: [String] { calls.withLock { $0 } }

        var check: @Sendable (String) throws -> Void {
            { endpoint in
                let n = self.calls.withLock { $0.append(endpoint); return $0.count }
                self.onCall(n)
                let allowed = self.answers.withLock { $0.isEmpty ? false : $0.removeFirst() }
                guard allowed else { throw Refusal() }
            }
        }

        struct Refusal: Error, CustomStringConvertible { var description: String { "lease lost" } }
    }

    static func order(_ marketID: String, _ id: String) -> PlaceOrderRequest {
        PlaceOrderRequest(marketID: marketID, side: .buy, type: .market, quantity: 2, clientOrderID: id)
    }

    @Test func aMutatingRequestIsCheckedOnceAfterSigningAndReadsAreNotChecked() async throws {
        try await SimulatorHarness.with { h throws in
            let market = try #require(try await h.client.market(forInstrument: try await h.client.instrument(symbol: "text-prime").instrumentID))
            let gate = Gate([true])
            let placed = try await SendGate.$check.withValue(gate.check) {
                _ = try await h.client.me()
                return try await h.client.placeOrder(Self.order(market.marketID, "gk-gate-1"))
            }
            #expect(placed.clientOrderID == "gk-gate-1")
            #expect(gate.endpoints == ["POST /v1/orders"])
        }
    }

    @Test func aRefusedCheckSendsNothing() async throws {
        try await SimulatorHarness.with { h throws in
            let market = try #require(try await h.client.market(forInstrument: try await h.client.instrument(symbol: "text-prime").instrumentID))
            let before = await h.exchange.requestLog.count
            do {
                _ = try await SendGate.$check.withValue(Gate([false]).check) {
                    try await h.client.placeOrder(Self.order(market.marketID, "gk-gate-2"))
                }
                Issue.record("expected the gate to stop the order")
            } catch let error as GridAPIError {
                guard case .notSent(let endpoint, let reason) = error else { Issue.record("\(error)"); return }
                #expect(endpoint == "POST /v1/orders" && reason == "lease lost")
                #expect(error.exchangeError(mutating: true) == .rejected(error.description), "the engine releases the reservation")
            }
            #expect(await h.exchange.requestLog.count == before, "nothing reached the exchange")
            #expect(try await h.client.order(clientOrderID: "gk-gate-2") == nil)
        }
    }

    @Test func aRequestThatLeavesLongAfterItsCheckIsRefused() async throws {
        // The whole host pauses for 45 s after the check passed and before the request leaves
        // (both clocks jump): the request carries the time it was signed, before the check,
        // and the exchange refuses it. Were the check made before signing, the request would be
        // signed after the pause and accepted.
        let clock = SimulationClock()
        try await SimulatorHarness.with(clock: clock, clientSharesServerClock: true) { h throws in
            let market = try #require(try await h.client.market(forInstrument: try await h.client.instrument(symbol: "text-prime").instrumentID))
            let gate = Gate([true, true]) { n in if n == 1 { clock.setSkew(45) } }
            do {
                _ = try await SendGate.$check.withValue(gate.check) {
                    try await h.client.placeOrder(Self.order(market.marketID, "gk-gate-3"))
                }
                Issue.record("expected the late order to be refused")
            } catch let error as GridAPIError {
                #expect(error.status == 401, "\(error)")
            }
            #expect(gate.endpoints.count == 1)
            #expect(await h.exchange.requestLog.filter { $0.path == "/v1/orders" && $0.method == "POST" }.map(\.status) == [401])
            #expect(try await h.client.order(clientOrderID: "gk-gate-3") == nil, "no order on the exchange")
        }
    }

    @Test func aRequestSignedAgainAfterAClockRefusalIsCheckedAgain() async throws {
        // Only the exchange's clock jumps: the reply's Date header shows the client's clock
        // 45 s behind, so the client signs the order again with the exchange's time. That
        // second attempt is checked again, and the check now refuses it.
        let clock = SimulationClock()
        try await SimulatorHarness.with(clock: clock) { h throws in
            let market = try #require(try await h.client.market(forInstrument: try await h.client.instrument(symbol: "text-prime").instrumentID))
            let gate = Gate([true, false]) { n in if n == 1 { clock.setSkew(45) } }
            do {
                _ = try await SendGate.$check.withValue(gate.check) {
                    try await h.client.placeOrder(Self.order(market.marketID, "gk-gate-4"))
                }
                Issue.record("expected the late order to be refused")
            } catch let error as GridAPIError {
                guard case .notSent = error else { Issue.record("\(error)"); return }
            }
            #expect(gate.endpoints.count == 2, "checked before each attempt")
            #expect(await h.exchange.requestLog.filter { $0.path == "/v1/orders" && $0.method == "POST" }.map(\.status) == [401])
            #expect(try await h.client.order(clientOrderID: "gk-gate-4") == nil, "no order on the exchange (read at the exchange's time)")
        }
    }
}
