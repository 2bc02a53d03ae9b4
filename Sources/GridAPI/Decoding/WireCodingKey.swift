/// A key of the Trading API's JSON, by name: what `@WireCodable` expansions key their
/// containers with, so a model names its keys (and their aliases) as string literals.
struct WireCodingKey: CodingKey, ExpressibleByStringLiteral {
    let stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}
