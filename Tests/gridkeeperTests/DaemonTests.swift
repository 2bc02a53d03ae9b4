import AsyncHTTPClient
import Foundation
import GridAPI
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
        let text = try String(contentsOf: Self.keeper, encoding: .utf8).replacingOccurrences(of: "every: 1m", with: "every: 10s")
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
