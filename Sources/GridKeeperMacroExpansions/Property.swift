import SwiftSyntax

/// A property of the type a macro is attached to, as far as the macros need to know it.
struct Property {
    var name: String
    /// The declared type, as written; `nil` when the declaration names none.
    var type: TypeSyntax?
    var initializer: ExprSyntax?
    var isLet: Bool
    /// A stored property (possibly with observers), not a computed one.
    var isStored: Bool
    var attributes: [AttributeSyntax]
    var node: Syntax

    /// The properties of the struct `macro` is attached to (`attribute`); anything but a struct
    /// is refused there.
    static func all(ofStruct declaration: some DeclGroupSyntax, for macro: String, at attribute: AttributeSyntax) throws -> [Property] {
        guard declaration.is(StructDeclSyntax.self) else { throw refusal(at: attribute, "@\(macro) applies to a struct") }
        return all(in: declaration)
    }

    /// The properties a type declares, static ones left out, each binding of
    /// `var a, b: Int` on its own.
    static func all(in declaration: some DeclGroupSyntax) -> [Property] {
        declaration.memberBlock.members.flatMap { member -> [Property] in
            guard let variable = member.decl.as(VariableDeclSyntax.self),
                  !variable.modifiers.contains(where: { ["static", "class"].contains($0.name.text) })
            else { return [] }
            let attributes = variable.attributes.compactMap { $0.as(AttributeSyntax.self) }
            let bindings = Array(variable.bindings)
            return bindings.enumerated().compactMap { index, binding in
                guard let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else { return nil }
                // In `var a, b: Int` only the last binding carries the type.
                let type = binding.typeAnnotation?.type ?? bindings[index...].lazy.compactMap(\.typeAnnotation).first?.type
                return Property(
                    name: name.trimmingBackticks, type: type, initializer: binding.initializer?.value,
                    isLet: variable.bindingSpecifier.tokenKind == .keyword(.let),
                    isStored: binding.accessorBlock.map(isObserversOnly) ?? true,
                    attributes: attributes, node: Syntax(binding))
            }
        }
    }

    private static func isObserversOnly(_ block: AccessorBlockSyntax) -> Bool {
        guard case .accessors(let accessors) = block.accessors else { return false }
        return accessors.allSatisfy { ["willSet", "didSet"].contains($0.accessorSpecifier.text) }
    }

    /// The type as written, which `macro` needs; refused at the property when it is not written.
    func writtenType(for macro: String) throws -> TypeSyntax {
        guard let type else { throw refusal(at: node, "@\(macro) needs the type of '\(name)' written out") }
        return type
    }

    /// Whether Swift would let an initializer assign this property.
    var isInitializable: Bool { isStored && !(isLet && initializer != nil) }

    /// `T?`, `T!` or `Optional<T>`: the wrapped type; `nil` for any other type.
    var wrappedType: TypeSyntax? {
        guard let type else { return nil }
        if let optional = type.as(OptionalTypeSyntax.self) { return optional.wrappedType }
        if let unwrapped = type.as(ImplicitlyUnwrappedOptionalTypeSyntax.self) { return unwrapped.wrappedType }
        if let named = type.as(IdentifierTypeSyntax.self), named.name.text == "Optional",
           let argument = named.genericArgumentClause?.arguments.first {
            return TypeSyntax(argument.argument)
        }
        return nil
    }

    var isOptional: Bool { wrappedType != nil }

    /// A closure type, which an initializer parameter must mark `@escaping`.
    var isFunction: Bool {
        guard let type else { return false }
        if type.is(FunctionTypeSyntax.self) { return true }
        if let attributed = type.as(AttributedTypeSyntax.self) { return attributed.baseType.is(FunctionTypeSyntax.self) }
        return false
    }

    func attribute(_ name: String) -> AttributeSyntax? {
        attributes.first { $0.attributeName.trimmedDescription == name }
    }
}

extension String {
    var trimmingBackticks: String {
        hasPrefix("`") && hasSuffix("`") && count > 1 ? String(dropFirst().dropLast()) : self
    }

    /// `orderID` → `order_id`, `baseURL` → `base_url`, `volume24h` → `volume_24h`.
    var snakeCased: String {
        let characters = Array(self)
        var words: [String] = []
        var word = ""
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let startsWord: Bool
            if let previous {
                if character.isUppercase {
                    // A capital after a lower-case letter or digit starts a word, and so does
                    // the last capital of an acronym that a lower-case word follows ("URLPath").
                    startsWord = !previous.isUppercase || (next?.isLowercase ?? false)
                } else if character.isNumber {
                    startsWord = !previous.isNumber
                } else {
                    startsWord = false
                }
            } else {
                startsWord = false
            }
            if startsWord, !word.isEmpty {
                words.append(word)
                word = ""
            }
            word.append(character)
        }
        if !word.isEmpty { words.append(word) }
        return words.map { $0.lowercased() }.joined(separator: "_")
    }
}
