import Foundation
import SimulatorCore

/// Synthetic consumption demand, written `KIND:UNITS_PER_HOUR[:…]`:
/// `constant:3`, `daily:3` or `daily:3:0.6` (±60 %, peak 15:00 UTC), `bursts:2:20:4` (2/h plus
/// 20/h during half-hour bursts, 4 a day).
public enum Demand {
    public static func parse(_ text: String) throws(BacktestError) -> BurnProfile {
        let parts = text.split(separator: ":").map(String.init)
        let numbers = parts.dropFirst().map(Double.init)
        guard let kind = parts.first, !numbers.isEmpty, numbers.allSatisfy({ $0 != nil && $0! >= 0 && $0!.isFinite }) else {
            throw BacktestError("demand '\(text)': expected constant:RATE, daily:RATE[:AMPLITUDE] or bursts:RATE:BURST_RATE:PER_DAY, like daily:3")
        }
        let n = numbers.map { $0! }
        switch (kind, n.count) {
        case ("constant", 1): return BurnProfile(kind: .constant, unitsPerHour: n[0])
        case ("daily", 1): return BurnProfile(kind: .daily, unitsPerHour: n[0])
        case ("daily", 2) where n[1] <= 1: return BurnProfile(kind: .daily, unitsPerHour: n[0], amplitude: n[1])
        case ("bursts", 3): return BurnProfile(kind: .bursts, unitsPerHour: n[0], burstUnitsPerHour: n[1], burstsPerDay: n[2])
        default:
            throw BacktestError("demand '\(text)': expected constant:RATE, daily:RATE[:AMPLITUDE ≤ 1] or bursts:RATE:BURST_RATE:PER_DAY")
        }
    }

    /// The profile as steps every `step` seconds from `from` to `to` (bursts at seeded times).
    public static func steps(_ profile: BurnProfile, from: Date, to: Date, step: TimeInterval = 900, seed: UInt64 = 1) -> [BurnStep] {
        var steps: [BurnStep] = []
        var random = SplitMix64(seed: seed)
        func unit() -> Double { random.unit() }
        var burstUntil = Date.distantPast
        var t = from
        while t <= to {
            var rate = profile.baseRate(at: t)
            if profile.kind == .bursts {
                if t < burstUntil { rate += profile.burstUnitsPerHour } else if unit() < profile.burstsPerDay * step / 86_400 {
                    burstUntil = t.addingTimeInterval(profile.burstMinutes * 60)
                    rate += profile.burstUnitsPerHour
                }
            }
            let milli = Int64((max(0, rate) * 1000).rounded())
            if steps.last?.milliUnitsPerHour != milli { steps.append(BurnStep(ms: Int64((t.timeIntervalSince1970 * 1000).rounded(.down)), milliUnitsPerHour: milli)) }
            t = t.addingTimeInterval(step)
        }
        return steps
    }
}
