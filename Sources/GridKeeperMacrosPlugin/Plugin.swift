import GridKeeperMacroExpansions
import SwiftCompilerPlugin
import SwiftSyntax
import SwiftSyntaxMacros

/// The compiler plugin behind `GridKeeperMacros`. The expansions live in
/// `GridKeeperMacroExpansions`, where their tests reach them: a test that depended on this
/// target would be built for the host, and every test target with it.
@main
struct GridKeeperMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [MemberwiseInitMacro.self, WireCodableMacro.self, WireMarkerMacro.self]
}

/// `@MemberwiseInit`.
public struct MemberwiseInitMacro: MemberMacro {
    public static func expansion(of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
                                 conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext) throws -> [DeclSyntax] {
        try MemberwiseInitExpansion.expansion(of: node, providingMembersOf: declaration, conformingTo: protocols, in: context)
    }
}

/// `@WireCodable`.
public struct WireCodableMacro: MemberMacro {
    public static func expansion(of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
                                 conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext) throws -> [DeclSyntax] {
        try WireCodableExpansion.expansion(of: node, providingMembersOf: declaration, conformingTo: protocols, in: context)
    }
}

/// `@WireKey`, `@Units` and `@EncodeNil` only mark a property for `@WireCodable`; they add
/// nothing themselves.
public struct WireMarkerMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        []
    }
}
