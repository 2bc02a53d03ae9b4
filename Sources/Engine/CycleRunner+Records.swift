import Foundation
import GridAPI
import GridKeeperCore
import Ledger

extension CycleRunner {
    /// 16 hex digits identifying what a cycle decided on: time, balances, spend, top of book and
    /// how much history (`ms|consumption|inventory|usd µ$|spent µ$|bid µ$|ask µ$|points|points`).
    static func digest(_ s: MarketSnapshot) -> String {
        func money(_ d: Decimal?) -> String { d.map { (try? Micros.exactly($0)).map { String($0) } ?? "\($0)" } ?? "-" }
        let fields = [String(s.asOf.ledgerMilliseconds), String(s.consumption), String(s.inventory), money(s.usdAvailable), money(s.spentToday),
                      money(s.bids.first?.price), money(s.asks.first?.price), String(s.marketHistory.count), String(s.balanceHistory.count)]
        var text: [UInt8] = []
        text.reserveCapacity(128)
        for (index, field) in fields.enumerated() {
            if index > 0 { text.append(UInt8(ascii: "|")) }
            text.append(contentsOf: field.utf8)
        }
        return Digest.sha256Hex(text, length: 16)
    }

    static func decisionRecord(_ o: RuleOutcome) -> DecisionRecord {
        var action: DecisionRecord.Action?
        var quantity: Int?
        var price: Decimal?
        switch o.intent {
        case .buy(let q, _, let limit, _, _)?: (action, quantity, price) = (.buy, q, limit)
        case .transfer(let q)?: (action, quantity) = (.transfer, q)
        case .cancelOpenBuys?: action = .cancel
        case nil: break
        }
        let outcome = DecisionRecord.Outcome(rawValue: o.outcome.rawValue) ?? .skipped
        let reason = o.guardrails.isEmpty ? o.reason : o.reason + " — " + o.guardrails.joined(separator: "; ")
        return DecisionRecord(rule: o.rule, outcome: outcome, action: action, quantity: quantity, price: price, reason: reason, inputs: o.inputs)
    }

    public static func describe(_ intent: Intent) -> String {
        switch intent {
        case .buy(let q, let kind, let limit, let maxCost, _):
            return "buy \(q) unit\(q == 1 ? "" : "s") \(kind == .market ? "at market" : "limit \(ValueFormat.text(limit ?? 0, as: .price))") (≤ \(ValueFormat.text(maxCost, as: .money)) USD)"
        case .transfer(let q): return "move \(q) unit\(q == 1 ? "" : "s") to consumption"
        case .cancelOpenBuys(let older): return "cancel open buys\(older.map { " older than \(ValueFormat.duration(seconds: $0))" } ?? "")"
        }
    }
}
