import Foundation
import GridAPI
import GridKeeperCore
import Ledger

/// A trade printed on the market.
public struct TradePrint: Sendable, Equatable {
    public var ms: Int64
    public var price: Int64
    public var quantity: Int
}

/// Consumption demand from `ms` on, in thousandths of a unit per hour.
public struct BurnStep: Sendable, Equatable {
    public var ms: Int64
    public var milliUnitsPerHour: Int64
}

/// What was recorded for one instrument: the order book over time, trades, and consumption
/// demand (recorded directly, or known from consumption balances).
public struct Recording: Sendable {
    public var instrument: String
    public var books: RecordedBooks
    public var trades: [TradePrint] = []
    public var burn: [BurnStep] = []
    /// Consumption balances over time (ms, units), when demand was not recorded directly.
    public var balances: [(ms: Int64, consumption: Int)] = []
    /// Where the data came from (a seed, a host), for reports.
    public var source: String?

    public var start: Date? { books.times.first.map { Date(ledgerMilliseconds: $0) } }
    public var end: Date? { books.times.last.map { Date(ledgerMilliseconds: $0) } }

    /// The demand to replay: the recorded burn, else drops of the recorded consumption balance
    /// (rises are transfers in, not burn; each drop is spread over its interval).
    public var demand: [BurnStep] {
        if !burn.isEmpty { return burn }
        var steps: [BurnStep] = []
        for (a, b) in zip(balances, balances.dropFirst()) where b.ms > a.ms {
            let drop = max(0, a.consumption - b.consumption)
            let rate = Int64(drop) * 3_600_000_000 / (b.ms - a.ms)   // milli-units per hour
            if steps.last?.milliUnitsPerHour != rate { steps.append(BurnStep(ms: a.ms, milliUnitsPerHour: rate)) }
        }
        return steps
    }

    /// The part of the recording with `from <= time <= to` (empty when `from` is after `to`).
    public func slice(from: Date?, to: Date?) -> Recording {
        let lo = from?.ledgerMilliseconds ?? .min, hi = to?.ledgerMilliseconds ?? .max
        var books = RecordedBooks(depth: self.books.depth)
        guard lo <= hi else { return Recording(instrument: instrument, books: books, source: source) }
        let d = self.books.depth
        for i in 0..<self.books.count where (lo...hi).contains(self.books.times[i]) {
            books.times.append(self.books.times[i])
            books.lasts.append(self.books.lasts[i])
            books.bidPrices += self.books.bidPrices[(i * d)..<((i + 1) * d)]
            books.bidQuantities += self.books.bidQuantities[(i * d)..<((i + 1) * d)]
            books.askPrices += self.books.askPrices[(i * d)..<((i + 1) * d)]
            books.askQuantities += self.books.askQuantities[(i * d)..<((i + 1) * d)]
        }
        // Demand in force at the start carries into the slice.
        var burn = self.burn.filter { (lo...hi).contains($0.ms) }
        if let before = self.burn.last(where: { $0.ms < lo }) { burn.insert(BurnStep(ms: lo, milliUnitsPerHour: before.milliUnitsPerHour), at: 0) }
        return Recording(instrument: instrument, books: books, trades: trades.filter { (lo...hi).contains($0.ms) }, burn: burn,
                         balances: balances.filter { (lo...hi).contains($0.ms) }, source: source)
    }
}

/// A recording that cannot be read, with where: `file:line` for JSON lines, the table and row
/// for SQLite.
public struct RecordingError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
