import Foundation

/// The grammar, by recursive descent: one function per precedence level, each checking the
/// types of what it builds.
extension ExpressionParser {
    mutating func parseOr() throws(ExpressionError) -> Typed {
        var left = try parseAnd()
        while true {
            let at = offset
            guard accept("or") else { return left }
            let right = try parseAnd()
            try Self.require(left, .bool, at: at, side: "left of or")
            try Self.require(right, .bool, at: at, side: "right of or")
            left = try Self.node(.binary(.or, left.expression, right.expression), .bool, over: left, right, at: at)
        }
    }

    mutating func parseAnd() throws(ExpressionError) -> Typed {
        var left = try parseNot()
        while true {
            let at = offset
            guard accept("and") else { return left }
            let right = try parseNot()
            try Self.require(left, .bool, at: at, side: "left of and")
            try Self.require(right, .bool, at: at, side: "right of and")
            left = try Self.node(.binary(.and, left.expression, right.expression), .bool, over: left, right, at: at)
        }
    }

    mutating func parseNot() throws(ExpressionError) -> Typed {
        let at = offset
        if accept("not") {
            try enter(at: at)
            let operand = try parseNot()
            open -= 1
            try Self.require(operand, .bool, at: at, side: "after not")
            var result = try Self.node(.unary(.not, operand.expression), .bool, over: operand, at: at)
            result.offset = at
            return result
        }
        return try parseComparison()
    }

    static let comparisons: [String: Expression.BinaryOperator] = ["<": .less, "<=": .lessEqual, ">": .greater, ">=": .greaterEqual, "==": .equal, "!=": .notEqual]

    mutating func parseComparison() throws(ExpressionError) -> Typed {
        let left = try parseAdditive()
        let ops = Self.comparisons
        guard case .symbol(let s) = current, let op = ops[s] else { return left }
        let at = offset
        position += 1
        let right = try parseAdditive()
        let (l, r, type) = try Self.unify(left, right, at: at, operator: s)
        guard type.isNumeric else { throw ExpressionError(offset: at, message: "\(s) compares numbers, not conditions") }
        if case .symbol(let next) = current, ops[next] != nil {
            throw ExpressionError(offset: offset, message: "comparisons cannot be chained; use and")
        }
        return try Self.node(.binary(op, l.expression, r.expression), .bool, over: l, r, at: at)
    }

    mutating func parseAdditive() throws(ExpressionError) -> Typed {
        var left = try parseMultiplicative()
        while case .symbol(let s) = current, s == "+" || s == "-" {
            let at = offset
            position += 1
            let right = try parseMultiplicative()
            let (l, r, type) = try Self.unify(left, right, at: at, operator: s)
            guard type.isNumeric else { throw ExpressionError(offset: at, message: "\(s) needs numbers, not conditions") }
            left = try Self.node(.binary(s == "+" ? .add : .subtract, l.expression, r.expression), type, over: l, r, at: at)
        }
        return left
    }

    mutating func parseMultiplicative() throws(ExpressionError) -> Typed {
        var left = try parseUnary()
        while case .symbol(let s) = current, s == "*" || s == "/" {
            let at = offset
            position += 1
            let right = try parseUnary()
            let type = try Self.productType(left.type, right.type, divide: s == "/", at: at)
            left = try Self.node(.binary(s == "*" ? .multiply : .divide, left.expression, right.expression), type, over: left, right, at: at)
        }
        return left
    }

    mutating func parseUnary() throws(ExpressionError) -> Typed {
        let at = offset
        if accept("-") {
            try enter(at: at)
            let operand = try parseUnary()
            open -= 1
            guard operand.type.isNumeric else { throw ExpressionError(offset: at, message: "- needs a number") }
            var result = try Self.node(.unary(.negate, operand.expression), operand.type, over: operand, at: at)
            result.offset = at
            return result
        }
        return try parsePrimary()
    }

    // Parentheses recurse through every level above: this frame and the seven above it are on
    // the stack once per pair, so what only a name or an error needs is kept out of it.
    mutating func parsePrimary() throws(ExpressionError) -> Typed {
        let at = offset
        switch current {
        case .number(let value, _):
            position += 1
            return Typed(expression: .literal(value, literalType: nil), type: .number, depth: 1, offset: at)
        case .duration(let seconds):
            position += 1
            return Typed(expression: .literal(seconds, literalType: .duration), type: .duration, depth: 1, offset: at)
        case .symbol("("):
            position += 1
            try enter(at: at)
            var inner = try parseOr()
            open -= 1
            guard accept(")") else { throw expected(")") }
            // The parentheses are a level: they cost the parser as much as an operator.
            inner.depth += 1
            guard inner.depth <= Self.maximumDepth else { throw Self.tooDeep(at: at) }
            inner.offset = at
            return inner
        case .word(let name):
            position += 1
            return try parseWord(name, at: at)
        default:
            throw unexpected(at: at)
        }
    }

