import Foundation
import GridKeeperMacros

/// How the synthetic market moves. Prices follow a mean-reverting walk, in whole ticks,
/// around each instrument's reference price with a daily cycle and occasional spikes;
/// liquidity providers re-quote both sides every step; background trades print on the tape.
/// Everything is drawn from one seeded generator at fixed simulated times, so a seed and a
/// clock give the same market every run.
@MemberwiseInit
public struct MarketModel: Codable, Sendable, Equatable {
    public var seed: UInt64 = 1
    /// Simulated seconds between market steps.
    public var stepSeconds: Int = 60
    /// Pull back towards the (cycling) reference, per hour (0…∞).
    public var meanReversionPerHour: Double = 0.6
    /// Random move per √hour as a fraction of the reference price.
    public var volatilityPerHour: Double = 0.015
    /// Daily swing of the reference as a fraction (0.05 = ±5 %), highest at `peakHourUTC`.
    public var dailyAmplitude: Double = 0.06
    public var peakHourUTC: Double = 15
    /// Expected price spikes per day and their size as a fraction of the reference.
    public var spikesPerDay: Double = 1
    public var spikeSize: Double = 0.2
    /// Half the quoted spread, in ticks.
    public var halfSpreadTicks: Int = 1
    /// Expected background trades per hour per market.
    public var backgroundTradesPerHour: Double = 20

    enum CodingKeys: String, CodingKey {
        case seed, stepSeconds = "step_seconds", meanReversionPerHour = "mean_reversion_per_hour"
        case volatilityPerHour = "volatility_per_hour", dailyAmplitude = "daily_amplitude", peakHourUTC = "peak_hour_utc"
        case spikesPerDay = "spikes_per_day", spikeSize = "spike_size", halfSpreadTicks = "half_spread_ticks"
        case backgroundTradesPerHour = "background_trades_per_hour"
    }

    public init(from decoder: any Decoder) throws {
        let d = MarketModel()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        stepSeconds = try c.decodeIfPresent(Int.self, forKey: .stepSeconds) ?? d.stepSeconds
        meanReversionPerHour = try c.decodeIfPresent(Double.self, forKey: .meanReversionPerHour) ?? d.meanReversionPerHour
        volatilityPerHour = try c.decodeIfPresent(Double.self, forKey: .volatilityPerHour) ?? d.volatilityPerHour
        dailyAmplitude = try c.decodeIfPresent(Double.self, forKey: .dailyAmplitude) ?? d.dailyAmplitude
        peakHourUTC = try c.decodeIfPresent(Double.self, forKey: .peakHourUTC) ?? d.peakHourUTC
        spikesPerDay = try c.decodeIfPresent(Double.self, forKey: .spikesPerDay) ?? d.spikesPerDay
        spikeSize = try c.decodeIfPresent(Double.self, forKey: .spikeSize) ?? d.spikeSize
        halfSpreadTicks = try c.decodeIfPresent(Int.self, forKey: .halfSpreadTicks) ?? d.halfSpreadTicks
        backgroundTradesPerHour = try c.decodeIfPresent(Double.self, forKey: .backgroundTradesPerHour) ?? d.backgroundTradesPerHour
        guard stepSeconds >= 1, stepSeconds <= 86_400 else {
            throw DecodingError.dataCorruptedError(forKey: .stepSeconds, in: c, debugDescription: "step_seconds must be 1…86400")
        }
        guard halfSpreadTicks >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .halfSpreadTicks, in: c, debugDescription: "half_spread_ticks must be ≥ 1")
        }
        for (value, key) in [(meanReversionPerHour, CodingKeys.meanReversionPerHour), (volatilityPerHour, .volatilityPerHour),
                             (dailyAmplitude, .dailyAmplitude), (spikesPerDay, .spikesPerDay), (spikeSize, .spikeSize),
                             (backgroundTradesPerHour, .backgroundTradesPerHour)] where !(value >= 0 && value.isFinite) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "must be a finite number ≥ 0")
        }
    }

    /// The reference price, in ticks, at `date` for an instrument whose base is `baseTicks`.
    func target(baseTicks: Double, at date: Date) -> Double {
        let hour = date.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) / 3600
        return baseTicks * (1 + dailyAmplitude * sin(2 * .pi * (hour - peakHourUTC + 6) / 24))
    }
}

/// How fast an instrument's consumption account is drawn down, in units per hour.
@MemberwiseInit
public struct BurnProfile: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// `units_per_hour` all day.
        case constant
        /// `units_per_hour` × (1 ± `amplitude`), highest at `peak_hour_utc`.
        case daily
        /// `units_per_hour`, plus `burst_units_per_hour` during bursts of `burst_minutes` that
        /// start `bursts_per_day` times a day on average.
        case bursts
    }

    public var kind: Kind = .constant
    public var unitsPerHour: Double
    public var amplitude: Double = 0.5
    public var peakHourUTC: Double = 15
    public var burstUnitsPerHour: Double = 0
    public var burstsPerDay: Double = 0
    public var burstMinutes: Double = 30

    public static func constant(_ unitsPerHour: Double) -> BurnProfile { BurnProfile(unitsPerHour: unitsPerHour) }

    enum CodingKeys: String, CodingKey {
        case kind, unitsPerHour = "units_per_hour", amplitude, peakHourUTC = "peak_hour_utc"
        case burstUnitsPerHour = "burst_units_per_hour", burstsPerDay = "bursts_per_day", burstMinutes = "burst_minutes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .constant
        unitsPerHour = try c.decode(Double.self, forKey: .unitsPerHour)
        amplitude = try c.decodeIfPresent(Double.self, forKey: .amplitude) ?? 0.5
        peakHourUTC = try c.decodeIfPresent(Double.self, forKey: .peakHourUTC) ?? 15
        burstUnitsPerHour = try c.decodeIfPresent(Double.self, forKey: .burstUnitsPerHour) ?? 0
        burstsPerDay = try c.decodeIfPresent(Double.self, forKey: .burstsPerDay) ?? 0
        burstMinutes = try c.decodeIfPresent(Double.self, forKey: .burstMinutes) ?? 30
        for (value, key) in [(unitsPerHour, CodingKeys.unitsPerHour), (burstUnitsPerHour, .burstUnitsPerHour),
                             (burstsPerDay, .burstsPerDay), (burstMinutes, .burstMinutes)] where !(value >= 0 && value.isFinite && value < 1e9) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "must be a finite number ≥ 0")
        }
        guard (0...1).contains(amplitude) else {
            throw DecodingError.dataCorruptedError(forKey: .amplitude, in: c, debugDescription: "amplitude must be between 0 and 1")
        }
    }

    /// Units per hour at `date`, excluding bursts.
    public func baseRate(at date: Date) -> Double {
        switch kind {
        case .constant, .bursts:
            return unitsPerHour
        case .daily:
            let hour = date.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) / 3600
            return unitsPerHour * (1 + amplitude * sin(2 * .pi * (hour - peakHourUTC + 6) / 24))
        }
    }
}
