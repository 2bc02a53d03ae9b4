import Foundation
import GridKeeperCore

/// What the engine reads from and writes to its ledger. `Ledger` (SQLite) is the one a daemon
/// uses; `MemoryLedger` keeps the same books in memory, so a backtest runs the very same cycle
/// thousands of times a second.
public protocol LedgerStore: Sendable {
    func killSwitch() throws(LedgerError) -> KillSwitchState?
    func record(marketSnapshots: [MarketSnapshotRecord]) throws(LedgerError)
    func record(balanceSnapshots: [BalanceSnapshotRecord]) throws(LedgerError)
    /// Market history from `from` to `to` (both included), oldest first.
    func marketPoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.MarketPoint>
    /// Balance history from `from` to `to` (both included), oldest first.
    func balancePoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.BalancePoint>
    func spend(asOf time: Date, timeZone: TimeZone, instrument: String?) throws(LedgerError) -> Spend
    func transfersIn(instrument: String, from: Date) throws(LedgerError) -> [(at: Date, units: Int)]
    @discardableResult func record(_ cycle: CycleRecord) throws(LedgerError) -> RecordedCycle
    @discardableResult func reserve(_ amount: Decimal, for order: OrderRecord, at time: Date) throws(LedgerError) -> Int64
    func updateOrder(clientOrderID: String, state: OrderState, exchangeOrderID: String?, reason: String?, at time: Date) throws(LedgerError)
    @discardableResult func record(fills: [FillRecord], at time: Date) throws(LedgerError) -> Int
    @discardableResult func record(_ transfer: TransferRecord) throws(LedgerError) -> Int64
    func openOrders(instrument: String) throws(LedgerError) -> [LedgerOpenOrder]
    func record(publicTrades: [PublicTradeRecord]) throws(LedgerError)
    /// On a ledger shared by several daemons, when this process took the lease it holds (by the
    /// local clock); nil when it holds none or the ledger has one writer. An order reserved
    /// before then may still be on its way from the previous holder.
    var leaseHeldSince: Date? { get }
}

extension LedgerStore {
    public var leaseHeldSince: Date? { nil }

    public func spend(asOf time: Date, timeZone: TimeZone) throws(LedgerError) -> Spend {
        try spend(asOf: time, timeZone: timeZone, instrument: nil)
    }

    public func updateOrder(clientOrderID: String, state: OrderState, exchangeOrderID: String? = nil, at time: Date) throws(LedgerError) {
        try updateOrder(clientOrderID: clientOrderID, state: state, exchangeOrderID: exchangeOrderID, reason: nil, at: time)
    }

    public func updateOrder(clientOrderID: String, state: OrderState, reason: String?, at time: Date) throws(LedgerError) {
        try updateOrder(clientOrderID: clientOrderID, state: state, exchangeOrderID: nil, reason: reason, at: time)
    }
}

extension Ledger: LedgerStore {}
