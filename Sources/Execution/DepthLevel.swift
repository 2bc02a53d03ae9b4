import Foundation
import GridKeeperMacros

/// One price level of a book, in whatever units its reader counts: the exchange's view
/// (`PriceLevel`, dollars, a quantity that may be fractional on the wire), a strategy's snapshot
/// (`MarketSnapshot.Level`, dollars and whole units) and the matcher (`Matcher.Level`,
/// micro-dollars and whole units).
@MemberwiseInit
public struct DepthLevel<Price: Sendable & Equatable, Quantity: Sendable & Equatable>: Sendable, Equatable {
    public var price: Price
    public var quantity: Quantity
}

extension DepthLevel: Codable where Price: Codable, Quantity: Codable {}
