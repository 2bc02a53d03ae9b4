import Foundation

/// A position in a strategy file (1-based).
public struct SourcePosition: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public static func < (a: SourcePosition, b: SourcePosition) -> Bool { (a.line, a.column) < (b.line, b.column) }
    public var description: String { "\(line):\(column)" }
}

/// A parsed, type-checked expression.
public indirect enum Expression: Sendable, Equatable {
    case literal(Decimal, literalType: ValueType?)  // nil: an untyped number that adapts to its neighbour
    case signal(Signal)
    case call(Function, argument: Expression, window: Decimal?)  // window in seconds
    case unary(UnaryOperator, Expression)
    case binary(BinaryOperator, Expression, Expression)

    public enum UnaryOperator: String, Sendable { case not, negate = "-" }
    public enum BinaryOperator: String, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/"
        case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equal = "==", notEqual = "!="
        case and, or

        var isComparison: Bool {
            switch self {
            case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual: return true
            default: return false
            }
        }
    }
}

/// The named inputs a strategy can read.
public enum Signal: String, Sendable, CaseIterable {
    case consumption, inventory, burn, runway, stockRunway = "stock_runway", bid, ask, mid, last, spread, tick, usd
    case spentToday = "spent_today", spentMonth = "spent_month", hour

    public var type: ValueType {
        switch self {
        case .consumption, .inventory: return .units
        case .burn: return .rate
        case .runway, .stockRunway: return .duration
        case .bid, .ask, .mid, .last, .spread, .tick: return .price
        case .usd, .spentToday, .spentMonth: return .money
        case .hour: return .number
        }
    }

    /// Signals whose recorded history `avg`, `min`, `max` and `ewma` can read.
    public var hasHistory: Bool { [.bid, .ask, .mid, .last, .spread, .consumption, .inventory].contains(self) }
}

/// Functions of strategy expressions.
extension Signal {
    /// Position in `allCases` (an array index for per-cycle caches).
    var index: Int {
        switch self {
        case .consumption: return 0
        case .inventory: return 1
        case .burn: return 2
        case .runway: return 3
        case .stockRunway: return 4
        case .bid: return 5
        case .ask: return 6
        case .mid: return 7
        case .last: return 8
        case .spread: return 9
        case .tick: return 10
        case .usd: return 11
        case .spentToday: return 12
        case .spentMonth: return 13
        case .hour: return 14
        }
    }
}

public enum Function: String, Sendable, CaseIterable {
    case avg, min, max, ewma, cover, coverStock = "cover_stock"
}

/// What went wrong in an expression, at which character offset.
public struct ExpressionError: Error, Sendable, Equatable {
    public var offset: Int
    public var message: String
}

/// Tokenizer, parser and type checker for strategy expressions.
///
/// Grammar (lowest precedence first):
/// `or` → `and` → `not` → comparison (`< <= > >= == !=`) → `+ -` → `* /` → unary `-` →
/// primary: decimal (`2.50`), duration (`30s`, `15m`, `24h`, `2d`), signal, `f(args)`, `( … )`.
public struct ExpressionParser {
    enum Token: Equatable {
        case number(Decimal, String), duration(Decimal), word(String), symbol(String), end
    }

    let text: [Character]
    var index = 0
    var tokens: [(Token, Int)] = []
    var position = 0

    /// Parses and type-checks `text`, which must have type `expected`.
    public static func parse(_ text: String, expecting expected: ValueType) throws(ExpressionError) -> Expression {
        var parser = ExpressionParser(text: Array(text))
        try parser.tokenize()
        let (expression, type) = try parser.parseOr()
        guard case .end = parser.tokens[parser.position].0 else {
            throw ExpressionError(offset: parser.tokens[parser.position].1, message: "unexpected \(parser.describe(parser.tokens[parser.position].0)); expected an operator or the end")
        }
        let adapted = try Self.adapt(expression, type, to: expected, offset: 0)
        guard adapted.1 == expected else {
            throw ExpressionError(offset: 0, message: "expected \(expected), got \(adapted.1)")
        }
        return adapted.0
    }

    // MARK: Tokens

