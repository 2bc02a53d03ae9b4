import Foundation
import Testing

@testable import GridKeeperCore

/// The checks every loader of a strategy directory makes (`validate`, `once`, `run`).
@Suite struct StrategySetTests {
    static func directory(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-set-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return dir.path
    }

    static func strategy(_ name: String, _ instrument: String) -> String {
        "strategy: \(name)\ninstrument: \(instrument)\nevery: 1m\nrules:\n  - { name: r, when: inventory > 0, transfer: { quantity: 1 } }\n"
    }

    @Test func aSecondStrategyForAnInstrumentIsAnErrorAtItsInstrument() throws {
        let dir = try Self.directory(["a.yaml": Self.strategy("a", "text-prime"), "b.yml": Self.strategy("b", "text-prime"),
                                      "c.yaml": Self.strategy("c", "code-prime"), "notes.txt": "not a strategy"])
        let files = try #require(StrategySet.files(at: dir))
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["a.yaml", "b.yml", "c.yaml"])
        let set = StrategySet.load(files: files)
        #expect(set.diagnostics.map(\.description) == [
            "\(dir)/b.yml:2:13: instrument: text-prime is already kept by \(dir)/a.yaml (strategy a); use one strategy per instrument",
        ])
        #expect(set.files.map(\.isValid) == [true, false, true])
    }

    @Test func aNameUsedTwiceIsAnErrorAtTheName() throws {
        let dir = try Self.directory(["a.yaml": Self.strategy("keeper", "text-prime"), "b.yaml": Self.strategy("keeper", "code-prime")])
        let set = StrategySet.load(files: try #require(StrategySet.files(at: dir)))
        #expect(set.diagnostics.map(\.description) == [
            "\(dir)/b.yaml:1:11: strategy: the name keeper is already used by \(dir)/a.yaml; every strategy needs its own name",
        ])
    }

    @Test func fileErrorsAndConflictsAreAllReported() throws {
        let dir = try Self.directory(["a.yaml": Self.strategy("a", "text-prime"), "b.yaml": Self.strategy("a", "text-prime"),
                                      "c.yaml": "strategy: c\n"])
        let set = StrategySet.load(files: try #require(StrategySet.files(at: dir)))
        // b: its instrument and its name; c: instrument, every and rules missing.
        #expect(set.diagnostics.count == 5, "\(set.diagnostics)")
        #expect(set.strategies.map(\.name) == ["a"])
        #expect(StrategySet.files(at: dir + "/nope") == nil)
        #expect(StrategySet.files(at: dir + "/a.yaml") == [dir + "/a.yaml"])
    }
}
