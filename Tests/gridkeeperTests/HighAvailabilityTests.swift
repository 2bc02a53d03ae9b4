import AsyncHTTPClient
import Foundation
import NIOCore
import GridAPI
import Ledger
import Simulator
import SimulatorCore
import Testing
import TestSupport

/// Two `gridkeeper run` daemons on one PostgreSQL ledger and one simulated exchange. The leader
/// is SIGKILLed at 20 random points and SIGSTOPped past its lease 10 times; throughout, the
/// exchange's own records must show one leader at a time, no client_order_id twice, spend
/// within the caps, a ledger that matches the exchange, and takeovers within two intervals.
@Suite(.serialized) struct HighAvailabilityTests {
    static let kills = 20
    static let stops = 10
    static let every: TimeInterval = 10
    static let leaseTTL = 1.5
    static let dailyCap: Decimal = 60

    /// One market buy per cycle; the daily cap binds before the test ends.
    static let strategy = """
        strategy: steady
        instrument: text-prime
        every: 10s
        budget: { daily: 60.00, monthly: 60.00, max_unit_price: 5.00 }
        rules:
          - { name: buy-one, when: usd > 0, buy: { quantity: 1, order: market } }
        """

    /// A `gridkeeper run` child with its output in files (read when something fails).
    final class Daemon: @unchecked Sendable {
        let process = Process()
        let log: URL

        init(strategies: URL, url: String, environment: [String: String], dir: URL, index: Int) throws {
            log = dir.appendingPathComponent("daemon-\(index).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = CLIRunner.executable
            process.arguments = ["run", "--strategies", strategies.path, "--db", url, "--status-port", "0",
                                 "--lease-ttl", "\(HighAvailabilityTests.leaseTTL)", "--log-level", "info"]
            process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]) { a, _ in a }
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        func signal(_ number: Int32) { kill(pid, number) }

        func waitForExit() async {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    self.process.waitUntilExit()
                    continuation.resume()
                }
            }
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    struct Lease: Equatable {
        var pid: Int32
        var token: Int64
        var live: Bool
    }

    static func lease(_ cluster: PostgresCluster, _ database: String) -> Lease? {
        guard let line = try? cluster.psql("SELECT holder, token, expires_at > clock_timestamp() FROM leadership", database: database),
              !line.isEmpty else { return nil }
        let fields = line.split(separator: "|").map(String.init)
        guard fields.count == 3, let pid = fields[0].split(separator: ":").dropFirst().first.flatMap({ Int32($0) }),
              let token = Int64(fields[1]) else { return nil }
        return Lease(pid: pid, token: token, live: fields[2] == "t")
    }

