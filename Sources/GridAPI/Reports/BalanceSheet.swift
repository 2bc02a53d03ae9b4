import Foundation

/// USD and unit balances across the trading and consumption accounts, per instrument.
public struct BalanceSheet: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var symbol: String
        public var instrumentID: String
        /// Units in the trading account that can be transferred or sold.
        public var tradingAvailable: Decimal
        /// Units held by open sell orders.
        public var tradingLocked: Decimal
        /// Usable units in the consumption account.
        public var consumptionAvailable: Decimal

        enum CodingKeys: String, CodingKey {
            case symbol, instrumentID = "instrument_id", tradingAvailable = "trading_available", tradingLocked = "trading_locked"
            case consumptionAvailable = "consumption_available"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            symbol = try c.decode(String.self, forKey: .symbol)
            instrumentID = try c.decode(String.self, forKey: .instrumentID)
            tradingAvailable = try c.decodeDecimal(forKey: .tradingAvailable)
            tradingLocked = try c.decodeDecimal(forKey: .tradingLocked)
            consumptionAvailable = try c.decodeDecimal(forKey: .consumptionAvailable)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(symbol, forKey: .symbol)
            try c.encode(instrumentID, forKey: .instrumentID)
            try c.encode(tradingAvailable, forKey: .tradingAvailable)
            try c.encode(tradingLocked, forKey: .tradingLocked)
            try c.encode(consumptionAvailable, forKey: .consumptionAvailable)
        }

        init(symbol: String, instrumentID: String, tradingAvailable: Decimal, tradingLocked: Decimal, consumptionAvailable: Decimal) {
            self.symbol = symbol
            self.instrumentID = instrumentID
            self.tradingAvailable = tradingAvailable
            self.tradingLocked = tradingLocked
            self.consumptionAvailable = consumptionAvailable
        }
    }

    /// USD available to spend, exact.
    public var usdAvailable: Decimal
    /// USD held by open buy orders.
    public var usdLocked: Decimal
    public var instruments: [Line]

    enum CodingKeys: String, CodingKey {
        case usdAvailable = "usd_available", usdLocked = "usd_locked", instruments
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        usdAvailable = try c.decodeDecimal(forKey: .usdAvailable)
        usdLocked = try c.decodeDecimal(forKey: .usdLocked)
        instruments = try c.decode([Line].self, forKey: .instruments)
    }

    /// Money as exact decimal strings, units as numbers.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeDecimalString(usdAvailable, forKey: .usdAvailable)
        try c.encodeDecimalString(usdLocked, forKey: .usdLocked)
        try c.encode(instruments, forKey: .instruments)
    }

    init(usdAvailable: Decimal, usdLocked: Decimal, instruments: [Line]) {
        self.usdAvailable = usdAvailable
        self.usdLocked = usdLocked
        self.instruments = instruments
    }

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
