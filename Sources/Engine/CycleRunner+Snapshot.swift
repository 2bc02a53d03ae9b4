import Execution
import Foundation
import GridKeeperCore
import Ledger
import Logging

extension CycleRunner {
    // MARK: Snapshot

    func makeSnapshot(strategy: Strategy, view: ExchangeView, book: ExchangeView.WholeBook, open: [LedgerOpenOrder], at time: Date,
                      paused: Bool) throws(LedgerError) -> MarketSnapshot {
        // What the rules read (a week for `forecast`, 7d for `rank(ask, 7d)`), at least the
        // configured window.
        let history = max(configuration.historyWindow, strategy.historyNeeded)
        let from = time.addingTimeInterval(-history)
        let market = try ledger.marketPoints(instrument: strategy.instrument, from: from, to: time)
        let balances = try ledger.balancePoints(instrument: strategy.instrument, from: from, to: time)
        let moments = spendMoments(at: time, exchangeTime: view.exchangeTime)
        let spend = try worstSpend(at: moments, instrument: strategy.instrument)
        var shared: MarketSnapshot.SharedBudget?
        if let global = configuration.globalBudget, global.daily != nil || global.monthly != nil {
            let all = try worstSpend(at: moments, instrument: nil)
            shared = .init(daily: global.daily, monthly: global.monthly, spentToday: all.today, spentMonth: all.month)
        }
        // Lots expire four hours after they arrive: units that leave consumption then are not burn.
        // Demand is read from the whole balance history loaded; the lots still held arrived in
        // the last four hours.
        let life = ConsumptionLot.lifetime
        let expiries = try ledger.transfersIn(instrument: strategy.instrument, from: from.addingTimeInterval(-life)).map {
            MarketSnapshot.Expiry(time: $0.at.addingTimeInterval(life), units: $0.units)
        }.filter { $0.time.addingTimeInterval(-life) <= time }
        var snapshot = MarketSnapshot(
            asOf: time, instrument: strategy.instrument, consumption: view.consumption, inventory: view.inventory, usdAvailable: view.usdAvailable,
            spentToday: spend.today, spentMonth: spend.month,
            bids: book.bids, asks: book.asks,
            last: view.last, tick: view.rules.tick, lotSize: view.rules.lotSize, minOrderSize: view.rules.minOrderSize,
            openBuyOrders: view.openOrders.filter { $0.side != .sell }.count,
            unitsOnOrder: Self.unitsOnOrder(open: open, view: view),
            paused: paused, marketHistory: market, balanceHistory: balances,
            expiries: expiries, shared: shared)
        snapshot.feeRate = configuration.feeRate
        return snapshot
    }

    /// The moments whose day and month an order placed now may count in: ours, and the
    /// exchange's (it dates the fills) — as its view showed it, give or take `clockMargin`, or
    /// anywhere within `clockTolerance` of ours while it is unknown.
    func spendMoments(at time: Date, exchangeTime: Date?) -> [Date] {
        if let exchange = exchangeTime {
            return [time, exchange.addingTimeInterval(-configuration.clockMargin), exchange.addingTimeInterval(configuration.clockMargin)]
        }
        return [time, time.addingTimeInterval(-configuration.clockTolerance), time.addingTimeInterval(configuration.clockTolerance)]
    }

    /// Spend to date as the tightest of those moments sees it: the most spent of any day and
    /// of any month they fall in, so no clock can place an order in a day that is already full.
    func worstSpend(at moments: [Date], instrument: String?) throws(LedgerError) -> Spend {
        var result = try ledger.spend(asOf: moments[0], timeZone: configuration.timeZone, instrument: instrument)
        let here = SpendPeriods(containing: moments[0], in: configuration.timeZone)
        for moment in moments.dropFirst() {
            let ms = moment.ledgerMilliseconds
            guard !here.inDay(ms) || !here.inMonth(ms) else { continue }
            let other = try ledger.spend(asOf: moment, timeZone: configuration.timeZone, instrument: instrument)
            result.today = max(result.today, other.today)
            result.month = max(result.month, other.month)
        }
        return result
    }

    /// Units our open buy orders have still to buy: the larger of what the ledger knows (which
    /// includes orders sent but not yet on the exchange's list, and orders whose outcome is
    /// unknown) and what the exchange lists (which includes orders placed outside GridKeeper).
    static func unitsOnOrder(open: [LedgerOpenOrder], view: ExchangeView) -> Int {
        let listed = view.openOrders.filter { $0.side != .sell }.reduce(0) { $0 + $1.unitsLeft }
        let recorded = open.reduce(0) { $0 + max(0, $1.quantity - $1.filledQuantity) }
        return max(listed, recorded)
    }
}
