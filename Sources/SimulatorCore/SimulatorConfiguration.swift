import Foundation
import GridKeeperCore

/// The starting state and switches of a simulated exchange.
public struct SimulatorConfiguration: Sendable {
    /// `advanced` accepts orders; `easy` (Auto Mode) refuses them with 403.
    public var accountMode: String
    /// Filled buys go straight to the consumption account when on.
    public var autoTransfer: Bool
    /// USD credit at start.
    public var startingUSD: Decimal
    /// Units per instrument in the trading account at start.
    public var startingInventory: [String: Int]
    /// Units per instrument in the consumption account at start (one lot each).
    public var startingConsumption: [String: Int]
    /// Send quantities as JSON strings instead of numbers (clients must accept both).
    public var quantitiesAsStrings: Bool
    public var instruments: [InstrumentCatalog.Entry]
    /// Price levels the liquidity providers quote on each side.
    public var bookDepth: Int
    /// Units per liquidity-provider level.
    public var levelQuantity: Int
    /// USD per unit between price levels.
    public var tickSize: Decimal
    /// Accepted distance between request timestamps and server time, seconds.
    public var signatureWindowSeconds: Int64
    /// Largest request body accepted, bytes.
    public var maxBodyBytes: Int
    /// How the market moves; `nil` keeps the liquidity providers' book fixed.
    public var market: MarketModel?
    /// Consumption burn per instrument symbol; instruments not listed do not burn.
    public var burn: [String: BurnProfile]
    /// Seed for consumption bursts when `market` is `nil`.
    public var seed: UInt64
    /// Signed requests allowed per key per minute, enforced by `SimulatorServer`'s rate limiter; `nil` for no limit.
    public var rateLimitPerMinute: Int?

    public init(
        accountMode: String = "advanced",
        autoTransfer: Bool = false,
        startingUSD: Decimal = 1000,
        startingInventory: [String: Int] = [:],
        startingConsumption: [String: Int] = [:],
        quantitiesAsStrings: Bool = false,
        instruments: [InstrumentCatalog.Entry] = InstrumentCatalog.all,
        bookDepth: Int = 10,
        levelQuantity: Int = 50,
        tickSize: Decimal = Decimal(string: "0.01")!,
        signatureWindowSeconds: Int64 = 30,
        maxBodyBytes: Int = 64 * 1024,
        market: MarketModel? = nil,
        burn: [String: BurnProfile] = [:],
        seed: UInt64 = 1,
        rateLimitPerMinute: Int? = nil
    ) {
        self.market = market
        self.burn = burn
        self.seed = seed
        self.rateLimitPerMinute = rateLimitPerMinute
        self.accountMode = accountMode
        self.autoTransfer = autoTransfer
        self.startingUSD = startingUSD
        self.startingInventory = startingInventory
        self.startingConsumption = startingConsumption
        self.quantitiesAsStrings = quantitiesAsStrings
        self.instruments = instruments
        self.bookDepth = bookDepth
        self.levelQuantity = levelQuantity
        self.tickSize = tickSize
        self.signatureWindowSeconds = signatureWindowSeconds
        self.maxBodyBytes = maxBodyBytes
    }
}
