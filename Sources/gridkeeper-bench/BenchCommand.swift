import ArgumentParser
import AsyncHTTPClient
import Foundation
import GridAPI
import Logging
import NIOCore
import Simulator
import Synchronization

/// A subcommand is named after its type, lower-cased (`Parse` is `parse`); the four whose
/// type would shadow a module or a type they use (`backtest`, `chaos`, `ledger`, `strategy`)
/// name themselves.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridkeeper-bench",
        abstract: "GridKeeper benchmarks; build with -c release.",
        subcommands: [Sim.self, Signing.self, LedgerBench.self, StrategyBench.self, BacktestBench.self, Strategies.self, Parse.self, ChaosBench.self, Requests.self]
    )
}

/// Signed requests per second against the simulator on loopback, with an unsigned baseline
/// measured in the same run.
struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Requests per second served by the simulator: unsigned health (baseline), signed balance reads, place + cancel pairs."
    )

    @Option(help: "Seconds per workload.")
    var seconds: Double = 5

    @Option(help: "Concurrent requests in flight.")
    var concurrency: Int = 32

    @OptionGroup var output: JSONOutput

    struct Result: Codable {
        var workload: String
        var requests: Int
        var seconds: Double
        var perSecond: Double
        var ratioToBaseline: Double
        var errors: Int

        enum CodingKeys: String, CodingKey {
            case workload, requests, seconds, perSecond = "per_second", ratioToBaseline = "ratio_to_baseline", errors
        }
    }

    func run() async throws {
        let key = SigningKey.generate()
        let config = SimulatorConfiguration(startingUSD: 1_000_000_000)
        let exchange = SimulatedExchange(configuration: config)
        let server = SimulatorServer(exchange: exchange, publicKeys: [key.publicKey], configuration: config)
        let http = HTTPClient(configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)))
        let outcome: Swift.Result<[Result], any Error>
        do {
            outcome = .success(try await measureAll(server: server, exchange: exchange, key: key, http: http))
        } catch {
            outcome = .failure(error)
        }
        try await http.shutdown()
        let results = try outcome.get()
        if output.json {
            try output.printJSON(results)
        } else {
            print("simulator on loopback, \(concurrency) requests in flight, \(ProcessInfo.processInfo.activeProcessorCount) cores, client in the same process")
            for r in results {
                let name = r.workload.padding(toLength: 50, withPad: " ", startingAt: 0)
                print(name + String(format: " %9.0f req/s  (%5.2f× baseline, %d requests, %d errors)", r.perSecond, r.ratioToBaseline, r.requests, r.errors))
            }
        }
    }

    func measureAll(server: SimulatorServer, exchange: SimulatedExchange, key: SigningKey, http: HTTPClient) async throws -> [Result] {
        let seconds = self.seconds
        let concurrency = self.concurrency
        return try await server.withRunning { baseURL in
            let client = try GridClient(configuration: .init(baseURL: baseURL, retry: .none), signer: RequestSigner(key: key), httpClient: http)
            let marketID = await exchange.marketID(symbol: "text-prime")!
            let instrumentID = await exchange.instrumentID(symbol: "text-prime")!
            // Warm up connections.
            _ = try await Self.measure(seconds: 1, concurrency: concurrency) { _ in _ = try await client.health() }
            let baseline = try await Self.measure(seconds: seconds, concurrency: concurrency) { _ in _ = try await client.health() }
            let reads = try await Self.measure(seconds: seconds, concurrency: concurrency) { _ in
                _ = try await client.consumptionAccounts(instrumentID: instrumentID).collect()
            }
            let pairs = try await Self.measure(seconds: seconds, concurrency: concurrency) { i in
                let placed = try await client.placeOrder(PlaceOrderRequest(
                    marketID: marketID, side: .buy, type: .limit, quantity: 1, price: Decimal(1), clientOrderID: "bench-\(i)-\(UUID().uuidString)"))
                try await client.cancelOrder(id: placed.orderID)
            }
            func result(_ name: String, _ m: (count: Int, errors: Int, elapsed: Double), requestsPerOp: Int) -> Result {
                let perSecond = Double(m.count * requestsPerOp) / m.elapsed
                return Result(workload: name, requests: m.count * requestsPerOp, seconds: m.elapsed, perSecond: perSecond,
                              ratioToBaseline: perSecond / (Double(baseline.count) / baseline.elapsed), errors: m.errors)
            }
            return [
                result("unsigned GET /v1/health (baseline)", baseline, requestsPerOp: 1),
                result("signed GET /v1/consumption-accounts", reads, requestsPerOp: 1),
                result("signed POST /v1/orders + DELETE /v1/orders/{id}", pairs, requestsPerOp: 2),
            ]
        }
    }

    /// Runs `operation` from `concurrency` tasks for `seconds`.
    static func measure(seconds: Double, concurrency: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> (count: Int, errors: Int, elapsed: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        let totals = Totals()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var i = 0
                    while clock.now < deadline {
                        do {
                            try await operation(worker * 1_000_000 + i)
                            totals.value.withLock { $0.count += 1 }
                        } catch {
                            totals.value.withLock { $0.errors += 1 }
                        }
                        i += 1
                    }
                }
            }
        }
        let elapsed = start.duration(to: clock.now)
        let t = totals.value.withLock { $0 }
        return (t.count, t.errors, elapsed.inSeconds)
    }
}

final class Totals: Sendable {
    let value = Mutex((count: 0, errors: 0))
}

/// Ed25519 signing and verification throughput, with SHA-256 of the same message as baseline.
struct Signing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Signatures and verifications per second.")

    @Option(help: "Operations per measurement.")
    var iterations: Int = 20_000

    func run() async throws {
        let key = SigningKey.generate()
        let signer = RequestSigner(key: key)
        let verifier = SignatureVerifier(publicKeys: [key.publicKey])
        let body = Array(#"{"client_order_id":"gk-1","market_id":"market-1","price":"2.5","quantity":1,"side":"buy","time_in_force":"gtc","type":"limit"}"#.utf8)
        let clock = ContinuousClock()
        func rate(_ work: () -> Void) -> Double {
            Double(iterations) / clock.measure(work).inSeconds
        }
        var sink = 0
        let baseline = rate {
            for i in 0..<iterations { sink &+= Fingerprint.of(publicKey: key.publicKey + [UInt8(truncatingIfNeeded: i)]).utf8.count }
        }
        var headers: [(name: String, value: String)] = []
        let signing = rate {
            for i in 0..<iterations { headers = signer.headers(method: "POST", path: "/v1/orders", body: body, unixSeconds: 1_706_500_000 + Int64(i % 2)) }
        }
        let lookup = Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) })
        let verifying = rate {
            for _ in 0..<iterations {
                sink &+= (try? verifier.verify(method: "POST", path: "/v1/orders", body: body, nowSeconds: 1_706_500_001) { lookup[$0] })?.count ?? 0
            }
        }
        print(String(format: "sha256 fingerprint (baseline) %10.0f ops/s", baseline))
        print(String(format: "sign request headers          %10.0f ops/s  (%.3f× baseline)", signing, signing / baseline))
        print(String(format: "verify request                %10.0f ops/s  (%.3f× baseline)", verifying, verifying / baseline))
        if sink == 42 { print("") }
    }
}