    mutating func tokenize() throws(ExpressionError) {
        while index < text.count {
            let c = text[index]
            let start = index
            if c.isWhitespace {
                index += 1
            } else if c.isNumber || (c == "." && index + 1 < text.count && text[index + 1].isNumber) {
                while index < text.count, text[index].isNumber || text[index] == "." { index += 1 }
                let digits = String(text[start..<index])
                guard digits.filter({ $0 == "." }).count <= 1, !digits.hasSuffix("."),
                    let value = Decimal(string: digits, locale: Locale(identifier: "en_US_POSIX"))
                else { throw ExpressionError(offset: start, message: "'\(digits)' is not a number like 2.50") }
                if index < text.count, text[index].isLetter {
                    let unitStart = index
                    while index < text.count, text[index].isLetter { index += 1 }
                    let unit = String(text[unitStart..<index])
                    let seconds: Decimal
                    switch unit {
                    case "s": seconds = 1
                    case "m": seconds = 60
                    case "h": seconds = 3600
                    case "d": seconds = 86_400
                    default:
                        throw ExpressionError(offset: unitStart, message: "unknown unit '\(unit)' after \(digits): durations use s, m, h or d (e.g. 30m)")
                    }
                    tokens.append((.duration(value * seconds), start))
                } else {
                    tokens.append((.number(value, digits), start))
                }
            } else if c.isLetter || c == "_" {
                while index < text.count, text[index].isLetter || text[index].isNumber || text[index] == "_" { index += 1 }
                tokens.append((.word(String(text[start..<index])), start))
            } else {
                let two = index + 1 < text.count ? String(text[index...index + 1]) : ""
                if ["<=", ">=", "==", "!=", "&&", "||"].contains(two) {
                    tokens.append((.symbol(two == "&&" ? "and" : two == "||" ? "or" : two), start))
                    index += 2
                } else if "+-*/()<>,".contains(c) {
                    tokens.append((.symbol(String(c)), start))
                    index += 1
                } else {
                    throw ExpressionError(offset: start, message: "unexpected character '\(c)'")
                }
            }
        }
        tokens.append((.end, text.count))
    }

    func describe(_ token: Token) -> String {
        switch token {
        case .number(_, let text): return "'\(text)'"
        case .duration: return "a duration"
        case .word(let w): return "'\(w)'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "the end"
        }
    }

    var current: Token { tokens[position].0 }
    var offset: Int { tokens[position].1 }

    mutating func accept(_ symbol: String) -> Bool {
        if current == .symbol(symbol) || current == .word(symbol) {
            position += 1
            return true
        }
        return false
    }

    // MARK: Grammar

    typealias Typed = (Expression, ValueType)

    mutating func parseOr() throws(ExpressionError) -> Typed {
        var left = try parseAnd()
        while true {
            let at = offset
            guard accept("or") else { return left }
            let right = try parseAnd()
            try Self.require(left, .bool, at: at, side: "left of or")
            try Self.require(right, .bool, at: at, side: "right of or")
            left = (.binary(.or, left.0, right.0), .bool)
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
            left = (.binary(.and, left.0, right.0), .bool)
        }
    }

