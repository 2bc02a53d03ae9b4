import Foundation

/// `GET /v1/health` (public).
public struct Health: Codable, Sendable, Equatable {
    public var status: String
    public var service: String?
    public init(status: String, service: String? = nil) {
        self.status = status
        self.service = service
    }
}

/// `GET /v1/me`.
public struct Me: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String?
    /// `easy` (Auto Mode: orders are refused) or `advanced`.
    public var accountMode: String?
    public var capabilities: [String]?

    public init(userID: String, email: String? = nil, accountMode: String? = nil, capabilities: [String]? = nil) {
        self.userID = userID
        self.email = email
        self.accountMode = accountMode
        self.capabilities = capabilities
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", email, accountMode = "account_mode", capabilities
    }

    /// Orders can be placed only in Advanced mode.
    public var canTrade: Bool { accountMode?.lowercased() == "advanced" }
}

/// `GET /v1/account/limits`.
public struct AccountLimits: Codable, Sendable, Equatable {
    public struct OrderRateLimits: Codable, Sendable, Equatable {
        public var scope: String?
        public var maxOrdersPerSecond: Int?
        public var maxOrdersPerMinute: Int?
        public var burstCapacity: Int?
        public var windowSeconds: Int?

        public init(scope: String?, maxOrdersPerSecond: Int?, maxOrdersPerMinute: Int?, burstCapacity: Int?, windowSeconds: Int?) {
            self.scope = scope
            self.maxOrdersPerSecond = maxOrdersPerSecond
            self.maxOrdersPerMinute = maxOrdersPerMinute
            self.burstCapacity = burstCapacity
            self.windowSeconds = windowSeconds
        }

        enum CodingKeys: String, CodingKey {
            case scope, maxOrdersPerSecond = "max_orders_per_second", maxOrdersPerMinute = "max_orders_per_minute"
            case burstCapacity = "burst_capacity", windowSeconds = "window_seconds"
        }
    }

    public var marketID: String?
    public var orderRateLimits: OrderRateLimits?

    public init(marketID: String?, orderRateLimits: OrderRateLimits?) {
        self.marketID = marketID
        self.orderRateLimits = orderRateLimits
    }

    enum CodingKeys: String, CodingKey {
        case marketID = "market_id", orderRateLimits = "order_rate_limits"
    }
}

/// A trading account row: the USD row (with `currency`) or one instrument's units.
public struct TradingAccount: Codable, Sendable, Equatable {
    public var accountID: String
    public var instrumentID: String?
    public var instrumentSymbol: String?
    public var marketID: String?
    public var currency: String?
    public var availableBalance: Decimal
    public var lockedBalance: Decimal?
    public var totalBalance: Decimal?
    public var status: String?

    public init(
        accountID: String, instrumentID: String? = nil, instrumentSymbol: String? = nil, marketID: String? = nil,
        currency: String? = nil, availableBalance: Decimal, lockedBalance: Decimal? = nil, totalBalance: Decimal? = nil,
        status: String? = "active"
    ) {
        self.accountID = accountID
        self.instrumentID = instrumentID
        self.instrumentSymbol = instrumentSymbol
        self.marketID = marketID
        self.currency = currency
        self.availableBalance = availableBalance
        self.lockedBalance = lockedBalance
        self.totalBalance = totalBalance
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id", id, instrumentID = "instrument_id", instrumentSymbol = "instrument_symbol"
        case marketID = "market_id", currency, availableBalance = "available_balance", lockedBalance = "locked_balance"
        case totalBalance = "total_balance", status
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accountID = try c.decode(String.self, forKeys: [.accountID, .id])
        instrumentID = try c.decodeIfPresent(String.self, forKey: .instrumentID)
        instrumentSymbol = try c.decodeIfPresent(String.self, forKey: .instrumentSymbol)
        marketID = try c.decodeIfPresent(String.self, forKey: .marketID)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        availableBalance = try c.decodeDecimal(forKey: .availableBalance)
        lockedBalance = try c.decodeDecimalIfPresent(forKey: .lockedBalance)
        totalBalance = try c.decodeDecimalIfPresent(forKey: .totalBalance)
        status = try c.decodeIfPresent(String.self, forKey: .status)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accountID, forKey: .accountID)
        try c.encodeIfPresent(instrumentID, forKey: .instrumentID)
        try c.encodeIfPresent(instrumentSymbol, forKey: .instrumentSymbol)
        try c.encodeIfPresent(marketID, forKey: .marketID)
        try c.encodeIfPresent(currency, forKey: .currency)
        if currency != nil {
            try c.encodeDecimalString(availableBalance, forKey: .availableBalance)
            try c.encodeDecimalString(lockedBalance, forKey: .lockedBalance)
            try c.encodeDecimalString(totalBalance, forKey: .totalBalance)
        } else {
            try c.encodeDecimalNumber(availableBalance, forKey: .availableBalance, in: encoder)
            try c.encodeDecimalNumber(lockedBalance, forKey: .lockedBalance, in: encoder)
            try c.encodeDecimalNumber(totalBalance, forKey: .totalBalance, in: encoder)
        }
        try c.encodeIfPresent(status, forKey: .status)
    }
}

