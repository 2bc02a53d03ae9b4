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
    /// `cover(d, rate)` or `cover_stock(d, rate)`: cover `d` seconds at a rate expression.
    case coverAt(Function, seconds: Decimal, rate: Expression)
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
    /// `burn(w)`: the burn rate over the last `w` (the `burn` signal uses `burn_window`).
    case burnOver = "burn"
    /// `burn_peak(w)`: the highest burn over any quarter hour of the last `w`.
    case burnPeak = "burn_peak"
    /// `forecast(d)`: the units expected to be used in the next `d`.
    case forecast
    /// `rank(s, w)`: where the signal's value stands in its last `w` of history, 0 to 1.
    case rank

    /// The shortest duration argument it takes, in seconds.
    var shortestDuration: Decimal {
        switch self {
        case .burnOver: return 300
        case .burnPeak: return DemandModel.peakStretch
        default: return 0
        }
    }
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
///
/// An expression nests at most `maximumDepth` levels: every pair of parentheses, `not`, unary
/// `-` and operator is a level (`a and b and c` is two levels above its comparisons). The
/// parser, the type checker, `CompiledExpression` and the evaluator all recurse over the tree,
/// and the stack is finite (much smaller in a debug build, smaller still off the main
/// thread): a bounded tree is one every walker can take.
public struct ExpressionParser {
    /// The deepest expression accepted; strategies written by hand stay under ten. In a debug
    /// build the costliest form, parentheses (eight parser frames a pair, ~10 KB), takes about
    /// 660 KB of stack at 64 levels to parse, compile and evaluate; `not`, `and` and `or` about
    /// 140 KB. `StrategyFuzzTests` runs every form at the limit on a 1 MB thread: threads get
    /// 8 MB here, and at least 2 MB from glibc.
    public static let maximumDepth = 64
    /// The most digits a number may have: `Decimal` keeps 38, so a longer one would be
    /// silently rounded.
    static let maximumDigits = 30

    enum Token: Equatable {
        case number(Decimal, String), duration(Decimal), word(String), symbol(String), end
    }

    /// An expression with its type, its depth (see `maximumDepth`) and where it starts.
    struct Typed {
        var expression: Expression
        var type: ValueType
        var depth: Int
        var offset: Int
    }

    let text: [Character]
    var index = 0
    var tokens: [(Token, Int)] = []
    var position = 0
    /// Parentheses, `not`s and unary `-`s open around the current token: each is a level of
    /// the result, and each costs stack frames before any node is built.
    var open = 0

    /// Parses and type-checks `text`, which must have type `expected`.
    public static func parse(_ text: String, expecting expected: ValueType) throws(ExpressionError) -> Expression {
        var parser = ExpressionParser(text: Array(text))
        try parser.tokenize()
        let parsed = try parser.parseOr()
        guard case .end = parser.tokens[parser.position].0 else {
            throw ExpressionError(offset: parser.tokens[parser.position].1, message: "unexpected \(parser.describe(parser.tokens[parser.position].0)); expected an operator or the end")
        }
        let adapted = try Self.adapt(parsed, to: expected)
        guard adapted.type == expected else {
            throw ExpressionError(offset: 0, message: "expected \(expected), got \(adapted.type)")
        }
        return adapted.expression
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
                guard digits.count <= Self.maximumDigits else {
                    throw ExpressionError(offset: start, message: "'\(digits.prefix(12))…' has \(digits.count) digits; a number has at most \(Self.maximumDigits)")
                }
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

    // MARK: Depth

    static func tooDeep(at offset: Int) -> ExpressionError {
        ExpressionError(offset: offset, message: "expression nested deeper than \(maximumDepth) levels (each pair of parentheses, not, - and operator counts); split it into simpler rules")
    }

    /// Enters a parenthesis, `not` or unary `-` at `at`: refused before recursing when even the
    /// shallowest operand (one level) would make the result too deep.
    mutating func enter(at: Int) throws(ExpressionError) {
        guard open + 2 <= Self.maximumDepth else { throw Self.tooDeep(at: at) }
        open += 1
    }

    /// A node over `children`, one level deeper than the deepest of them.
    static func node(_ expression: Expression, _ type: ValueType, over children: Typed..., at: Int) throws(ExpressionError) -> Typed {
        let depth = 1 + children.reduce(0) { max($0, $1.depth) }
        guard depth <= maximumDepth else { throw tooDeep(at: at) }
        return Typed(expression: expression, type: type, depth: depth, offset: children.first?.offset ?? at)
    }

    // MARK: Grammar

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
            let type: ValueType = function == .burnOver || function == .burnPeak ? .rate : .units
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
                return try Self.node(.coverAt(function, seconds: seconds, rate: rate.expression), .units, over: rate, at: at)
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
            return Typed(expression: .call(function, argument: .signal(signal), window: window), type: function == .rank ? .number : signal.type, depth: 2, offset: at)
        }
    }

    // MARK: Types

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
