import Foundation
import GridKeeperCore
import Ledger

/// How cycles run.
public struct EngineConfiguration: Sendable {
    /// `live` places orders; `dry` sends no mutating request and only records the plan.
    public var mode: LedgerMode
    /// Where a day begins for the daily budget.
    public var timeZone: TimeZone
    /// How much recorded history a snapshot carries.
    public var historyWindow: TimeInterval
    /// How long an order recorded as sent may be missing on the exchange before it is
    /// considered never to have arrived.
    public var missingOrderGrace: TimeInterval
    /// Caps over every strategy together (the config file's budget).
    public var globalBudget: GlobalBudget?
    /// How far the exchange's clock may be from ours when its replies have not told us
    /// (seconds): near midnight, an order is checked against the caps of every day it may be
    /// dated in.
    public var clockTolerance: TimeInterval
    /// Added around the exchange's observed clock (its `Date` headers have one-second
    /// resolution, and the clock may drift between cycles).
    public var clockMargin: TimeInterval

    /// The exchange's fee per unit of notional (0.003 = 30 bps), when it is known (a backtest's
    /// `--fee-bps`): caps and USD are checked against what an order costs with its fee.
    public var feeRate: Decimal

    public init(mode: LedgerMode = .live, timeZone: TimeZone = .current, historyWindow: TimeInterval = 25 * 3600, missingOrderGrace: TimeInterval = 120,
                globalBudget: GlobalBudget? = nil, clockTolerance: TimeInterval = 15 * 60, clockMargin: TimeInterval = 60, feeRate: Decimal = 0) {
        self.feeRate = max(0, feeRate)
        self.globalBudget = globalBudget
        self.clockTolerance = clockTolerance
        self.clockMargin = clockMargin
        self.mode = mode
        self.timeZone = timeZone
        self.historyWindow = historyWindow
        self.missingOrderGrace = missingOrderGrace
    }
}
