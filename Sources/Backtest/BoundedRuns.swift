/// Backtests run in a task group, a bounded number at a time: the sweep's variants and the
/// regime suite's recordings.
enum BoundedRuns {
    /// Runs `body(i)` for every `i` in `0..<count`, at most `jobs` (at least one) at a time.
    /// - Parameters:
    ///   - finished: called as each run ends, with the number of runs ended so far and its result.
    /// - Returns: the results in the order of `i`.
    /// - Throws: the first failure in the order of `i`, once every run has ended.
    static func run<Output: Sendable>(
        count: Int, jobs: Int, _ body: @escaping @Sendable (Int) async throws(BacktestError) -> Output,
        finished: (Int, Result<Output, BacktestError>) -> Void
    ) async throws(BacktestError) -> [Output] {
        let results: [Result<Output, BacktestError>] = await withTaskGroup(of: (Int, Result<Output, BacktestError>).self) { group in
            var next = 0, done = 0
            var collected: [Result<Output, BacktestError>?] = Array(repeating: nil, count: count)
            func launch(_ i: Int) {
                group.addTask {
                    do throws(BacktestError) {
                        return (i, .success(try await body(i)))
                    } catch {
                        return (i, .failure(error))
                    }
                }
            }
            while next < min(max(1, jobs), count) { launch(next); next += 1 }
            while let (i, outcome) = await group.next() {
                collected[i] = outcome
                done += 1
                finished(done, outcome)
                if next < count { launch(next); next += 1 }
            }
            return collected.compactMap { $0 }
        }
        var outputs: [Output] = []
        for result in results {
            switch result {
            case .success(let output): outputs.append(output)
            case .failure(let error): throw error
            }
        }
        return outputs
    }
}
