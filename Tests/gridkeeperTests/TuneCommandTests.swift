import Foundation
import Testing
import TestSupport

/// `gridkeeper tune` as a user runs it: recordings whose right answer is known, the strategy
/// file written only when the proposal holds up on the holdout.
@Suite struct TuneCommandTests {
    static let strategy = """
        # A test keeper: buy at market when stock is low, feed consumption from stock.
        strategy: tune-test
        instrument: text-prime
        every: 5m

        budget:
          daily: 500.00      # generous: no cap decides anything
          max_unit_price: 5.00

        rules:
          # Move stock to consumption before it runs dry.
          - name: feed
            when: consumption < 6 and inventory > 0
            transfer: { quantity: 9, beyond_lot_window: true }
          # Restock.
          - name: restock
            when: inventory + consumption < 30
            buy: { quantity: 10, order: market }

        """

    static let dipsOnly = "rules.restock.when=inventory + consumption < 30,inventory + consumption < 30 and ask <= 2.20"
    static let replay = ["--inventory", "20", "--consumption", "10"]

    /// Three days of JSON lines, a book every 5 minutes, demand 3 units/h; the best ask is 2.10
    /// in the first hour of every four and 2.90 otherwise, or a flat 2.50 from `flatAfterDay` on.
    static func recording(in dir: URL, flatAfterDay: Int? = nil) throws -> String {
        let start = Date(timeIntervalSince1970: 1_790_035_200)
        var lines = [#"{"kind":"recording","version":1,"instrument":"text-prime","source":"tune test"}"#,
                     #"{"kind":"burn","t":"\#(start.ISO8601Format())","units_per_hour":"3"}"#]
        for i in 0...(3 * 288) {
            let minutes = i * 5
            let cents = flatAfterDay.map { minutes >= $0 * 1440 } == true ? 250 : (minutes % 240 < 60 ? 210 : 290)
            func price(_ c: Int) -> String { String(format: "%d.%02d", c / 100, c % 100) }
            let asks = (0..<5).map { #"["\#(price(cents + $0))",100]"# }.joined(separator: ",")
            let bids = (1...5).map { #"["\#(price(cents - $0))",100]"# }.joined(separator: ",")
            let t = start.addingTimeInterval(TimeInterval(minutes * 60)).ISO8601Format()
            lines.append(#"{"kind":"book","t":"\#(t)","bids":[\#(bids)],"asks":[\#(asks)],"last":"\#(price(cents))"}"#)
        }
        let path = dir.appendingPathComponent(flatAfterDay == nil ? "dips.jsonl" : "flat.jsonl").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func scratch() throws -> (URL, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-tune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("tune-test.yaml").path
        try Data(strategy.utf8).write(to: URL(fileURLWithPath: file))
        return (dir, file)
    }

    @Test func writeChangesOnlyTheSweptKeyWhenTheHoldoutConfirmsIt() async throws {
        let (dir, file) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.recording(in: dir)
        // Without --write: the proposal and the table, the file untouched.
        let dry = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", Self.dipsOnly] + Self.replay)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("rules.restock.when  inventory + consumption < 30 → inventory + consumption < 30 and ask <= 2.20"), "\(dry.stdout)")
        #expect(dry.stdout.contains("training  proposed") && dry.stdout.contains("holdout   current") && dry.stdout.contains("run again with --write"), "\(dry.stdout)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.strategy)

        let run = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", Self.dipsOnly, "--write"] + Self.replay)
        #expect(run.status == 0 && run.stdout.contains("wrote \(file): rules.restock.when → "), "\(run.stdout)\(run.stderr)")
        let written = try String(contentsOfFile: file, encoding: .utf8)
        let before = Self.strategy.split(separator: "\n", omittingEmptySubsequences: false)
        let after = written.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(before.count == after.count)
        #expect(zip(before, after).filter { $0 != $1 }.map { String($1) } == ["    when: inventory + consumption < 30 and ask <= 2.20"], "\(written)")
        let validate = try await CLIRunner.run(["validate", file])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        // Run again on the written file: the new value is now the current one, nothing to change.
        let again = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", Self.dipsOnly, "--write"] + Self.replay)
        #expect(again.status == 0 && again.stdout.contains("no change proposed") && again.stdout.contains("left as it is"), "\(again.stdout)\(again.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == written)
    }

    @Test func refusesToWriteWhatLosesOnTheHoldout() async throws {
        let (dir, file) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.recording(in: dir, flatAfterDay: 2)
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let run = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", Self.dipsOnly, "--train", "2d", "--write"] + Self.replay)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("refusing to write \(file)") && run.stderr.contains("the file is unchanged"), "\(run.stderr)")
        #expect(run.stdout.contains("verdict: keep"), "\(run.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before, "byte for byte")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["flat.jsonl", "tune-test.yaml"])
    }

    @Test func jsonOnStdoutProgressOnStderr() async throws {
        let (dir, file) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.recording(in: dir)
        let run = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", Self.dipsOnly, "--sweep", "budget.max_unit_price=4.00,5.00",
                                           "--json", "--split", "0.6"] + Self.replay)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["verdict"] as? String == "improves" && json["objective"] as? String == "cost-per-unit-used")
        #expect((json["training"] as? [Any])?.count == 4, "three combinations and the current parameters")
        // 4.00 and 5.00 both lie above every price: the tie goes to the file's value, and only the rule changes.
        let changes = try #require(json["changes"] as? [[String: Any]])
        #expect(changes.count == 1 && changes.first?["key"] as? String == "rules.restock.when", "\(changes)")
        #expect(json["holdout_proposed"] != nil && json["holdout_current"] != nil)
        #expect(run.stderr.contains("training: 4/4 backtests done") && run.stderr.contains("holdout: 2/2 backtests done"), "\(run.stderr)")
    }

    @Test func badFlagsAreNamedAndTheFileIsLeftAlone() async throws {
        let (dir, file) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.recording(in: dir)
        let key = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", "rules.nope.when=true", "--write"])
        #expect(key.status == 3 && key.stderr.contains("no rule named nope; rules: feed, restock"), "\(key.stderr)")
        let syntax = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", "budget.daily"])
        #expect(syntax.status == 64 && syntax.stderr.contains("expected KEY=V1,V2"), "\(syntax.stderr)")
        let none = try await CLIRunner.run(["tune", "--data", data, "--strategy", file])
        #expect(none.status == 64 && none.stderr.contains("at least one --sweep"), "\(none.stderr)")
        let both = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", "budget.daily=1,2", "--split", "0.5", "--train", "1d"])
        #expect(both.status == 64 && both.stderr.contains("--split and --train/--holdout"), "\(both.stderr)")
        let long = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", "budget.daily=1,2", "--train", "2d", "--holdout", "2d"])
        #expect(long.status == 1 && long.stderr.contains("need 4d of data; the recording covers 3d"), "\(long.stderr)")
        let objective = try await CLIRunner.run(["tune", "--data", data, "--strategy", file, "--sweep", "budget.daily=1,2", "--objective", "cheap"])
        #expect(objective.status == 64 && objective.stderr.contains("cost-per-unit-used"), "\(objective.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.strategy)
    }
}