/// A USD (currency) trading account: the credit used to buy units.
public struct CurrencyAccount: Codable, Sendable, Equatable {
    public var accountID: String
    public var currency: String
    public var availableBalance: Decimal
    public var lockedBalance: Decimal?
    public var totalBalance: Decimal?
    public var status: String?

    public init(accountID: String, currency: String = "usd", availableBalance: Decimal, lockedBalance: Decimal? = nil,
                totalBalance: Decimal? = nil, status: String? = "active") {
        self.accountID = accountID
        self.currency = currency
        self.availableBalance = availableBalance
        self.lockedBalance = lockedBalance
        self.totalBalance = totalBalance
        self.status = status
    }

    /// Read as a trading-account row that must carry a currency: the same fields, keys and
    /// number forms (balances as strings).
    public init(from decoder: any Decoder) throws {
        let row = try TradingAccount(from: decoder)
        guard let currency = row.currency else {
            throw DecodingError.keyNotFound(TradingAccount.CodingKeys.currency,
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
public struct ConsumptionAccount: Codable, Sendable, Equatable {
    public var accountID: String
    public var instrumentID: String
    public var instrumentSymbol: String?
    /// Usable units (`uncommitted_balance` or `available_balance`).
    public var available: Decimal
    public var committedBalance: Decimal?
    public var totalBalance: Decimal?
    public var status: String?

    public init(accountID: String, instrumentID: String, instrumentSymbol: String? = nil, available: Decimal,
                committedBalance: Decimal? = nil, totalBalance: Decimal? = nil, status: String? = "active") {
        self.accountID = accountID
        self.instrumentID = instrumentID
        self.instrumentSymbol = instrumentSymbol
        self.available = available
        self.committedBalance = committedBalance
        self.totalBalance = totalBalance
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id", id, instrumentID = "instrument_id", instrumentSymbol = "instrument_symbol"
        case uncommittedBalance = "uncommitted_balance", availableBalance = "available_balance"
        case committedBalance = "committed_balance", totalBalance = "total_balance", status
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accountID = try c.decode(String.self, forKeys: [.accountID, .id])
        instrumentID = try c.decode(String.self, forKey: .instrumentID)
        instrumentSymbol = try c.decodeIfPresent(String.self, forKey: .instrumentSymbol)
        available = try c.decodeDecimal(forKeys: [.uncommittedBalance, .availableBalance])
        committedBalance = try c.decodeDecimalIfPresent(forKey: .committedBalance)
        totalBalance = try c.decodeDecimalIfPresent(forKey: .totalBalance)
        status = try c.decodeIfPresent(String.self, forKey: .status)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accountID, forKey: .accountID)
        try c.encode(instrumentID, forKey: .instrumentID)
        try c.encodeIfPresent(instrumentSymbol, forKey: .instrumentSymbol)
        try c.encodeDecimalNumber(available, forKey: .uncommittedBalance, in: encoder)
        try c.encodeDecimalNumber(committedBalance, forKey: .committedBalance, in: encoder)
        try c.encodeDecimalNumber(totalBalance, forKey: .totalBalance, in: encoder)
        try c.encodeIfPresent(status, forKey: .status)
    }
}
