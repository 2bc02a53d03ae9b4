import Foundation
import GridKeeperCore
import GridKeeperMacros

/// One rule's result within a cycle.
@MemberwiseInit
public struct DecisionRecord: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// The rule fired and its intent went ahead unchanged.
        case fired
        /// The rule's condition did not hold (or its inputs were missing).
        case skipped
        /// A guardrail stopped the intent.
        case blocked
        /// A guardrail changed the intent (size, price).
        case adjusted
    }

    public enum Action: String, Sendable, Codable {
        case buy, transfer, cancel
    }

    public var rule: String
    public var outcome: Outcome
    public var action: Action? = nil
    public var quantity: Int? = nil
    /// USD per unit, for buys.
    public var price: Decimal? = nil
    public var reason: String
    /// The signal values the rule saw, as text.
    public var inputs: [String: String] = [:]
}

/// One evaluation of one strategy, with all its decisions.
@MemberwiseInit
public struct CycleRecord: Sendable, Equatable {
    public var startedAt: Date
    public var mode: LedgerMode
    public var strategy: String
    public var instrument: String
    /// Digest of the snapshot the decisions were made on.
    public var snapshotDigest: String
    public var note: String? = nil
    public var decisions: [DecisionRecord]
}

/// Ids assigned to a recorded cycle.
public struct RecordedCycle: Sendable, Equatable {
    public var cycleID: Int64
    /// Decision ids in the order of `CycleRecord.decisions`.
    public var decisionIDs: [Int64]
}

/// An order as the ledger records it before it is sent.
@MemberwiseInit
public struct OrderRecord: Sendable, Equatable {
    public var clientOrderID: String
    public var mode: LedgerMode
    public var instrument: String
    public var marketID: String?
    public var side: String = "buy"
    public var type: String
    public var quantity: Int
    public var limitPrice: Decimal?
    public var cancelAfter: Date? = nil
    public var decisionID: Int64? = nil
}

/// A fill reported by the exchange (or the paper/backtest matcher).
@MemberwiseInit
public struct FillRecord: Sendable, Equatable, Codable {
    public var tradeID: String
    public var clientOrderID: String
    public var quantity: Int
    /// USD per unit.
    public var price: Decimal
    public var fee: Decimal = 0
    public var executedAt: Date
}

/// A unit transfer between accounts.
@MemberwiseInit
public struct TransferRecord: Sendable, Equatable {
    public enum Direction: String, Sendable, Codable { case toConsumption = "to_consumption", toTrading = "to_trading" }
    public enum State: String, Sendable, Codable { case requested, done, unknown, failed }

    public var transferID: String?
    public var mode: LedgerMode
    public var instrument: String
    public var direction: Direction = .toConsumption
    public var quantity: Int
    public var state: State
    public var at: Date
    public var decisionID: Int64? = nil
}

/// Top of book and a few levels at one instant.
public struct MarketSnapshotRecord: Sendable, Equatable, Codable {
    public typealias Level = MarketSnapshot.Level

    public var instrument: String
    public var takenAt: Date
    /// Best first.
    public var bids: [Level]
    /// Best first.
    public var asks: [Level]
    public var last: Decimal?

    public init(instrument: String, takenAt: Date, bids: [Level], asks: [Level], last: Decimal?) {
        self.instrument = instrument
        self.takenAt = takenAt
        self.bids = bids
        self.asks = asks
        self.last = last
    }

    public var bid: Decimal? { bids.first?.price }
    public var ask: Decimal? { asks.first?.price }
}

/// Balances observed at one instant for one instrument (USD on the `*` row).
@MemberwiseInit
public struct BalanceSnapshotRecord: Sendable, Equatable, Codable {
    public var instrument: String
    public var takenAt: Date
    public var usd: Decimal? = nil
    public var tradingUnits: Int?
    public var consumptionUnits: Int?
}
