import Foundation
import Ledger

/// What `LedgerCopy` copied and found equal afterwards.
public struct LedgerCopySummary: Sendable, Equatable, Encodable {
    public struct Table: Sendable, Equatable, Encodable {
        public var name: String
        public var rows: Int
    }

    /// Spend buckets of one instrument, summed (the same in both ledgers).
    public struct InstrumentSpend: Sendable, Equatable, Encodable {
        public var instrument: String
        /// USD, fees included.
        public var cost: Decimal
        public var units: Int

        enum CodingKeys: String, CodingKey { case instrument, cost, units }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(instrument, forKey: .instrument)
            try c.encode("\(cost)", forKey: .cost)
            try c.encode(units, forKey: .units)
        }
    }

    /// The source, as shown (a path, or a URL without its password).
    public var from: String
    public var to: String
    /// Rows per copied table, in copy order.
    public var tables: [Table]
    public var copiedRows: Int
    public var verifiedRows: Int
    public var spendBuckets: [InstrumentSpend]
    public var spendInstantsCompared: Int

    enum CodingKeys: String, CodingKey {
        case from, to, tables
        case copiedRows = "copied_rows", verifiedRows = "verified_rows", spendBuckets = "spend_buckets"
        case spendInstantsCompared = "spend_instants_compared"
    }
}

/// Why a ledger copy did not happen or did not check out. Each description says what and where.
public enum LedgerCopyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--from` and `--to` name the same ledger.
    case sameLedger(String)
    /// The source lacks migrations this build knows.
    case sourceNotCurrent(path: String, pending: [String])
    /// The destination holds rows (`holds`: "orders (3 rows)", …); nothing was changed.
    case destinationNotEmpty(path: String, holds: [String])
    /// Opening, reading or writing one of the ledgers failed (the message names which).
    case ledger(String)
    /// The copy differs from the source: the first difference found.
    case mismatch(String)

    public var description: String {
        switch self {
        case .sameLedger(let location):
            "--from and --to both name \(location): copy into a new file or an empty database"
        case .sourceNotCurrent(let path, let pending):
            "the source \(path) lacks migrations \(pending.joined(separator: ", ")): run `gridkeeper migrate --db \(path)` first (nothing was copied)"
        case .destinationNotEmpty(let path, let holds):
            "the destination \(path) is not empty: it holds \(holds.joined(separator: ", ")); copy into a new file or an empty database (nothing was changed)"
        case .ledger(let message):
            message
        case .mismatch(let message):
            "the copy does not match its source: \(message)"
        }
    }
}
