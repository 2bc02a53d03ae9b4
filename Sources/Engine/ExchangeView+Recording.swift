import Foundation
import GridKeeperCore
import Ledger

extension ExchangeView {
    /// Records what this view shows — the top five book levels and last price, the balances,
    /// and recent public trades at their own (exchange) times — as the daemon does each cycle and
    /// `gridkeeper record` does on its own. Backtests replay these records.
    public func record(instrument: String, at time: Date, into ledger: any LedgerStore) throws(LedgerError) {
        try record(instrument: instrument, at: time, into: ledger, book: wholeBook())
    }

    /// The book with whole-unit quantities (a level that is not whole counts as 0 units).
    struct WholeBook {
        var bids: [MarketSnapshot.Level]
        var asks: [MarketSnapshot.Level]
    }

    func wholeBook() -> WholeBook {
        func level(_ l: PriceLevel) -> MarketSnapshot.Level { .init(price: l.price, quantity: Units(exactly: l.quantity)?.rawValue ?? 0) }
        return WholeBook(bids: bids.map(level), asks: asks.map(level))
    }

    /// `record(instrument:at:into:)` with the book already in whole units (a cycle converts it once).
    func record(instrument: String, at time: Date, into ledger: any LedgerStore, book: WholeBook) throws(LedgerError) {
        func level(_ l: MarketSnapshot.Level) -> MarketSnapshotRecord.Level { .init(price: l.price, quantity: l.quantity) }
        try ledger.record(marketSnapshots: [MarketSnapshotRecord(instrument: instrument, takenAt: time, bids: book.bids.prefix(5).map(level),
                                                                 asks: book.asks.prefix(5).map(level), last: last)])
        try ledger.record(balanceSnapshots: [BalanceSnapshotRecord(instrument: instrument, takenAt: time, usd: usdAvailable,
                                                                  tradingUnits: inventory, consumptionUnits: consumption)])
        let trades = publicTrades.compactMap { t -> PublicTradeRecord? in
            guard let quantity = Units(exactly: t.quantity)?.rawValue, quantity > 0, t.price > 0, let at = t.executedAt else { return nil }
            return PublicTradeRecord(instrument: instrument, tradedAt: at, tradeID: t.tradeID, price: t.price, quantity: quantity)
        }
        if !trades.isEmpty { try ledger.record(publicTrades: trades) }
    }
}
