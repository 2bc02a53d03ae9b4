import ArgumentParser
import Daemon
import Foundation
import GridKeeperCore

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check strategy files; every error is reported as file:line:column.",
        discussion: """
            A directory stands for the *.yaml and *.yml files in it. The files of one directory are also checked together, as `run` and `once` load them: one strategy per instrument, no name used twice. Exits 1 if any file has an error. The format is described in docs/STRATEGIES.md.
            """
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
        let (checked, empty) = StrategyFiles.check(paths)
        for path in empty { Output.printError("\(path): no .yaml files") }
        var results: [FileResult] = []
        for one in checked {
            let file = one.path
            if one.isValid, let strategy = one.strategy {
                results.append(FileResult(file: file, ok: true, strategy: strategy.name, instrument: strategy.instrument, rules: strategy.rules.map(\.name), errors: []))
            } else {
                results.append(FileResult(file: file, ok: false, rules: [], errors: one.diagnostics.map {
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
        if results.contains(where: { !$0.ok }) || checked.isEmpty { throw ExitCode(1) }
    }
}