    static func count(_ cluster: PostgresCluster, _ database: String, _ sql: String) -> Int {
        Int((try? cluster.psql(sql, database: database))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass.
    static func wait(_ seconds: TimeInterval, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    @Test func oneLeaderAtATimeThroughKillsAndFreezes() async throws {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase(prefix: "ha")
        let url = cluster.url(database: database)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-ha-\(UUID().uuidString)")
        let strategies = dir.appendingPathComponent("strategies")
        try FileManager.default.createDirectory(at: strategies, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.strategy.utf8).write(to: strategies.appendingPathComponent("steady.yaml"))
        let seed = UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)
        var kinds = Array(repeating: "kill", count: Self.kills) + Array(repeating: "stop", count: Self.stops)
        kinds.shuffle(using: &random)
        // Everything random drawn up front from the seed: where each strike lands and how long a
        // frozen leader stays frozen after the takeover.
        let events = kinds.map { kind in
            (kind: kind, idle: Int.random(in: 0..<2, using: &random) == 0, ms: Int.random(in: 0...Int(Self.every * 1000), using: &random),
             requests: Int.random(in: 1...10, using: &random), frozenMore: Int.random(in: 0...3000, using: &random))
        }

        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingUSD: 100_000))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        try await server.withRunning { baseURL in
            let environment = ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL]
            var launched = 0
            func launch() throws -> Daemon {
                launched += 1
                return try Daemon(strategies: strategies, url: url, environment: environment, dir: dir, index: launched)
            }
            var daemons = [try launch(), try launch()]
            var takeovers: [TimeInterval] = []
            var firstCycles: [TimeInterval] = []
            defer { for d in daemons { d.signal(SIGKILL) } }
            func logs() -> String { daemons.map { "--- pid \($0.pid)\n" + String($0.output.suffix(3000)) }.joined(separator: "\n") }

            for (n, plan) in events.enumerated() {
                let event = plan.kind
                // A leader that was frozen and woke up after the takeover stands by; it does not stop.
                #expect(daemons.allSatisfy { $0.process.isRunning }, "event \(n): a daemon exited; seed \(seed)\n\(logs())")
                // A leader among our daemons that has run a cycle of its own.
                var current: Lease?
                let led = await Self.wait(4 * Self.every) {
                    guard let lease = Self.lease(cluster, database), lease.live, daemons.contains(where: { $0.pid == lease.pid }) else { return false }
                    current = lease
                    return Self.count(cluster, database, "SELECT count(*) FROM cycles WHERE fence_token = \(lease.token)") > 0
                }
                try #require(led, "event \(n): no leader ran a cycle; seed \(seed)\n\(logs())")
                let lease = try #require(current)
                let leader = try #require(daemons.first { $0.pid == lease.pid })
                // A random point: some time into the leader's tenure, or in the middle of a cycle
                // (after the n-th request it sends to the exchange).
                if plan.idle {
                    try await Task.sleep(for: .milliseconds(plan.ms))
                } else {
                    let before = await exchange.requestLog.count
                    _ = await Self.wait(2 * Self.every) { await exchange.requestLog.count >= before + plan.requests }
                }
                let struck = Date()
                leader.signal(event == "kill" ? SIGKILL : SIGSTOP)
                if event == "kill" {
                    await leader.waitForExit()
                    daemons.removeAll { $0 === leader }
                    daemons.append(try launch())
                }
                var next: Lease?
                let tookOver = await Self.wait(2 * Self.every) {
                    guard let l = Self.lease(cluster, database), l.live, l.token > lease.token else { return false }
                    next = l
                    return true
                }
                try #require(tookOver, "event \(n) (\(event)): no takeover within two intervals; seed \(seed)\n\(logs())")
                takeovers.append(Date().timeIntervalSince(struck))
                #expect(next?.pid != lease.pid, "the frozen or dead leader cannot renew")
                if event == "stop" {
                    // Frozen well past its lease; then it wakes up believing it still leads.
                    try await Task.sleep(for: .milliseconds(plan.frozenMore))
                    leader.signal(SIGCONT)
                }
                // The new leader's first cycle keeps the cadence: inside two intervals of the strike.
                if let token = next?.token {
                    var first: Date?
                    _ = await Self.wait(2 * Self.every + 2) {
                        guard let ms = Int64((try? cluster.psql("SELECT min(started_ms) FROM cycles WHERE fence_token = \(token)", database: database)) ?? "")
                        else { return false }
                        first = Date(timeIntervalSince1970: Double(ms) / 1000)
                        return true
                    }
                    if let first { firstCycles.append(first.timeIntervalSince(struck)) }
                }
            }
            // Both stop gracefully; a last paused `once` settles what is open without buying.
            #expect(daemons.allSatisfy { $0.process.isRunning }, "a daemon exited; seed \(seed)\n\(logs())")
            let steppedDown = daemons.map(\.output).joined().components(separatedBy: "lost leadership").count - 1
            // /status says who leads: one daemon leader, the other standby, the same token.
            var roles: [String] = []
            for d in daemons {
                guard let range = d.output.range(of: #"status on http://127\.0\.0\.1:\d+/status"#, options: .regularExpression) else { continue }
                let address = String(d.output[range].dropFirst("status on ".count))
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: address), timeout: .seconds(5))
                let body = try await response.body.collect(upTo: 1 << 20)
                let status = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any])
                let leadership = try #require(status["leadership"] as? [String: Any], "\(status)")
                roles.append(leadership["role"] as? String ?? "?")
                if leadership["role"] as? String == "leader" { #expect((leadership["token"] as? Int).map(Int64.init) == Self.lease(cluster, database)?.token) }
            }
            #expect(roles.sorted() == ["leader", "standby"], "roles on /status: \(roles)")
            for d in daemons { d.signal(SIGTERM) }
            for d in daemons { await d.waitForExit() }
            #expect(try await CLIRunner.run(["pause", "--db", url, "--reason", "HA test"]).status == 0)
            let last = try await CLIRunner.run(["once", "--strategies", strategies.path, "--db", url], environment: environment)
            #expect(last.status == 5, "paused: \(last.stdout) \(last.stderr)")

            // Takeover within two intervals, every time.
            #expect(takeovers.count == events.count)
            #expect(takeovers.allSatisfy { $0 <= 2 * Self.every }, "takeovers: \(takeovers); seed \(seed)")
            #expect(firstCycles.allSatisfy { $0 <= 2 * Self.every + 1 }, "first cycles: \(firstCycles); seed \(seed)")
            let sortedTakeovers = takeovers.sorted()
            print("HA takeover seconds (lease acquired after the strike): median \(sortedTakeovers[sortedTakeovers.count / 2]), max \(sortedTakeovers.last ?? 0); "
                  + "first cycle of the new leader: max \(firstCycles.max() ?? 0) (interval \(Self.every), lease \(Self.leaseTTL)); "
                  + "step-downs logged by the two daemons left: \(steppedDown); seed \(seed)")

            // The exchange's records.
            let orders = await exchange.allOrders()
            let fills = await exchange.allFills()
            #expect(orders.count >= 10, "the daemons got to trade (\(orders.count) orders); seed \(seed)")
            let placed = orders.compactMap(\.clientOrderID)
            #expect(placed.count == orders.count && Set(placed).count == placed.count, "no client_order_id twice; seed \(seed)")
            // Which leader placed each order, and when the cycle that decided it started: the
            // token and start of that cycle.
            var tokenOf: [String: Int64] = [:]
            var cycleOf: [String: Date] = [:]
            for line in try cluster.psql("""
                SELECT o.client_order_id, c.fence_token, c.started_ms FROM orders o JOIN decisions d ON d.id = o.decision_id JOIN cycles c ON c.id = d.cycle_id
                """, database: database).split(separator: "\n") {
                let f = line.split(separator: "|").map(String.init)
                if f.count == 3, let token = Int64(f[1]), let ms = Double(f[2]) {
                    tokenOf[f[0]] = token
                    cycleOf[f[0]] = Date(timeIntervalSince1970: ms / 1000)
                }
            }
            #expect(Set(placed).isSubset(of: Set(tokenOf.keys)), "orders missing from the ledger: \(Set(placed).subtracting(tokenOf.keys)); seed \(seed)")
            let iso = ISO8601DateFormatter()
            let timeline = orders.compactMap { o -> (at: Date, token: Int64, cycle: Date)? in
                guard let id = o.clientOrderID, let token = tokenOf[id], let cycle = cycleOf[id], let at = o.createdAt.flatMap(iso.date(from:)) else { return nil }
                return (at, token, cycle)
            }.sorted { $0.at < $1.at }
            #expect(timeline.count == orders.count)
            for (a, b) in zip(timeline, timeline.dropFirst()) where a.token != b.token {
                // On the exchange, a newer leader's order is never followed by an older one's, and
                // the cycles that placed two leaders' consecutive orders started a whole interval
                // apart (the orders themselves are as far apart as the cycles' latencies allow).
                #expect(b.token > a.token, "an older leader's order came after a newer one's: \(a) then \(b); seed \(seed)")
                #expect(b.cycle.timeIntervalSince(a.cycle) >= Self.every - 0.5, "two leaders' orders inside one interval: \(a) then \(b); seed \(seed)")
            }
            // Spend within every cap (all of it fell on one day and one month at most twice).
            let spent = fills.reduce(Decimal(0)) { $0 + $1.notional + ($1.fee ?? 0) }
            #expect(spent <= 2 * Self.dailyCap, "spend \(spent); seed \(seed)")
            let ledgerSpend = try cluster.psql("SELECT COALESCE(SUM(cost_micros), 0) FROM fills", database: database)
            #expect(Decimal(string: ledgerSpend).map { $0 / 1_000_000 } == spent, "ledger spend \(ledgerSpend) = exchange \(spent); seed \(seed)")
            let days = Set(fills.compactMap { $0.executionTimestamp.flatMap(iso.date(from:)) }.map { Calendar(identifier: .gregorian).startOfDay(for: $0) })
            if days.count <= 1 { #expect(spent <= Self.dailyCap, "daily cap held: \(spent); seed \(seed)") }
            // The ledger matches the exchange after settling: every fill once, every order's fill.
            let tradeIDs = try cluster.psql("SELECT trade_id FROM fills", database: database).split(separator: "\n").map(String.init)
            #expect(Set(tradeIDs).count == tradeIDs.count)
            #expect(Set(fills.map(\.tradeID)) == Set(tradeIDs), "fills: exchange \(fills.count), ledger \(tradeIDs.count); seed \(seed)")
            var filled: [String: Int] = [:]
            for line in try cluster.psql("SELECT client_order_id, filled_quantity FROM orders", database: database).split(separator: "\n") {
                let f = line.split(separator: "|").map(String.init)
                if f.count == 2 { filled[f[0]] = Int(f[1]) }
            }
            for order in orders {
                guard let id = order.clientOrderID else { continue }
                #expect(filled[id].map { Decimal($0) } == order.filledQuantity, "\(id): ledger \(filled[id] ?? -1), exchange \(order.filledQuantity); seed \(seed)")
            }
            #expect(Self.count(cluster, database, "SELECT count(*) FROM orders WHERE state IN ('pending', 'unknown', 'open', 'partially_filled')") == 0,
                    "nothing left open after settling; seed \(seed)")
        }
    }
}
