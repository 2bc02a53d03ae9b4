import ArgumentParser
import Backtest
import Foundation
import GridKeeperCore
import Ledger

/// Reading a JSON lines recording: the fast path against the `JSONDecoder` path (baseline),
/// both over the same file in the same run.
struct Parse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "JSON lines recordings read per second (MB/s): the JSONDecoder path (baseline) and the fast path, same file, same run."
    )

    @Option(help: "Days of data (a seeded random walk, five levels a side).")
    var days: Double = 30

    @Option(help: "Seconds between snapshots.")
    var every: Double = 60

    @Option(help: "Timed reads each way (after one untimed read each); the median is reported.")
    var repetitions = 5

    @Flag(help: "Also time the example keeper's backtest over the data, for load + backtest before and after.")
    var backtest = false

    @OptionGroup var output: JSONOutput

    struct Way: Codable {
        var seconds: [Double]
        var medianSeconds: Double
        var megabytesPerSecond: Double
        var linesPerSecond: Double
        /// Peak resident memory of the process during one read, bytes (its high-water mark
        /// reset before the read), and how far it rose above what the process held before;
        /// nil where /proc does not allow it.
        var peakRSSBytes: Int?
        var peakGrowthBytes: Int?

        enum CodingKeys: String, CodingKey {
            case seconds, medianSeconds = "median_seconds", megabytesPerSecond = "mb_per_s", linesPerSecond = "lines_per_s", peakRSSBytes = "peak_rss_bytes"
            case peakGrowthBytes = "peak_rss_growth_bytes"
        }
    }

    struct Result: Codable {
        var bytes: Int
        var lines: Int
        var snapshots: Int
        var baseline: Way
        var fast: Way
        var ratio: Double
        var identical: Bool
        var backtestSeconds: Double?
        var loadAndBacktestBefore: Double?
        var loadAndBacktestAfter: Double?

        enum CodingKeys: String, CodingKey {
            case bytes, lines, snapshots, baseline = "baseline_jsondecoder", fast = "fast_path", ratio, identical
            case backtestSeconds = "backtest_seconds", loadAndBacktestBefore = "load_and_backtest_before_s", loadAndBacktestAfter = "load_and_backtest_after_s"
        }
    }

    func run() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gk-parse-bench-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let recording = SyntheticData.randomWalk(days: days, every: every, seed: 7)
            try RecordingIO.writeLines(recording, to: path)
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let lines = try Self.countLines(path)
        if !output.json { print(String(format: "%.0f days every %.0f s: %@, %d lines, %.1f MB", days, every, path, lines, Double(bytes) / 1e6)) }

        // Interleaved, so that a load on the shared machine falls on both ways alike.
        var loaded: [RecordingIO.LineParsing: Recording] = [:]
        var times: [RecordingIO.LineParsing: [Double]] = [:]
        let clock = ContinuousClock()
        for parsing in [RecordingIO.LineParsing.decoderOnly, .fastPath] { loaded[parsing] = try RecordingIO.load(path: path, lineParsing: parsing) }
        for _ in 0..<max(1, repetitions) {
            for parsing in [RecordingIO.LineParsing.decoderOnly, .fastPath] {
                let start = clock.now
                loaded[parsing] = try RecordingIO.load(path: path, lineParsing: parsing)
                times[parsing, default: []].append((clock.now - start).inSeconds)
            }
        }
        var peaks: [RecordingIO.LineParsing: (peak: Int, growth: Int)] = [:]
        for parsing in [RecordingIO.LineParsing.decoderOnly, .fastPath] {
            loaded[parsing] = nil
            guard Self.resetPeak(), let before = Self.peak() else { break }
            loaded[parsing] = try RecordingIO.load(path: path, lineParsing: parsing)
            if let after = Self.peak() { peaks[parsing] = (after, after - before) }
        }
        guard let a = loaded[.decoderOnly], let b = loaded[.fastPath] else { return }
        let identical = a.instrument == b.instrument && a.source == b.source && a.books == b.books && a.trades == b.trades && a.burn == b.burn
            && a.balances.map(\.ms) == b.balances.map(\.ms) && a.balances.map(\.consumption) == b.balances.map(\.consumption)
        func way(_ parsing: RecordingIO.LineParsing) -> Way {
            let sorted = (times[parsing] ?? []).sorted()
            let median = Timing.median(sorted)
            return Way(seconds: sorted, medianSeconds: median, megabytesPerSecond: Double(bytes) / 1e6 / median,
                       linesPerSecond: Double(lines) / median,
                       peakRSSBytes: peaks[parsing]?.peak, peakGrowthBytes: peaks[parsing]?.growth)
        }
        let baseline = way(.decoderOnly), fast = way(.fastPath)
        var result = Result(bytes: bytes, lines: lines, snapshots: b.books.count, baseline: baseline, fast: fast,
                            ratio: fast.megabytesPerSecond / baseline.megabytesPerSecond, identical: identical)
        if backtest {
            let keeper = try StrategyParser.parse(try String(contentsOfFile: Repository.keeper, encoding: .utf8), file: Repository.keeper)
            let runs = try await Timing.timed(repetitions) { _ = try await Backtester.run(keeper, on: b) }
            let seconds = Timing.median(runs)
            result.backtestSeconds = seconds
            result.loadAndBacktestBefore = baseline.medianSeconds + seconds
            result.loadAndBacktestAfter = fast.medianSeconds + seconds
        }
        if output.json {
            try output.printJSON(result)
            return
        }
        func describe(_ name: String, _ w: Way) -> String {
            String(format: "%@ %8.1f MB/s  %9.0f lines/s  %@", name, w.megabytesPerSecond, w.linesPerSecond, Timing.describe(w.seconds))
                + (w.peakRSSBytes.map { String(format: ", peak RSS %.0f MB (+%.0f MB during the read)", Double($0) / 1e6, Double(w.peakGrowthBytes ?? 0) / 1e6) } ?? "")
        }
        print(describe("JSONDecoder path (baseline)", baseline))
        print(describe("fast path                  ", fast))
        print(String(format: "fast / baseline = %.1f×; the two recordings are %@", result.ratio, identical ? "identical" : "DIFFERENT"))
        if let seconds = result.backtestSeconds, let before = result.loadAndBacktestBefore, let after = result.loadAndBacktestAfter {
            print(String(format: "keeper backtest over the loaded data: median %.3f s; load + backtest: %.3f s before, %.3f s after", seconds, before, after))
        }
        if !identical { throw ValidationError("the fast path read the file differently from the JSONDecoder path") }
    }

    static func countLines(_ path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }

    /// Resets the process's peak resident memory (`VmHWM`) to what it holds now.
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// The process's peak resident memory since the last reset, bytes.
    static func peak() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kb * 1024
    }
}
