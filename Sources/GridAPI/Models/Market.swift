import Foundation

/// An instrument: a standardised inference contract such as `text-prime`.
public struct Instrument: Codable, Sendable, Equatable {
    public var instrumentID: String
    public var symbol: String
    public var name: String?
    public var instrumentType: String?
    public var precision: Int?
    public var isActive: Bool?

    public init(instrumentID: String, symbol: String, name: String? = nil, instrumentType: String? = "ai_commodity",
                precision: Int? = 0, isActive: Bool? = true) {
        self.instrumentID = instrumentID
        self.symbol = symbol
        self.name = name
        self.instrumentType = instrumentType
        self.precision = precision
        self.isActive = isActive
    }

    enum CodingKeys: String, CodingKey {
        case instrumentID = "instrument_id", id, symbol, name, instrumentType = "instrument_type", precision
        case isActive = "is_active"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        instrumentID = try c.decode(String.self, forKeys: [.instrumentID, .id])
        symbol = try c.decode(String.self, forKey: .symbol)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        instrumentType = try c.decodeIfPresent(String.self, forKey: .instrumentType)
        precision = try c.decodeIfPresent(Int.self, forKey: .precision)
        isActive = try c.decodeIfPresent(Bool.self, forKey: .isActive)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(instrumentID, forKey: .instrumentID)
        try c.encode(symbol, forKey: .symbol)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(instrumentType, forKey: .instrumentType)
        try c.encodeIfPresent(precision, forKey: .precision)
        try c.encodeIfPresent(isActive, forKey: .isActive)
    }
}

/// Order sizing rules of a market. The API's nesting is undocumented: they are read from
/// `order_controls`, `controls` or flat on the market.
public struct OrderControls: Codable, Sendable, Equatable {
    public var tickSize: Decimal?
    public var lotSize: Decimal?
    public var minOrderSize: Decimal?
    public var maxOrderSize: Decimal?

    public init(tickSize: Decimal? = nil, lotSize: Decimal? = nil, minOrderSize: Decimal? = nil, maxOrderSize: Decimal? = nil) {
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minOrderSize = minOrderSize
        self.maxOrderSize = maxOrderSize
    }

    enum CodingKeys: String, CodingKey {
        case tickSize = "tick_size", lotSize = "lot_size", minOrderSize = "min_order_size", maxOrderSize = "max_order_size"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tickSize = try c.decodeDecimalIfPresent(forKey: .tickSize)
        lotSize = try c.decodeDecimalIfPresent(forKey: .lotSize)
        minOrderSize = try c.decodeDecimalIfPresent(forKey: .minOrderSize)
        maxOrderSize = try c.decodeDecimalIfPresent(forKey: .maxOrderSize)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let tickSize { try c.encodeDecimalString(tickSize, forKey: .tickSize) }
        if let lotSize { try c.encodeDecimalNumber(lotSize, forKey: .lotSize, in: encoder) }
        if let minOrderSize { try c.encodeDecimalNumber(minOrderSize, forKey: .minOrderSize, in: encoder) }
        if let maxOrderSize { try c.encodeDecimalNumber(maxOrderSize, forKey: .maxOrderSize, in: encoder) }
    }

    /// True when nothing was found.
    public var isEmpty: Bool { tickSize == nil && lotSize == nil && minOrderSize == nil && maxOrderSize == nil }
}

/// A spot market: one instrument quoted in USD.
public struct Market: Codable, Sendable, Equatable {
    public var marketID: String
    public var name: String?
    public var marketType: String?
    public var status: String?
    public var associatedInstruments: [String]
    public var instruments: [Instrument]
    /// Sizing rules; `nil` when the market does not publish them.
    public var orderControls: OrderControls?

    public init(marketID: String, name: String? = nil, marketType: String? = "spot", status: String? = "active",
                associatedInstruments: [String] = [], instruments: [Instrument] = [], orderControls: OrderControls? = nil) {
        self.marketID = marketID
        self.name = name
        self.marketType = marketType
        self.status = status
        self.associatedInstruments = associatedInstruments
        self.instruments = instruments
        self.orderControls = orderControls
    }

