import Engine
import Foundation
import GRDB
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import Simulator
import Synchronization

/// What one schedule did and which invariants it broke.
public struct ChaosOutcome: Sendable {
    public var schedule: ChaosSchedule
    public var violations: [String]
    public var faults: [String: Int]
    public var cycles: Int
    public var restarts: Int
    public var orders: Int
    public var fills: Int
    public var spent: Decimal
    public var seconds: Double
}

/// Runs one schedule: the daemon's own `CycleRunner`, its strategies and a SQLite ledger file,
/// against the simulator's exchange behind the `Exchange` port, with the schedule's faults;
/// then settles and checks the invariants against the exchange's own records.
public struct ChaosRun: Sendable {
    /// How the daemon reaches the exchange.
    public enum Transport: Sendable {
        /// The simulator's exchange behind the `Exchange` port, faults injected at the port.
        case inProcess
        /// The simulator served on loopback, reached by the signed HTTP client; network faults
        /// are injected by the server (errors, dropped connections before or after it acted).
        case loopback
    }

    public let schedule: ChaosSchedule
    /// A directory for the ledger file (removed afterwards).
    public let directory: URL
    public let transport: Transport

    public init(schedule: ChaosSchedule, directory: URL = FileManager.default.temporaryDirectory, transport: Transport = .inProcess) {
        self.schedule = schedule
        self.directory = directory
        self.transport = transport
    }

    public func run() async -> ChaosOutcome {
        let s = schedule
        let clock = SimulationClock(start: s.start, speed: 0)
        // Only the instruments traded, stepped once a tick: the market model and the burn are
        // what the daemon sees, at the resolution it looks.
        let symbols = Set(s.strategies.map(\.symbol))
        let config = SimulatorConfiguration(
            startingUSD: 2000, startingConsumption: Dictionary(uniqueKeysWithValues: s.strategies.map { ($0.symbol, 4) }),
            instruments: InstrumentCatalog.all.filter { symbols.contains($0.symbol) },
            levelQuantity: s.levelQuantity, market: MarketModel(seed: s.seed, stepSeconds: Int(s.tickSeconds), volatilityPerHour: 0.03),
            burn: Dictionary(uniqueKeysWithValues: s.strategies.map { ($0.symbol, BurnProfile.constant($0.burnPerHour)) }), seed: s.seed)
        let sim = SimulatedExchange(configuration: config, clock: clock)
        let tally = FaultTally()
        let network = NetworkFaults(seed: s.seed ^ 0x5EED, rate: s.networkFaultRate, tally: tally)
        switch transport {
        case .inProcess:
            return await drive(sim: sim, clock: clock, tally: tally, network: network, beforeTick: { _ in }) { process in
                SimulatorPort(sim: sim, process: process, network: network)
            }
        case .loopback:
            let key = SigningKey.generate()
            let server = SimulatorServer(exchange: sim, publicKeys: [key.publicKey], configuration: config)
            do {
                return try await server.withRunning { baseURL in
                    // Retries wait no real time; the signature uses the wall clock, as the server checks it.
                    let client = try GridClient(configuration: .init(baseURL: baseURL, requestTimeout: .seconds(30)), signer: RequestSigner(key: key),
                                                sleep: { _ in })
                    let paths = ["/v1/orders", "/v1/transfers", "/v1/trades", "/v1/consumption-accounts", "/v1/trading-accounts", "/v1/markets"]
                    var rng = SplitMix64(seed: s.seed ^ 0x10_0BAC)
                    let picks = (0..<(s.ticks * 8)).map { _ in Int(rng.next() % UInt64(paths.count)) }
                    return await drive(sim: sim, clock: clock, tally: tally, network: network, beforeTick: { tick in
                        // A few requests of each tick meet the network's faults, at the server.
                        for k in 0..<8 {
                            guard let fault = network.draw(mutating: true) else { continue }
                            let path = paths[picks[(tick * 8 + k) % picks.count]]
                            let action: Fault.Action
                            switch fault {
                            case .connectionRefused, .timeoutBefore: action = .dropBeforeCommit
                            case .rateLimited: action = .status(429, detail: "rate_limited", retryAfterSeconds: 1)
                            case .gateway: action = .status(503, detail: "service unavailable", retryAfterSeconds: nil)
                            case .lostReply: action = .dropAfterCommit
                            }
                            await sim.inject(Fault(pathPrefix: path, action: action))
                        }
                    }) { process in
                        GatedExchange(inner: GridExchange(client: client), process: process)
                    }
                }
            } catch {
                return ChaosOutcome(schedule: s, violations: ["the simulator did not start on loopback: \(error)"], faults: [:], cycles: 0, restarts: 0,
                                    orders: 0, fills: 0, spent: 0, seconds: 0)
            }
        }
    }

