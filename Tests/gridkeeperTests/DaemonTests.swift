import AsyncHTTPClient
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import NIOCore
import NIOHTTP1
import Simulator
import Testing
import TestSupport

/// `gridkeeper run` as a real process against the simulator: cycles, status, reload, shutdown.
@Suite struct DaemonTests {
    static let keeper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies/text-prime-keeper.yaml").standardized

    static func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    static func readLine(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes = Data()
                while let byte = try? pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { bytes.append(byte) }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    @Test func theDaemonCyclesReportsReloadsAndStopsGracefully() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-run-\(UUID().uuidString)")
        let strategies = dir.appendingPathComponent("strategies")
        try FileManager.default.createDirectory(at: strategies, withIntermediateDirectories: true)
        let text = try String(contentsOf: Self.keeper, encoding: .utf8)  // every: 10s
        try Data(text.utf8).write(to: strategies.appendingPathComponent("keeper.yaml"))
        let db = dir.appendingPathComponent("ledger.sqlite").path

        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingInventory: ["text-prime": 5]))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        try await server.withRunning { baseURL in
            let process = Process()
            process.executableURL = CLIRunner.executable
            process.arguments = ["run", "--strategies", strategies.path, "--db", db, "--status-port", "0"]
            process.environment = ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL,
                                   "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            let banner = await Self.readLine(out)
            let statusURL = try #require(banner.components(separatedBy: "status on ").last)
            #expect(banner.hasPrefix("gridkeeper running 1 strategies"), "\(banner)")
            let base = String(statusURL.dropLast("/status".count))

            #expect(try await Self.get(base + "/healthz") == (200, "ok\n"))
            var cycles = 0
            for _ in 0..<100 where cycles < 2 {
                try await Task.sleep(for: .milliseconds(200))
                let status = try JSONSerialization.jsonObject(with: Data(try await Self.get(base + "/status").1.utf8)) as? [String: Any]
                cycles = status?["cycles"] as? Int ?? 0
            }
            #expect(cycles >= 1, "the strategy ran")
            let metrics = try await Self.get(base + "/metrics")
            #expect(metrics.0 == 200 && metrics.1.contains("gridkeeper_cycles_total{strategy=\"text-prime-keeper\"}"), "\(metrics.1.prefix(400))")
            #expect(metrics.1.contains("gridkeeper_budget_left_usd") && metrics.1.contains("gridkeeper_cycle_duration_seconds_bucket"))

            // An invalid file on reload is rejected and the running set kept.
            try Data("strategy: broken\ninstrument: text-prime\n".utf8).write(to: strategies.appendingPathComponent("broken.yaml"))
            kill(process.processIdentifier, SIGHUP)
            var reload = ""
            for _ in 0..<50 where !reload.contains("rejected") {
                try await Task.sleep(for: .milliseconds(100))
                let status = try JSONSerialization.jsonObject(with: Data(try await Self.get(base + "/status").1.utf8)) as? [String: Any]
                reload = status?["last_reload"] as? String ?? ""
                #expect((status?["strategies"] as? [String])?.count == 1)
            }
            #expect(reload.contains("reload rejected") && reload.contains("broken.yaml"), "\(reload)")

            // SIGTERM: the daemon finishes and exits cleanly.
            process.terminate()
            let rest = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                }
            }
            #expect(process.terminationStatus == 0 && process.terminationReason == .exit, "\(rest)")
            #expect(rest.contains("gridkeeper stopped"))
        }
        let ledger = try Ledger(path: db, readOnly: true)
        #expect(try ledger.history(since: .distantPast, includeSkipped: true).count >= 3)
    }
}

extension DaemonTests {
    static func get(_ url: String, bearer: String?) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        if let bearer { request.headers.add(name: "authorization", value: "Bearer \(bearer)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    static func strategies(every: String) throws -> (dir: URL, strategies: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-run-\(UUID().uuidString)")
        let strategies = dir.appendingPathComponent("strategies")
        try FileManager.default.createDirectory(at: strategies, withIntermediateDirectories: true)
        let text = try String(contentsOf: Self.keeper, encoding: .utf8).replacingOccurrences(of: "every: 10s", with: "every: \(every)")
        try Data(text.utf8).write(to: strategies.appendingPathComponent("keeper.yaml"))
        return (dir, strategies)
    }

