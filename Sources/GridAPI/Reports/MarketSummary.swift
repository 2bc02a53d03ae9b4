import Foundation

/// One instrument's market at a glance: ticker, top of book and order controls.
public struct MarketSummary: Codable, Sendable {
    public var symbol: String
    public var instrumentID: String
    public var marketID: String
    public var lastPrice: Decimal?
    public var bestBid: Decimal?
    public var bestAsk: Decimal?
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var orderControls: OrderControls?

    enum CodingKeys: String, CodingKey {
        case symbol, instrumentID = "instrument_id", marketID = "market_id", lastPrice = "last_price", bestBid = "best_bid"
        case bestAsk = "best_ask", spread, bids, asks, orderControls = "order_controls"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .symbol)
        instrumentID = try c.decode(String.self, forKey: .instrumentID)
        marketID = try c.decode(String.self, forKey: .marketID)
        lastPrice = try c.decodeDecimalIfPresent(forKey: .lastPrice)
        bestBid = try c.decodeDecimalIfPresent(forKey: .bestBid)
        bestAsk = try c.decodeDecimalIfPresent(forKey: .bestAsk)
        bids = try c.decode([BookLevel].self, forKey: .bids)
        asks = try c.decode([BookLevel].self, forKey: .asks)
        orderControls = try c.decodeIfPresent(OrderControls.self, forKey: .orderControls)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(instrumentID, forKey: .instrumentID)
        try c.encode(marketID, forKey: .marketID)
        try c.encodeDecimalString(lastPrice, forKey: .lastPrice)
        try c.encodeDecimalString(bestBid, forKey: .bestBid)
        try c.encodeDecimalString(bestAsk, forKey: .bestAsk)
        try c.encodeDecimalString(spread, forKey: .spread)
        try c.encode(bids, forKey: .bids)
        try c.encode(asks, forKey: .asks)
        try c.encodeIfPresent(orderControls, forKey: .orderControls)
    }

    init(symbol: String, instrumentID: String, marketID: String, ticker: Ticker, book: OrderBook, orderControls: OrderControls?) {
        self.symbol = symbol
        self.instrumentID = instrumentID
        self.marketID = marketID
        self.lastPrice = ticker.lastPrice
        self.bestBid = book.bestBid?.price ?? ticker.highestBid
        self.bestAsk = book.bestAsk?.price ?? ticker.lowestAsk
        self.bids = book.bids
        self.asks = book.asks
        self.orderControls = orderControls
    }

    /// Best ask minus best bid, when both exist.
    public var spread: Decimal? {
        guard let bestBid, let bestAsk else { return nil }
        return bestAsk - bestBid
    }

    /// Looks an instrument up by symbol and reads its market's ticker and book.
    /// - Throws: `GridAPIError.rejected` (404) when no market trades the symbol.
    public static func fetch(symbol: String, depth: Int = 5, from client: GridClient) async throws(GridAPIError) -> MarketSummary {
        let instrument = try await client.instrument(symbol: symbol)
        guard let market = try await client.market(forInstrument: instrument.instrumentID) else {
            throw .rejected(endpoint: "GET /markets", status: 404, detail: "no market trades \(symbol)")
        }
        let ticker = try await client.ticker(marketID: market.marketID)
        let book = try await client.orderBook(marketID: market.marketID, depth: depth)
        return MarketSummary(symbol: instrument.symbol, instrumentID: instrument.instrumentID, marketID: market.marketID,
                             ticker: ticker, book: book, orderControls: market.orderControls)
    }
}
