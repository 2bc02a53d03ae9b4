import Foundation

// The type rules of strategy expressions, written once. `ExpressionParser` checks a text with
// them (and words the errors); `CompiledExpression` settles each operand's type with them, and
// the evaluator formats each input in its type.

extension Signal {
    /// The type of the signal's value.
    public var type: ValueType {
        switch self {
        case .consumption, .inventory, .onOrder: return .units
        case .burn: return .rate
        case .runway, .stockRunway: return .duration
        case .bid, .ask, .mid, .last, .spread, .tick: return .price
        case .usd, .spentToday, .spentMonth: return .money
        case .hour: return .number
        }
    }
}

extension Function {
    /// The type of a call's result, given the type of its argument: a duration for `cover`,
    /// `cover_stock`, `burn`, `burn_peak` and `forecast`, the signal read by `avg`, `min`, `max`,
    /// `ewma` and `rank`. The aggregates keep the signal's type; `rank` is a number.
    func resultType(argument: ValueType) -> ValueType {
        switch self {
        case .cover, .coverStock, .forecast: return .units
        case .burnOver, .burnPeak: return .rate
        case .rank: return .number
        case .avg, .min, .max, .ewma: return argument
        }
    }
}

extension ValueType {
    /// The type of `left * right`, or of `left / right` when `dividing`; nil when the two do not
    /// combine (`price * price`, `duration / price`) or either is a condition.
    static func product(_ left: ValueType, _ right: ValueType, dividing: Bool) -> ValueType? {
        guard left.isNumeric && right.isNumeric else { return nil }
        if dividing {
            switch (left, right) {
            case (_, .number): return left
            case (let a, let b) where a == b: return .number
            case (.units, .rate): return .duration
            case (.money, .units): return .price
            case (.money, .price): return .units
            default: return nil
            }
        }
        switch (left, right) {
        case (.number, _): return right
        case (_, .number): return left
        case (.rate, .duration), (.duration, .rate): return .units
        case (.price, .units), (.units, .price): return .money
        default: return nil
        }
    }
}

extension Expression {
    /// The type of a checked expression, as the parser found it, when it has one of its own;
    /// nil for a bare number (`2.5`, `-2.5`, `2 * 3`), which takes its neighbour's type.
    ///
    /// A call's argument always has a type in a checked expression (a duration or a signal); a
    /// call built otherwise does not compile to a value, so its type is never read.
    var ownType: ValueType? {
        switch self {
        case .literal(_, let type): return type
        case .signal(let signal): return signal.type
        case .call(let function, let argument, _): return function.resultType(argument: argument.ownType ?? .number)
        case .coverAt(let function, _, _): return function.resultType(argument: .duration)
        case .unary(_, let inner): return inner.ownType
        case .binary(let op, let l, let r):
            switch op {
            case .add, .subtract: return l.ownType ?? r.ownType
            case .multiply, .divide:
                let (a, b) = (l.ownType, r.ownType)
                if a == nil && b == nil { return nil }
                return ValueType.product(a ?? .number, b ?? .number, dividing: op == .divide)
            default: return .bool
            }
        }
    }
}
