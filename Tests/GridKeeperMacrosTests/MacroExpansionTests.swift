import GridKeeperMacroExpansions
import SwiftSyntax
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// What the macros write, checked against the expansion text; the models' behaviour on real
/// JSON is checked in GridAPITests.
@Suite struct MacroExpansionTests {
    let specs: [String: MacroSpec] = [
        "MemberwiseInit": MacroSpec(type: MemberwiseInitExpansion.self),
        "WireCodable": MacroSpec(type: WireCodableExpansion.self),
        "WireKey": MacroSpec(type: MarkerExpansion.self),
        "Units": MacroSpec(type: MarkerExpansion.self),
        "EncodeNil": MacroSpec(type: MarkerExpansion.self),
        "UnknownAsNil": MacroSpec(type: MarkerExpansion.self),
    ]

    func expect(_ source: String, expands expected: String, diagnostics: [DiagnosticSpec] = [],
                sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        assertMacroExpansion(source, expandedSource: expected, diagnostics: diagnostics, macroSpecs: specs) { failure in
            Issue.record(Comment(rawValue: failure.message), sourceLocation: sourceLocation)
        }
    }

    @Test func memberwiseInitTakesStoredPropertiesInOrderWithTheirDefaults() {
        expect(
            """
            @MemberwiseInit
            public struct Fill {
                public var orderID: String
                public let price: Decimal
                public var fee: Decimal? = 0
                public var note: String?
                let kind = "fill"
                public var handler: @Sendable () -> Void
                public static var count = 0
                public var total: Decimal { price }
                public var seen: Int = 0 { didSet { } }
            }
            """,
            expands: """
            public struct Fill {
                public var orderID: String
                public let price: Decimal
                public var fee: Decimal? = 0
                public var note: String?
                let kind = "fill"
                public var handler: @Sendable () -> Void
                public static var count = 0
                public var total: Decimal { price }
                public var seen: Int = 0 { didSet { } }

                public init(orderID: String, price: Decimal, fee: Decimal? = 0, note: String?, handler: @escaping @Sendable () -> Void, seen: Int = 0) {
                    self.orderID = orderID
                    self.price = price
                    self.fee = fee
                    self.note = note
                    self.handler = handler
                    self.seen = seen
                }
            }
            """)
    }

    @Test func memberwiseInitCanBeInternalAndSplitsSharedTypes() {
        expect(
            """
            @MemberwiseInit(.internal)
            struct Point {
                var x, y: Int
            }
            """,
            expands: """
            struct Point {
                var x, y: Int

                init(x: Int, y: Int) {
                    self.x = x
                    self.y = y
                }
            }
            """)
    }

    @Test func memberwiseInitRefusesAClassAndAnUntypedProperty() {
        expect(
            """
            @MemberwiseInit
            final class Box {
            }
            """,
            expands: """
            final class Box {
            }
            """,
            diagnostics: [DiagnosticSpec(message: "@MemberwiseInit applies to a struct", line: 1, column: 1)])
        expect(
            """
            @MemberwiseInit
            struct Box {
                var size = 3
            }
            """,
            expands: """
            struct Box {
                var size = 3
            }
            """,
            diagnostics: [DiagnosticSpec(message: "@MemberwiseInit needs the type of 'size' written out", line: 3, column: 9)])
    }

    @Test func wireCodableReadsAliasesAndDecimalsAndWritesTheFirstKey() {
        expect(
            """
            @WireCodable
            public struct Order: Codable {
                @WireKey("order_id", "id") public var orderID: String
                public var clientOrderID: String?
                @Units @WireKey("quantity", "size") public var quantity: Decimal
                @Units public var filledQuantity: Decimal = 0
                public var price: Decimal?
                @EncodeNil public var averagePrice: Decimal?
                @EncodeNil public var closureReason: String?
                public var timeInForce: String = "gtc"
                public var volume24h: Decimal
                @WireKey("total_value") public var notional: Decimal { price ?? 0 }
                public var remaining: Decimal { quantity - filledQuantity }
            }
            """,
            expands: """
            public struct Order: Codable {
                public var orderID: String
                public var clientOrderID: String?
                public var quantity: Decimal
                public var filledQuantity: Decimal = 0
                public var price: Decimal?
                public var averagePrice: Decimal?
                public var closureReason: String?
                public var timeInForce: String = "gtc"
                public var volume24h: Decimal
                public var notional: Decimal { price ?? 0 }
                public var remaining: Decimal { quantity - filledQuantity }

                public init(from decoder: any Decoder) throws {
                    let container = try decoder.container(keyedBy: WireCodingKey.self)
                    self.orderID = try container.decode(String.self, forKeys: ["order_id", "id"])
                    self.clientOrderID = try container.decodeIfPresent(String.self, forKey: "client_order_id")
                    self.quantity = try container.decodeDecimal(forKeys: ["quantity", "size"])
                    self.filledQuantity = try container.decodeDecimalIfPresent(forKey: "filled_quantity") ?? 0
                    self.price = try container.decodeDecimalIfPresent(forKey: "price")
                    self.averagePrice = try container.decodeDecimalIfPresent(forKey: "average_price")
                    self.closureReason = try container.decodeIfPresent(String.self, forKey: "closure_reason")
                    self.timeInForce = try container.decodeIfPresent(String.self, forKey: "time_in_force") ?? "gtc"
                    self.volume24h = try container.decodeDecimal(forKey: "volume_24h")
                }

                public func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: WireCodingKey.self)
                    try container.encode(self.orderID, forKey: "order_id")
                    try container.encodeIfPresent(self.clientOrderID, forKey: "client_order_id")
                    try container.encodeDecimalNumber(self.quantity, forKey: "quantity", in: encoder)
                    try container.encodeDecimalNumber(self.filledQuantity, forKey: "filled_quantity", in: encoder)
                    if let value = self.price {
                        try container.encodeDecimalString(value, forKey: "price")
                    }
                    try container.encodeDecimalString(self.averagePrice, forKey: "average_price")
                    try container.encode(self.closureReason, forKey: "closure_reason")
                    try container.encode(self.timeInForce, forKey: "time_in_force")
                    try container.encodeDecimalString(self.volume24h, forKey: "volume_24h")
                    try container.encodeDecimalString(self.notional, forKey: "total_value")
                }
            }
            """)
    }

