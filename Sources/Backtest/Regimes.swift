import Foundation

/// Markets and teams a strategy was not tuned to: seeded, reproducible recordings of one
/// instrument, each with one defining property.
///
/// Every regime gives a book snapshot every `every` seconds (five levels a side, integer
/// micro-dollar prices on a 0.01 tick around 2.50 USD, whole-unit quantities), trade prints
/// (most at the best bid, strictly under the best ask, so resting limit orders can fill; the
/// rest at the best ask), and consumption demand as `BurnStep`s. The price is a reference
/// level (daily cycle, trend) times two mean-reverting log deviations, one of about an hour
/// and one of about a day; spikes multiply it. The same regime and seed always give the same
/// recording.
public enum Regime: String, CaseIterable, Sendable, Codable {
    /// A calm market (±2 % daily cycle, about 1 % noise), 20–100 units a level; demand about
    /// 3 units/h with a ±50 % daily cycle (busiest at 15:00 UTC).
    case calm
    /// The price swings ±12 % through the day, dearest at 15:00 UTC when demand peaks;
    /// weekday demand about 3.6 units/h (±60 %), Saturdays and Sundays about 0.5 units/h.
    case intraday
    /// The price trends up 25 % a month (compounded), calm otherwise.
    case trend
    /// Price spikes of +40–120 % lasting 10–60 minutes, about five a day, on thin books
    /// (8–30 units a level, 3–12 and a wider spread during a spike).
    case spikes
    /// Bursty demand: idle at 0.2 units/h, then 10–25 units/h for 1–3 hours, about three times
    /// a day; calm prices.
    case bursty
    /// Liquidity droughts, about one a day: 2–6 hours with 1–3 units a level, a wider spread
    /// and few trades; calm prices otherwise.
    case drought

    /// One line for tables and reports.
    public var summary: String {
        switch self {
        case .calm: "calm market, ~3 units/h with a daily cycle"
        case .intraday: "±12 % intraday price cycle, quiet weekends"
        case .trend: "price up 25 % a month"
        case .spikes: "+40–120 % spikes for 10–60 min, thin books"
        case .bursty: "idle 0.2 units/h, bursts of 10–25 units/h for 1–3 h"
        case .drought: "droughts of 1–3 units a level for hours"
        }
    }

    /// 2.50 USD, in micro-dollars.
    public static let referencePrice: Int64 = 2_500_000
    /// 0.01 USD, in micro-dollars.
    public static let tick: Int64 = 10_000
    /// Tuesday 2026-09-22 00:00 UTC.
    public static let defaultStart = Date(timeIntervalSince1970: 1_790_035_200)

    /// A recording of `regime`.
    /// - Parameters:
    ///   - seed: the same seed gives the same recording.
    ///   - days: length of the recording.
    ///   - every: seconds between book snapshots (at least 1).
    ///   - start: the first snapshot's time.
    ///   - instrument: the instrument the recording is of.
    public static func recording(_ regime: Regime, seed: UInt64, days: Double = 30, every: TimeInterval = 60, start: Date = defaultStart,
                                 instrument: String = "text-prime") -> Recording {
        var model = RegimeModel(regime: regime, seed: seed, days: days, every: max(1, every), start: start)
        return model.generate(instrument: instrument)
    }
}
