import Foundation
import GridKeeperCore
import Ledger
import Synchronization

/// The daemon's SQLite ledger, with the faults of its disk and its process: a crash before a
/// write commits (as if in the middle of its transaction) or right after it, a full disk or a
/// read-only file for a while. Reads and writes otherwise go to the real file.
final class FaultyLedger: LedgerStore {
    enum Storage: Sendable { case fine, full, readOnly }

    let ledger: Ledger
    let process: ChaosProcess
    let storage: Mutex<Storage>
    let tally: FaultTally

    init(ledger: Ledger, process: ChaosProcess, storage: Storage, tally: FaultTally) {
        self.ledger = ledger
        self.process = process
        self.storage = Mutex(storage)
        self.tally = tally
    }

    private func read<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        if process.isDead { throw .read("the process has stopped") }
        return try body()
    }

    private func write<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        let gate = process.gate()
        switch gate {
        case .dead: throw .write("the process has stopped")
        case .dieBefore:
            tally.count("crash: before a ledger write")
            throw .write("the process stopped before the transaction committed")
        case .proceed, .dieAfter: break
        }
        switch storage.withLock({ $0 }) {
        case .full:
            tally.count("ledger: disk full")
            throw .write("database or disk is full")
        case .readOnly:
            tally.count("ledger: read-only")
            throw .readOnly(path: ledger.path)
        case .fine: break
        }
        let result = try body()
        if case .dieAfter = gate {
            tally.count("crash: after a ledger write")
            process.die()
            throw .write("the process stopped after the transaction committed")
        }
        return result
    }

    func killSwitch() throws(LedgerError) -> KillSwitchState? { try read { () throws(LedgerError) in try ledger.killSwitch() } }
    func record(marketSnapshots: [MarketSnapshotRecord]) throws(LedgerError) {
        try write { () throws(LedgerError) in try ledger.record(marketSnapshots: marketSnapshots) }
    }
    func record(balanceSnapshots: [BalanceSnapshotRecord]) throws(LedgerError) {
        try write { () throws(LedgerError) in try ledger.record(balanceSnapshots: balanceSnapshots) }
    }
    func marketPoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.MarketPoint> {
        try read { () throws(LedgerError) in try ledger.marketPoints(instrument: instrument, from: from, to: to) }
    }
    func balancePoints(instrument: String, from: Date, to: Date) throws(LedgerError) -> ArraySlice<MarketSnapshot.BalancePoint> {
        try read { () throws(LedgerError) in try ledger.balancePoints(instrument: instrument, from: from, to: to) }
    }
    func spend(asOf time: Date, timeZone: TimeZone, instrument: String?) throws(LedgerError) -> Spend {
        try read { () throws(LedgerError) in try ledger.spend(asOf: time, timeZone: timeZone, instrument: instrument) }
    }
    func transfersIn(instrument: String, from: Date) throws(LedgerError) -> [(at: Date, units: Int)] {
        try read { () throws(LedgerError) in try ledger.transfersIn(instrument: instrument, from: from) }
    }
    func record(_ cycle: CycleRecord) throws(LedgerError) -> RecordedCycle {
        try write { () throws(LedgerError) in try ledger.record(cycle) }
    }
    func reserve(_ amount: Decimal, for order: OrderRecord, at time: Date) throws(LedgerError) -> Int64 {
        try write { () throws(LedgerError) in try ledger.reserve(amount, for: order, at: time) }
    }
    func updateOrder(clientOrderID: String, state: OrderState, exchangeOrderID: String?, reason: String?, at time: Date) throws(LedgerError) {
        try write { () throws(LedgerError) in
            try ledger.updateOrder(clientOrderID: clientOrderID, state: state, exchangeOrderID: exchangeOrderID, reason: reason, at: time)
        }
    }
    func record(fills: [FillRecord], at time: Date) throws(LedgerError) -> Int {
        try write { () throws(LedgerError) in try ledger.record(fills: fills, at: time) }
    }
    func record(_ transfer: TransferRecord) throws(LedgerError) -> Int64 {
        try write { () throws(LedgerError) in try ledger.record(transfer) }
    }
    func openOrders(instrument: String) throws(LedgerError) -> [LedgerOpenOrder] {
        try read { () throws(LedgerError) in try ledger.openOrders(instrument: instrument) }
    }
    func record(publicTrades: [PublicTradeRecord]) throws(LedgerError) {
        try write { () throws(LedgerError) in try ledger.record(publicTrades: publicTrades) }
    }
}
