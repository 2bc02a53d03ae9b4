import Foundation

/// How the benchmarks time their work and report it.
enum Timing {
    /// Seconds of each of `count` runs of `body` (at least one), sorted, after one run that is not timed.
    static func timed(_ count: Int, _ body: () async throws -> Void) async rethrows -> [Double] {
        let clock = ContinuousClock()
        try await body()
        var times: [Double] = []
        for _ in 0..<max(1, count) {
            let start = clock.now
            try await body()
            times.append((clock.now - start).inSeconds)
        }
        return times.sorted()
    }

    /// The median of sorted seconds.
    static func median(_ sorted: [Double]) -> Double {
        sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// `median 1.234 s (min …, max …, N runs)` of sorted seconds.
    static func describe(_ sorted: [Double]) -> String {
        String(format: "median %.3f s (min %.3f, max %.3f, %d runs)", median(sorted), sorted.first ?? 0, sorted.last ?? 0, sorted.count)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double` for rates and printing.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
