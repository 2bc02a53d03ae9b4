import Foundation

/// Evaluates a strategy on a snapshot. Pure: the same strategy and snapshot always give the
/// same plan; no clock, no I/O.
public enum Evaluator {
    /// - Returns: every rule's outcome with its reason, guardrails applied.
    public static func evaluate(_ strategy: Strategy, on snapshot: MarketSnapshot) -> Plan {
        var context = SignalContext(snapshot: snapshot, burnWindow: strategy.burnWindow)
        var outcomes: [RuleOutcome] = []
        var guardrails = Guardrails(strategy: strategy, snapshot: snapshot)
        var buyPlanned = false
        var transferPlanned = false
        for rule in strategy.rules {
            var inputs = [String: String](minimumCapacity: 4)
            let compiled = rule.compiled
            let condition = evaluateCondition(compiled.condition, context: &context, inputs: &inputs)
            guard case .success(let (holds, explanation)) = condition else {
                if case .failure(let missing) = condition {
                    outcomes.append(RuleOutcome(rule: rule.name, outcome: .skipped, reason: "not evaluated: \(missing.reason)", intent: nil, guardrails: [], inputs: inputs))
                }
                continue
            }
            guard holds else {
                outcomes.append(RuleOutcome(rule: rule.name, outcome: .skipped, reason: explanation, intent: nil, guardrails: [], inputs: inputs))
                continue
            }
            var outcome: RuleOutcome
            switch rule.action {
            case .buy(_, let kind, _, let cancelAfter):
                if buyPlanned {
                    outcome = RuleOutcome(rule: rule.name, outcome: .skipped, reason: "\(explanation); an earlier rule already buys this cycle", intent: nil, guardrails: [], inputs: inputs)
                    break
                }
                let quantity = evaluate(compiled.quantity ?? .unavailable("no quantity"), context: &context, inputs: &inputs)
                let price = compiled.price.map { evaluate($0, context: &context, inputs: &inputs) }
                if case .failure(let missing) = quantity {
                    outcome = RuleOutcome(rule: rule.name, outcome: .skipped, reason: "\(explanation), but the quantity is unknown: \(missing.reason)", intent: nil, guardrails: [], inputs: inputs)
                    break
                }
                if case .failure(let missing)? = price {
                    outcome = RuleOutcome(rule: rule.name, outcome: .skipped, reason: "\(explanation), but the price is unknown: \(missing.reason)", intent: nil, guardrails: [], inputs: inputs)
                    break
                }
                let units = (try? quantity.get()) ?? .zero
                outcome = guardrails.buy(rule: rule.name, reason: explanation, units: units, kind: kind, price: try? price?.get(), cancelAfter: cancelAfter, inputs: inputs)
                if outcome.intent != nil { buyPlanned = true }
            case .transfer(_, let beyond):
                if transferPlanned {
                    outcome = RuleOutcome(rule: rule.name, outcome: .skipped, reason: "\(explanation); an earlier rule already transfers this cycle", intent: nil, guardrails: [], inputs: inputs)
                    break
                }
                let quantity = evaluate(compiled.quantity ?? .unavailable("no quantity"), context: &context, inputs: &inputs)
                guard case .success(let value) = quantity else {
                    if case .failure(let missing) = quantity {
                        outcome = RuleOutcome(rule: rule.name, outcome: .skipped, reason: "\(explanation), but the quantity is unknown: \(missing.reason)", intent: nil, guardrails: [], inputs: inputs)
                    } else { continue }
                    break
                }
                let burn = try? context.value(.burn).get()
                outcome = guardrails.transfer(rule: rule.name, reason: explanation, units: value, beyondLotWindow: beyond, burn: burn, inputs: inputs)
                if outcome.intent != nil { transferPlanned = true }
            case .cancel(let olderThan):
                outcome = guardrails.cancel(rule: rule.name, reason: explanation, olderThan: olderThan, inputs: inputs)
            }
            outcomes.append(outcome)
        }
        var plan = Plan(strategy: strategy.name, instrument: strategy.instrument, asOf: snapshot.asOf, outcomes: outcomes)
        plan.runway = try? context.value(.runway).get().decimal
        return plan
    }

