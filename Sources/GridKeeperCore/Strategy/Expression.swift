import Foundation

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
