import Foundation
import GridKeeperCore
import Testing
@testable import Engine
@testable import gridkeeper

/// The demo's story stays readable: a rule blocked the same way cycle after cycle is shown once,
/// then counted.
@Suite struct DemoStoryTests {
    static func blocked(_ rule: String, spent: String) -> CycleReport.Decision {
        CycleReport.Decision(rule: rule, outcome: .blocked, reason: "rank(ask, 1d) = 0.2 <= 0.3", guardrails: ["budget exhausted: daily cap 40 with \(spent) spent"],
                             intent: nil, inputs: [:], budget: .exhausted, cap: .daily)
    }

    static func fired(_ rule: String) -> CycleReport.Decision {
        CycleReport.Decision(rule: rule, outcome: .fired, reason: "inventory 3 > 0", guardrails: [], intent: .transfer(quantity: 1), inputs: [:], budget: nil, cap: nil)
    }

    @Test func aRuleBlockedTheSameWayIsShownOnceThenCounted() {
        var blocks = RepeatedBlocks()
        let t0 = Date(timeIntervalSince1970: 1_790_035_200)
        var shown: [String] = []
        var ended: [RepeatedBlocks.Streak] = []
        for minute in 0..<10 {
            // The numbers change (spend grows) but the words do not: the same block.
            var decisions = [Self.blocked("restock", spent: "39.\(minute)0")]
            if minute == 4 { decisions.append(Self.fired("feed")) }
            let (show, done) = blocks.next(decisions, at: t0.addingTimeInterval(Double(minute) * 60))
            shown += show.map { "\(minute) \($0.rule) \($0.outcome)" }
            ended += done
        }
        #expect(shown == ["0 restock blocked", "4 feed fired"], "other rules still show while one is folded")
        #expect(ended.isEmpty, "the streak is still running")
        let (show, done) = blocks.next([Self.fired("restock")], at: t0.addingTimeInterval(600))
        #expect(show.map(\.outcome) == [.fired])
        #expect(done.map(\.count) == [9], "nine repeats after the one shown")
        #expect(done.first?.last == t0.addingTimeInterval(540))
    }

    @Test func aBlockForAnotherReasonIsShownAndStartsItsOwnStreak() {
        var blocks = RepeatedBlocks()
        let t0 = Date(timeIntervalSince1970: 1_790_035_200)
        _ = blocks.next([Self.blocked("restock", spent: "39.00")], at: t0)
        _ = blocks.next([Self.blocked("restock", spent: "39.50")], at: t0.addingTimeInterval(60))
        var other = Self.blocked("restock", spent: "39.60")
        other.guardrails = ["price 3.10 above max_unit_price 3.00"]
        let (show, done) = blocks.next([other], at: t0.addingTimeInterval(120))
        #expect(show.count == 1, "a different guardrail is news")
        #expect(done.map(\.count) == [1])
        #expect(blocks.finish().isEmpty, "the new streak has no repeats yet")
    }
}
