import Foundation

/// A rule's expressions in the form the evaluator walks every cycle: literals already in
/// `Exact`, each operand's type settled, and the text of every sub-expression (for reasons and
/// inputs) written once. Derived from the rule; kept current by `Strategy.Rule`.
///
/// Equatable because `Strategy.Rule` is: equal rules compile to equal forms, so comparing them
/// as well never changes whether two rules are equal.
struct CompiledRule: Sendable, Equatable {
    var condition: CompiledExpression
    var quantity: CompiledExpression?
    var price: CompiledExpression?

    init(when: Expression, action: Strategy.Action) {
        condition = CompiledExpression(condition: when)
        switch action {
        case .buy(let quantity, _, let price, _):
            self.quantity = CompiledExpression(quantity, type: .units)
            self.price = price.map { CompiledExpression($0, type: .price) }
        case .transfer(let quantity, _):
            self.quantity = CompiledExpression(quantity, type: .units)
        case .cancel:
            break
        }
    }
}

indirect enum CompiledExpression: Sendable, Equatable {
    /// How one side of a comparison is explained: a literal as its text, a signal as
    /// `name value`, anything else as `source = value`.
    enum Label: Sendable, Equatable {
        case literal(String)
        case signal(String)
        case expression(String)
    }

    // Numbers (in their canonical unit: seconds, units/hour, USD).
    case literal(Exact)
    case signal(Signal)
    /// `cover(d)` or `cover_stock(d)`, at `burn` or at a rate expression; `key` is its text,
    /// the name of its input.
    case cover(Function, seconds: Exact, rate: CompiledExpression?, key: String)
    /// `avg`, `min`, `max`, `ewma` or `rank` of a signal over a window of seconds.
    case aggregate(Function, Signal, window: Exact, key: String)
    /// `burn(w)`, `burn_peak(w)` or `forecast(d)` (seconds).
    case demand(Function, seconds: Exact, key: String)
    /// Arithmetic on operands of types `left` and `right`; `divisor` is the right side's text.
    case arithmetic(Expression.BinaryOperator, CompiledExpression, CompiledExpression, left: ValueType, right: ValueType, divisor: String)
    case negate(CompiledExpression)
    // Conditions.
    case comparison(Expression.BinaryOperator, CompiledExpression, CompiledExpression, type: ValueType, left: Label, right: Label)
    case and(CompiledExpression, CompiledExpression)
    case or(CompiledExpression, CompiledExpression)
    case not(CompiledExpression)
    /// What cannot be evaluated (a malformed call, a condition where a number belongs…).
    case unavailable(String)

    /// A numeric expression evaluated in the context of `type`.
    init(_ e: Expression, type: ValueType) {
        switch e {
        case .literal(let value, _):
            self = .literal(Exact(value))
        case .signal(let signal):
            self = .signal(signal)
        case .call(let function, let argument, let window):
            switch function {
            case .cover, .coverStock:
                guard case .literal(let seconds, _) = argument else { self = .unavailable("bad cover argument"); return }
                self = .cover(function, seconds: Exact(seconds), rate: nil, key: Evaluator.source(e))
            case .burnOver, .burnPeak, .forecast:
                guard case .literal(let seconds, _) = argument else { self = .unavailable("bad \(function.rawValue) argument"); return }
                self = .demand(function, seconds: Exact(seconds), key: Evaluator.source(e))
            case .avg, .min, .max, .ewma, .rank:
                guard case .signal(let signal) = argument, let window else { self = .unavailable("bad aggregate"); return }
                self = .aggregate(function, signal, window: Exact(window), key: Evaluator.source(e))
            }
        case .coverAt(let function, let seconds, let rate):
            self = .cover(function, seconds: Exact(seconds), rate: CompiledExpression(rate, type: .rate), key: Evaluator.source(e))
        case .unary(.negate, let inner):
            self = .negate(CompiledExpression(inner, type: type))
        case .unary(.not, _):
            self = .unavailable("not a number")
        case .binary(let op, let l, let r):
            switch op {
            case .add, .subtract, .multiply, .divide:
                let lt = l.ownType ?? type
                let rt = r.ownType ?? type
                self = .arithmetic(op, CompiledExpression(l, type: lt), CompiledExpression(r, type: rt), left: lt, right: rt, divisor: Evaluator.source(r))
            default:
                self = .unavailable("not a number")
            }
        }
    }

    /// A condition.
    init(condition e: Expression) {
        switch e {
        case .binary(.and, let l, let r):
            self = .and(CompiledExpression(condition: l), CompiledExpression(condition: r))
        case .binary(.or, let l, let r):
            self = .or(CompiledExpression(condition: l), CompiledExpression(condition: r))
        case .unary(.not, let inner):
            self = .not(CompiledExpression(condition: inner))
        case .binary(let op, let l, let r) where op.isComparison:
            let type = l.ownType ?? r.ownType ?? .number
            self = .comparison(op, CompiledExpression(l, type: type), CompiledExpression(r, type: type), type: type,
                               left: Self.label(l, type), right: Self.label(r, type))
        default:
            self = .unavailable("not a condition")
        }
    }

    static func label(_ e: Expression, _ type: ValueType) -> Label {
        switch e {
        case .literal(let value, _): return .literal(ValueFormat.text(Exact(value), as: type))
        case .signal(let s): return .signal(s.rawValue)
        default: return .expression(Evaluator.source(e))
        }
    }
}
