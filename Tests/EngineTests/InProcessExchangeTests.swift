import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import Testing
import TestSupport

@testable import Engine
@testable import Simulator

/// The simulator's market behind the port in process, against the same market over HTTP.
@Suite struct InProcessExchangeTests {
    static let start = Date(timeIntervalSince1970: 1_790_056_800)  // 2026-09-22 06:00 UTC
    static let config = SimulatorConfiguration(startingUSD: 500, startingConsumption: ["text-prime": 6], burn: ["text-prime": .constant(9)])

    struct Seen: Equatable {
        var decisions: [String]
        var actions: [String]
        var errors: [String]
    }

    /// Runs the keeper for `cycles` minutes on `exchange`, the simulator's clock moving a
    /// minute between cycles.
    static func drive(_ exchange: any Exchange, simulator: SimulatedExchange, clock: SimulationClock, cycles: Int) async throws -> (seen: [Seen], ledger: Ledger) {
        let ledger = try Ledger(inMemory: Migration.bundled)
        let runner = CycleRunner(exchange: exchange, ledger: ledger, configuration: EngineConfiguration(mode: .live, timeZone: .gmt),
                                 logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: { clock.now })
        let strategy = try CycleRunnerTests.keeper
        var seen: [Seen] = []
        for _ in 0..<cycles {
            let report = try await runner.run(strategy)
            seen.append(Seen(decisions: report.decisions.map { "\($0.rule) \($0.outcome.rawValue): \($0.reason)" }, actions: report.actions, errors: report.errors))
            await simulator.advance(by: 60)
        }
        return (seen, ledger)
    }

    @Test func theEngineDecidesTheSameInProcessAsOverHTTP() async throws {
        let cycles = 150
        let clock = SimulationClock(start: Self.start, speed: 0)
        let simulator = SimulatedExchange(configuration: Self.config, clock: clock)
        let local = try await Self.drive(InProcessExchange(simulator), simulator: simulator, clock: clock, cycles: cycles)

        let httpClock = SimulationClock(start: Self.start, speed: 0)
        let remote = try await SimulatorHarness.with(Self.config, clock: httpClock) { h in
            try await Self.drive(GridExchange(client: h.client), simulator: h.exchange, clock: httpClock, cycles: cycles)
        }
        #expect(local.seen.flatMap(\.errors).isEmpty, "\(local.seen.flatMap(\.errors).prefix(3))")
        #expect(local.seen.flatMap(\.actions).contains { $0.hasPrefix("placed") }, "the keeper bought")
        #expect(local.seen.flatMap(\.actions).contains { $0.hasPrefix("moved") }, "and fed consumption")
        for (k, (a, b)) in zip(local.seen, remote.seen).enumerated() where a != b {
            Issue.record("cycle \(k) differs:\n in process: \(a)\n over HTTP: \(b)")
            break
        }
        let spentLocal = try local.ledger.fillTotals(instrument: "text-prime", from: .distantPast, to: .distantFuture)
        let spentRemote = try remote.ledger.fillTotals(instrument: "text-prime", from: .distantPast, to: .distantFuture)
        #expect(spentLocal.units == spentRemote.units && spentLocal.cost == spentRemote.cost && spentLocal.units > 0)
    }

    @Test func refusalsReadAsThePortsErrors() async throws {
        let simulator = SimulatedExchange(configuration: Self.config, clock: SimulationClock(start: Self.start, speed: 0))
        let exchange = InProcessExchange(simulator)
        await #expect(throws: ExchangeError.self) { try await exchange.view(instrument: "no-such-instrument") }
        let view = try await exchange.view(instrument: "text-prime")
        do {
            _ = try await exchange.transferToConsumption(instrumentID: view.instrumentID, quantity: 1_000_000)
            Issue.record("a transfer of units the account does not hold went through")
        } catch {
            guard case .rejected = error else { Issue.record("refused, not \(error)"); return }
        }
        let placed = try await exchange.place(OrderRequest(clientOrderID: "gk-a", marketID: view.marketID, quantity: 2, limit: Decimal(string: "0.50")!))
        #expect(try await exchange.place(OrderRequest(clientOrderID: "gk-a", marketID: view.marketID, quantity: 2, limit: Decimal(string: "0.50")!)).id == placed.id,
                "a client order id places one order")
        try await exchange.cancel(orderID: placed.id)
        try await exchange.cancel(orderID: placed.id)
        #expect(try await exchange.order(id: placed.id).status == .cancelled, "cancelling twice is not an error")
    }
}