    /// Starts `gridkeeper run`, returns the process, its stdout and the status base URL from the banner.
    static func start(_ arguments: [String], environment: [String: String]) async throws -> (Process, Pipe, String, String) {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = ["run"] + arguments
        process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]) { a, _ in a }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let banner = await Self.readLine(out)
        let url = banner.components(separatedBy: "status on ").last?.components(separatedBy: "/status").first ?? ""
        return (process, err, banner, url)
    }

    static func finish(_ process: Process, _ err: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = err.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
    }

    @Test func statusAndMetricsNeedTheTokenAndOffLoopbackOneIsRequired() async throws {
        let (dir, strategies) = try Self.strategies(every: "1h")
        let db = dir.appendingPathComponent("ledger.sqlite").path
        let token = "s3cr3t-" + UUID().uuidString
        let tokenFile = dir.appendingPathComponent("status.token").path
        FileManager.default.createFile(atPath: tokenFile, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingInventory: ["text-prime": 5]))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        try await server.withRunning { baseURL in
            let env = ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL]
            // Every interface without a token: refused before anything starts.
            let open = try await CLIRunner.run(["run", "--strategies", strategies.path, "--db", db, "--status-host", "0.0.0.0", "--status-port", "0"], environment: env)
            #expect(open.status == 3 && open.stderr.contains("--status-host 0.0.0.0 would serve spend and budget figures") && open.stderr.contains("--status-token-file"),
                    "\(open.stderr)")
            #expect(await exchange.requestLog.isEmpty && !FileManager.default.fileExists(atPath: db))
            // A token too short to be safe is refused, and not echoed.
            let short = try await CLIRunner.run(["run", "--strategies", strategies.path, "--db", db, "--status-port", "0"],
                                                environment: env.merging(["GRIDKEEPER_STATUS_TOKEN": "hunter2"]) { a, _ in a })
            #expect(short.status == 3 && short.stderr.contains("GRIDKEEPER_STATUS_TOKEN must hold one token of at least 16") && !short.stderr.contains("hunter2"), "\(short.stderr)")

            let (process, err, banner, base) = try await Self.start(["--strategies", strategies.path, "--db", db, "--status-port", "0", "--status-token-file", tokenFile,
                                                                      "--log-level", "debug"], environment: env)
            defer { if process.isRunning { process.terminate() } }
            #expect(banner.hasSuffix("(bearer token required)") && !banner.contains(token), "\(banner)")
            #expect(try await Self.get(base + "/healthz", bearer: nil) == (200, "ok\n"), "probes need no token")
            for path in ["/status", "/metrics"] {
                #expect(try await Self.get(base + path, bearer: nil).0 == 401, "\(path) without a token")
                #expect(try await Self.get(base + path, bearer: token + "x").0 == 401, "\(path) with a wrong token")
                #expect(try await Self.get(base + path, bearer: String(token.dropLast())).0 == 401, "\(path) with a prefix of the token")
                #expect(try await Self.get(base + path, bearer: token).0 == 200, "\(path) with the token")
            }
            process.terminate()
            let log = await Self.finish(process, err)
            #expect(process.terminationStatus == 0)
            #expect(!log.contains(token), "the token is never logged")
        }
    }

    @Test func aStatusPortInUseStopsTheDaemonBeforeItTrades() async throws {
        let (dir, strategies) = try Self.strategies(every: "1m")
        let db = dir.appendingPathComponent("ledger.sqlite").path
        let (fd, port) = try LoopbackPort.listening()
        defer { close(fd) }
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingInventory: ["text-prime": 5]))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        try await server.withRunning { baseURL in
            let started = ContinuousClock.now
            let result = try await CLIRunner.run(["run", "--strategies", strategies.path, "--db", db, "--status-port", "\(port)"],
                                                 environment: ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("status port 127.0.0.1:\(port) is in use"), "\(result.stderr)")
            #expect(!result.stderr.contains("retries exhausted") && !result.stdout.contains("gridkeeper running"), "\(result.stdout)\(result.stderr)")
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(await exchange.requestLog.isEmpty, "nothing reached the exchange")
        }
    }

    @Test func aLedgerDamagedWhileRunningStopsTheDaemonOnSIGHUP() async throws {
        let (dir, strategies) = try Self.strategies(every: "1h")
        let db = dir.appendingPathComponent("ledger.sqlite").path
        do {
            // History of another instrument, in the main file: the cycles never read it.
            let ledger = try Ledger(path: db)
            let start = Date(timeIntervalSince1970: 1_790_035_200)
            let levels = (0..<5).map { MarketSnapshotRecord.Level(price: Decimal(300 + $0) / 100, quantity: 20 + $0) }
            for batch in 0..<20 {
                try ledger.record(marketSnapshots: (0..<200).map { i in
                    MarketSnapshotRecord(instrument: "code-max", takenAt: start.addingTimeInterval(Double(batch * 200 + i) * 60), bids: levels, asks: levels, last: 3)
                })
            }
        }
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingInventory: ["text-prime": 5]))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        try await server.withRunning { baseURL in
            let (process, err, banner, base) = try await Self.start(["--strategies", strategies.path, "--db", db, "--status-port", "0"],
                                                                    environment: ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL])
            defer { if process.isRunning { process.terminate() } }
            #expect(banner.hasPrefix("gridkeeper running 1 strategies"), "\(banner)")
            var cycles = 0
            for _ in 0..<100 where cycles < 1 {
                try await Task.sleep(for: .milliseconds(100))
                let status = try JSONSerialization.jsonObject(with: Data(try await Self.get(base + "/status").1.utf8)) as? [String: Any]
                cycles = status?["cycles"] as? Int ?? 0
            }
            #expect(cycles == 1)
            try FileDamage.corruptMiddlePages(of: db)
            kill(process.processIdentifier, SIGHUP)
            let log = await Self.finish(process, err)
            #expect(process.terminationStatus == 1, "\(log)")
            #expect(log.contains("the ledger \(db) is damaged") && log.contains(".recover"), "\(log)")
        }
    }
}