    func expected(_ symbol: String) -> ExpressionError { ExpressionError(offset: offset, message: "expected '\(symbol)'") }

    func unexpected(at: Int) -> ExpressionError {
        ExpressionError(offset: at, message: "expected a number, a duration, a signal or '(', got \(describe(current))")
    }

    /// A signal or a call.
    mutating func parseWord(_ name: String, at: Int) throws(ExpressionError) -> Typed {
        if accept("(") { return try parseCall(name, at: at) }
        if let signal = Signal(rawValue: name) { return Typed(expression: .signal(signal), type: signal.type, depth: 1, offset: at) }
        if Function(rawValue: name) != nil { throw ExpressionError(offset: at, message: "\(name) is a function: write \(name)(…)") }
        let known = Signal.allCases.map(\.rawValue)
        let hint = Suggest.closest(name, in: known).map { "; did you mean '\($0)'?" } ?? ""
        throw ExpressionError(offset: at, message: "unknown signal '\(name)'\(hint)")
    }

    mutating func parseCall(_ name: String, at: Int) throws(ExpressionError) -> Typed {
        guard let function = Function(rawValue: name) else {
            let hint = Suggest.closest(name, in: Function.allCases.map(\.rawValue)).map { "; did you mean '\($0)'?" } ?? ""
            throw ExpressionError(offset: at, message: "unknown function '\(name)'\(hint)")
        }
        switch function {
        case .cover, .coverStock, .burnOver, .burnPeak, .forecast:
            let argAt = offset
            guard case .duration(let seconds) = current else {
                throw ExpressionError(offset: argAt, message: "\(name)(…) takes a duration like \(function == .burnPeak || function == .burnOver ? "30m" : "2h")")
            }
            position += 1
            guard seconds > 0 else { throw ExpressionError(offset: argAt, message: "\(name)(…) needs a positive duration") }
            guard seconds >= function.shortestDuration else {
                throw ExpressionError(offset: argAt, message: "\(name)(…) needs a duration of at least \(ValueFormat.duration(seconds: Exact(function.shortestDuration)))")
            }
            guard seconds <= DemandModel.longestDuration else {
                throw ExpressionError(offset: argAt, message: "\(name)(…) takes at most \(ValueFormat.duration(seconds: Exact(DemandModel.longestDuration)))")
            }
            let type = function.resultType(argument: .duration)
            if (function == .cover || function == .coverStock), accept(",") {
                // cover(d, rate): the rate is any expression of type rate.
                let rateAt = offset
                try enter(at: rateAt)
                let parsed = try parseOr()
                open -= 1
                guard parsed.type == .rate || Self.isUntypedLiteral(parsed.expression) else {
                    throw ExpressionError(offset: rateAt, message: "the second argument of \(name)(…) is a rate (units/hour), like burn_peak(30m); got \(parsed.type)")
                }
                let rate = try Self.adapt(parsed, to: .rate)
                guard accept(")") else { throw ExpressionError(offset: offset, message: "expected ')' after \(name)'s rate") }
                return try Self.node(.coverAt(function, seconds: seconds, rate: rate.expression), type, over: rate, at: at)
            }
            guard accept(")") else {
                throw ExpressionError(offset: offset, message: function == .cover || function == .coverStock
                    ? "expected ')' or ', rate' after \(name)'s duration" : "expected ')' after \(name)'s duration")
            }
            return Typed(expression: .call(function, argument: .literal(seconds, literalType: .duration), window: nil), type: type, depth: 2, offset: at)
        case .avg, .min, .max, .ewma, .rank:
            let argAt = offset
            guard case .word(let signalName) = current, let signal = Signal(rawValue: signalName) else {
                throw ExpressionError(offset: argAt, message: "\(name)(…) takes a signal and a window, e.g. \(name)(last, 24h)")
            }
            guard signal.hasHistory else {
                throw ExpressionError(offset: argAt, message: "\(signalName) has no recorded history; \(name) reads bid, ask, mid, last, spread, consumption or inventory")
            }
            position += 1
            guard accept(",") else { throw ExpressionError(offset: offset, message: "expected ',' and a window like 24h") }
            let windowAt = offset
            guard case .duration(let window) = current, window > 0 else {
                throw ExpressionError(offset: windowAt, message: "the window of \(name)(…) must be a duration like 24h")
            }
            position += 1
            guard window <= DemandModel.longestDuration else {
                throw ExpressionError(offset: windowAt, message: "the window of \(name)(…) is at most \(ValueFormat.duration(seconds: Exact(DemandModel.longestDuration)))")
            }
            guard accept(")") else { throw ExpressionError(offset: offset, message: "expected ')'") }
            return Typed(expression: .call(function, argument: .signal(signal), window: window), type: function.resultType(argument: signal.type), depth: 2, offset: at)
        }
    }
}
