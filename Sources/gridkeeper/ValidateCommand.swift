import ArgumentParser
import Foundation
import GridKeeperCore

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check strategy files; every error is reported as file:line:column.",
        discussion: "A directory stands for the *.yaml files in it. Exits 1 if any file has an error. The format is described in docs/STRATEGIES.md."
    )

    @Argument(help: ArgumentHelp("Strategy files or directories.", valueName: "file"))
    var paths: [String]

    @Flag(help: "Print JSON.")
    var json = false

    struct FileResult: Encodable {
        struct Problem: Encodable {
            var line: Int
            var column: Int
            var message: String
        }
        var file: String
        var ok: Bool
        var strategy: String?
        var instrument: String?
        var rules: [String]
        var errors: [Problem]
    }

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one strategy file or directory") }
    }

    func run() async throws {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                let yaml = entries.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                if yaml.isEmpty { Output.printError("\(path): no .yaml files") }
                files += yaml.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        var results: [FileResult] = []
        for file in files {
            do {
                let strategy = try StrategyParser.load(path: file)
                results.append(FileResult(file: file, ok: true, strategy: strategy.name, instrument: strategy.instrument, rules: strategy.rules.map(\.name), errors: []))
            } catch {
                results.append(FileResult(file: file, ok: false, rules: [], errors: error.diagnostics.map {
                    .init(line: $0.position.line, column: $0.position.column, message: $0.message)
                }))
            }
        }
        if json {
            Output.printJSON(results)
        } else {
            for result in results {
                if result.ok {
                    print("\(result.file): ok — \(result.strategy ?? "") for \(result.instrument ?? ""), rules \(result.rules.joined(separator: ", "))")
                } else {
                    for problem in result.errors { print("\(result.file):\(problem.line):\(problem.column): error: \(problem.message)") }
                }
            }
            let failed = results.filter { !$0.ok }.count
            if failed > 0 { print("\(failed) of \(results.count) file\(results.count == 1 ? "" : "s") with errors") }
        }
        if results.contains(where: { !$0.ok }) || files.isEmpty { throw ExitCode(1) }
    }
}
