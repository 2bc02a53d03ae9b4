import Foundation
import GridKeeperMacros

/// USD and unit balances across the trading and consumption accounts, per instrument.
@MemberwiseInit(.internal) @WireCodable
public struct BalanceSheet: Codable, Sendable, Equatable {
    @MemberwiseInit(.internal) @WireCodable
    public struct Line: Codable, Sendable, Equatable {
        public var symbol: String
        public var instrumentID: String
        /// Units in the trading account that can be transferred or sold.
        @Units public var tradingAvailable: Decimal
        /// Units held by open sell orders.
        @Units public var tradingLocked: Decimal
        /// Usable units in the consumption account.
        @Units public var consumptionAvailable: Decimal
    }

    /// USD available to spend, exact (a decimal string on the wire).
    public var usdAvailable: Decimal
    /// USD held by open buy orders.
    public var usdLocked: Decimal
    public var instruments: [Line]

    /// Reads the currency, trading and consumption accounts and the instrument list.
    public static func fetch(from client: GridClient) async throws(GridAPIError) -> BalanceSheet {
        let currency = try await client.currencyAccounts().collect().filter { $0.currency.lowercased() == "usd" }
        let trading = try await client.tradingAccounts().collect()
        let consumption = try await client.consumptionAccounts().collect()
        var usdAvailable = currency.reduce(Decimal(0)) { $0 + $1.availableBalance }
        var usdLocked = currency.reduce(Decimal(0)) { $0 + ($1.lockedBalance ?? 0) }
        if currency.isEmpty {
            // Fall back to the USD row of the trading accounts.
            for row in trading where row.currency?.lowercased() == "usd" {
                usdAvailable += row.availableBalance
                usdLocked += row.lockedBalance ?? 0
            }
        }
        var symbols: [String: String] = [:]
        for row in trading { if let id = row.instrumentID, let symbol = row.instrumentSymbol { symbols[id] = symbol } }
        for row in consumption { if let symbol = row.instrumentSymbol { symbols[row.instrumentID] = symbol } }
        let ids = Set(trading.compactMap(\.instrumentID)).union(consumption.map(\.instrumentID))
        if ids.contains(where: { symbols[$0] == nil }) {
            for try await instrument in client.instruments() { symbols[instrument.instrumentID] = instrument.symbol }
        }
        let lines = ids.map { id in
            Line(symbol: symbols[id] ?? id, instrumentID: id,
                 tradingAvailable: trading.filter { $0.instrumentID == id }.reduce(0) { $0 + $1.availableBalance },
                 tradingLocked: trading.filter { $0.instrumentID == id }.reduce(0) { $0 + ($1.lockedBalance ?? 0) },
                 consumptionAvailable: consumption.filter { $0.instrumentID == id }.reduce(0) { $0 + $1.available })
        }.sorted { $0.symbol < $1.symbol }
        return BalanceSheet(usdAvailable: usdAvailable, usdLocked: usdLocked, instruments: lines)
    }
}