    /// The most units one rule may ask for; a literal quantity above it is an error when the
    /// file is read, a computed one is cut to it with a guardrail note.
    public static let maximumUnits = 1_000_000

    /// Whole units needed, rounding any fraction up (you cannot buy 0.3 of a unit); at most
    /// `maximumUnits`.
    static func wholeUnits(_ value: Exact) -> Int {
        guard value > .zero else { return 0 }
        let rounded = value.rounded(0, .up)
        guard rounded < Exact(maximumUnits) else { return maximumUnits }
        return rounded.integer ?? maximumUnits
    }

    // MARK: Conditions with explanations

    /// Evaluates a condition and explains it: for `and`, the first part that failed; for a
    /// comparison, both sides with their values.
    static func evaluateCondition(_ e: CompiledExpression, context: inout SignalContext, inputs: inout [String: String]) -> Result<(Bool, String), Unavailable> {
        switch e {
        case .and(let l, let r):
            return evaluateCondition(l, context: &context, inputs: &inputs).flatMap { left in
                guard left.0 else { return .success(left) }
                return evaluateCondition(r, context: &context, inputs: &inputs).map { right in
                    right.0 ? (true, left.1 + " and " + right.1) : right
                }
            }
        case .or(let l, let r):
            let left = evaluateCondition(l, context: &context, inputs: &inputs)
            if case .success(let v) = left, v.0 { return left }
            let right = evaluateCondition(r, context: &context, inputs: &inputs)
            if case .success(let v) = right, v.0 { return right }
            switch (left, right) {
            case (.success(let a), .success(let b)): return .success((false, a.1 + " and " + b.1))
            case (.failure(let m), _), (_, .failure(let m)): return .failure(m)
            }
        case .not(let inner):
            return evaluateCondition(inner, context: &context, inputs: &inputs).map { (!$0.0, "not (\($0.1))") }
        case .comparison(let op, let l, let r, let type, let leftLabel, let rightLabel):
            let left = evaluate(l, context: &context, inputs: &inputs)
            let right = evaluate(r, context: &context, inputs: &inputs)
            return left.flatMap { a in
                right.map { b in
                    let holds: Bool
                    switch op {
                    case .less: holds = a < b
                    case .lessEqual: holds = a <= b
                    case .greater: holds = a > b
                    case .greaterEqual: holds = a >= b
                    case .equal: holds = a == b
                    default: holds = a != b
                    }
                    let symbol = holds ? op.rawValue : negated(op)
                    return (holds, "\(describe(leftLabel, a, type)) \(symbol) \(describe(rightLabel, b, type))")
                }
            }
        case .unavailable(let reason):
            return .failure(Unavailable(reason: reason))
        default:
            return .failure(Unavailable(reason: "not a condition"))
        }
    }

    static func negated(_ op: Expression.BinaryOperator) -> String {
        switch op {
        case .less: return "≥"
        case .lessEqual: return ">"
        case .greater: return "≤"
        case .greaterEqual: return "<"
        case .equal: return "≠"
        default: return "="
        }
    }

    /// `runway 40m`, `1h`, `avg(last, 24h) * 0.98 = 2.45`.
    static func describe(_ label: CompiledExpression.Label, _ value: Exact, _ type: ValueType) -> String {
        switch label {
        case .literal(let text): return text
        case .signal(let name): return name + " " + ValueFormat.text(value, as: type)
        case .expression(let source): return source + " = " + ValueFormat.text(value, as: type)
        }
    }

    static func source(_ e: Expression) -> String {
        switch e {
        case .literal(let v, let t): return t == .duration ? ValueFormat.duration(seconds: Exact(v)) : ValueFormat.text(Exact(v), as: .number)
        case .signal(let s): return s.rawValue
        case .call(let f, let arg, let window):
            return "\(f.rawValue)(\(source(arg))\(window.map { ", " + ValueFormat.duration(seconds: Exact($0)) } ?? ""))"
        case .coverAt(let f, let seconds, let rate):
            return "\(f.rawValue)(\(ValueFormat.duration(seconds: Exact(seconds))), \(source(rate)))"
        case .unary(.not, let inner): return "not \(source(inner))"
        case .unary(_, let inner): return "-\(source(inner))"
        case .binary(let op, let l, let r): return "\(source(l)) \(op.rawValue) \(source(r))"
        }
    }