    mutating func parseNot() throws(ExpressionError) -> Typed {
        let at = offset
        if accept("not") {
            let operand = try parseNot()
            try Self.require(operand, .bool, at: at, side: "after not")
            return (.unary(.not, operand.0), .bool)
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws(ExpressionError) -> Typed {
        let left = try parseAdditive()
        let ops: [String: Expression.BinaryOperator] = ["<": .less, "<=": .lessEqual, ">": .greater, ">=": .greaterEqual, "==": .equal, "!=": .notEqual]
        guard case .symbol(let s) = current, let op = ops[s] else { return left }
        let at = offset
        position += 1
        let right = try parseAdditive()
        let (l, r, type) = try Self.unify(left, right, at: at, operator: s)
        guard type.isNumeric else { throw ExpressionError(offset: at, message: "\(s) compares numbers, not conditions") }
        if case .symbol(let next) = current, ops[next] != nil {
            throw ExpressionError(offset: offset, message: "comparisons cannot be chained; use and")
        }
        return (.binary(op, l, r), .bool)
    }

    mutating func parseAdditive() throws(ExpressionError) -> Typed {
        var left = try parseMultiplicative()
        while case .symbol(let s) = current, s == "+" || s == "-" {
            let at = offset
            position += 1
            let right = try parseMultiplicative()
            let (l, r, type) = try Self.unify(left, right, at: at, operator: s)
            guard type.isNumeric else { throw ExpressionError(offset: at, message: "\(s) needs numbers, not conditions") }
            left = (.binary(s == "+" ? .add : .subtract, l, r), type)
        }
        return left
    }

    mutating func parseMultiplicative() throws(ExpressionError) -> Typed {
        var left = try parseUnary()
        while case .symbol(let s) = current, s == "*" || s == "/" {
            let at = offset
            position += 1
            let right = try parseUnary()
            let type = try Self.productType(left.1, right.1, divide: s == "/", at: at)
            left = (.binary(s == "*" ? .multiply : .divide, left.0, right.0), type)
        }
        return left
    }

    mutating func parseUnary() throws(ExpressionError) -> Typed {
        let at = offset
        if accept("-") {
            let operand = try parseUnary()
            guard operand.1.isNumeric else { throw ExpressionError(offset: at, message: "- needs a number") }
            return (.unary(.negate, operand.0), operand.1)
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(ExpressionError) -> Typed {
        let at = offset
        switch current {
        case .number(let value, _):
            position += 1
            return (.literal(value, literalType: nil), .number)
        case .duration(let seconds):
            position += 1
            return (.literal(seconds, literalType: .duration), .duration)
        case .symbol("("):
            position += 1
            let inner = try parseOr()
            guard accept(")") else { throw ExpressionError(offset: offset, message: "expected ')'") }
            return inner
        case .word(let name):
            position += 1
            if accept("(") { return try parseCall(name, at: at) }
            if let signal = Signal(rawValue: name) { return (.signal(signal), signal.type) }
            if Function(rawValue: name) != nil { throw ExpressionError(offset: at, message: "\(name) is a function: write \(name)(…)") }
            let known = Signal.allCases.map(\.rawValue)
            let hint = Suggest.closest(name, in: known).map { "; did you mean '\($0)'?" } ?? ""
            throw ExpressionError(offset: at, message: "unknown signal '\(name)'\(hint)")
        default:
            throw ExpressionError(offset: at, message: "expected a number, a duration, a signal or '(', got \(describe(current))")
        }
    }

    mutating func parseCall(_ name: String, at: Int) throws(ExpressionError) -> Typed {
        guard let function = Function(rawValue: name) else {
            let hint = Suggest.closest(name, in: Function.allCases.map(\.rawValue)).map { "; did you mean '\($0)'?" } ?? ""
            throw ExpressionError(offset: at, message: "unknown function '\(name)'\(hint)")
        }
        switch function {
        case .cover, .coverStock:
            let argAt = offset
            guard case .duration(let seconds) = current else {
                throw ExpressionError(offset: argAt, message: "\(name)(…) takes a duration like 2h")
            }
            position += 1
            guard seconds > 0 else { throw ExpressionError(offset: argAt, message: "\(name)(…) needs a positive duration") }
            guard accept(")") else { throw ExpressionError(offset: offset, message: "expected ')' after \(name)'s duration") }
            return (.call(function, argument: .literal(seconds, literalType: .duration), window: nil), .units)
        case .avg, .min, .max, .ewma:
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
            guard accept(")") else { throw ExpressionError(offset: offset, message: "expected ')'") }
            return (.call(function, argument: .signal(signal), window: window), signal.type)
        }
    }

    // MARK: Types

    static func require(_ typed: Typed, _ type: ValueType, at: Int, side: String) throws(ExpressionError) {
        guard typed.1 == type else { throw ExpressionError(offset: at, message: "expected \(type) \(side), got \(typed.1)") }
    }

    static func isUntypedLiteral(_ e: Expression) -> Bool {
        switch e {
        case .literal(_, nil): return true
        case .unary(.negate, let inner): return isUntypedLiteral(inner)
        default: return false
        }
    }

    /// Same-type operands for + - and comparisons; a bare number takes its neighbour's type.
    static func unify(_ l: Typed, _ r: Typed, at: Int, operator op: String) throws(ExpressionError) -> (Expression, Expression, ValueType) {
        if l.1 == r.1 { return (l.0, r.0, l.1) }
        if isUntypedLiteral(l.0) && r.1.isNumeric { return (l.0, r.0, r.1) }
        if isUntypedLiteral(r.0) && l.1.isNumeric { return (l.0, r.0, l.1) }
        throw ExpressionError(offset: at, message: "cannot \(op == "+" || op == "-" ? "combine" : "compare") \(l.1) with \(r.1) using \(op)")
    }

    static func adapt(_ e: Expression, _ type: ValueType, to expected: ValueType, offset: Int) throws(ExpressionError) -> Typed {
        if type == expected { return (e, type) }
        if isUntypedLiteral(e) && expected.isNumeric { return (e, expected) }
        return (e, type)
    }

    static func productType(_ l: ValueType, _ r: ValueType, divide: Bool, at: Int) throws(ExpressionError) -> ValueType {
        guard l.isNumeric && r.isNumeric else { throw ExpressionError(offset: at, message: "\(divide ? "/" : "*") needs numbers, not conditions") }
        if divide {
            switch (l, r) {
            case (_, .number): return l
            case (let a, let b) where a == b: return .number
            case (.units, .rate): return .duration
            case (.money, .units): return .price
            case (.money, .price): return .units
            default: break
            }
        } else {
            switch (l, r) {
            case (.number, _): return r
            case (_, .number): return l
            case (.rate, .duration), (.duration, .rate): return .units
            case (.price, .units), (.units, .price): return .money
            default: break
            }
        }
        throw ExpressionError(offset: at, message: "cannot \(divide ? "divide" : "multiply") \(l) \(divide ? "by" : "by") \(r)")
    }
}

/// "Did you mean" for names.
public enum Suggest {
    public static func closest(_ word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0)) }.min { $0.1 < $1.1 }
        guard let best = scored, best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var row = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                row[j] = Swift.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = row
        }
        return previous[b.count]
    }
}
