import ArgumentParser
import Foundation
import GridKeeperCore

/// Evaluation time of a strategy on a snapshot with 24 h of one-minute history.
struct StrategyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strategy",
        abstract: "Microseconds to evaluate a strategy on a snapshot with 24 h of 1-minute history (target < 50 µs)."
    )

    @Option(help: "Strategy file.")
    var file: String = "strategies/text-prime-keeper.yaml"

    @Option(help: "Evaluations per measurement.")
    var iterations: Int = 20_000

    func run() async throws {
        let strategy: Strategy
        do { strategy = try StrategyParser.load(path: file) } catch {
            print(error.description)
            throw ExitCode(1)
        }
        let baseline = try StrategyParser.parse("""
            strategy: baseline
            instrument: \(strategy.instrument)
            every: 1m
            rules:
              - { name: r, when: consumption > 0, cancel: all }
            """, file: "baseline")
        let asOf = Date(timeIntervalSince1970: 1_790_000_000)
        var market: [MarketSnapshot.MarketPoint] = []
        for i in 0..<1440 {
            let wiggle = Int64(i % 7) * 10_000
            let time = asOf.addingTimeInterval(Double(i - 1439) * 60)
            market.append(MarketSnapshot.MarketPoint(time: time, bidMicros: 2_490_000 + wiggle, askMicros: 2_510_000 + wiggle,
                                                     lastMicros: 2_500_000 + Int64(i % 11) * 10_000))
        }
        let balances = (0..<1440).map { i in
            MarketSnapshot.BalancePoint(time: asOf.addingTimeInterval(Double(i - 1439) * 60), consumption: 200 - i / 10, inventory: 0)
        }
        let snapshot = MarketSnapshot(
            asOf: asOf, instrument: strategy.instrument, consumption: 56, inventory: 0, usdAvailable: 500, spentToday: 3, spentMonth: 80,
            bids: [.init(price: Decimal(string: "2.49")!, quantity: 50)],
            asks: [.init(price: Decimal(string: "2.51")!, quantity: 50), .init(price: Decimal(string: "2.52")!, quantity: 50)],
            last: Decimal(string: "2.50")!, openBuyOrders: 1, marketHistory: market[...], balanceHistory: balances[...])
        let clock = ContinuousClock()
        let count = iterations
        func perCall(_ s: Strategy) -> (Double, Plan) {
            var plan = Evaluator.evaluate(s, on: snapshot)
            let elapsed = clock.measure {
                for _ in 0..<count { plan = Evaluator.evaluate(s, on: snapshot) }
            }
            return (elapsed.inSeconds / Double(count) * 1e6, plan)
        }
        let (base, _) = perCall(baseline)
        let (full, plan) = perCall(strategy)
        print(String(format: "baseline (one rule: consumption > 0)   %7.2f µs/evaluation", base))
        print(String(format: "%@ %7.2f µs/evaluation  (%.1f× baseline)", (strategy.name as NSString).padding(toLength: 38, withPad: " ", startingAt: 0), full, full / base))
        for o in plan.outcomes { print("  \(o.rule): \(o.outcome.rawValue) — \(o.reason)") }
    }
}