    enum CodingKeys: String, CodingKey {
        case marketID = "market_id", id, name, marketType = "market_type", status
        case associatedInstruments = "associated_instruments", allowedInstruments = "allowed_instruments", instruments
        case orderControls = "order_controls", controls
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        marketID = try c.decode(String.self, forKeys: [.marketID, .id])
        name = try c.decodeIfPresent(String.self, forKey: .name)
        marketType = try c.decodeIfPresent(String.self, forKey: .marketType)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        associatedInstruments = try c.decodeIfPresent([String].self, forKeys: [.associatedInstruments, .allowedInstruments]) ?? []
        instruments = try c.decodeIfPresent([Instrument].self, forKey: .instruments) ?? []
        if let nested = try c.decodeIfPresent(OrderControls.self, forKeys: [.orderControls, .controls]) {
            orderControls = nested
        } else {
            let flat = try OrderControls(from: decoder)
            orderControls = flat.isEmpty ? nil : flat
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(marketID, forKey: .marketID)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(marketType, forKey: .marketType)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encode(associatedInstruments, forKey: .associatedInstruments)
        try c.encode(instruments, forKey: .instruments)
        try c.encodeIfPresent(orderControls, forKey: .orderControls)
    }

    /// The instrument symbol this market trades, when the market lists it.
    public var symbol: String? { instruments.first?.symbol }
}

/// `GET /v1/markets/{id}/ticker`.
public struct Ticker: Codable, Sendable, Equatable {
    public var marketID: String?
    public var symbol: String?
    public var lastPrice: Decimal?
    public var lastTradeQuantity: Decimal?
    public var highestBid: Decimal?
    public var lowestAsk: Decimal?
    public var volume24h: Decimal?
    public var timestamp: String?

    public init(marketID: String?, symbol: String?, lastPrice: Decimal?, lastTradeQuantity: Decimal? = nil,
                highestBid: Decimal?, lowestAsk: Decimal?, volume24h: Decimal? = nil, timestamp: String? = nil) {
        self.marketID = marketID
        self.symbol = symbol
        self.lastPrice = lastPrice
        self.lastTradeQuantity = lastTradeQuantity
        self.highestBid = highestBid
        self.lowestAsk = lowestAsk
        self.volume24h = volume24h
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case marketID = "market_id", symbol, lastPrice = "last_price", lastTradeQuantity = "last_trade_quantity"
        case highestBid = "highest_bid", bid, lowestAsk = "lowest_ask", ask, volume24h = "volume_24h", timestamp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        marketID = try c.decodeIfPresent(String.self, forKey: .marketID)
        symbol = try c.decodeIfPresent(String.self, forKey: .symbol)
        lastPrice = try c.decodeDecimalIfPresent(forKey: .lastPrice)
        lastTradeQuantity = try c.decodeDecimalIfPresent(forKey: .lastTradeQuantity)
        highestBid = try c.decodeDecimalIfPresent(forKeys: [.highestBid, .bid])
        lowestAsk = try c.decodeDecimalIfPresent(forKeys: [.lowestAsk, .ask])
        volume24h = try c.decodeDecimalIfPresent(forKey: .volume24h)
        timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(marketID, forKey: .marketID)
        try c.encodeIfPresent(symbol, forKey: .symbol)
        try c.encodeDecimalString(lastPrice, forKey: .lastPrice)
        try c.encodeDecimalNumber(lastTradeQuantity, forKey: .lastTradeQuantity, in: encoder)
        try c.encodeDecimalString(highestBid, forKey: .highestBid)
        try c.encodeDecimalString(lowestAsk, forKey: .lowestAsk)
        try c.encodeDecimalNumber(volume24h, forKey: .volume24h, in: encoder)
        try c.encodeIfPresent(timestamp, forKey: .timestamp)
    }
}

/// One price level of an order book.
public struct BookLevel: Codable, Sendable, Equatable {
    public var price: Decimal
    public var quantity: Decimal
    public var orderCount: Int?

    public init(price: Decimal, quantity: Decimal, orderCount: Int? = nil) {
        self.price = price
        self.quantity = quantity
        self.orderCount = orderCount
    }

    enum CodingKeys: String, CodingKey {
        case price, quantity, size, orderCount = "order_count"
    }

