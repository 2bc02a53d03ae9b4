import Foundation

/// Type checking: operands that must match, bare numbers that take their neighbour's type.
extension ExpressionParser {
    static func require(_ typed: Typed, _ type: ValueType, at: Int, side: String) throws(ExpressionError) {
        guard typed.type == type else { throw ExpressionError(offset: at, message: "expected \(type) \(side), got \(typed.type)") }
    }

    static func isUntypedLiteral(_ e: Expression) -> Bool { untypedValue(e) != nil }

    /// The value of a bare number (`2.5`, `-2.5`), which takes the type of its neighbour.
    static func untypedValue(_ e: Expression) -> Decimal? {
        switch e {
        case .literal(let value, nil): return value
        case .unary(.negate, let inner): return untypedValue(inner).map { -$0 }
        default: return nil
        }
    }

    /// Same-type operands for + - and comparisons; a bare number takes its neighbour's type.
    static func unify(_ l: Typed, _ r: Typed, at: Int, operator op: String) throws(ExpressionError) -> (Typed, Typed, ValueType) {
        if l.type == r.type { return (l, r, l.type) }
        if isUntypedLiteral(l.expression) && r.type.isNumeric {
            try requireUnit(of: l, beside: r)
            return (l, r, r.type)
        }
        if isUntypedLiteral(r.expression) && l.type.isNumeric {
            try requireUnit(of: r, beside: l)
            return (l, r, l.type)
        }
        throw ExpressionError(offset: at, message: "cannot \(op == "+" || op == "-" ? "combine" : "compare") \(l.type) with \(r.type) using \(op)")
    }

    /// A bare number beside a duration must be 0: `runway < 2.5` would silently mean 2.5
    /// seconds, so it is an error that says how to write the unit.
    static func requireUnit(of number: Typed, beside other: Typed) throws(ExpressionError) {
        guard other.type == .duration else { return }
        let source = Evaluator.source(other.expression)
        try requireUnit(of: number, what: "\(source.count <= 40 ? source : "the other side") is a duration")
    }

    static func requireUnit(of number: Typed, what: String) throws(ExpressionError) {
        guard let value = untypedValue(number.expression), value != 0 else { return }
        let written = Evaluator.source(number.expression)
        throw ExpressionError(offset: number.offset,
                              message: "\(what): write \(written) with a unit, as \(written)h, \(written)m or \(written)s (only 0 may go without one)")
    }

    static func adapt(_ typed: Typed, to expected: ValueType) throws(ExpressionError) -> Typed {
        if typed.type == expected { return typed }
        guard isUntypedLiteral(typed.expression) && expected.isNumeric else { return typed }
        if expected == .duration { try requireUnit(of: typed, what: "expected a duration") }
        var adapted = typed
        adapted.type = expected
        return adapted
    }

    /// The type of `l * r` or `l / r` (see `ValueType.product`), or the error saying why they
    /// do not combine.
    static func productType(_ l: ValueType, _ r: ValueType, divide: Bool, at: Int) throws(ExpressionError) -> ValueType {
        guard l.isNumeric && r.isNumeric else { throw ExpressionError(offset: at, message: "\(divide ? "/" : "*") needs numbers, not conditions") }
        guard let type = ValueType.product(l, r, dividing: divide) else {
            throw ExpressionError(offset: at, message: "cannot \(divide ? "divide" : "multiply") \(l) by \(r)")
        }
        return type
    }
}
