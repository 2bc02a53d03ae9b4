import Foundation
import GridKeeperMacros

/// Everything a strategy may look at in one cycle: balances, the book, spend so far, and
/// recorded history up to `asOf`. Pure data; the engine fills it, tests build it by hand.
public struct MarketSnapshot: Sendable, Equatable {
    /// A level of the book in whole units.
    public typealias Level = DepthLevel<Decimal, Int>

    /// A recorded market observation. Prices in micro-dollars (integers keep long windows fast).
    public struct MarketPoint: Sendable, Equatable {
        public var time: Date
        public var bidMicros: Int64? {
            get { bid == Self.none ? nil : bid }
            set { bid = newValue ?? Self.none }
        }
        public var askMicros: Int64? {
            get { ask == Self.none ? nil : ask }
            set { ask = newValue ?? Self.none }
        }
        public var lastMicros: Int64? {
            get { last == Self.none ? nil : last }
            set { last = newValue ?? Self.none }
        }
        // Stored without optionals' tag bytes (32 bytes a point instead of 56: a day of minutes
        // is scanned every cycle); no price is Int64.min micro-dollars.
        private var bid, ask, last: Int64
        private static let none = Int64.min

        public init(time: Date, bidMicros: Int64?, askMicros: Int64?, lastMicros: Int64?) {
            self.time = time
            bid = bidMicros ?? Self.none
            ask = askMicros ?? Self.none
            last = lastMicros ?? Self.none
        }
    }

    /// A recorded balance observation.
    @MemberwiseInit
    public struct BalancePoint: Sendable, Equatable {
        public var time: Date
        public var consumption: Int
        public var inventory: Int
    }

    /// The lots the engine moved into consumption, each as the time it expires (four hours after
    /// it arrived) and its units. Past ones left the account by expiring, not by being used, so
    /// they are not burn; future ones are still held and bound the runway.
    @MemberwiseInit
    public struct Expiry: Sendable, Equatable {
        public var time: Date
        public var units: Int
    }

    public var asOf: Date
    public var instrument: String
    /// Usable units in the consumption account.
    public var consumption: Int
    /// Available units in the trading account.
    public var inventory: Int
    /// USD available to spend on the exchange.
    public var usdAvailable: Decimal
    /// Spend so far today and this month, reservations included (from the ledger).
    public var spentToday: Decimal
    public var spentMonth: Decimal
    /// Best first.
    public var bids: [Level]
    /// Best first.
    public var asks: [Level]
    public var last: Decimal?
    /// USD per unit between prices.
    public var tick: Decimal
    /// Units per lot and minimum order size, from the market's order controls.
    public var lotSize: Int
    public var minOrderSize: Int
    /// Open buy orders of this instrument on the exchange.
    public var openBuyOrders: Int
    /// Units still to be bought by this instrument's open buy orders (their unfilled quantity).
    public var unitsOnOrder: Int
    /// The fee per unit of notional the exchange charges on a fill (0 when not known).
    public var feeRate: Decimal = 0
    /// The kill switch.
    public var paused: Bool
    /// Oldest first; entries after `asOf` are ignored. A slice, so that a ledger can hand out
    /// a window of what it holds without copying it.
    public var marketHistory: ArraySlice<MarketPoint>
    /// Oldest first; entries after `asOf` are ignored.
    public var balanceHistory: ArraySlice<BalancePoint>
    public var expiries: [Expiry]
    /// The budget every strategy shares (the config file's), when one is set.
    public var shared: SharedBudget?

    /// Caps over all instruments together, with what all of them have spent.
    @MemberwiseInit
    public struct SharedBudget: Sendable, Equatable {
        public var daily: Decimal?
        public var monthly: Decimal?
        /// Spend of every instrument, reservations included.
        public var spentToday: Decimal
        public var spentMonth: Decimal
    }

    public init(asOf: Date, instrument: String, consumption: Int, inventory: Int, usdAvailable: Decimal, spentToday: Decimal = 0,
                spentMonth: Decimal = 0, bids: [Level], asks: [Level], last: Decimal? = nil, tick: Decimal = MarketRules.standardTick,
                lotSize: Int = 1, minOrderSize: Int = 1, openBuyOrders: Int = 0, unitsOnOrder: Int = 0, paused: Bool = false,
                marketHistory: ArraySlice<MarketPoint> = [], balanceHistory: ArraySlice<BalancePoint> = [], expiries: [Expiry] = [], shared: SharedBudget? = nil) {
        self.asOf = asOf
        self.instrument = instrument
        self.consumption = consumption
        self.inventory = inventory
        self.usdAvailable = usdAvailable
        self.spentToday = spentToday
        self.spentMonth = spentMonth
        self.bids = bids
        self.asks = asks
        self.last = last
        self.tick = tick
        self.lotSize = lotSize
        self.minOrderSize = minOrderSize
        self.openBuyOrders = openBuyOrders
        self.unitsOnOrder = unitsOnOrder
        self.paused = paused
        self.marketHistory = marketHistory
        self.balanceHistory = balanceHistory
        self.expiries = expiries
        self.shared = shared
    }
}
