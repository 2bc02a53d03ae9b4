import Foundation
import Backtest
import GridAPI
import GridKeeperCore
import Ledger
import Simulator
import Testing
import TestSupport

/// The `gridkeeper` binary end to end: real processes, a real simulator on loopback.
@Suite struct CommandLineTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gk-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func withSimulator(_ configuration: SimulatorConfiguration = SimulatorConfiguration(),
                              _ body: @Sendable (SimulatedExchange, [String: String]) async throws -> Void) async throws {
        let exchange = SimulatedExchange(configuration: configuration)
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey], configuration: configuration)
        try await server.withRunning { baseURL in
            try await body(exchange, ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL])
        }
    }

    @Test func verifyJSONPassesWithEveryRequestSigned() async throws {
        try await Self.withSimulator { exchange, env in
            let result = try await CLIRunner.run(["verify", "--json"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONDecoder().decode(Preflight.Report.self, from: Data(result.stdout.utf8))
            #expect(report.ok)
            #expect(report.checks.map(\.name) == ["service", "key", "account mode", "usd balance", "trading accounts", "consumption accounts", "markets"])
            #expect(report.checks.allSatisfy { $0.status == .pass })
            let log = await exchange.requestLog
            #expect(log.allSatisfy { $0.method == "GET" }, "verify is read-only")
            #expect(log.allSatisfy { $0.status == 200 }, "every request was accepted: \(log)")
            #expect(log.count >= 6)
            #expect(!result.stdout.contains(TestKeys.referenceSeedBase64) && !result.stderr.contains(TestKeys.referenceSeedBase64))
        }
    }

    @Test func verifyFailsForAnAutoModeAccountWithTheFix() async throws {
        // The key works, but it can place no orders: for GridKeeper that is a failed set-up.
        try await Self.withSimulator(SimulatorConfiguration(accountMode: "easy")) { _, env in
            let result = try await CLIRunner.run(["verify"], environment: env)
            #expect(result.status == 1, "\(result.stdout)")
            #expect(result.stdout.contains("[FAIL] account mode") && result.stdout.contains("switch the account to Advanced mode"), "\(result.stdout)")
            #expect(result.stdout.contains("Some checks failed.") && !result.stdout.contains("All checks passed."))
            let json = try await CLIRunner.run(["verify", "--json"], environment: env)
            let report = try JSONDecoder().decode(Preflight.Report.self, from: Data(json.stdout.utf8))
            #expect(json.status == 1 && !report.ok && report.checks.first { $0.name == "account mode" }?.status == .fail)
        }
    }

    @Test func verifyFailsWithAFixForAnUnregisteredKey() async throws {
        try await Self.withSimulator { _, env in
            var env = env
            env["GRID_TRADING_PRIVATE_KEY"] = SigningKey.generate().exportSeedBase64()
            let result = try await CLIRunner.run(["verify"], environment: env)
            #expect(result.status == 1)
            #expect(result.stdout.contains("[FAIL] key"))
            #expect(result.stdout.contains("register the public key"))
            #expect(result.stdout.contains("[skip] markets"))
        }
    }

    @Test func balancesJSONReportsTheServersBalancesExactly() async throws {
        let config = SimulatorConfiguration(startingUSD: StrictDecimal.parse("1234.56")!, startingInventory: ["code-max": 11], startingConsumption: ["text-prime": 3])
        try await Self.withSimulator(config) { _, env in
            let result = try await CLIRunner.run(["balances", "--json"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(object["usd_available"] as? String == "1234.56")
            #expect(object["usd_locked"] as? String == "0")
            let sheet = try JSONDecoder().decode(BalanceSheet.self, from: Data(result.stdout.utf8))
            #expect(sheet.instruments.count == 9)
            #expect(sheet.instruments.first { $0.symbol == "code-max" }?.tradingAvailable == 11)
            #expect(sheet.instruments.first { $0.symbol == "text-prime" }?.consumptionAvailable == 3)
            let table = try await CLIRunner.run(["balances"], environment: env)
            #expect(table.stdout.contains("USD available 1234.56"))
        }
    }

    @Test func marketShowsTickerAndTopOfBook() async throws {
        try await Self.withSimulator { _, env in
            let result = try await CLIRunner.run(["market", "text-prime", "--depth", "2", "--json"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let summary = try JSONDecoder().decode(MarketSummary.self, from: Data(result.stdout.utf8))
            #expect(summary.bestAsk == StrictDecimal.parse("2.51") && summary.asks.count == 2)
            let unknown = try await CLIRunner.run(["market", "text-nope"], environment: env)
            #expect(unknown.status == 1 && unknown.stderr.contains("text-nope"))
            let badDepth = try await CLIRunner.run(["market", "text-prime", "--depth", "0"], environment: env)
            #expect(badDepth.status == 64 && badDepth.stderr.contains("--depth"))
        }
    }

    @Test func keygenWritesAPrivateKeyFileOnlyTheOwnerCanRead() async throws {
        let dir = try Self.scratch()
        let path = dir.appendingPathComponent("config/gridkeeper/trading.key").path
        let result = try await CLIRunner.run(["keygen", "--out", path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("created directory \(dir.appendingPathComponent("config/gridkeeper").path)"), "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let key = try KeySource.loadFile(path)
        let printed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        #expect(printed["fingerprint"] == key.fingerprint && printed["public_key"] == key.publicKeyBase64)
        #expect(!result.stdout.contains(key.exportSeedBase64()), "the private key is never printed")
        let again = try await CLIRunner.run(["keygen", "--out", path])
        #expect(again.status == 1 && again.stderr.contains("refusing to overwrite"))
    }

    @Test func keyFilesReadableByOthersAreRefused() async throws {
        let dir = try Self.scratch()
        let path = dir.appendingPathComponent("loose.key").path
        try Data((TestKeys.referenceSeedBase64 + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let result = try await CLIRunner.run(["balances", "--key-file", path, "--base-url", "http://127.0.0.1:9/v1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("chmod 600 \(path)"))
        #expect(!result.stderr.contains(TestKeys.referenceSeedBase64))
    }

    @Test func aSymlinkedKeyFileIsUsedAndItsTargetChecked() async throws {
        // How systemd credentials and Kubernetes secrets arrive: a link (mode 777) to a 0600 file.
        let dir = try Self.scratch()
        let target = dir.appendingPathComponent("secret/trading.key").path
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("secret").path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: target, contents: Data((TestKeys.referenceSeedBase64 + "\n").utf8), attributes: [.posixPermissions: 0o600])
        let link = dir.appendingPathComponent("link.key").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try await Self.withSimulator { _, env in
            let result = try await CLIRunner.run(["balances", "--key-file", link], environment: ["GRID_TRADING_BASE_URL": env["GRID_TRADING_BASE_URL"]!])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let asDirectory = try await CLIRunner.run(["balances", "--key-file", dir.appendingPathComponent("secret").path, "--base-url", "http://127.0.0.1:9/v1"])
        #expect(asDirectory.status == 1 && asDirectory.stderr.contains("it is a directory"), "\(asDirectory.stderr)")
        try FileManager.default.removeItem(atPath: target)
        let dangling = try await CLIRunner.run(["balances", "--key-file", link, "--base-url", "http://127.0.0.1:9/v1"])
        #expect(dangling.status == 1 && dangling.stderr.contains("symbolic link to \(target), which does not exist"), "\(dangling.stderr)")
    }

    @Test func badKeysGiveAClearErrorWithoutEchoingThem() async throws {
        let secretish = "c2VjcmV0LWJ1dC13cm9uZy1sZW5ndGg="
        let result = try await CLIRunner.run(["verify"], environment: ["GRID_TRADING_PRIVATE_KEY": secretish, "GRID_TRADING_BASE_URL": "http://127.0.0.1:9/v1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("expected 32 (seed) or 64 (secret key)"))
        #expect(!result.stderr.contains(secretish) && !result.stdout.contains(secretish))
        let missing = try await CLIRunner.run(["verify"], environment: [:])
        #expect(missing.status == 1 && missing.stderr.contains("GRID_TRADING_PRIVATE_KEY"))
    }

    @Test func simPrintsItsBaseURLAndServesSignedRequests() async throws {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = ["sim", "--port", "0", "--public-key", TestKeys.reference.publicKeyBase64, "--usd", "77.70"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.interrupt()
            process.waitUntilExit()
        }
        let firstLine: String = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes = Data()
                while let byte = try? out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        #expect(firstLine.hasPrefix("http://127.0.0.1:") && firstLine.hasSuffix("/v1"))
        let client = try GridClient(configuration: .init(baseURL: firstLine), signer: RequestSigner(key: TestKeys.reference))
        #expect(try await BalanceSheet.fetch(from: client).usdAvailable == StrictDecimal.parse("77.70"))
    }

    @Test func everyCommandHasHelp() async throws {
        for command in ["demo", "run", "once", "keygen", "verify", "balances", "market", "status", "history", "pause", "resume", "validate",
                        "migrate", "sim", "backtest", "tune", "record", "recording"] {
            let result = try await CLIRunner.run([command, "--help"])
            #expect(result.status == 0 && result.stdout.contains("USAGE: gridkeeper \(command)"), "\(command)")
        }
        for sub in ["export", "import", "info"] {
            let result = try await CLIRunner.run(["recording", sub, "--help"])
            #expect(result.status == 0 && result.stdout.contains("USAGE: gridkeeper recording \(sub)"), "\(sub)")
        }
    }

    @Test func demoRunsEndToEnd() async throws {
        let dir = try Self.scratch()
        let db = dir.appendingPathComponent("demo.sqlite").path
        let result = try await CLIRunner.run(["demo", "--hours", "12", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Summary after 12 simulated hours"))
        #expect(result.stdout.contains("one cycle every 30 s (the strategy's own interval is 10 s; --every 10s runs it as written)"), "\(result.stdout)")
        let bad = try await CLIRunner.run(["demo", "--every", "0s"])
        #expect(bad.status == 64 && bad.stderr.contains("--every: expected a duration from 1s to 1h"), "\(bad.stderr)")
        #expect(result.stdout.contains("feed: fired") && result.stdout.contains(" to consumption ("), "the team is fed from inventory")
        #expect(result.stdout.contains("time without units    0 minutes"), "\(result.stdout)")
        // A rule blocked cycle after cycle is shown once, then counted (DemoStoryTests): the
        // story is never mostly one line.
        let blocked = result.stdout.split(separator: "\n").filter { $0.hasPrefix("[+") && $0.contains(": blocked") }
        #expect(blocked.count < 10, "\(blocked.count) blocked lines printed")
        // The demo's ledger holds every decision it printed.
        let history = try await CLIRunner.run(["history", "--db", db, "--since", "2d", "--json"])
        #expect(history.status == 0 && history.stdout.contains("\"subject\" : \"feed\""))
    }

    /// The demo runs the text the `EmbedDemoStrategy` plugin compiled in: byte for byte the
    /// shipped file as the repository holds it now (a stale or broken embedding fails here), read
    /// from no file at run time (it runs outside the repository).
    @Test func theDemoRunsTheShippedExampleEmbeddedAtBuildTime() async throws {
        let result = try await CLIRunner.run(["demo", "--print-strategy"], currentDirectory: FileManager.default.temporaryDirectory)
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized
        let shipped = try String(contentsOf: file, encoding: .utf8)
        #expect(result.status == 0 && !shipped.isEmpty, "\(result.stderr)")
        #expect(result.stdout == shipped)
    }

    @Test func simRecordsARegimeOfTheStrategySuite() async throws {
        let dir = try Self.scratch()
        let data = dir.appendingPathComponent("bursty.jsonl").path
        let record = try await CLIRunner.run(["sim", "--record", data, "--regime", "bursty", "--days", "1", "--seed", "4"])
        #expect(record.status == 0 && record.stdout.contains("from the bursty regime"), "\(record.stderr)")
        // The file is the suite's own recording for that seed: the same demand, read back.
        let written = try RecordingIO.load(path: data)
        let expected = Regime.recording(.bursty, seed: 4, days: 1)
        #expect(written.books.count == expected.books.count && written.demand == expected.demand)
        let keeper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized.path
        let backtest = try await CLIRunner.run(["backtest", "--data", data, "--strategy", keeper, "--consumption", "10", "--json"])
        #expect(backtest.status == 0 && backtest.stdout.contains("\"cost_per_unit_used\""), "\(backtest.stderr)")
        let unknown = try await CLIRunner.run(["sim", "--record", data, "--regime", "stormy"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown regime 'stormy'") && unknown.stderr.contains("calm, intraday"), "\(unknown.stderr)")
        let both = try await CLIRunner.run(["sim", "--record", data, "--regime", "calm", "--demand", "constant:3"])
        #expect(both.status == 64 && both.stderr.contains("leave out --demand"), "\(both.stderr)")
        let serving = try await CLIRunner.run(["sim", "--regime", "calm"])
        #expect(serving.status == 64 && serving.stderr.contains("add --record FILE"), "\(serving.stderr)")
    }

    @Test func recordingsAndSweepsAreCheckedBeforeAnythingRuns() async throws {
        let dir = try Self.scratch()
        // A directory is never replaced by a recording.
        let results = dir.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: results.appendingPathComponent("a.txt"))
        let intoDirectory = try await CLIRunner.run(["sim", "--record", results.path, "--regime", "calm", "--days", "0.01"])
        #expect(intoDirectory.status != 0 && intoDirectory.stderr.contains("is a directory"), "\(intoDirectory.stderr)")
        #expect(try String(contentsOf: results.appendingPathComponent("a.txt"), encoding: .utf8) == "keep\n")
        // Rewriting a recording replaces it whole and leaves no partial file beside it.
        let data = dir.appendingPathComponent("calm.jsonl").path
        #expect(try await CLIRunner.run(["sim", "--record", data, "--regime", "calm", "--days", "0.05"]).status == 0)
        #expect(try await CLIRunner.run(["sim", "--record", data, "--regime", "calm", "--days", "0.1"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }.isEmpty)
        // A recording too large to hold is refused before anything is allocated.
        let huge400 = try await CLIRunner.run(["sim", "--record", data, "--regime", "calm", "--days", "400", "--every", "1s"])
        #expect(huge400.status == 64 && huge400.stderr.contains("34560001 snapshots"), "\(huge400.stderr)")
        // Options of a served simulator are refused with --record instead of being ignored.
        let serving = try await CLIRunner.run(["sim", "--record", data, "--scenario", "nosuch.yaml", "--usd", "5"])
        #expect(serving.status == 64 && serving.stderr.contains("--scenario, --usd shape a served simulator"), "\(serving.stderr)")
        // A sweep names each key once and stays within what can run.
        let keeper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized.path
        let twice = try await CLIRunner.run(["backtest", "--data", data, "--strategy", keeper, "--sweep", "budget.daily=20,80", "--sweep", "budget.daily=10"])
        #expect(twice.status == 64 && twice.stderr.contains("budget.daily is given twice"), "\(twice.stderr)")
        let values = (1...10).map(String.init).joined(separator: ",")
        let huge = try await CLIRunner.run(["backtest", "--data", data, "--strategy", keeper, "--sweep", "budget.daily=\(values)",
                                            "--sweep", "budget.monthly=\(values)", "--sweep", "budget.per_order=\(values)", "--sweep", "budget.max_unit_price=\(values)"])
        #expect(huge.status == 64 && huge.stderr.contains("10 × 10 × 10 × 10 = 10000 combinations"), "\(huge.stderr)")
        let tune = try await CLIRunner.run(["tune", "--data", data, "--strategy", keeper, "--sweep", "budget.daily=\(values)",
                                            "--sweep", "budget.monthly=\(values)", "--sweep", "budget.per_order=\(values)", "--sweep", "budget.max_unit_price=\(values)"])
        #expect(tune.status == 64 && tune.stderr.contains("at most 1000 run in one sweep"), "\(tune.stderr)")
        // A report that could not be written is refused before the replay, not after it.
        let html = try await CLIRunner.run(["backtest", "--data", data, "--strategy", keeper, "--html", dir.appendingPathComponent("no/such/report.html").path])
        #expect(html.status == 64 && html.stderr.contains("does not exist"), "\(html.stderr)")
    }

    @Test func simRefusesBadScenariosAndUnsafeHosts() async throws {
        let dir = try Self.scratch()
        let bad = dir.appendingPathComponent("bad.yaml")
        try Data("account: { usd: lots }\n".utf8).write(to: bad)
        let result = try await CLIRunner.run(["sim", "--port", "0", "--scenario", bad.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.yaml: account.usd: expected a decimal amount"))
        let open = try await CLIRunner.run(["sim", "--host", "0.0.0.0"])
        #expect(open.status == 64 && open.stderr.contains("--no-admin"))
        let burn = try await CLIRunner.run(["sim", "--burn", "text-prime"])
        #expect(burn.status == 64 && burn.stderr.contains("SYMBOL=UNITS_PER_HOUR"))
    }
}

/// Recording and backtesting from the command line, as a user would.
@Suite struct BacktestCommandTests {
    static let keeper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized.path

    @Test func simRecordsAndBacktestReports() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-bt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("day.jsonl").path, html = dir.appendingPathComponent("report.html").path
        let record = try await CLIRunner.run(["sim", "--record", data, "--days", "1", "--every", "1m", "--seed", "3"])
        #expect(record.status == 0 && record.stdout.contains("recorded 1441 snapshots"), "\(record.stdout)\(record.stderr)")
        let info = try await CLIRunner.run(["recording", "info", data, "--json"])
        let described = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        #expect(described["snapshots"] as? Int == 1441 && described["instrument"] as? String == "text-prime")

        let text = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--html", html, "--consumption", "6"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Auto Mode") && text.stdout.contains("average price") && text.stdout.contains("report written to"))
        #expect(text.stderr.isEmpty, "no progress bar when stderr is not a terminal: \(text.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && !page.contains("<script"))

        let json = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--json"])
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(result["cycles"] as? Int == 8641 && (result["metrics"] as? [String: Any])?["units_bought"] != nil, "a day at the keeper's 10-second cycle")

        // Export to a ledger and back, then a sweep on it.
        let db = dir.appendingPathComponent("day.sqlite").path
        #expect(try await CLIRunner.run(["recording", "import", data, "--db", db]).status == 0)
        let sweep = try await CLIRunner.run(["backtest", "--data", db, "--strategy", Self.keeper, "--sweep", "budget.daily=10,40", "--objective", "spend"])
        #expect(sweep.status == 0 && sweep.stdout.contains("2 combinations") && sweep.stdout.contains("budget.daily=10"), "\(sweep.stdout)\(sweep.stderr)")

        // A truncated recording is named with its line.
        let lines = try String(contentsOfFile: data, encoding: .utf8)
        let cut = dir.appendingPathComponent("cut.jsonl").path
        try Data(lines.utf8.prefix(lines.utf8.count / 2)).write(to: URL(fileURLWithPath: cut))
        let broken = try await CLIRunner.run(["backtest", "--data", cut, "--strategy", Self.keeper])
        #expect(broken.status == 1 && broken.stderr.contains("cut.jsonl:") && broken.stderr.contains("truncated"), "\(broken.stderr)")
        let badSweep = try await CLIRunner.run(["backtest", "--data", db, "--strategy", Self.keeper, "--sweep", "rules.nope.when=true"])
        #expect(badSweep.status == 3 && badSweep.stderr.contains("no rule named nope"), "\(badSweep.stderr)")
    }
}

extension BacktestCommandTests {
    @Test func replayOptionsShapeTheRun() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-bt-options-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("day.jsonl").path
        #expect(try await CLIRunner.run(["sim", "--record", data, "--days", "1", "--seed", "5"]).status == 0)
        let run = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--json", "--from", "2026-09-22T06:00:00Z",
                                           "--to", "2026-09-22T12:00:00Z", "--burn", "constant:6", "--fee-bps", "25", "--latency-ms", "500",
                                           "--consumption", "4"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(result["cycles"] as? Int == 2161, "six hours at the keeper's one cycle every 10 s")
        #expect(result["from"] as? String == "2026-09-22T06:00:00Z" && result["to"] as? String == "2026-09-22T12:00:00Z")
        let metrics = try #require(result["metrics"] as? [String: Any])
        #expect((metrics["units_bought"] as? Int ?? 0) > 0 && metrics["fees"] as? String != "0", "\(metrics)")
        // 6 units/h is more than the keeper's 40 USD a day buys: the cap binds and the team runs dry.
        let used = (metrics["consumption"] as? [String: Any])?["used_units"] as? Int ?? 0
        #expect(used > 4 && used <= 4 + (metrics["units_bought"] as? Int ?? 0), "\(metrics)")
        #expect((metrics["cap_hits"] as? Int ?? 0) > 0 && (metrics["stockout_minutes"] as? Double ?? 0) > 0, "\(metrics)")
        let bad = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--burn", "sideways"])
        #expect(bad.status == 64 && bad.stderr.contains("demand 'sideways'"), "\(bad.stderr)")
        let empty = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--from", "2027-01-01"])
        #expect(empty.status == 1 && empty.stderr.contains("no book snapshots in that period"), "\(empty.stderr)")
        let backwards = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--from", "2026-09-22T12:00:00Z", "--to", "2026-09-22T06:00:00Z"])
        #expect(backwards.status == 64 && backwards.stderr.contains("--from 2026-09-22T12:00:00Z") && backwards.stderr.contains("is after --to"), "\(backwards.stderr)")
    }

    static let jitBuyer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/baselines/jit-buyer.yaml").standardized.path

    @Test func aBaselineRunsBesideTheStrategyAndCapsThatStarveTheTeamAreDiagnosed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-bt-baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("day.jsonl").path, html = dir.appendingPathComponent("report.html").path
        #expect(try await CLIRunner.run(["sim", "--record", data, "--days", "1", "--seed", "8"]).status == 0)
        // The keeper with a daily cap of 2 USD: a unit or so a day for a team that uses about seventy.
        let starved = dir.appendingPathComponent("starved.yaml").path
        try String(contentsOfFile: Self.keeper, encoding: .utf8).replacingOccurrences(of: "daily: 40.00", with: "daily: 2.00")
            .write(toFile: starved, atomically: true, encoding: .utf8)

        // Text: three columns, the diagnosis, and the HTML with both spend lines.
        let text = try await CLIRunner.run(["backtest", "--data", data, "--strategy", starved, "--baseline", Self.jitBuyer, "--consumption", "6", "--html", html])
        #expect(text.status == 0, "\(text.stderr)")
        let header = try #require(text.stdout.split(separator: "\n").first { $0.contains("Auto Mode (buy") }, "\(text.stdout)")
        #expect(header.contains("strategy") && header.contains("jit-buyer"), "\(header)")
        #expect(text.stdout.contains("baseline: jit-buyer (\(Self.jitBuyer))") && text.stdout.contains("cost per unit used ÷ baseline"), "\(text.stdout)")
        #expect(text.stdout.contains("Caps and stockouts") && text.stdout.contains("daily cap 2.00 blocked")
                && text.stdout.contains("the demand needed about"), "\(text.stdout)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<rect class=\"stockout\"") && page.contains(">baseline: jit-buyer</text>") && page.contains(">Auto Mode</text>")
                && page.contains(">strategy: text-prime-keeper</text>") && !page.contains("<script"))

        // JSON: a baseline object with the same metrics, and the diagnosis.
        let json = try await CLIRunner.run(["backtest", "--data", data, "--strategy", starved, "--baseline", Self.jitBuyer, "--consumption", "6", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let baseline = try #require(result["baseline"] as? [String: Any])
        let theirs = try #require(baseline["metrics"] as? [String: Any]), mine = try #require(result["metrics"] as? [String: Any])
        #expect(baseline["strategy"] as? String == "jit-buyer" && baseline["file"] as? String == Self.jitBuyer)
        // The starved keeper bought nothing (no average price): every metric it has, the baseline has too.
        #expect(Set(mine.keys).isSubset(of: Set(theirs.keys)) && theirs["cost_per_unit_used"] != nil, "\(theirs.keys) \(mine.keys)")
        #expect((theirs["units_bought"] as? Int ?? 0) > (mine["units_bought"] as? Int ?? 0), "the JIT buyer is not starved: \(theirs) \(mine)")
        let diagnosis = try #require(result["cap_diagnosis"] as? [String: Any])
        let caps = try #require(diagnosis["caps"] as? [[String: Any]])
        #expect(caps.contains { $0["cap"] as? String == "daily" && ($0["blocked"] as? Int ?? 0) > 0 && ($0["blocked_while_short"] as? Int ?? 0) > 0 }, "\(caps)")
        #expect(diagnosis["needed_usd_per_day"] as? String != nil && (result["stockouts"] as? [Any])?.isEmpty == false)

        // Caps that never bind: no diagnosis, in text or JSON.
        let free = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.jitBuyer, "--consumption", "6"])
        #expect(free.status == 0 && free.stdout.contains("budget cap hits") && !free.stdout.contains("Caps and stockouts"), "\(free.stdout)\(free.stderr)")
        let freeJSON = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.jitBuyer, "--consumption", "6", "--json"])
        let freeResult = try #require(try JSONSerialization.jsonObject(with: Data(freeJSON.stdout.utf8)) as? [String: Any])
        #expect(freeResult["cap_diagnosis"] == nil && freeResult["baseline"] == nil)

        // A bad baseline file: the parser's file:line:column, exit 3, as for --strategy; nothing is replayed.
        let bad = dir.appendingPathComponent("bad.yaml").path
        try String(contentsOfFile: Self.jitBuyer, encoding: .utf8).replacingOccurrences(of: "daily: 100000.00", with: "daily: lots")
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let line = try #require(try String(contentsOfFile: bad, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("daily: lots") }) + 1
        let refused = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--baseline", bad])
        #expect(refused.status == 3 && refused.stderr.contains("bad.yaml:\(line):") && refused.stdout.isEmpty, "\(refused.stderr)")
        let asStrategy = try await CLIRunner.run(["backtest", "--data", data, "--strategy", bad])
        #expect(asStrategy.status == 3 && asStrategy.stderr == refused.stderr, "the same error: \(asStrategy.stderr)")
        let missing = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--baseline", dir.appendingPathComponent("nope.yaml").path])
        #expect(missing.status == 3 && missing.stderr.contains("cannot read") && missing.stderr.contains("nope.yaml"), "\(missing.stderr)")

        // A sweep runs the baseline once and ranks against it.
        let sweep = try await CLIRunner.run(["backtest", "--data", data, "--strategy", Self.keeper, "--baseline", Self.jitBuyer, "--consumption", "6",
                                             "--sweep", "budget.daily=2,300"])
        #expect(sweep.status == 0 && sweep.stdout.contains("baseline jit-buyer") && sweep.stdout.contains("cost/used ÷ baseline"), "\(sweep.stdout)\(sweep.stderr)")
        let rows = sweep.stdout.split(separator: "\n").filter { $0.contains("budget.daily=") }
        let roomy = try #require(rows.first { $0.contains("budget.daily=300") }), starvedRow = try #require(rows.first { $0.contains("budget.daily=2 ") })
        #expect(rows.count == 2 && roomy.hasPrefix("1 "), "ranked first: \(rows)")
        let lastCell: String = roomy.split(separator: " ").last.map(String.init) ?? ""
        let ratio: Decimal = Decimal(string: lastCell) ?? -1
        #expect(ratio > 0 && ratio < 2, "a ratio near 1: \(roomy)")
        #expect(starvedRow.hasSuffix("—"), "it bought nothing: no ratio: \(starvedRow)")
    }

    @Test func recordingsAreNotImportedIntoATradingLedgerNorExportedOverAFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-bt-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("hour.jsonl").path
        #expect(try await CLIRunner.run(["sim", "--record", data, "--days", "0.05", "--seed", "2"]).status == 0)
        // A ledger that has traded live.
        let live = dir.appendingPathComponent("live.sqlite").path
        do {
            let ledger = try Ledger(path: live)
            try ledger.reserve(5, for: OrderRecord(clientOrderID: "gk-1", mode: .live, instrument: "text-prime", marketID: "m", type: "market", quantity: 2, limitPrice: nil), at: Date())
        }
        let refused = try await CLIRunner.run(["recording", "import", data, "--db", live])
        #expect(refused.status == 1 && refused.stderr.contains("\(live) is a trading ledger (it holds live orders)") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try Ledger(path: live, readOnly: true).recordedInstruments().isEmpty, "nothing was imported")
        let forced = try await CLIRunner.run(["recording", "import", data, "--db", live, "--force"])
        #expect(forced.status == 0 && forced.stderr.isEmpty, "\(forced.stderr)")
        // A new ledger is said to be new.
        let fresh = dir.appendingPathComponent("fresh.sqlite").path
        let imported = try await CLIRunner.run(["recording", "import", data, "--db", fresh])
        #expect(imported.status == 0 && imported.stderr.contains("created new ledger at \(fresh)"), "\(imported.stderr)")

        // Export never replaces a file unless told to.
        let out = dir.appendingPathComponent("out.jsonl").path
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: out))
        let kept = try await CLIRunner.run(["recording", "export", "--db", fresh, "--out", out])
        #expect(kept.status == 1 && kept.stderr.contains("\(out) exists: pass --force"), "\(kept.stderr)")
        #expect(FileManager.default.contents(atPath: out) == Data("keep me\n".utf8))
        let replaced = try await CLIRunner.run(["recording", "export", "--db", fresh, "--out", out, "--force"])
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(replaced.status == 0 && written.split(separator: "\n").first?.contains("\"kind\":\"recording\"") == true, "\(replaced.stderr)")
    }
}

/// `gridkeeper record` against the simulator: snapshots, balances and public trades land in
/// the ledger, and the result replays.
@Suite struct RecordCommandTests {
    @Test func recordWritesWhatABacktestReplays() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("rec.sqlite").path
        // The simulator in its own process (this one is busy with other tests), sixty
        // simulated seconds a second so trades print between snapshots.
        let sim = Process()
        sim.executableURL = CLIRunner.executable
        sim.arguments = ["sim", "--port", "0", "--speed", "60", "--seed", "4", "--burn", "text-prime=60"]
        let out = Pipe()
        sim.standardOutput = out
        sim.standardError = FileHandle.nullDevice
        try sim.run()
        defer { sim.terminate() }
        let lines: [String] = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var collected: [String] = []
                var bytes = Data()
                while collected.count < 2, let byte = try? out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
                    if byte == Data("\n".utf8) {
                        collected.append(String(decoding: bytes, as: UTF8.self))
                        bytes = Data()
                    } else {
                        bytes.append(byte)
                    }
                }
                continuation.resume(returning: collected)
            }
        }
        let baseURL = try #require(lines.first), key = try #require(lines.last?.split(separator: "=", maxSplits: 1).last.map(String.init))
        let result = try await CLIRunner.run(["record", "--db", db, "--every", "1s", "--for", "6s", "--instruments", "text-prime,code-prime"],
                                             environment: ["GRID_TRADING_PRIVATE_KEY": key, "GRID_TRADING_BASE_URL": baseURL])
        #expect(result.status == 0 && result.stdout.contains("snapshots recorded into"), "\(result.stdout)\(result.stderr)")
        let info = try await CLIRunner.run(["recording", "info", db, "--instrument", "text-prime", "--json"])
        let described = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any], "\(info.stderr)")
        // One snapshot a second for six seconds; a loaded machine may manage fewer.
        #expect((described["snapshots"] as? Int ?? 0) >= 2 && (described["balances"] as? Int ?? 0) >= 2, "\(described)")
        #expect((described["trades"] as? Int ?? 0) > 0, "public trades are recorded")
        let both = try await CLIRunner.run(["recording", "info", db])
        #expect(both.status == 1 && both.stderr.contains("records code-prime, text-prime: choose one with --instrument"), "\(both.stderr)")
    }
}
