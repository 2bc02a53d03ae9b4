import Foundation

/// What went wrong in an expression, at which character offset.
public struct ExpressionError: Error, Sendable, Equatable {
    public var offset: Int
    public var message: String
}
