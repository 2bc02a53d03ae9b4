import Foundation
import GridKeeperMacros

/// One instrument's market at a glance: ticker, top of book and order controls.
@WireCodable
public struct MarketSummary: Codable, Sendable {
    public var symbol: String
    public var instrumentID: String
    public var marketID: String
    @EncodeNil public var lastPrice: Decimal?
    @EncodeNil public var bestBid: Decimal?
    @EncodeNil public var bestAsk: Decimal?
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var orderControls: OrderControls?

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
    @EncodeNil public var spread: Decimal? {
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
