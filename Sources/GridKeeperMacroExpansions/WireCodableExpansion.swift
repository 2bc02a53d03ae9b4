import SwiftParser
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@WireCodable`: see its declaration in `GridKeeperMacros`; `GridKeeperMacrosPlugin` serves it.
public enum WireCodableExpansion: MemberMacro {
    public static func expansion(
        of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        let fields = try Property.all(ofStruct: declaration, for: "WireCodable", at: node).compactMap(WireField.init)
        let access = declaration.modifiers.contains { ["public", "open"].contains($0.name.text) } ? "public " : ""
        var members: [DeclSyntax] = []
        if !declares(declaration, "init(from:)") {
            let lines = fields.filter(\.isDecoded).map(\.decodeStatement)
            members.append("""
                \(raw: access)init(from decoder: any Decoder) throws {
                    let container = try decoder.container(keyedBy: WireCodingKey.self)
                \(raw: lines.map { "    \($0)" }.joined(separator: "\n"))
                }
                """)
        }
        if !declares(declaration, "encode(to:)") {
            let lines = fields.map(\.encodeStatement)
            members.append("""
                \(raw: access)func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: WireCodingKey.self)
                \(raw: lines.map { "    \($0)" }.joined(separator: "\n"))
                }
                """)
        }
        return members
    }

    /// Whether the type writes `init(from:)` or `encode(to:)` itself.
    private static func declares(_ declaration: some DeclGroupSyntax, _ signature: String) -> Bool {
        declaration.memberBlock.members.contains { member in
            if let initializer = member.decl.as(InitializerDeclSyntax.self) {
                let labels = initializer.signature.parameterClause.parameters.map { $0.firstName.text + ":" }.joined()
                return signature == "init(\(labels))"
            }
            if let function = member.decl.as(FunctionDeclSyntax.self) {
                let labels = function.signature.parameterClause.parameters.map { $0.firstName.text + ":" }.joined()
                return signature == "\(function.name.text)(\(labels))"
            }
            return false
        }
    }
}

/// How one property is read from and written to the wire.
struct WireField {
    var name: String
    /// The key written, then the aliases read in its place.
    var keys: [String]
    /// The type read, without its optional.
    var valueType: String
    var isOptional: Bool
    var isDecimal: Bool
    /// A `Decimal` written as a JSON number.
    var isUnits: Bool
    var encodesNil: Bool
    /// An optional enum that reads a value it does not name as `nil`.
    var unknownAsNil: Bool
    /// Read only when stored and assignable; computed fields are written only.
    var isDecoded: Bool
    var fallback: String?

    /// `nil` for a property that is not on the wire: a computed property without a wire
    /// attribute, or a `let` that already has its value.
    init?(_ property: Property) throws {
        let marked = ["WireKey", "Units", "EncodeNil", "UnknownAsNil"].contains { property.attribute($0) != nil }
        guard property.isStored ? property.isInitializable : marked else { return nil }
        let type = try property.writtenType(for: "WireCodable")
        name = property.name
        keys = [property.name.snakeCased]
        if let attribute = property.attribute("WireKey") {
            let strings = attribute.arguments?.as(LabeledExprListSyntax.self)?.map {
                $0.expression.as(StringLiteralExprSyntax.self)?.representedLiteralValue
            } ?? []
            guard !strings.isEmpty, strings.allSatisfy({ $0 != nil }) else {
                throw refusal(at: attribute, "@WireKey takes the key and its aliases as string literals")
            }
            keys = strings.compactMap { $0 }
        }
        isOptional = property.isOptional
        valueType = (property.wrappedType ?? type).trimmedDescription
        isDecimal = valueType == "Decimal" || valueType == "Foundation.Decimal"
        isUnits = property.attribute("Units") != nil
        if isUnits, !isDecimal {
            throw refusal(at: property.attribute("Units")!, "@Units applies to a Decimal, and '\(name)' is \(valueType)")
        }
        encodesNil = property.attribute("EncodeNil") != nil
        unknownAsNil = property.attribute("UnknownAsNil") != nil
        if unknownAsNil, !isOptional || isDecimal {
            throw refusal(at: property.attribute("UnknownAsNil")!, "@UnknownAsNil applies to an optional enum, and '\(name)' is \(type.trimmedDescription)")
        }
        isDecoded = property.isStored
        fallback = isOptional ? nil : property.initializer?.trimmedDescription
    }

    private var keyArgument: String {
        keys.count == 1 ? "forKey: \(literal(keys[0]))" : "forKeys: [\(keys.map(literal).joined(separator: ", "))]"
    }

    var decodeStatement: String {
        let read: String
        switch (isDecimal, isOptional || fallback != nil) {
        case _ where unknownAsNil: read = "container.decodeKnownIfPresent(\(valueType).self, \(keyArgument))"
        case (true, false): read = "container.decodeDecimal(\(keyArgument))"
        case (true, true): read = "container.decodeDecimalIfPresent(\(keyArgument))"
        case (false, false): read = "container.decode(\(valueType).self, \(keyArgument))"
        case (false, true): read = "container.decodeIfPresent(\(valueType).self, \(keyArgument))"
        }
        return "self.\(name) = try \(read)\(fallback.map { " ?? \($0)" } ?? "")"
    }

    var encodeStatement: String {
        let key = literal(keys[0])
        let value = "self.\(name)"
        guard isDecimal else {
            return isOptional && !encodesNil
                ? "try container.encodeIfPresent(\(value), forKey: \(key))"
                : "try container.encode(\(value), forKey: \(key))"
        }
        let write = isUnits
            ? { (v: String) in "try container.encodeDecimalNumber(\(v), forKey: \(key), in: encoder)" }
            : { (v: String) in "try container.encodeDecimalString(\(v), forKey: \(key))" }
        // Both helpers write `null` for nil, which is what `@EncodeNil` asks for.
        return isOptional && !encodesNil ? "if let value = \(value) { \(write("value")) }" : write(value)
    }

    private func literal(_ text: String) -> String {
        let escaped = text.map { $0 == "\"" || $0 == "\\" ? "\\\($0)" : String($0) }.joined()
        return "\"\(escaped)\""
    }
}
