/// A last check made after a mutating request is signed and before it is sent, on every
/// attempt (a request signed again after a clock-skew refusal is checked again).
///
/// A daemon that shares its ledger binds it to "this process still trusts its lease". The
/// order matters: the request's signature carries the time it was made, and the exchange
/// refuses a signature more than 30 s from its own clock, so a process that freezes after the
/// check and wakes after losing its lease can land a request at most 30 s after the check,
/// never later. A check made before signing would not bound that: the request would be
/// signed with the wake-up time and accepted.
public enum SendGate {
    /// The check for requests made by the current task; it throws to stop a request unsent,
    /// with the reason as the error's description.
    @TaskLocal public static var check: (@Sendable (_ endpoint: String) throws -> Void)?
}
