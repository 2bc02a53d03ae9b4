import ArgumentParser
import Daemon
import Engine
import Execution
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import Simulator

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the example strategy against an embedded simulator; no keys or set-up needed.",
        discussion: """
            Starts a simulated Grid on loopback (a seeded market, a team burning text-prime through the day) with a throwaway key and a scratch ledger. It first records a day of market history with dry-run cycles (no orders), then runs the text-prime-keeper strategy on a simulated clock, one cycle every --every (30 s by default, to stay quick; --every 10s runs it at its own interval), printing each decision as it happens (a rule blocked the same way cycle after cycle is shown once, then counted), and ends with a summary: spend, units bought, price paid against the market, stockouts and runway. Takes about two minutes in a debug build.
            """
    )

    @Option(help: "Simulated hours to trade (1–72).")
    var hours: Int = 24

    @Option(help: "Market seed.")
    var seed: UInt64 = 7

    @Option(help: ArgumentHelp("Cycle interval on the simulated clock. The strategy's own is 10s; the demo runs it every 30s to stay quick.", valueName: "duration"))
    var every: String = "30s"

    @Option(help: ArgumentHelp("Keep the demo's ledger at this path instead of a scratch file.", valueName: "file"))
    var db: String?

    @Flag(name: .customLong("print-strategy"), help: ArgumentHelp("Print the built-in strategy and exit.", visibility: .hidden))
    var printStrategy = false

    /// The latest 06:00 UTC from which `hours` end by `now` (the demo's ledger holds no future).
    static func workdayStart(before now: Date, hours: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var start = calendar.startOfDay(for: now).addingTimeInterval(6 * 3600)
        while start.addingTimeInterval(TimeInterval(hours) * 3600) > now { start.addTimeInterval(-86_400) }
        return start
    }

    func validate() throws {
        guard (1...72).contains(hours) else { throw ValidationError("--hours must be between 1 and 72") }
        guard let seconds = StrategyParser.duration(every), seconds >= 1, seconds <= 3600 else {
            throw ValidationError("--every: expected a duration from 1s to 1h, like 10s or 30s, got '\(every)'")
        }
    }

    func run() async throws {
        if printStrategy {
            FileHandle.standardOutput.write(Data(DemoStrategy.text.utf8))
            return
        }
        LogSetup.bootstrap(level: .warning)
        var parsed = try StrategyFiles.parse(DemoStrategy.text, file: "text-prime-keeper.yaml")
        let ownInterval = Int(parsed.interval)
        parsed.every = StrategyParser.duration(every) ?? parsed.every
        let strategy = parsed
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gridkeeper-demo-\(UUID().uuidString)")
        let ledgerPath = db ?? scratch.appendingPathComponent("ledger.sqlite").path
        defer { if db == nil { try? FileManager.default.removeItem(at: scratch) } }
        let ledger = try LedgerAccess.openOrCreate(path: ledgerPath)

        let key = SigningKey.generate()
        // The team's day starts at 06:00 UTC: the story (and the day's budget running out) is the
        // same whatever time of day the demo is run.
        let clock = SimulationClock(start: Self.workdayStart(before: Date(), hours: hours), speed: 0)
        let config = SimulatorConfiguration(
            startingUSD: 300, market: MarketModel(seed: seed))
        let exchange = SimulatedExchange(configuration: config, clock: clock)
        let server = SimulatorServer(exchange: exchange, publicKeys: [key.publicKey], configuration: config)
        let hours = self.hours
        try await reportingFailures {
            try await server.withRunning { baseURL in
                let client = try GridClient(configuration: .init(baseURL: baseURL), signer: RequestSigner(key: key))
                let quiet = Logger(label: "gridkeeper.demo", factory: { _ in SwiftLogNoOpLogHandler() })
                let gridExchange = GridExchange(client: client)
                let market = MarketClock(exchange)
                let dry = CycleDriver(runner: EngineFactory(mode: .dryRun, timeZone: .gmt).runner(exchange: gridExchange, ledger: ledger, logger: quiet),
                                      clock: market)
                let live = EngineFactory(mode: .live, timeZone: .gmt).runner(exchange: gridExchange, ledger: ledger, logger: quiet)
                print("Recording a day of market history with dry-run cycles (no orders)…")
                for _ in 0..<144 {
                    do { _ = try await dry.cycle(strategy) } catch { throw CommandFailure(message: "\(error)") }
                    try await market.sleep(until: market.now.addingTimeInterval(600))
                }
                // The team starts work with a few units in stock, and burns through the day.
                try await exchange.setBalances(usd: nil, inventory: [strategy.instrument: 6], consumption: [:])
                try await exchange.setBurn(symbol: strategy.instrument, BurnProfile(kind: .daily, unitsPerHour: 0.6, amplitude: 0.5, peakHourUTC: 15))
                try await Self.play(strategy: strategy, ownInterval: ownInterval, runner: live, exchange: exchange, ledger: ledger, hours: hours, baseURL: baseURL)
            }
        }
    }

    static func play(strategy: Strategy, ownInterval: Int, runner: CycleRunner, exchange: SimulatedExchange, ledger: any LedgerDatabase, hours: Int,
                     baseURL: String) async throws {
        let step = max(1, Int(strategy.interval))
        let start = exchange.clock.now
        let before = await exchange.state().instruments.first { $0.symbol == strategy.instrument }
        print("GridKeeper demo — strategy \(strategy.name) on a simulated Grid at \(baseURL)")
        print("A team burns \(strategy.instrument) (about 0.6 units/h, busiest at 15:00 UTC); lots expire 4 h after they arrive.")
        print("Budget: daily \(Output.money(strategy.budget.daily)), per order \(Output.money(strategy.budget.perOrder)), at most \(Output.money(strategy.budget.maxUnitPrice))/unit. Running \(hours) simulated hour\(hours == 1 ? "" : "s"), one cycle every \(step) s\(step == ownInterval ? "" : " (the strategy's own interval is \(ownInterval) s; --every \(ownInterval)s runs it as written)").\n")
        let story = DemoStory(start: start, cyclesBetweenBalances: max(1, ConsumptionLot.lifetimeHours * 3600 / step)) { stamp, asOf in
            let s = await exchange.state().instruments.first { $0.symbol == strategy.instrument }
            return "\(stamp) — consumption \(s?.consumption ?? 0), inventory \(s?.inventory ?? 0), spent \(Output.money(LedgerAccess.spentThisMonth(ledger, asOf: asOf, timeZone: .gmt)))"
        }
        let driver = CycleDriver(runner: runner, clock: MarketClock(exchange), observers: [story])
        do {
            try await driver.run([strategy], until: start.addingTimeInterval(TimeInterval(hours * 3600)))
        } catch { throw CommandFailure(message: error.description) }
        await story.finish()
        let end = exchange.clock.now
        let state = await exchange.state()
        let s = state.instruments.first { $0.symbol == strategy.instrument }
        let totals = try LedgerAccess.summary(of: ledger, instrument: strategy.instrument, from: start, to: end)
        print("\nSummary after \(hours) simulated hour\(hours == 1 ? "" : "s")")
        print("  spent                 \(Output.money(totals.cost)) USD for \(totals.units) units")
        print("  average price paid    \(Output.money(totals.averagePaid)) per unit (market mid averaged \(Output.money(totals.averageMid)))")
        print("  used by the team      \((s?.burnedUnits ?? 0) - (before?.burnedUnits ?? 0)) units; expired unused \((s?.expiredUnits ?? 0) - (before?.expiredUnits ?? 0))")
        let dry = ((s?.stockoutSeconds ?? 0) - (before?.stockoutSeconds ?? 0)) / 60
        print("  time without units    \(dry) minute\(dry == 1 ? "" : "s")")
        print("  left at the end       \(s?.consumption ?? 0) in consumption, \(s?.inventory ?? 0) in inventory, USD \(state.usdAvailable)")
        print("\nNext: `gridkeeper validate strategies/`, `gridkeeper sim` for your own rehearsals, `gridkeeper verify` against The Grid.")
    }
}

/// The demo's printing, as an observer of its cycles: each decision as it happens, with the
/// time since the start; a rule blocked the same way cycle after cycle shown once, then counted;
/// the balances every four hours.
actor DemoStory: CycleObserver {
    let start: Date
    let cyclesBetweenBalances: Int
    let balances: @Sendable (_ stamp: String, _ asOf: Date) async -> String
    private var repeats = RepeatedBlocks()
    private var cycles = 0

    init(start: Date, cyclesBetweenBalances: Int, balances: @escaping @Sendable (String, Date) async -> String) {
        self.start = start
        self.cyclesBetweenBalances = cyclesBetweenBalances
        self.balances = balances
    }

    func stamp(_ date: Date) -> String {
        let minutes = Int(date.timeIntervalSince(start) / 60)
        return String(format: "[+%02d:%02d]", minutes / 60, minutes % 60)
    }

    private func printRepeats(_ streak: RepeatedBlocks.Streak) {
        print("           (blocked the same way \(streak.count) more time\(streak.count == 1 ? "" : "s"), to \(stamp(streak.last)))")
    }

    func didRun(_ strategy: Strategy, report: CycleReport, took: Duration) async {
        let (show, ended) = repeats.next(report.decisions.filter { $0.outcome != .skipped }, at: report.asOf)
        ended.forEach(printRepeats)
        for d in show {
            print("\(stamp(report.asOf)) \(d.rule): \(d.outcome.rawValue) — \(d.reason)")
            for g in d.guardrails { print("           guardrail: \(g)") }
        }
        for a in report.actions { print("           \(a)") }
        for r in report.reconciled where r.contains("fill") { print("           \(r)") }
        for e in report.errors { print("           error: \(e)") }
        cycles += 1
        if cycles % cyclesBetweenBalances == 0 { print(await balances(stamp(report.asOf), report.asOf)) }
    }

    /// Streaks still running at the end.
    func finish() {
        repeats.finish().forEach(printRepeats)
    }
}

/// Keeps a minute-by-minute story readable: a rule blocked the same way cycle after cycle (the
/// budget spent for the day, the price above the cap) is shown once, then counted, and the
/// count is shown when the rule does something else.
struct RepeatedBlocks {
    struct Streak {
        var shape: String
        var count: Int
        var last: Date
    }

    private var streaks: [String: Streak] = [:]

    /// A guardrail's words without its numbers: "budget exhausted: daily cap # with # spent…".
    static func shape(_ d: CycleReport.Decision) -> String {
        (d.outcome.rawValue + "|" + d.guardrails.joined(separator: "|")).replacing(#/[0-9][0-9.]*/#, with: "#")
    }

    /// The decisions to show for this cycle, and the streaks that ended with it (oldest rule first).
    mutating func next(_ decisions: [CycleReport.Decision], at time: Date) -> (show: [CycleReport.Decision], ended: [Streak]) {
        var show: [CycleReport.Decision] = []
        var continued: Set<String> = []
        for d in decisions {
            let shape = Self.shape(d)
            if d.outcome == .blocked, var streak = streaks[d.rule], streak.shape == shape {
                streak.count += 1
                streak.last = time
                streaks[d.rule] = streak
                continued.insert(d.rule)
                continue
            }
            show.append(d)
        }
        var ended: [Streak] = []
        for rule in streaks.keys.sorted() where !continued.contains(rule) {
            if let streak = streaks.removeValue(forKey: rule), streak.count > 0 { ended.append(streak) }
        }
        for d in show where d.outcome == .blocked { streaks[d.rule] = Streak(shape: Self.shape(d), count: 0, last: time) }
        return (show, ended)
    }

    /// Streaks still running at the end.
    mutating func finish() -> [Streak] {
        defer { streaks = [:] }
        return streaks.keys.sorted().compactMap { streaks[$0] }.filter { $0.count > 0 }
    }
}
