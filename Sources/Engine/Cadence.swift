import Foundation
import GridKeeperCore

/// When each strategy runs next: one interval (`every`) after its last cycle began. A strategy
/// never run is due at once.
public struct Cadence: Sendable, Equatable {
    /// Next due time by strategy name.
    public private(set) var next: [String: Date] = [:]

    public init() {}

    /// Goes on from the cycles already in a ledger (`lastStart` of a strategy's name; nil:
    /// never run), as a daemon that takes over a shared ledger does.
    public init(strategies: [Strategy], lastStart: (String) -> Date?) {
        for strategy in strategies {
            if let last = lastStart(strategy.name) { next[strategy.name] = last.addingTimeInterval(strategy.interval) }
        }
    }

    public func isDue(_ strategy: Strategy, at time: Date) -> Bool {
        (next[strategy.name] ?? .distantPast) <= time
    }

    /// Seconds past its due time, when a whole interval or more has gone by since (a turn was
    /// missed); nil otherwise.
    public func lateness(of strategy: Strategy, at time: Date) -> TimeInterval? {
        guard let due = next[strategy.name] else { return nil }
        let late = time.timeIntervalSince(due)
        return late >= strategy.interval ? late : nil
    }

    /// `strategy`'s cycle began at `time`.
    public mutating func ran(_ strategy: Strategy, startedAt time: Date) {
        next[strategy.name] = time.addingTimeInterval(strategy.interval)
    }

    /// When the first of `strategies` is due next (a second after `time` when there are none).
    public func wake(for strategies: [Strategy], after time: Date) -> Date {
        strategies.compactMap { next[$0.name] }.min() ?? time.addingTimeInterval(1)
    }
}

extension Strategy {
    /// `every`, in seconds.
    public var interval: TimeInterval { NSDecimalNumber(decimal: every).doubleValue }
}
