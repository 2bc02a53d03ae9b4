import ArgumentParser
import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import Simulator

/// Signed requests a minute that the daemon's cycle sends, for 1, 3 and 9 strategies at
/// `every: 1m`, against the simulator on loopback; the baseline is the same cycle without
/// shared reads, measured in the same run.
struct Requests: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Signed requests per minute sent by the daemon's cycle for 1, 3 and 9 strategies at every: 1m."
    )

    @Option(help: "Simulated minutes per measurement.")
    var minutes: Int = 60

    @Option(parsing: .upToNextOption, help: "Strategy counts to measure (1 to 9).")
    var strategies: [Int] = [1, 3, 9]

    @OptionGroup var output: JSONOutput

    struct Result: Codable {
        var strategies: Int
        var sharedReads: Bool
        var perMinute: Double
        var busiestMinute: Int

        enum CodingKeys: String, CodingKey { case strategies, sharedReads = "shared_reads", perMinute = "per_minute", busiestMinute = "busiest_minute" }
    }

    func validate() throws {
        guard minutes >= 5 else { throw ValidationError("--minutes must be at least 5") }
        guard strategies.allSatisfy({ (1...InstrumentCatalog.all.count).contains($0) }) else {
            throw ValidationError("--strategies takes counts from 1 to \(InstrumentCatalog.all.count)")
        }
    }

    func run() async throws {
        var results: [Result] = []
        for n in strategies {
            for shared in [false, true] {
                results.append(try await measure(strategies: n, sharedReads: shared))
            }
        }
        if output.json {
            try output.printJSON(results)
            return
        }
        print("signed requests per minute, \(minutes) simulated minutes, keeper-shaped strategies at every: 1m (The Grid allows about 100)")
        for n in strategies {
            guard let base = results.first(where: { $0.strategies == n && !$0.sharedReads }),
                  let shared = results.first(where: { $0.strategies == n && $0.sharedReads }) else { continue }
            print(String(format: "%d strateg%@: %6.1f/min (busiest minute %d) with shared reads; %6.1f/min (busiest %d) without — %.2f× the baseline",
                         n, n == 1 ? "y  " : "ies", shared.perMinute, shared.busiestMinute, base.perMinute, base.busiestMinute, shared.perMinute / base.perMinute))
        }
    }

    func measure(strategies n: Int, sharedReads: Bool) async throws -> Result {
        let entries = Array(InstrumentCatalog.all.prefix(n))
        let clock = SimulationClock(speed: 0)
        let config = SimulatorConfiguration(
            startingUSD: 100_000, startingConsumption: Dictionary(uniqueKeysWithValues: entries.map { ($0.symbol, 3) }),
            market: MarketModel(seed: 7), burn: Dictionary(uniqueKeysWithValues: entries.map { ($0.symbol, BurnProfile.constant(6)) }))
        let exchange = SimulatedExchange(configuration: config, clock: clock)
        let key = SigningKey.generate()
        let server = SimulatorServer(exchange: exchange, publicKeys: [key.publicKey], configuration: config)
        let strategies = try entries.map { entry in
            let price = entry.referencePrice * Decimal(string: "1.3")!
            return try StrategyParser.parse("""
                strategy: keeper-\(entry.symbol)
                instrument: \(entry.symbol)
                every: 1m
                budget: { daily: 1000, monthly: 10000, per_order: 100, max_unit_price: \(price) }
                rules:
                  - name: feed
                    when: runway < 90m and inventory > 0
                    transfer: { quantity: cover(2h) }
                  - name: emergency
                    when: runway < 45m and inventory == 0
                    buy: { quantity: cover(2h), order: market }
                  - name: restock
                    when: stock_runway < 24h and ask <= avg(last, 24h) * 0.98
                    buy: { quantity: cover_stock(48h), order: limit, price: bid + tick, cancel_after: 15m }
                """, file: "keeper-\(entry.symbol).yaml")
        }
        let minutes = self.minutes
        return try await server.withRunning { baseURL in
            let client = try GridClient(configuration: .init(baseURL: baseURL), signer: RequestSigner(key: key))
            let runner = CycleRunner(exchange: GridExchange(client: client, sharedReadsFor: sharedReads ? 5 : 0, now: { clock.now }),
                                     ledger: try Ledger(inMemory: Migration.bundled),
                                     configuration: EngineConfiguration(mode: .live, timeZone: .gmt),
                                     logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }), now: { clock.now })
            // A first tick resolves instruments and markets once; it is not counted.
            for strategy in strategies { _ = try await runner.run(strategy) }
            await exchange.advance(by: 60)
            var perMinute: [Int] = []
            for _ in 0..<minutes {
                let before = await exchange.requestLog.count
                for strategy in strategies { _ = try await runner.run(strategy) }
                perMinute.append(await exchange.requestLog.count - before)
                await exchange.advance(by: 60)
            }
            return Result(strategies: n, sharedReads: sharedReads, perMinute: Double(perMinute.reduce(0, +)) / Double(minutes),
                          busiestMinute: perMinute.max() ?? 0)
        }
    }
}
