import Execution
import Foundation
import GridAPI

/// Everything the simulator holds, for `GET /admin/state`, tests and the demo.
public struct SimulatorState: Codable, Sendable {
    public struct Lot: Codable, Sendable, Equatable {
        public var quantity: Int
        public var expiresAt: String

        enum CodingKeys: String, CodingKey { case quantity, expiresAt = "expires_at" }
    }

    public struct InstrumentState: Codable, Sendable {
        public var symbol: String
        public var instrumentID: String
        public var marketID: String
        public var bestBid: String?
        public var bestAsk: String?
        public var lastPrice: String?
        public var inventory: Int
        public var consumption: Int
        public var lots: [Lot]
        public var burnedUnits: Int
        public var expiredUnits: Int
        public var stockoutSeconds: Int
        public var burn: BurnProfile?

        enum CodingKeys: String, CodingKey {
            case symbol, instrumentID = "instrument_id", marketID = "market_id", bestBid = "best_bid", bestAsk = "best_ask"
            case lastPrice = "last_price", inventory, consumption, lots, burnedUnits = "burned_units", expiredUnits = "expired_units"
            case stockoutSeconds = "stockout_seconds", burn
        }
    }

    public var time: String
    public var accountMode: String
    public var autoTransfer: Bool
    public var usdAvailable: String
    public var usdLocked: String
    public var openOrders: Int
    public var orders: Int
    public var fills: Int
    public var requests: Int
    public var instruments: [InstrumentState]

    enum CodingKeys: String, CodingKey {
        case time, accountMode = "account_mode", autoTransfer = "auto_transfer", usdAvailable = "usd_available"
        case usdLocked = "usd_locked", openOrders = "open_orders", orders, fills, requests, instruments
    }
}

extension SimulatedExchange {
    /// A full snapshot of the simulated account and markets.
    public func state() -> SimulatorState {
        catchUp()
        let instrumentStates = instruments.enumerated().map { index, instrument -> SimulatorState.InstrumentState in
            let marketID = markets[index].marketID
            let book = books[marketID] ?? Book()
            let usable = usableLots(instrument.instrumentID)
            let stats = lots[instrument.instrumentID]?.stats ?? ConsumptionStats()
            return SimulatorState.InstrumentState(
                symbol: instrument.symbol, instrumentID: instrument.instrumentID, marketID: marketID,
                bestBid: book.bids.first.map { StrictDecimal.format($0.price) }, bestAsk: book.asks.first.map { StrictDecimal.format($0.price) },
                lastPrice: lastTrade[marketID].map { StrictDecimal.format($0.price) }, inventory: inventory[instrument.instrumentID] ?? 0,
                consumption: Int(usable.reduce(0) { $0 + $1.milli } / 1000),
                lots: usable.map { .init(quantity: Int($0.milli / 1000), expiresAt: Date(timeIntervalSince1970: Double($0.expires) / 1000).ISO8601Format()) },
                burnedUnits: Int(stats.usedMilliUnits / 1000), expiredUnits: Int(stats.expiredMilliUnits / 1000),
                stockoutSeconds: Int(stats.stockoutSeconds), burn: burn[instrument.instrumentID])
        }
        return SimulatorState(
            time: now.ISO8601Format(), accountMode: accountMode, autoTransfer: autoTransfer, usdAvailable: StrictDecimal.format(usdAvailable),
            usdLocked: StrictDecimal.format(usdLocked), openOrders: orders.filter { !$0.isTerminal }.count, orders: orders.count,
            fills: fills.count, requests: requestLog.count, instruments: instrumentStates)
    }
}
