import Execution
import Foundation
import GridAPI
import GridKeeperCore

/// What the market and the exchange may do on their own, for fault campaigns: liquidity that
/// vanishes, and orders the exchange closes without being asked.
extension SimulatedExchange {
    /// Withdraws the liquidity providers' asks from `symbol`'s book until the market's next
    /// step re-quotes it (a market that empties).
    public func withdrawAsks(symbol: String) {
        guard let marketID = marketID(symbol: symbol), var book = books[marketID] else { return }
        book.asks.removeAll { $0.orderID == nil }
        books[marketID] = book
    }

    /// Closes every open order as the exchange would on its own (maintenance, risk limits):
    /// status `cancelled`, closure reason `reason`. Fills already made stay.
    /// - Returns: how many orders were closed.
    @discardableResult
    public func cancelOpenOrdersOnItsOwn(reason: String = "exchange_cancelled") -> Int {
        let open = orders.filter { !$0.isTerminal }
        for order in open { closeOrder(order.orderID, status: "cancelled", reason: reason) }
        return open.count
    }

    /// Units per instrument symbol that the account holds or held: bought, burned, expired,
    /// in the trading account (available and locked in sell orders) and usable in consumption.
    public func unitBook(symbol: String) -> (bought: Int, burned: Int, expired: Int, trading: Int, consumption: Int)? {
        guard let id = instrumentID(symbol: symbol) else { return nil }
        let bought = fills.filter { $0.instrumentID == id && $0.side == .buy }.reduce(0) { $0 + (Units(exactly: $1.quantity)?.rawValue ?? 0) }
        let book = lots[id] ?? LotBook()
        let held = usable(id)
        // Lots past their expiry that the next step has not swept yet count as expired.
        let lapsed = Int(book.heldMilli / 1000) - held
        return (bought, Int(book.stats.usedMilliUnits / 1000), Int(book.stats.expiredMilliUnits / 1000) + lapsed,
                (inventory[id] ?? 0) + (inventoryLocked[id] ?? 0), held)
    }
}
