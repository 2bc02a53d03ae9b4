import Foundation

/// Files of this repository that the benchmarks read, found from this source file's place.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    /// The example keeper strategy.
    static let keeper = root.appendingPathComponent("strategies/text-prime-keeper.yaml").path
}
