import Foundation

/// The instruments The Grid lists (nine as of mid-2026), with a reference price the simulator
/// centres its synthetic market on. Real prices come from the exchange.
public enum InstrumentCatalog {
    public struct Entry: Sendable, Hashable {
        public let symbol: String
        public let name: String
        /// USD per unit around which the simulator quotes.
        public let referencePrice: Decimal
    }

    public static let all: [Entry] = [
        Entry(symbol: "text-standard", name: "Text Standard", referencePrice: Decimal(string: "0.80")!),
        Entry(symbol: "text-prime", name: "Text Prime", referencePrice: Decimal(string: "2.50")!),
        Entry(symbol: "text-max", name: "Text Max", referencePrice: Decimal(string: "9.00")!),
        Entry(symbol: "code-standard", name: "Code Standard", referencePrice: Decimal(string: "1.20")!),
        Entry(symbol: "code-prime", name: "Code Prime", referencePrice: Decimal(string: "3.40")!),
        Entry(symbol: "code-max", name: "Code Max", referencePrice: Decimal(string: "12.00")!),
        Entry(symbol: "agent-standard", name: "Agent Standard", referencePrice: Decimal(string: "1.50")!),
        Entry(symbol: "agent-prime", name: "Agent Prime", referencePrice: Decimal(string: "4.00")!),
        Entry(symbol: "agent-max", name: "Agent Max", referencePrice: Decimal(string: "15.00")!),
    ]

    public static func entry(symbol: String) -> Entry? {
        all.first { $0.symbol == symbol.lowercased() }
    }
}
