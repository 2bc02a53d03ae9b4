import Foundation
@testable import GridKeeperCore
@testable import Ledger
import Testing
@testable import Engine

/// The cycle's decisions, from facts alone.
@Suite struct CycleDeciderTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_035_200)

    static func outcome(_ rule: String, _ intent: Intent?) -> RuleOutcome {
        RuleOutcome(rule: rule, outcome: intent == nil ? .skipped : .fired, reason: "r", intent: intent, guardrails: [], inputs: [:])
    }

    static let plan = Plan(strategy: "s", instrument: "text-prime", asOf: t0, outcomes: [
        outcome("cancel", .cancelOpenBuys(olderThan: 600)),
        outcome("quiet", nil),
        outcome("buy", .buy(quantity: 5, order: .limit, limitPrice: 2, maxCost: 10, cancelAfter: 600)),
        outcome("feed", .transfer(quantity: 2)),
    ])

    @Test func stepsFollowTheRulesAndPointAtTheirOutcomes() {
        let steps = CycleDecider.steps(for: Self.plan, unresolved: [], dry: false)
        #expect(steps == [.cancelOpenBuys(olderThan: 600),
                          .buy(index: 2, rule: "buy", quantity: 5, kind: .limit, limit: 2, maxCost: 10, cancelAfter: 600),
                          .transfer(index: 3, quantity: 2)])
    }

    @Test func anUnknownOutcomeHoldsBuysButNotTransfers() {
        let steps = CycleDecider.steps(for: Self.plan, unresolved: ["gk-1"], dry: false)
        #expect(steps[1] == .hold(rule: "buy", unresolved: ["gk-1"]))
        #expect(steps[2] == .transfer(index: 3, quantity: 2))
    }

    @Test func aDryRunOnlyDescribes() {
        let steps = CycleDecider.steps(for: Self.plan, unresolved: ["gk-1"], dry: true)
        #expect(steps.count == 3 && steps.allSatisfy { if case .wouldDo = $0 { true } else { false } })
    }

    static func open(_ id: String, exchangeID: String? = "x", state: OrderState = .open, filled: Int = 0, age: TimeInterval = 60,
                     cancelAfter: TimeInterval? = nil) -> LedgerOpenOrder {
        LedgerOpenOrder(clientOrderID: id, exchangeOrderID: exchangeID, instrument: "text-prime", marketID: "m", state: state, quantity: 10,
                        filledQuantity: filled, createdAt: t0.addingTimeInterval(-age), cancelAfter: cancelAfter.map { t0.addingTimeInterval(-age + $0) })
    }

    static func ticket(_ status: OrderStatus, filled: Decimal = 0) -> OrderTicket {
        OrderTicket(id: "x", clientOrderID: "a", marketID: "m", side: .buy, status: status, quantity: 10, filled: filled, limit: 2)
    }

    @Test func reconciliationDecidesFromTheExchangesView() {
        func decide(_ order: LedgerOpenOrder, _ ticket: OrderTicket?, dry: Bool = false) -> CycleDecider.Settlement {
            CycleDecider.settlement(of: order, on: ticket, at: Self.t0, grace: 300, dry: dry)
        }
        #expect(decide(Self.open("a", exchangeID: nil, state: .unknown, age: 60), nil) == .wait, "not there yet, within the grace")
        #expect(decide(Self.open("a", exchangeID: nil, state: .unknown, age: 600), nil) == .expire, "never got there")
        #expect(decide(Self.open("a"), Self.ticket(.open)) == .settle(record: false, cancel: false), "resting, nothing new: no reads, no writes")
        #expect(decide(Self.open("a"), Self.ticket(.partiallyFilled, filled: 4)) == .settle(record: true, cancel: false), "a new fill")
        #expect(decide(Self.open("a", exchangeID: nil, state: .unknown), Self.ticket(.open)) == .settle(record: true, cancel: false),
                "found: its id and state are recorded")
        #expect(decide(Self.open("a"), Self.ticket(.filled, filled: 10)) == .settle(record: true, cancel: false))
        #expect(decide(Self.open("a", age: 700, cancelAfter: 600), Self.ticket(.open)) == .settle(record: false, cancel: true), "cancel_after passed")
        #expect(decide(Self.open("a", age: 700, cancelAfter: 600), Self.ticket(.open), dry: true) == .settle(record: false, cancel: false),
                "a dry run cancels nothing")
        #expect(decide(Self.open("a", age: 700, cancelAfter: 600), Self.ticket(.cancelled)) == .settle(record: true, cancel: false),
                "an order already ended is not cancelled again")
    }

    @Test func anOrderReservedBeforeATakeoverIsGivenItsGraceFromTheTakeover() {
        // The previous leader reserved the order 600 s ago and froze; this daemon took the lease
        // 200 s ago. Its request may still land (signed before that leader's lease ran out), so
        // the reservation is held for the grace counted from the takeover.
        let order = Self.open("a", exchangeID: nil, state: .pending, age: 600)
        func decide(heldFor: TimeInterval?) -> CycleDecider.Settlement {
            CycleDecider.settlement(of: order, on: nil, at: Self.t0, grace: 300, leaseHeldSince: heldFor.map { Self.t0.addingTimeInterval(-$0) }, dry: false)
        }
        #expect(decide(heldFor: nil) == .expire, "one writer: the grace counts from the reservation")
        #expect(decide(heldFor: 200) == .wait, "taken over 200 s ago: still within the grace")
        #expect(decide(heldFor: 301) == .expire, "the grace has passed since the takeover")
        #expect(decide(heldFor: 3600) == .expire, "held since before the reservation: counts from the reservation")
        let own = Self.open("b", exchangeID: nil, state: .pending, age: 60)
        #expect(CycleDecider.settlement(of: own, on: nil, at: Self.t0, grace: 300, leaseHeldSince: Self.t0.addingTimeInterval(-3600), dry: false) == .wait)
    }

    @Test func cancelTargetsAreOnTheExchangeAndOldEnough() {
        let open = [Self.open("young", age: 60), Self.open("old", age: 3600), Self.open("unsent", exchangeID: nil, age: 3600)]
        #expect(CycleDecider.cancelTargets(open, olderThan: 600, at: Self.t0).map(\.clientOrderID) == ["old"])
        #expect(CycleDecider.cancelTargets(open, olderThan: nil, at: Self.t0).map(\.clientOrderID) == ["young", "old"])
    }
}
