import Foundation
import GridAPI

/// Printing helpers: JSON for `--json`, aligned tables for people.
enum Output {
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func printJSON<T: Encodable>(_ value: T) {
        print(json(value))
    }

    /// Left-aligned columns; numbers look best right-aligned, so `rightAligned` lists those columns.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                let cell = row[column]
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func money(_ value: Decimal?) -> String {
        guard let value else { return "-" }
        var v = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &v, 2, .plain)
        let text = StrictDecimal.format(rounded == value ? rounded : value)
        // Show at least two decimals for USD.
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            return decimals >= 2 ? text : text + String(repeating: "0", count: 2 - decimals)
        }
        return text + ".00"
    }

    static func number(_ value: Decimal?) -> String {
        value.map(StrictDecimal.format) ?? "-"
    }

    /// A line on stderr, e.g. "created new ledger at PATH".
    static func notice(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}
