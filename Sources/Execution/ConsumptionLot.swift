import Foundation

/// The one rule every mode shares about consumption: units that enter the consumption
/// account arrive as a lot, and a lot's unused tokens expire four hours after it arrived.
public enum ConsumptionLot {
    /// How long a lot lives, in hours (the one place the lifetime is defined).
    public static let lifetimeHours = 4
    /// How long a lot lives, in seconds.
    public static let lifetime = TimeInterval(lifetimeHours * 3_600)
    /// How long a lot lives, in milliseconds (the ledger's and the replay's time unit).
    public static let lifetimeMilliseconds = Int64(lifetimeHours) * 3_600_000
}
