import Foundation
import GridKeeperCore

/// One rule's result within a cycle.
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
    public var action: Action?
    public var quantity: Int?
    /// USD per unit, for buys.
    public var price: Decimal?
    public var reason: String
    /// The signal values the rule saw, as text.
    public var inputs: [String: String]

    public init(rule: String, outcome: Outcome, action: Action? = nil, quantity: Int? = nil, price: Decimal? = nil,
                reason: String, inputs: [String: String] = [:]) {
        self.rule = rule
        self.outcome = outcome
        self.action = action
        self.quantity = quantity
        self.price = price
        self.reason = reason
        self.inputs = inputs
    }
}

/// One evaluation of one strategy, with all its decisions.
public struct CycleRecord: Sendable, Equatable {
    public var startedAt: Date
    public var mode: LedgerMode
    public var strategy: String
    public var instrument: String
    /// Digest of the snapshot the decisions were made on.
    public var snapshotDigest: String
    public var note: String?
    public var decisions: [DecisionRecord]

    public init(startedAt: Date, mode: LedgerMode, strategy: String, instrument: String, snapshotDigest: String,
                note: String? = nil, decisions: [DecisionRecord]) {
        self.startedAt = startedAt
        self.mode = mode
        self.strategy = strategy
        self.instrument = instrument
        self.snapshotDigest = snapshotDigest
        self.note = note
        self.decisions = decisions
    }
}

/// Ids assigned to a recorded cycle.
public struct RecordedCycle: Sendable, Equatable {
    public var cycleID: Int64
    /// Decision ids in the order of `CycleRecord.decisions`.
    public var decisionIDs: [Int64]
}

/// An order as the ledger records it before it is sent.
public struct OrderRecord: Sendable, Equatable {
    public var clientOrderID: String
    public var mode: LedgerMode
    public var instrument: String
    public var marketID: String?
    public var side: String
    public var type: String
    public var quantity: Int
    public var limitPrice: Decimal?
    public var cancelAfter: Date?
    public var decisionID: Int64?

    public init(clientOrderID: String, mode: LedgerMode, instrument: String, marketID: String?, side: String = "buy",
                type: String, quantity: Int, limitPrice: Decimal?, cancelAfter: Date? = nil, decisionID: Int64? = nil) {
        self.clientOrderID = clientOrderID
        self.mode = mode
        self.instrument = instrument
        self.marketID = marketID
        self.side = side
        self.type = type
        self.quantity = quantity
        self.limitPrice = limitPrice
        self.cancelAfter = cancelAfter
        self.decisionID = decisionID
    }
}

/// A fill reported by the exchange (or the paper/backtest matcher).
public struct FillRecord: Sendable, Equatable, Codable {
    public var tradeID: String
    public var clientOrderID: String
    public var quantity: Int
    /// USD per unit.
    public var price: Decimal
    public var fee: Decimal
    public var executedAt: Date

    public init(tradeID: String, clientOrderID: String, quantity: Int, price: Decimal, fee: Decimal = 0, executedAt: Date) {
        self.tradeID = tradeID
        self.clientOrderID = clientOrderID
        self.quantity = quantity
        self.price = price
        self.fee = fee
        self.executedAt = executedAt
    }
}

/// A unit transfer between accounts.
public struct TransferRecord: Sendable, Equatable {
    public enum Direction: String, Sendable, Codable { case toConsumption = "to_consumption", toTrading = "to_trading" }
    public enum State: String, Sendable, Codable { case requested, done, unknown, failed }

    public var transferID: String?
    public var mode: LedgerMode
    public var instrument: String
    public var direction: Direction
    public var quantity: Int
    public var state: State
    public var at: Date
    public var decisionID: Int64?

    public init(transferID: String?, mode: LedgerMode, instrument: String, direction: Direction = .toConsumption,
                quantity: Int, state: State, at: Date, decisionID: Int64? = nil) {
        self.transferID = transferID
        self.mode = mode
        self.instrument = instrument
        self.direction = direction
        self.quantity = quantity
        self.state = state
        self.at = at
        self.decisionID = decisionID
    }
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
public struct BalanceSnapshotRecord: Sendable, Equatable, Codable {
    public var instrument: String
    public var takenAt: Date
    public var usd: Decimal?
    public var tradingUnits: Int?
    public var consumptionUnits: Int?

    public init(instrument: String, takenAt: Date, usd: Decimal? = nil, tradingUnits: Int?, consumptionUnits: Int?) {
        self.instrument = instrument
        self.takenAt = takenAt
        self.usd = usd
        self.tradingUnits = tradingUnits
        self.consumptionUnits = consumptionUnits
    }
}
