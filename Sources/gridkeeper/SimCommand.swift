import ArgumentParser
import Foundation
import GridAPI
import GridKeeperCore
import Hummingbird
import Logging
import Simulator
import Backtest
import Ledger

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Serve a simulated Grid Trading API on loopback.",
        discussion: """
            Speaks the Trading API's paths, envelopes, errors and request signatures, with the nine instruments' order books on a synthetic market, a USD account, trading accounts and consumption accounts whose lots expire after four hours.

            Prints the base URL as its first line once it accepts requests. Without
            --public-key it creates a throwaway test key and prints the
            GRID_TRADING_PRIVATE_KEY to use with it. An unauthenticated control API for tests is served under /admin/ (state, advance, speed, skew, burn, balances, account, faults); see docs/SIMULATOR.md. Flags override the --scenario file. Stop with Ctrl-C.
            """
    )

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 8787

    @Option(help: "Address to bind. The control API is only served on loopback.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("public-key"), help: ArgumentHelp("Base64 Ed25519 public key allowed to sign requests (repeatable).", valueName: "b64"))
    var publicKeys: [String] = []

    @Option(help: ArgumentHelp("YAML scenario: account, market, burn, speed, limits, faults.", valueName: "file"))
    var scenario: String?

    @Option(help: "Seed of the synthetic market (same seed and clock, same market).")
    var seed: UInt64?

    @Option(help: "Simulated seconds per real second (60 = an hour a minute).")
    var speed: Double?

    @Flag(name: .customLong("static-market"), help: "Keep the liquidity providers' book fixed.")
    var staticMarket = false

    @Option(help: ArgumentHelp("Consumption burn, units per hour: SYMBOL=RATE (repeatable).", valueName: "symbol=rate"))
    var burn: [String] = []

    @Option(help: "Starting USD credit.")
    var usd: String?

    @Option(help: "Account mode: advanced (orders allowed) or easy (orders refused, as in Auto Mode).")
    var mode: String?

    @Flag(name: .customLong("auto-transfer"), help: "Move filled units straight to the consumption account.")
    var autoTransfer = false

    @Option(name: .customLong("rate-limit"), help: "Signed requests per key per minute (0 = unlimited).")
    var rateLimit: Int?

    @Flag(name: .customLong("quantities-as-strings"), help: "Send quantities as JSON strings to exercise lenient clients.")
    var quantitiesAsStrings = false

    @Flag(name: .customLong("no-admin"), help: "Do not serve the /admin/ control API.")
    var noAdmin = false

    @Option(name: .customLong("log-level"), help: "Log level on stderr.")
    var logLevel: Logger.Level = .notice

    @Option(help: ArgumentHelp("Write a recording for backtests instead of serving: .jsonl, or .sqlite for a ledger.", valueName: "file"))
    var record: String?

    @Option(help: "With --record: days of market to record.")
    var days: Double = 30

    @Option(help: ArgumentHelp("With --record: time between snapshots (1s, 10s, 1m).", valueName: "duration"))
    var every: String = "1m"

    @Option(help: ArgumentHelp("With --record: the instrument.", valueName: "symbol"))
    var instrument: String = "text-prime"

    @Option(help: ArgumentHelp("With --record: consumption demand, constant:3, daily:3[:0.5] or bursts:2:20:4 (default daily:3).", valueName: "profile"))
    var demand: String?

    @Option(help: ArgumentHelp("With --record: a market and team of the strategy suite (calm, intraday, trend, spikes, bursty, drought) instead of the simulator's market; it brings its own demand.", valueName: "name"))
    var regime: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if record == nil, regime != nil || demand != nil { throw ValidationError("--regime and --demand describe a recording: add --record FILE") }
        if record != nil {
            // A recording is written, not served: the serving options would be silently ignored.
            let serving: [(String, Bool)] = [
                ("--scenario", scenario != nil), ("--speed", speed != nil), ("--static-market", staticMarket), ("--burn", !burn.isEmpty),
                ("--usd", usd != nil), ("--mode", mode != nil), ("--auto-transfer", autoTransfer), ("--rate-limit", rateLimit != nil),
                ("--quantities-as-strings", quantitiesAsStrings), ("--no-admin", noAdmin), ("--public-key", !publicKeys.isEmpty),
                ("--port", port != 8787), ("--host", host != "127.0.0.1"),
            ]
            let given = serving.filter(\.1).map(\.0)
            if !given.isEmpty {
                throw ValidationError("\(given.joined(separator: ", ")) shape\(given.count == 1 ? "s" : "") a served simulator, not a recording: with --record, use --days, --every, --seed, --instrument, --demand or --regime")
            }
        }
        if let mode, !["advanced", "easy"].contains(mode) { throw ValidationError("--mode must be advanced or easy, got '\(mode)'") }
        if let usd, (StrictDecimal.parse(usd).map { $0 < 0 } ?? true) {
            throw ValidationError("--usd must be a decimal amount like 1000 or 250.50, got '\(usd)'")
        }
        if let speed, !(speed >= 0 && speed <= 100_000) { throw ValidationError("--speed must be between 0 and 100000") }
        if let rateLimit, rateLimit < 0 { throw ValidationError("--rate-limit must be ≥ 0") }
        for key in publicKeys where LenientBase64.decodePublicKey(key) == nil {
            throw ValidationError("--public-key must be base64 of a 32-byte Ed25519 public key")
        }
        _ = try parsedBurn()
        if !noAdmin, !["127.0.0.1", "::1", "localhost"].contains(host) {
            throw ValidationError("the /admin/ control API is unauthenticated: bind to loopback or pass --no-admin")
        }
    }

    func parsedBurn() throws -> [String: BurnProfile] {
        var profiles: [String: BurnProfile] = [:]
        for item in burn {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, InstrumentCatalog.entry(symbol: parts[0]) != nil, let rate = Double(parts[1]), rate >= 0, rate < 1e6 else {
                throw ValidationError("--burn expects SYMBOL=UNITS_PER_HOUR like text-prime=12, got '\(item)'")
            }
            profiles[parts[0].lowercased()] = .constant(rate)
        }
        return profiles
    }

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        if let record {
            try await reportingFailures { try await writeRecording(to: record) }
            return
        }
        var config = SimulatorConfiguration(market: MarketModel())
        var scenarioSpeed: Double?
        var faults: [Fault] = []
        if let scenario {
            do {
                let loaded = try Scenario.load(path: scenario)
                config = loaded.configuration(base: config)
                scenarioSpeed = loaded.speed
                faults = loaded.faults ?? []
            } catch {
                Output.printError(error.description)
                throw ExitCode(1)
            }
        }
        if let seed { config.market = MarketModel(seed: seed) }
        if staticMarket { config.market = nil }
        if let usd, let amount = StrictDecimal.parse(usd) { config.startingUSD = amount }
        if let mode { config.accountMode = mode }
        if autoTransfer { config.autoTransfer = true }
        if let rateLimit { config.rateLimitPerMinute = rateLimit == 0 ? nil : rateLimit }
        if quantitiesAsStrings { config.quantitiesAsStrings = true }
        for (symbol, profile) in try parsedBurn() { config.burn[symbol] = profile }

        var keys = publicKeys.compactMap(LenientBase64.decodePublicKey)
        let generated: SigningKey? = keys.isEmpty ? SigningKey.generate() : nil
        if let generated { keys = [generated.publicKey] }
        let exchange = SimulatedExchange(configuration: config, clock: SimulationClock(speed: speed ?? scenarioSpeed ?? 1))
        for fault in faults { await exchange.inject(fault) }
        let server = SimulatorServer(exchange: exchange, publicKeys: keys, configuration: config, adminEnabled: !noAdmin)
        let host = self.host
        let app = server.application(host: host, port: port, logger: Logger(label: "gridkeeper.sim")) { port in
            var lines = "http://\(host):\(port)/v1\n"
            if let generated { lines += "GRID_TRADING_PRIVATE_KEY=\(generated.exportSeedBase64())\n" }
            FileHandle.standardOutput.write(Data(lines.utf8))
        }
        try await app.runService()
    }

    /// `--record FILE`: days of the seeded market and demand, as fast as they compute.
    func writeRecording(to path: String) async throws {
        guard days > 0, days <= 400 else { throw CommandFailure(message: "--days must be between 0 and 400", exitCode: 64) }
        guard let step = StrategyParser.duration(every), step >= 1 else { throw CommandFailure(message: "--every: expected a duration like 1s, 10s or 1m", exitCode: 64) }
        // A recording is held in memory while it is generated: bound it before allocating.
        let snapshots = Int((days * 86_400 / NSDecimalNumber(decimal: step).doubleValue).rounded(.down)) + 1
        guard snapshots <= 5_000_000 else {
            throw CommandFailure(message: "--days \(days) at --every \(every) is \(snapshots) snapshots; a recording holds at most 5000000 (400 days at 10s, or 57 days at 1s)", exitCode: 64)
        }
        let recording: Recording
        if let regime {
            guard let chosen = Regime(rawValue: regime) else {
                throw CommandFailure(message: "--regime: unknown regime '\(regime)'; expected one of \(Regime.allCases.map(\.rawValue).joined(separator: ", "))", exitCode: 64)
            }
            guard demand == nil else { throw CommandFailure(message: "--regime brings its own demand; leave out --demand", exitCode: 64) }
            recording = Regime.recording(chosen, seed: UInt64(seed ?? 1), days: days, every: NSDecimalNumber(decimal: step).doubleValue, instrument: instrument)
        } else {
            recording = try await simulatorRecording(every: step)
        }
        do {
            if path.hasSuffix(".sqlite") || path.hasSuffix(".db") {
                try RecordingIO.writeLedger(recording, to: path)
            } else {
                try RecordingIO.writeLines(recording, to: path)
            }
        } catch { throw CommandFailure(message: "\(error)") }
        let source = regime.map { "the \($0) regime" } ?? "the simulator's market"
        print("recorded \(recording.books.count) snapshots and \(recording.trades.count) trades of \(recording.instrument) from \(source) over \(days) days (seed \(seed ?? 1)) to \(path)")
    }

    /// The simulator's seeded market and `--demand`, as fast as they compute.
    private func simulatorRecording(every step: Decimal) async throws -> Recording {
        let profile: BurnProfile
        do { profile = try Demand.parse(demand ?? "daily:3") } catch { throw CommandFailure(message: "\(error)", exitCode: 64) }
        let bar = ProgressBar("recording")
        let recording: Recording
        do {
            recording = try await SyntheticData.record(instrument: instrument, days: days, seed: seed ?? 1, every: NSDecimalNumber(decimal: step).doubleValue,
                                                       burn: profile) { fraction in bar.update(Int(fraction * 1000), of: 1000, unit: "‰") }
        } catch { bar.finish(); throw CommandFailure(message: "\(error)") }
        bar.finish()
        return recording
    }
}
