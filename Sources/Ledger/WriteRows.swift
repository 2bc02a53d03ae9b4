import Foundation
import GridKeeperCore

/// Records checked and converted to the ledger's integers once, for both backends: what the
/// SQLite and the PostgreSQL ledger then write is the same row, whatever their SQL.
enum WriteRows {
    struct Snapshot: Sendable {
        var instrument: String
        var ms: Int64
        var bid: Int64?
        var bidQuantity: Int?
        var ask: Int64?
        var askQuantity: Int?
        var last: Int64?
        /// The levels below the top (`DepthCoding`), when there are any.
        var depth: Data?
    }

    static func snapshots(_ snapshots: [MarketSnapshotRecord]) throws(LedgerError) -> [Snapshot] {
        var rows: [Snapshot] = []
        rows.reserveCapacity(snapshots.count)
        for s in snapshots {
            var bids: [(Int64, Int)] = []
            var asks: [(Int64, Int)] = []
            for level in s.bids { bids.append((try Micros.from(level.price, field: "bid"), level.quantity)) }
            for level in s.asks { asks.append((try Micros.from(level.price, field: "ask"), level.quantity)) }
            let last = try s.last.map { v throws(LedgerError) in try Micros.from(v, field: "last") }
            rows.append(Snapshot(instrument: s.instrument, ms: s.takenAt.ledgerMilliseconds, bid: bids.first?.0, bidQuantity: bids.first?.1,
                                 ask: asks.first?.0, askQuantity: asks.first?.1, last: last,
                                 depth: bids.count > 1 || asks.count > 1 ? DepthCoding.encode(bids: bids, asks: asks) : nil))
        }
        return rows
    }

    struct Reservation: Sendable {
        var micros: Int64
        var limit: Int64?
        var ms: Int64
    }

    static func reservation(_ amount: Decimal, for order: OrderRecord, at time: Date) throws(LedgerError) -> Reservation {
        let micros = try Micros.from(amount, field: "reservation")
        guard micros >= 0 else { throw .invalidValue("reservation must be ≥ 0") }
        let limit = try order.limitPrice.map { price throws(LedgerError) in try Micros.from(price, field: "limit price") }
        guard order.quantity > 0 else { throw .invalidValue("order quantity must be ≥ 1") }
        return Reservation(micros: micros, limit: limit, ms: time.ledgerMilliseconds)
    }

    struct Fill: Sendable {
        var fill: FillRecord
        var price: Int64
        var fee: Int64
        /// Price × quantity + fee.
        var cost: Int64 { price * Int64(fill.quantity) + fee }
    }

    static func fills(_ fills: [FillRecord]) throws(LedgerError) -> [Fill] {
        try fills.map { fill throws(LedgerError) in
            guard fill.quantity > 0 else { throw LedgerError.invalidValue("fill \(fill.tradeID): quantity must be ≥ 1") }
            return Fill(fill: fill, price: try Micros.from(fill.price, field: "fill price"), fee: try Micros.from(fill.fee, field: "fee"))
        }
    }

    /// An order's state after a new fill of `quantity` units.
    static func state(afterFilling filled: Int64, of quantity: Int64, current: OrderState) -> OrderState {
        filled >= quantity ? .filled : (current.isTerminal ? current : .partiallyFilled)
    }

    struct Decision: Sendable {
        var decision: DecisionRecord
        var price: Int64?
        /// The inputs as sorted JSON.
        var inputs: String
    }

    static func decisions(of cycle: CycleRecord) throws(LedgerError) -> [Decision] {
        try cycle.decisions.map { decision throws(LedgerError) in
            Decision(decision: decision, price: try decision.price.map { price throws(LedgerError) in try Micros.from(price, field: "decision price") },
                     inputs: Ledger.json(decision.inputs))
        }
    }

    static func publicTrades(_ trades: [PublicTradeRecord]) throws(LedgerError) -> [(trade: PublicTradeRecord, price: Int64)] {
        try trades.map { t throws(LedgerError) in
            guard t.quantity > 0 else { throw LedgerError.invalidValue("public trade quantity must be ≥ 1") }
            return (t, try Micros.from(t.price, field: "trade price"))
        }
    }

    static func burnSamples(_ samples: [BurnSampleRecord]) throws(LedgerError) -> [(sample: BurnSampleRecord, milli: Int64)] {
        try samples.map { s throws(LedgerError) in
            guard s.unitsPerHour >= 0 else { throw LedgerError.invalidValue("burn must be ≥ 0") }
            return (s, try Micros.from(s.unitsPerHour / 1000, field: "burn"))
        }
    }

    static func balances(_ snapshots: [BalanceSnapshotRecord]) throws(LedgerError) -> [(snapshot: BalanceSnapshotRecord, usd: Int64?)] {
        try snapshots.map { s throws(LedgerError) in
            (s, try s.usd.map { v throws(LedgerError) in try Micros.from(v, field: "usd") })
        }
    }
}
