import Foundation

/// The strategies one daemon runs together: the files of a directory (or one file), each valid
/// on its own, and no two for the same instrument or under the same name (budgets and orders
/// are kept per instrument, cycles scheduled per strategy name). `gridkeeper validate`, `once`
/// and `run` all load through here, so `validate` reports everything the others would refuse.
public struct StrategySet: Sendable {
    /// One file: its strategy when it parsed, and every problem found in it or with it.
    public struct File: Sendable {
        public var path: String
        /// Parsed; may still conflict with another file (see `diagnostics`).
        public var strategy: Strategy?
        public var diagnostics: [StrategyDiagnostic]

        public var isValid: Bool { strategy != nil && diagnostics.isEmpty }
    }

    /// In the order they were given.
    public var files: [File]

    /// The strategies, in file order (complete only when `diagnostics` is empty).
    public var strategies: [Strategy] { files.compactMap { $0.isValid ? $0.strategy : nil } }

    /// Every problem of every file, file by file.
    public var diagnostics: [StrategyDiagnostic] { files.flatMap(\.diagnostics) }

    /// The strategy files `path` stands for: the `*.yaml` and `*.yml` files of a directory,
    /// sorted, or the path itself. Nil when nothing is there.
    public static func files(at path: String) -> [String]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return [path] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    /// Reads and parses every file, then checks the strategies against each other.
    public static func load(files paths: [String]) -> StrategySet {
        var files: [File] = []
        for path in paths {
            do {
                files.append(File(path: path, strategy: try StrategyParser.load(path: path), diagnostics: []))
            } catch {
                files.append(File(path: path, strategy: nil, diagnostics: error.diagnostics))
            }
        }
        for conflict in conflicts(files.compactMap(\.strategy)) {
            if let i = files.firstIndex(where: { $0.path == conflict.file }) { files[i].diagnostics.append(conflict) }
        }
        return StrategySet(files: files)
    }

    /// What keeps strategies from running together: a second strategy for an instrument, or a
    /// name used twice. Each is reported on the later file, at its `instrument` or `strategy`.
    public static func conflicts(_ strategies: [Strategy]) -> [StrategyDiagnostic] {
        var problems: [StrategyDiagnostic] = []
        var instruments: [String: Strategy] = [:]
        var names: [String: Strategy] = [:]
        /// Keeps the first strategy under `key`; a later one is a problem at `position`.
        func claim(_ key: String, in seen: inout [String: Strategy], by strategy: Strategy, at position: SourcePosition,
                   _ message: (_ first: Strategy) -> String) {
            if let first = seen[key] {
                problems.append(StrategyDiagnostic(file: strategy.file, position: position, message: message(first)))
            } else {
                seen[key] = strategy
            }
        }
        for strategy in strategies {
            claim(strategy.instrument, in: &instruments, by: strategy, at: strategy.instrumentPosition) { other in
                "instrument: \(strategy.instrument) is already kept by \(other.file) (strategy \(other.name)); use one strategy per instrument"
            }
            claim(strategy.name, in: &names, by: strategy, at: strategy.namePosition) { other in
                "strategy: the name \(strategy.name) is already used by \(other.file); every strategy needs its own name"
            }
        }
        return problems
    }
}