    // MARK: Values

    /// Evaluates a numeric expression in its canonical unit (seconds, units/hour, USD).
    static func evaluate(_ e: CompiledExpression, context: inout SignalContext, inputs: inout [String: String]) -> Result<Exact, Unavailable> {
        switch e {
        case .literal(let value):
            return .success(value)
        case .signal(let signal):
            let result = context.value(signal)
            if case .success(let v) = result { inputs[signal.rawValue] = ValueFormat.text(v, as: signal.type) }
            return result
        case .cover(let function, let seconds, let rate, let key):
            // `cover_stock` counts what the trading account holds and what open buy orders will
            // still bring, so a resting order is not ordered again.
            let stock = function == .coverStock ? context.snapshot.inventory + context.snapshot.unitsOnOrder : 0
            let held = context.snapshot.consumption + stock
            let rateValue: Result<Exact, Unavailable>
            if let rate {
                rateValue = evaluate(rate, context: &context, inputs: &inputs).map { max($0, .zero) }
            } else {
                rateValue = context.value(.burn)
            }
            switch rateValue {
            case .success(let burn):
                // Consumption counts only as far as it will be used before its lots expire.
                let usable = context.usable(within: seconds, burnPerHour: burn) + Exact(stock)
                let need = wholeUnits(burn * seconds / 3600 - usable)
                // With nothing held, a stockout hides the burn: ask for at least one unit.
                let units = Exact(held == 0 ? max(need, 1) : need)
                inputs[key] = ValueFormat.text(units, as: .units)
                if rate == nil { inputs["burn"] = ValueFormat.text(burn, as: .rate) }
                return .success(units)
            case .failure(let missing):
                return .failure(missing)
            }
        case .aggregate(let function, let signal, let window, let key):
            let result = function == .rank ? context.rank(signal, window: window) : context.aggregate(function, signal, window: window)
            if case .success(let v) = result { inputs[key] = ValueFormat.text(v, as: function.resultType(argument: signal.type)) }
            return result
        case .demand(let function, let seconds, let key):
            let result: Result<Exact, Unavailable>
            switch function {
            case .burnOver: result = context.burn(over: seconds.double)
            case .burnPeak: result = context.burnPeak(over: seconds.double)
            default: result = context.forecast(seconds.double)
            }
            if case .success(let v) = result { inputs[key] = ValueFormat.text(v, as: function.resultType(argument: .duration)) }
            return result
        case .negate(let inner):
            return evaluate(inner, context: &context, inputs: &inputs).map { -$0 }
        case .arithmetic(let op, let l, let r, let lt, let rt, let divisor):
            return evaluate(l, context: &context, inputs: &inputs).flatMap { a in
                evaluate(r, context: &context, inputs: &inputs).flatMap { b in
                    switch op {
                    case .add: return .success(a + b)
                    case .subtract: return .success(a - b)
                    case .multiply:
                        // rate (units/h) × duration (s) → units
                        if (lt == .rate && rt == .duration) || (lt == .duration && rt == .rate) { return .success(a * b / 3600) }
                        return .success(a * b)
                    case .divide:
                        guard b != .zero else { return .failure(Unavailable(reason: "\(divisor) is zero")) }
                        if lt == .units && rt == .rate { return .success(SignalContext.seconds(a * 3600 / b)) }
                        return .success(a / b)
                    default:
                        return .failure(Unavailable(reason: "not a number"))
                    }
                }
            }
        case .unavailable(let reason):
            return .failure(Unavailable(reason: reason))
        case .comparison, .and, .or, .not:
            return .failure(Unavailable(reason: "not a number"))
        }
    }
}
