import Foundation

/// How the engine runs: for real, as a dry run, paper trading or in a backtest. Every cycle,
/// order and ledger carries its mode, and a ledger keeps one.
public enum LedgerMode: String, Sendable, Codable, CaseIterable {
    case live, dry, paper, backtest
}

/// Where one of our orders stands, from reservation to its end.
public enum OrderState: String, Sendable, Codable, CaseIterable {
    /// Reserved and recorded, not yet acknowledged by the exchange.
    case pending
    /// Sent, reply lost: to be resolved by `client_order_id`.
    case unknown
    case open
    case partiallyFilled = "partially_filled"
    case filled, cancelled, rejected, expired

    public var isTerminal: Bool { [.filled, .cancelled, .rejected, .expired].contains(self) }
}
