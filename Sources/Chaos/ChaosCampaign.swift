import Foundation
import GridKeeperMacros

/// Many schedules, seeds `firstSeed ..< firstSeed + count`, run `parallel` at a time.
@MemberwiseInit
public struct ChaosCampaign: Sendable {
    public struct Summary: Sendable {
        public var schedules = 0
        public var failed: [ChaosOutcome] = []
        /// How often each fault happened over all schedules.
        public var faults: [String: Int] = [:]
        /// How many schedules had each kind of set-up.
        public var setups: [String: Int] = [:]
        public var cycles = 0
        public var restarts = 0
        public var orders = 0
        public var fills = 0
        public var seconds: Double = 0

        mutating func add(_ outcome: ChaosOutcome) {
            schedules += 1
            if !outcome.violations.isEmpty { failed.append(outcome) }
            for (kind, n) in outcome.faults { faults[kind, default: 0] += n }
            let s = outcome.schedule
            var tags = ["time zone \(s.timeZone.identifier)", "\(s.strategies.count) strateg\(s.strategies.count == 1 ? "y" : "ies")"]
            if abs(s.skew) >= 60 { tags.append(s.skew > 0 ? "exchange clock ahead ≥ 1 min" : "exchange clock behind ≥ 1 min") }
            if s.clockStep != nil { tags.append("our clock steps mid-run") }
            if s.networkFaultRate > 0 { tags.append("network faults") }
            if !s.crashes.isEmpty { tags.append("crashes and restarts") }
            if s.diskFull != nil { tags.append("disk full for a while") }
            if s.readOnly != nil { tags.append("read-only ledger for a while") }
            if s.emptyMarket != nil { tags.append("market empties") }
            if !s.exchangeCancels.isEmpty { tags.append("exchange cancels orders") }
            if s.levelQuantity <= 5 { tags.append("thin book (partial fills)") }
            if s.globalBudget != nil { tags.append("global budget") }
            for tag in tags { setups[tag, default: 0] += 1 }
            cycles += outcome.cycles
            restarts += outcome.restarts
            orders += outcome.orders
            fills += outcome.fills
        }
    }

    public var firstSeed: UInt64
    public var count: Int
    public var parallel: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var directory: URL = FileManager.default.temporaryDirectory
    public var transport: ChaosRun.Transport = .inProcess

    /// Runs every schedule; `progress` sees each outcome as it ends.
    public func run(progress: @Sendable (ChaosOutcome, Int) -> Void = { _, _ in }) async -> Summary {
        let began = ContinuousClock.now
        var summary = Summary()
        let directory = self.directory
        let transport = self.transport
        await withTaskGroup(of: ChaosOutcome.self) { group in
            var nextSeed = firstSeed
            let end = firstSeed &+ UInt64(count)
            func launch() {
                let seed = nextSeed
                nextSeed &+= 1
                group.addTask { await ChaosRun(schedule: ChaosSchedule(seed: seed), directory: directory, transport: transport).run() }
            }
            for _ in 0..<min(parallel, count) { launch() }
            while let outcome = await group.next() {
                summary.add(outcome)
                progress(outcome, summary.schedules)
                if nextSeed != end { launch() }
            }
        }
        summary.seconds = (ContinuousClock.now - began) / .seconds(1)
        return summary
    }
}
