import Foundation
import GridKeeperMacros

/// An instrument: a standardised inference contract such as `text-prime`.
@MemberwiseInit @WireCodable
public struct Instrument: Codable, Sendable, Equatable {
    @WireKey("instrument_id", "id") public var instrumentID: String
    public var symbol: String
    public var name: String? = nil
    public var instrumentType: String? = "ai_commodity"
    public var precision: Int? = 0
    public var isActive: Bool? = true
}

/// Order sizing rules of a market. The API's nesting is undocumented: they are read from
/// `order_controls`, `controls` or flat on the market.
@MemberwiseInit @WireCodable
public struct OrderControls: Codable, Sendable, Equatable {
    public var tickSize: Decimal? = nil
    @Units public var lotSize: Decimal? = nil
    @Units public var minOrderSize: Decimal? = nil
    @Units public var maxOrderSize: Decimal? = nil

    /// True when nothing was found.
    public var isEmpty: Bool { tickSize == nil && lotSize == nil && minOrderSize == nil && maxOrderSize == nil }
}

/// A spot market: one instrument quoted in USD.
@MemberwiseInit @WireCodable
public struct Market: Codable, Sendable, Equatable {
    public var marketID: String
    public var name: String? = nil
    public var marketType: String? = "spot"
    public var status: String? = "active"
    public var associatedInstruments: [String] = []
    public var instruments: [Instrument] = []
    /// Sizing rules; `nil` when the market does not publish them.
    public var orderControls: OrderControls? = nil

    /// Reads the documented keys and their aliases; order controls nested under
    /// `order_controls` or `controls`, or flat on the market.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireCodingKey.self)
        marketID = try c.decode(String.self, forKeys: ["market_id", "id"])
        name = try c.decodeIfPresent(String.self, forKey: "name")
        marketType = try c.decodeIfPresent(String.self, forKey: "market_type")
        status = try c.decodeIfPresent(String.self, forKey: "status")
        associatedInstruments = try c.decodeIfPresent([String].self, forKeys: ["associated_instruments", "allowed_instruments"]) ?? []
        instruments = try c.decodeIfPresent([Instrument].self, forKey: "instruments") ?? []
        if let nested = try c.decodeIfPresent(OrderControls.self, forKeys: ["order_controls", "controls"]) {
            orderControls = nested
        } else {
            let flat = try OrderControls(from: decoder)
            orderControls = flat.isEmpty ? nil : flat
        }
    }

    /// The instrument symbol this market trades, when the market lists it.
    public var symbol: String? { instruments.first?.symbol }
}

/// `GET /v1/markets/{id}/ticker`.
@MemberwiseInit @WireCodable
public struct Ticker: Codable, Sendable, Equatable {
    public var marketID: String?
    public var symbol: String?
    @EncodeNil public var lastPrice: Decimal?
    @EncodeNil @Units public var lastTradeQuantity: Decimal? = nil
    @EncodeNil @WireKey("highest_bid", "bid") public var highestBid: Decimal?
    @EncodeNil @WireKey("lowest_ask", "ask") public var lowestAsk: Decimal?
    @EncodeNil @Units public var volume24h: Decimal? = nil
    public var timestamp: String? = nil
}

/// One price level of an order book.
@MemberwiseInit @WireCodable
public struct BookLevel: Codable, Sendable, Equatable {
    public var price: Decimal
    @Units public var quantity: Decimal
    public var orderCount: Int? = nil

    public init(from decoder: any Decoder) throws {
        // Old docs show levels as `["price", "quantity"]` tuples.
        if var tuple = try? decoder.unkeyedContainer() {
            price = try Self.decimal(from: &tuple, what: "price")
            quantity = try Self.decimal(from: &tuple, what: "quantity")
            orderCount = nil
            return
        }
        let c = try decoder.container(keyedBy: WireCodingKey.self)
        price = try c.decodeDecimal(forKey: "price")
        quantity = try c.decodeDecimal(forKeys: ["quantity", "size"])
        orderCount = try c.decodeIfPresent(Int.self, forKey: "order_count")
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
}

/// `GET /v1/markets/{id}/orderbook`: bids best (highest) first, asks best (lowest) first.
/// Accepts `buy`/`sell` (the exchange's keys) or `bids`/`asks`.
@MemberwiseInit @WireCodable
public struct OrderBook: Codable, Sendable, Equatable {
    public var marketID: String?
    @WireKey("buy") public var bids: [BookLevel]
    @WireKey("sell") public var asks: [BookLevel]
    public var timestamp: String? = nil

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireCodingKey.self)
        marketID = try c.decodeIfPresent(String.self, forKey: "market_id")
        bids = try c.decodeIfPresent([BookLevel].self, forKeys: ["buy", "bids"]) ?? []
        asks = try c.decodeIfPresent([BookLevel].self, forKeys: ["sell", "asks"]) ?? []
        timestamp = try c.decodeIfPresent(String.self, forKey: "timestamp")
        guard ["buy", "bids", "sell", "asks"].contains(where: c.contains) else {
            throw DecodingError.keyNotFound(
                WireCodingKey(stringValue: "buy"), .init(codingPath: c.codingPath, debugDescription: "missing buy/bids and sell/asks"))
        }
        bids.sort { $0.price > $1.price }
        asks.sort { $0.price < $1.price }
    }

    public var bestBid: BookLevel? { bids.first }
    public var bestAsk: BookLevel? { asks.first }
}

/// A trade printed on a market's public tape.
@MemberwiseInit @WireCodable
public struct PublicTrade: Codable, Sendable, Equatable {
    @WireKey("trade_id", "id") public var tradeID: String
    public var marketID: String?
    public var price: Decimal
    @Units public var quantity: Decimal
    public var side: String?
    public var executionTimestamp: String?
}