    @Test func wireCodableLeavesWhatTheTypeWritesItself() {
        expect(
            """
            @WireCodable
            struct Paging: Codable {
                var hasMore: Bool
                @EncodeNil var nextCursor: String?
                init(from decoder: any Decoder) throws {
                    hasMore = false
                    nextCursor = nil
                }
            }
            """,
            expands: """
            struct Paging: Codable {
                var hasMore: Bool
                var nextCursor: String?
                init(from decoder: any Decoder) throws {
                    hasMore = false
                    nextCursor = nil
                }

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: WireCodingKey.self)
                    try container.encode(self.hasMore, forKey: "has_more")
                    try container.encode(self.nextCursor, forKey: "next_cursor")
                }
            }
            """)
    }

    @Test func wireCodableRefusesUnitsOnAnythingButADecimal() {
        expect(
            """
            @WireCodable
            struct Level: Codable {
                @Units var count: Int
            }
            """,
            expands: """
            struct Level: Codable {
                var count: Int
            }
            """,
            diagnostics: [DiagnosticSpec(message: "@Units applies to a Decimal, and 'count' is Int", line: 3, column: 5)])
    }

    @Test func unknownAsNilReadsTheEnumThroughItsRawStringAndWritesItAsIs() {
        expect(
            """
            @WireCodable
            struct Fill: Codable {
                @UnknownAsNil var side: OrderSide?
                @UnknownAsNil @WireKey("type", "kind") var type: OrderType?
                var status: Status?
            }
            """,
            expands: """
            struct Fill: Codable {
                var side: OrderSide?
                var type: OrderType?
                var status: Status?

                init(from decoder: any Decoder) throws {
                    let container = try decoder.container(keyedBy: WireCodingKey.self)
                    self.side = try container.decodeKnownIfPresent(OrderSide.self, forKey: "side")
                    self.type = try container.decodeKnownIfPresent(OrderType.self, forKeys: ["type", "kind"])
                    self.status = try container.decodeIfPresent(Status.self, forKey: "status")
                }

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: WireCodingKey.self)
                    try container.encodeIfPresent(self.side, forKey: "side")
                    try container.encodeIfPresent(self.type, forKey: "type")
                    try container.encodeIfPresent(self.status, forKey: "status")
                }
            }
            """)
    }

    @Test func unknownAsNilRefusesAPropertyThatCannotBeNil() {
        expect(
            """
            @WireCodable
            struct Fill: Codable {
                @UnknownAsNil var side: OrderSide
            }
            """,
            expands: """
            struct Fill: Codable {
                var side: OrderSide
            }
            """,
            diagnostics: [DiagnosticSpec(message: "@UnknownAsNil applies to an optional enum, and 'side' is OrderSide", line: 3, column: 5)])
    }

    @Test(arguments: [
        ("orderID", "order_id"), ("clientOrderID", "client_order_id"), ("baseURL", "base_url"), ("volume24h", "volume_24h"),
        ("URLPath", "url_path"), ("timeInForce", "time_in_force"), ("price", "price"), ("isActive", "is_active"),
    ])
    func wireKeysAreThePropertyNamesInSnakeCase(name: String, key: String) {
        expect(
            """
            @WireCodable
            struct Row: Encodable {
                var \(name): Int
                init(from decoder: any Decoder) throws { fatalError() }
            }
            """,
            expands: """
            struct Row: Encodable {
                var \(name): Int
                init(from decoder: any Decoder) throws { fatalError() }

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: WireCodingKey.self)
                    try container.encode(self.\(name), forKey: "\(key)")
                }
            }
            """)
    }
}

/// The markers as the plugin serves them: they add nothing.
enum MarkerExpansion: PeerMacro {
    static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        []
    }
}
