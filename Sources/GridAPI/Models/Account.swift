import Foundation
import GridKeeperMacros

/// `GET /v1/health` (public).
@MemberwiseInit
public struct Health: Codable, Sendable, Equatable {
    public var status: String
    public var service: String? = nil
}

/// `GET /v1/me`.
@MemberwiseInit @WireCodable
public struct Me: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String? = nil
    /// `easy` (Auto Mode: orders are refused) or `advanced`.
    public var accountMode: String? = nil
    public var capabilities: [String]? = nil

    /// Orders can be placed only in Advanced mode.
    public var canTrade: Bool { accountMode?.lowercased() == "advanced" }
}

/// `GET /v1/account/limits`.
@MemberwiseInit @WireCodable
public struct AccountLimits: Codable, Sendable, Equatable {
    @MemberwiseInit @WireCodable
    public struct OrderRateLimits: Codable, Sendable, Equatable {
        public var scope: String?
        public var maxOrdersPerSecond: Int?
        public var maxOrdersPerMinute: Int?
        public var burstCapacity: Int?
        public var windowSeconds: Int?
    }

    public var marketID: String?
    public var orderRateLimits: OrderRateLimits?
}

/// A trading account row: the USD row (with `currency`) or one instrument's units.
@MemberwiseInit @WireCodable
public struct TradingAccount: Codable, Sendable, Equatable {
    @WireKey("account_id", "id") public var accountID: String
    public var instrumentID: String? = nil
    public var instrumentSymbol: String? = nil
    public var marketID: String? = nil
    public var currency: String? = nil
    public var availableBalance: Decimal
    public var lockedBalance: Decimal? = nil
    public var totalBalance: Decimal? = nil
    public var status: String? = "active"

    /// Balances of the currency row are money (decimal strings); of unit rows, quantities.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: WireCodingKey.self)
        try c.encode(accountID, forKey: "account_id")
        try c.encodeIfPresent(instrumentID, forKey: "instrument_id")
        try c.encodeIfPresent(instrumentSymbol, forKey: "instrument_symbol")
        try c.encodeIfPresent(marketID, forKey: "market_id")
        try c.encodeIfPresent(currency, forKey: "currency")
        let balances: [(WireCodingKey, Decimal?)] = [
            ("available_balance", availableBalance), ("locked_balance", lockedBalance), ("total_balance", totalBalance),
        ]
        for (key, value) in balances {
            if currency != nil {
                try c.encodeDecimalString(value, forKey: key)
            } else {
                try c.encodeDecimalNumber(value, forKey: key, in: encoder)
            }
        }
        try c.encodeIfPresent(status, forKey: "status")
    }
}

/// A USD (currency) trading account: the credit used to buy units.
@MemberwiseInit
public struct CurrencyAccount: Codable, Sendable, Equatable {
    public var accountID: String
    public var currency: String = "usd"
    public var availableBalance: Decimal
    public var lockedBalance: Decimal? = nil
    public var totalBalance: Decimal? = nil
    public var status: String? = "active"

    /// Read as a trading-account row that must carry a currency: the same fields, keys and
    /// number forms (balances as strings).
    public init(from decoder: any Decoder) throws {
        let row = try TradingAccount(from: decoder)
        guard let currency = row.currency else {
            throw DecodingError.keyNotFound(WireCodingKey(stringValue: "currency"),
                                           .init(codingPath: decoder.codingPath, debugDescription: "a currency account names its currency"))
        }
        self.init(accountID: row.accountID, currency: currency, availableBalance: row.availableBalance,
                  lockedBalance: row.lockedBalance, totalBalance: row.totalBalance, status: row.status)
    }

    public func encode(to encoder: any Encoder) throws {
        try TradingAccount(accountID: accountID, currency: currency, availableBalance: availableBalance, lockedBalance: lockedBalance,
                           totalBalance: totalBalance, status: status).encode(to: encoder)
    }
}

/// A consumption account: units locked for inference, per instrument.
///
/// The deployed API sends `uncommitted_balance` (a number); the docs show `available_balance`.
/// Both are accepted; `available` is whichever is present.
@MemberwiseInit @WireCodable
public struct ConsumptionAccount: Codable, Sendable, Equatable {
    @WireKey("account_id", "id") public var accountID: String
    public var instrumentID: String
    public var instrumentSymbol: String? = nil
    /// Usable units (`uncommitted_balance` or `available_balance`).
    @Units @WireKey("uncommitted_balance", "available_balance") public var available: Decimal
    @Units @EncodeNil public var committedBalance: Decimal? = nil
    @Units @EncodeNil public var totalBalance: Decimal? = nil
    public var status: String? = "active"
}
