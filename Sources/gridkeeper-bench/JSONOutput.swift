import ArgumentParser
import Foundation

/// `--json`: a benchmark prints its result as JSON (pretty, sorted keys) instead of text.
struct JSONOutput: ParsableArguments {
    @Flag(help: "Print JSON.")
    var json = false

    /// Prints `value` as pretty JSON with sorted keys.
    func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
