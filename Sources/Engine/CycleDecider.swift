import Foundation
import GridKeeperCore
import Ledger

/// The cycle's decisions, made from facts alone — the plan, the ledger's open orders and what
/// the exchange shows of them, and the time — with no exchange, ledger or clock to call. The
/// runner gathers the facts, asks here, and carries out what comes back (`CycleRunner+Execution`).
public enum CycleDecider {
    /// One thing a cycle does after evaluating its strategy.
    public enum Step: Sendable, Equatable {
        /// Reserve `maxCost`, record the order, then place it (outcome `index` of the plan).
        case buy(index: Int, rule: String, quantity: Int, kind: Strategy.OrderKind, limit: Decimal?, maxCost: Decimal, cancelAfter: Decimal?)
        /// Move units to consumption (outcome `index`).
        case transfer(index: Int, quantity: Int)
        /// Cancel the open buys at least `olderThan` seconds old (all when nil), as the ledger
        /// holds them when the step runs (`cancelTargets`).
        case cancelOpenBuys(olderThan: Decimal?)
        /// A buy held back: earlier orders' outcomes are unknown, and a second order could
        /// double the spend.
        case hold(rule: String, unresolved: [String])
        /// A dry run: what would have been done.
        case wouldDo(rule: String, Intent)
    }

    /// The steps a plan asks for, in rule order.
    /// - Parameters:
    ///   - unresolved: client order ids whose outcome is still unknown after reconciliation.
    ///   - dry: nothing is sent; every intent is only described.
    public static func steps(for plan: Plan, unresolved: [String], dry: Bool) -> [Step] {
        plan.outcomes.enumerated().compactMap { index, outcome -> Step? in
            guard let intent = outcome.intent else { return nil }
            if dry { return .wouldDo(rule: outcome.rule, intent) }
            switch intent {
            case .buy(let quantity, let kind, let limit, let maxCost, let cancelAfter):
                if !unresolved.isEmpty { return .hold(rule: outcome.rule, unresolved: unresolved) }
                return .buy(index: index, rule: outcome.rule, quantity: quantity, kind: kind, limit: limit, maxCost: maxCost, cancelAfter: cancelAfter)
            case .transfer(let quantity):
                return .transfer(index: index, quantity: quantity)
            case .cancelOpenBuys(let olderThan):
                return .cancelOpenBuys(olderThan: olderThan)
            }
        }
    }

    /// The open orders a `cancelOpenBuys` step cancels: those on the exchange (with its id) at
    /// least `olderThan` seconds old.
    public static func cancelTargets(_ open: [LedgerOpenOrder], olderThan: Decimal?, at time: Date) -> [LedgerOpenOrder] {
        let age = olderThan.map { NSDecimalNumber(decimal: $0).doubleValue } ?? 0
        return open.filter { $0.exchangeOrderID != nil && time.timeIntervalSince($0.createdAt) >= age }
    }

    /// What reconciliation does with one of the ledger's open orders.
    public enum Settlement: Sendable, Equatable {
        /// Not on the exchange, and past the grace: it never got there; release its reservation.
        case expire
        /// Not on the exchange yet: its outcome stays unknown for now.
        case wait
        /// On the exchange: record its fills and state (`record` false when nothing changed:
        /// a resting order without a new fill), then cancel it when its `cancel_after` passed.
        case settle(record: Bool, cancel: Bool)
    }

    /// Reconciliation's decision for `order`, given what the exchange shows of it (nil: the
    /// exchange does not have it).
    /// - Parameters:
    ///   - grace: seconds an order may be missing from the exchange before it counts as never sent.
    ///   - leaseHeldSince: on a shared ledger, when this process took the lease. An order
    ///     reserved before then may still be on its way from the previous leader (its request
    ///     signed before that leader's lease ran out, and accepted by the exchange for 30 s after
    ///     that), so its grace counts from the takeover, not from the reservation.
    ///   - dry: a dry run cancels nothing.
    public static func settlement(of order: LedgerOpenOrder, on exchange: OrderTicket?, at time: Date, grace: TimeInterval,
                                  leaseHeldSince: Date? = nil, dry: Bool) -> Settlement {
        guard let exchange else {
            let missingSince = max(order.createdAt, leaseHeldSince ?? order.createdAt)
            return time.timeIntervalSince(missingSince) > grace ? .expire : .wait
        }
        let live = !exchange.status.isTerminal
        let unchanged = live && order.exchangeOrderID != nil && (order.state == .open || order.state == .partiallyFilled)
            && Units(exactly: exchange.filled)?.rawValue == order.filledQuantity
        let due = !dry && live && order.cancelAfter.map { time >= $0 } == true
        return .settle(record: !unchanged, cancel: due)
    }
}
