import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@MemberwiseInit`: see its declaration in `GridKeeperMacros`; `GridKeeperMacrosPlugin` serves it.
public enum MemberwiseInitExpansion: MemberMacro {
    public static func expansion(
        of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        let properties = try Property.all(ofStruct: declaration, for: "MemberwiseInit", at: node).filter(\.isInitializable)
        let access = accessLevel(of: node)
        var parameters: [String] = []
        var assignments: [String] = []
        for property in properties {
            let type = try property.writtenType(for: "MemberwiseInit")
            let escaping = property.isFunction ? "@escaping " : ""
            let defaultValue = property.initializer.map { " = \($0.trimmedDescription)" } ?? ""
            parameters.append("\(property.name): \(escaping)\(type.trimmedDescription)\(defaultValue)")
            assignments.append("self.\(property.name) = \(property.name)")
        }
        let prefix = access.isEmpty ? "" : "\(access) "
        let body = assignments.map { "    \($0)" }.joined(separator: "\n")
        return ["\(raw: prefix)init(\(raw: parameters.joined(separator: ", "))) {\n\(raw: body)\n}"]
    }

    /// `public` unless the attribute names `.package` or `.internal`.
    private static func accessLevel(of node: AttributeSyntax) -> String {
        guard let argument = node.arguments?.as(LabeledExprListSyntax.self)?.first else { return "public" }
        let name = argument.expression.trimmedDescription.trimmingCharacters(in: ".`")
        return name == "internal" ? "" : name
    }
}

/// What a macro says when it refuses a declaration, shown at the node it is about.
struct MacroMessage: DiagnosticMessage {
    let message: String
    var diagnosticID: MessageID { MessageID(domain: "GridKeeperMacros", id: "refused") }
    var severity: DiagnosticSeverity { .error }
}

/// A refusal at `node`, thrown by a macro's expansion.
func refusal(at node: some SyntaxProtocol, _ message: String) -> DiagnosticsError {
    DiagnosticsError(diagnostics: [Diagnostic(node: Syntax(node), message: MacroMessage(message: message))])
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