    public init(from decoder: any Decoder) throws {
        // Old docs show levels as `["price", "quantity"]` tuples.
        if var tuple = try? decoder.unkeyedContainer() {
            price = try Self.decimal(from: &tuple, what: "price")
            quantity = try Self.decimal(from: &tuple, what: "quantity")
            orderCount = nil
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        price = try c.decodeDecimal(forKey: .price)
        quantity = try c.decodeDecimal(forKeys: [.quantity, .size])
        orderCount = try c.decodeIfPresent(Int.self, forKey: .orderCount)
    }

    private static func decimal(from container: inout any UnkeyedDecodingContainer, what: String) throws -> Decimal {
        if let text = try? container.decode(String.self) {
            guard let value = StrictDecimal.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(what): expected a decimal, got \"\(text.prefix(40))\"")
            }
            return value
        }
        return try container.decode(Decimal.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeDecimalString(price, forKey: .price)
        try c.encodeDecimalNumber(quantity, forKey: .quantity, in: encoder)
        try c.encodeIfPresent(orderCount, forKey: .orderCount)
    }
}

/// `GET /v1/markets/{id}/orderbook`: bids best (highest) first, asks best (lowest) first.
/// Accepts `buy`/`sell` (the exchange's keys) or `bids`/`asks`.
public struct OrderBook: Codable, Sendable, Equatable {
    public var marketID: String?
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var timestamp: String?

    public init(marketID: String?, bids: [BookLevel], asks: [BookLevel], timestamp: String? = nil) {
        self.marketID = marketID
        self.bids = bids
        self.asks = asks
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case marketID = "market_id", buy, bids, sell, asks, timestamp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        marketID = try c.decodeIfPresent(String.self, forKey: .marketID)
        bids = try c.decodeIfPresent([BookLevel].self, forKeys: [.buy, .bids]) ?? []
        asks = try c.decodeIfPresent([BookLevel].self, forKeys: [.sell, .asks]) ?? []
        timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp)
        guard c.contains(.buy) || c.contains(.bids) || c.contains(.sell) || c.contains(.asks) else {
            throw DecodingError.keyNotFound(
                CodingKeys.buy, .init(codingPath: c.codingPath, debugDescription: "missing buy/bids and sell/asks"))
        }
        bids.sort { $0.price > $1.price }
        asks.sort { $0.price < $1.price }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(marketID, forKey: .marketID)
        try c.encode(bids, forKey: .buy)
        try c.encode(asks, forKey: .sell)
        try c.encodeIfPresent(timestamp, forKey: .timestamp)
    }

    public var bestBid: BookLevel? { bids.first }
    public var bestAsk: BookLevel? { asks.first }
}

/// A trade printed on a market's public tape.
public struct PublicTrade: Codable, Sendable, Equatable {
    public var tradeID: String
    public var marketID: String?
    public var price: Decimal
    public var quantity: Decimal
    public var side: String?
    public var executionTimestamp: String?

    public init(tradeID: String, marketID: String?, price: Decimal, quantity: Decimal, side: String?, executionTimestamp: String?) {
        self.tradeID = tradeID
        self.marketID = marketID
        self.price = price
        self.quantity = quantity
        self.side = side
        self.executionTimestamp = executionTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case tradeID = "trade_id", id, marketID = "market_id", price, quantity, side
        case executionTimestamp = "execution_timestamp"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tradeID = try c.decode(String.self, forKeys: [.tradeID, .id])
        marketID = try c.decodeIfPresent(String.self, forKey: .marketID)
        price = try c.decodeDecimal(forKey: .price)
        quantity = try c.decodeDecimal(forKey: .quantity)
        side = try c.decodeIfPresent(String.self, forKey: .side)
        executionTimestamp = try c.decodeIfPresent(String.self, forKey: .executionTimestamp)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tradeID, forKey: .tradeID)
        try c.encodeIfPresent(marketID, forKey: .marketID)
        try c.encodeDecimalString(price, forKey: .price)
        try c.encodeDecimalNumber(quantity, forKey: .quantity, in: encoder)
        try c.encodeIfPresent(side, forKey: .side)
        try c.encodeIfPresent(executionTimestamp, forKey: .executionTimestamp)
    }
}
