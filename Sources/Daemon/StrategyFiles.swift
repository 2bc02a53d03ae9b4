import Foundation
import GridKeeperCore

/// Strategy files as the commands read them: a directory (or one file) checked as a set
/// (`StrategySet`: each file valid, one per instrument, names unique), or a single file with
/// its text for backtests and tuning. Every problem is reported as file:line:column.
public enum StrategyFiles {
    /// Every strategy of a directory (or one file), with the checks `validate` makes.
    /// - Throws: `DeploymentError.invalidConfiguration` naming the path, or every problem
    ///   of every file, one a line.
    public static func load(_ path: String) throws(DeploymentError) -> [Strategy] {
        guard let files = StrategySet.files(at: path) else {
            throw .invalidConfiguration("no strategies at \(path): pass --strategies DIR")
        }
        guard !files.isEmpty else { throw .invalidConfiguration("\(path) holds no .yaml strategy files") }
        let set = StrategySet.load(files: files)
        let problems = set.diagnostics
        guard problems.isEmpty else { throw .invalidConfiguration(problems.map(\.description).joined(separator: "\n")) }
        return set.strategies
    }

    /// One strategy file as read: its bytes (a rewrite checks nobody changed them meanwhile),
    /// its text (a sweep or a rewrite starts from it) and its strategy.
    public struct File: Sendable {
        public var path: String
        public var contents: Data
        public var text: String
        public var strategy: Strategy
    }

    /// One strategy file, read and parsed.
    /// - Throws: `DeploymentError.invalidConfiguration`: the file cannot be read, or its
    ///   problems as file:line:column.
    public static func read(_ path: String) throws(DeploymentError) -> File {
        guard let contents = FileManager.default.contents(atPath: path), let text = String(data: contents, encoding: .utf8) else {
            throw .invalidConfiguration("cannot read \(path)")
        }
        do { return File(path: path, contents: contents, text: text, strategy: try StrategyParser.parse(text, file: path)) } catch {
            throw .invalidConfiguration("\(error)")
        }
    }

    /// A strategy given as text (the demo's embedded example), `file` naming it in errors.
    /// - Throws: `DeploymentError.invalidConfiguration` with its problems as file:line:column.
    public static func parse(_ text: String, file: String) throws(DeploymentError) -> Strategy {
        do { return try StrategyParser.parse(text, file: file) } catch { throw .invalidConfiguration(error.description) }
    }

    /// What `validate` reports: every file `paths` stand for (a directory stands for its
    /// `*.yaml` and `*.yml` files; a file named twice counts once), each checked alone and
    /// with the other files of its directory, as `run` and `once` would load them. Paths
    /// with no strategy files are listed in `empty`.
    public static func check(_ paths: [String]) -> (files: [StrategySet.File], empty: [String]) {
        var files: [String] = []
        var empty: [String] = []
        for path in paths {
            let found = StrategySet.files(at: path) ?? [path]  // a missing file is reported as unreadable
            if found.isEmpty { empty.append(path) }
            for file in found where !files.contains(where: { same($0, file) }) { files.append(file) }
        }
        // The files of one directory run together: check them as a set.
        var checked: [String: StrategySet.File] = [:]
        for group in Dictionary(grouping: files, by: { (standardized($0) as NSString).deletingLastPathComponent }).values {
            for file in StrategySet.load(files: group).files { checked[file.path] = file }
        }
        return (files.compactMap { checked[$0] }, empty)
    }

    static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// The same file named twice (`validate dir dir/a.yaml`) is checked once.
    static func same(_ a: String, _ b: String) -> Bool { standardized(a) == standardized(b) }
}
