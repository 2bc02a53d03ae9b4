import Foundation
import GRDB
import GridAPI
import Ledger
import Simulator
import Testing
import TestSupport

/// `gridkeeper run` killed with SIGKILL at random points, again and again, against one
/// simulator and one ledger: no fill or decision is lost and no order is placed twice.
@Suite struct DaemonCrashTests {
    static let runs = 50

    /// A strategy whose every cycle buys at market, and leaves a resting limit order for a later
    /// cycle to cancel. A daemon's first cycle starts about 60 ms after launch (debug build)
    /// and takes a few tens of ms; kills are spread over launch, the cycle and the idle time after.
    static let churn = """
        strategy: churn
        instrument: text-prime
        every: 10s
        budget: { daily: 2000.00, max_unit_price: 5.00 }
        rules:
          - { name: market-one, when: usd > 0, buy: { quantity: 1, order: market } }
        """
    static let bidder = """
        strategy: bidder
        instrument: code-prime
        every: 10s
        budget: { daily: 2000.00, max_unit_price: 5.00 }
        rules:
          - { name: bid-two, when: usd > 0, buy: { quantity: 2, order: limit, price: bid, cancel_after: 10s } }
        """

    static func firstLine(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes = Data()
                while let byte = try? pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { bytes.append(byte) }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    @Test func killedDaemonsLoseNothingAndNeverOrderTwice() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-kill-\(UUID().uuidString)")
        let strategies = dir.appendingPathComponent("strategies")
        try FileManager.default.createDirectory(at: strategies, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.churn.utf8).write(to: strategies.appendingPathComponent("churn.yaml"))
        try Data(Self.bidder.utf8).write(to: strategies.appendingPathComponent("bidder.yaml"))
        let db = dir.appendingPathComponent("ledger.sqlite").path
        let seed = UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)  // seeded, so a failing sequence of kills can be replayed
        // Where each kill lands: during start-up after a few ms, or after the n-th request the
        // daemon makes to the exchange (a cycle makes about ten), whatever the machine's load.
        let kills = (0..<Self.runs).map { _ in (startup: Int.random(in: 0..<5, using: &random) == 0, ms: Int.random(in: 0...150, using: &random),
                                                 requests: Int.random(in: 1...24, using: &random)) }

        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingUSD: 100_000))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        try await server.withRunning { baseURL in
            let environment = ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL]
            for plan in kills {
                let before = await exchange.requestLog.count
                let process = Process()
                process.executableURL = CLIRunner.executable
                process.arguments = ["run", "--strategies", strategies.path, "--db", db, "--status-port", "0"]
                process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]) { a, _ in a }
                let out = Pipe()
                process.standardOutput = out
                process.standardError = FileHandle.nullDevice
                try process.run()
                if plan.startup {
                    try await Task.sleep(for: .milliseconds(plan.ms))
                } else {
                    _ = await Self.firstLine(out)
                    let deadline = ContinuousClock.now + .seconds(20)
                    while process.isRunning, ContinuousClock.now < deadline, await exchange.requestLog.count < before + plan.requests {
                        try await Task.sleep(for: .milliseconds(2))
                    }
                }
                kill(process.processIdentifier, SIGKILL)
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        process.waitUntilExit()
                        continuation.resume()
                    }
                }
                #expect(process.terminationReason == .uncaughtSignal, "seed \(seed)")
            }
            // One last cycle, paused, settles what the kills left open without placing anything.
            #expect(try await CLIRunner.run(["pause", "--db", db, "--reason", "crash test"]).status == 0)
            let last = try await CLIRunner.run(["once", "--strategies", strategies.path, "--db", db], environment: environment)
            #expect(last.status == 5, "paused: \(last.stdout) \(last.stderr)")

            let orders = await exchange.allOrders()
            let fills = await exchange.allFills()
            #expect(orders.count >= 10, "the daemon got to place orders (\(orders.count)); seed \(seed)")
            let queue = try DatabaseQueue(path: db)
            defer { try? queue.close() }
            try await queue.read { db in
                #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
                let recorded = Set(try String.fetchAll(db, sql: "SELECT client_order_id FROM orders"))
                // Nothing reaches the exchange without being in the ledger first, and no
                // client_order_id names two orders.
                let placed = orders.compactMap(\.clientOrderID)
                #expect(placed.count == orders.count && Set(placed).count == placed.count, "seed \(seed)")
                #expect(Set(placed).isSubset(of: recorded), "orders missing from the ledger: \(Set(placed).subtracting(recorded)); seed \(seed)")
                // One order per decision.
                let perDecision = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT decision_id FROM orders GROUP BY decision_id HAVING COUNT(*) > 1)")
                #expect(perDecision == 0, "seed \(seed)")
                let withoutDecision = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM orders o LEFT JOIN decisions d ON d.id = o.decision_id WHERE d.id IS NULL
                    """)
                #expect(withoutDecision == 0, "every order keeps its decision; seed \(seed)")
                // Every fill the exchange made is in the ledger, once.
                let tradeIDs = try String.fetchAll(db, sql: "SELECT trade_id FROM fills")
                #expect(Set(tradeIDs).count == tradeIDs.count)
                #expect(Set(fills.map(\.tradeID)) == Set(tradeIDs), "fills lost: \(Set(fills.map(\.tradeID)).subtracting(tradeIDs).count); seed \(seed)")
                let spent = fills.reduce(Decimal(0)) { $0 + $1.notional }
                #expect(spent <= 4000, "the daily caps held: \(spent)")
            }
        }
    }
}
