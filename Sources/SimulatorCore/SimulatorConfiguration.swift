import Foundation
import GridKeeperCore
import GridKeeperMacros

/// The starting state and switches of a simulated exchange.
@MemberwiseInit
public struct SimulatorConfiguration: Sendable {
    /// `advanced` accepts orders; `easy` (Auto Mode) refuses them with 403.
    public var accountMode: String = "advanced"
    /// Filled buys go straight to the consumption account when on.
    public var autoTransfer: Bool = false
    /// USD credit at start.
    public var startingUSD: Decimal = 1000
    /// Units per instrument in the trading account at start.
    public var startingInventory: [String: Int] = [:]
    /// Units per instrument in the consumption account at start (one lot each).
    public var startingConsumption: [String: Int] = [:]
    /// Send quantities as JSON strings instead of numbers (clients must accept both).
    public var quantitiesAsStrings: Bool = false
    public var instruments: [InstrumentCatalog.Entry] = InstrumentCatalog.all
    /// Price levels the liquidity providers quote on each side.
    public var bookDepth: Int = 10
    /// Units per liquidity-provider level.
    public var levelQuantity: Int = 50
    /// USD per unit between price levels.
    public var tickSize: Decimal = MarketRules.standardTick
    /// Accepted distance between request timestamps and server time, seconds.
    public var signatureWindowSeconds: Int64 = 30
    /// Largest request body accepted, bytes.
    public var maxBodyBytes: Int = 64 * 1024
    /// How the market moves; `nil` keeps the liquidity providers' book fixed.
    public var market: MarketModel? = nil
    /// Consumption burn per instrument symbol; instruments not listed do not burn.
    public var burn: [String: BurnProfile] = [:]
    /// Seed for consumption bursts when `market` is `nil`.
    public var seed: UInt64 = 1
    /// Signed requests allowed per key per minute, enforced by `SimulatorServer`'s rate limiter; `nil` for no limit.
    public var rateLimitPerMinute: Int? = nil
}
