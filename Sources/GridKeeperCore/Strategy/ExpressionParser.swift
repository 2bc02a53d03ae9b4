import Foundation

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
}
