import Foundation

/// Runs the built `gridkeeper` binary as a child process, the way a user or cron would.
public enum CLIRunner {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The `gridkeeper` executable next to the test bundle in the build folder.
    public static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test runner may be inside an .xctest bundle.
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" || directory.lastPathComponent == "Contents" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("gridkeeper")
    }

    /// Runs `gridkeeper arguments…` with exactly `environment` (plus PATH and HOME).
    public static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = environment
        let inherited = ProcessInfo.processInfo.environment
        env["PATH"] = env["PATH"] ?? inherited["PATH"]
        env["HOME"] = env["HOME"] ?? inherited["HOME"]
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("gk-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout: Data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        let stderr = (try? Data(contentsOf: errFile)) ?? Data()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}