    private func drive(sim: SimulatedExchange, clock: SimulationClock, tally: FaultTally, network: NetworkFaults,
                       beforeTick: (Int) async -> Void, makePort: (ChaosProcess) -> any Exchange) async -> ChaosOutcome {
        let began = ContinuousClock.now
        let s = schedule
        var violations: [String] = []
        let path = directory.appendingPathComponent("gk-chaos-\(s.seed)-\(UUID().uuidString).sqlite").path
        defer {
            if ProcessInfo.processInfo.environment["GRIDKEEPER_CHAOS_KEEP"] != nil { print("ledger kept at \(path)") } else {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }

        let strategies: [Strategy]
        do {
            strategies = try s.strategies.map { plan throws(StrategyErrors) in try StrategyParser.parse(plan.yaml, file: "chaos-\(plan.symbol).yaml") }
        } catch {
            return ChaosOutcome(schedule: s, violations: ["schedule's strategies do not parse: \(error)"], faults: [:], cycles: 0, restarts: 0,
                                orders: 0, fills: 0, spent: 0, seconds: 0)
        }

        // Our clock: the exchange's, off by the skew, stepped once.
        let offset = Mutex<TimeInterval>(-s.skew)
        let now: @Sendable () -> Date = { clock.now.addingTimeInterval(offset.withLock { $0 }) }
        var storage: FaultyLedger.Storage = .fine
        let engine = EngineConfiguration(mode: .live, timeZone: s.timeZone, globalBudget: s.globalBudget)
        let logger = Logger(label: "chaos", factory: { _ in SwiftLogNoOpLogHandler() })

        // One life of the process: a fresh ledger connection on the same file, a fresh port.
        struct Life { var process: ChaosProcess; var ledger: FaultyLedger; var runner: CycleRunner }
        func start() throws(LedgerError) -> Life {
            let process = ChaosProcess(tally: tally)
            let ledger = FaultyLedger(ledger: try Ledger(path: path), process: process, storage: storage, tally: tally)
            let port = makePort(process)
            return Life(process: process, ledger: ledger, runner: CycleRunner(exchange: port, ledger: ledger, configuration: engine, logger: logger, now: now))
        }
        var life: Life
        do { life = try start() } catch {
            return ChaosOutcome(schedule: s, violations: ["cannot create the ledger: \(error)"], faults: [:], cycles: 0, restarts: 0, orders: 0, fills: 0,
                                spent: 0, seconds: 0)
        }
        var restarts = 0
        var cadence = Cadence()
        // The market is moved by the campaign itself, tick by tick; the driver only reads the time.
        let ourClock = ClosureClock(now: now)
        let cycles = CycleCount()
        var crashes = s.crashes[...]

        func tick(_ index: Int, faults: Bool) async {
            if faults {
                await beforeTick(index)
                if let step = s.clockStep, step.tick == index {
                    offset.withLock { $0 += step.seconds }
                    tally.count("clock: our clock stepped")
                }
                let newStorage: FaultyLedger.Storage = s.diskFull?.contains(index) == true ? .full : s.readOnly?.contains(index) == true ? .readOnly : .fine
                if newStorage != storage {
                    storage = newStorage
                    life.ledger.storage.withLock { $0 = newStorage }
                }
                if s.exchangeCancels.contains(index) {
                    let n = await sim.cancelOpenOrdersOnItsOwn()
                    tally.count("exchange: cancelled open orders on its own", n)
                }
                if s.emptyMarket?.contains(index) == true {
                    for plan in s.strategies { await sim.withdrawAsks(symbol: plan.symbol) }
                    tally.count("market: asks withdrawn")
                }
                while let crash = crashes.first, crash.tick <= index {
                    crashes = crashes.dropFirst()
                    life.process.arm(at: crash.operation, after: crash.after)
                    tally.count("crash: armed")
                }
            }
            let process = life.process
            do {
                try await CycleDriver(runner: life.runner, clock: ourClock, observers: [cycles]).runDue(strategies, cadence: &cadence) { !process.isDead }
            } catch {
                // The ledger cannot be written: the daemon stops; its supervisor restarts it.
                process.die()
            }
        }

        for index in 0..<s.ticks {
            await tick(index, faults: true)
            // A process that died is restarted on the same file, as its supervisor would.
            if life.process.isDead {
                restarts += 1
                cadence = Cadence()
                do { life = try start() } catch {
                    violations.append("tick \(index): the ledger cannot be reopened after a crash: \(error)")
                    break
                }
            }
            await sim.advance(by: s.tickSeconds)
        }

        // Settle: no more faults, the kill switch on (no new orders), a few cycles to reconcile.
        network.setEnabled(false)
        await sim.clearFaults()
        storage = .fine
        life.ledger.storage.withLock { $0 = .fine }
        if life.process.isDead { life = (try? start()) ?? life }
        do { try life.ledger.ledger.setKillSwitch(engaged: true, reason: "chaos: settle", by: "chaos", at: now()) } catch {
            violations.append("cannot engage the kill switch to settle: \(error)")
        }
        // A crash armed late may still fire here; its supervisor restarts it, as in the schedule.
        func restartIfDead() -> Bool {
            guard life.process.isDead else { return true }
            restarts += 1
            guard let restarted = try? start() else {
                violations.append("the ledger cannot be reopened after a crash while settling")
                return false
            }
            life = restarted
            return true
        }
        for index in 0..<4 {
            cadence = Cadence()
            await tick(s.ticks + index, faults: false)
            guard restartIfDead() else { break }
            await sim.advance(by: s.tickSeconds)
        }
        // The last settling cycle runs in a life that does not crash.
        life.process.disarm()
        cadence = Cadence()
        await tick(s.ticks + 4, faults: false)
        _ = restartIfDead()

        let audit = await ChaosAudit.check(schedule: s, strategies: strategies, sim: sim, ledgerPath: path)
        violations += audit.violations
        return ChaosOutcome(schedule: s, violations: violations, faults: tally.all, cycles: cycles.value, restarts: restarts, orders: audit.orders,
                            fills: audit.fills, spent: audit.spent, seconds: (ContinuousClock.now - began) / .seconds(1))
    }
}

/// Counts the cycles begun (a cycle that crashes its process counts too).
final class CycleCount: CycleObserver {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func willRun(_ strategy: Strategy, at time: Date) async { count.withLock { $0 += 1 } }
}
