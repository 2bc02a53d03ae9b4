/// Who may call the initializer `@MemberwiseInit` writes.
public enum MemberwiseAccess: Sendable {
    case `public`, package, `internal`
}

/// Writes the memberwise initializer of a struct: one parameter per stored property, in
/// declaration order, labelled by the property's name. A property's initial value becomes the
/// parameter's default; a `let` with an initial value is left out, as Swift does.
///
/// Swift runs a stored property's initial value in every initializer, this one included, before
/// assigning the parameter: keep initial values to literals and static constants (a call such as
/// `Decimal(string:)` would run on every construction, wanted or not).
///
/// Swift writes this initializer itself only for internal use; a public type that wants one
/// public, or one next to other initializers, spells it out — this macro does that.
@attached(member, names: named(init))
public macro MemberwiseInit(_ access: MemberwiseAccess = .public) =
    #externalMacro(module: "GridKeeperMacrosPlugin", type: "MemberwiseInitMacro")

/// Writes `init(from:)` and `encode(to:)` for a Trading API model from its stored properties,
/// in the wire's conventions, where the type does not write them itself:
///
/// - keys are the property names in snake case (`orderID` is `order_id`), or `@WireKey`'s;
/// - a key's aliases (`@WireKey("order_id", "id")`) are read in order when the key is absent,
///   so both readings of an ambiguous field are accepted; the first is the one written;
/// - a `Decimal` is read from a JSON number or from a string holding a plain decimal (nothing
///   else: `"12abc"` is an error), and written as a decimal string (money) or, with `@Units`,
///   as a JSON number (quantities);
/// - an absent optional is `nil`; an absent non-optional with an initial value takes it;
/// - `nil` is left out when writing, or written as `null` with `@EncodeNil`;
/// - with `@UnknownAsNil`, an optional enum reads a value it does not name as `nil`;
/// - a computed property with a wire attribute is written (never read).
///
/// The expansion calls `KeyedDecodingContainer.decodeDecimal(forKey:)` and its relatives and
/// keys its containers by `WireCodingKey`; the module that uses the macro provides them.
@attached(member, names: named(init(from:)), named(encode(to:)))
public macro WireCodable() = #externalMacro(module: "GridKeeperMacrosPlugin", type: "WireCodableMacro")

/// The wire key of a property, then the aliases accepted in its place when it is absent.
@attached(peer)
public macro WireKey(_ key: String, _ aliases: String...) = #externalMacro(module: "GridKeeperMacrosPlugin", type: "WireMarkerMacro")

/// A `Decimal` written as a JSON number (a quantity of units), not as a decimal string.
@attached(peer)
public macro Units() = #externalMacro(module: "GridKeeperMacrosPlugin", type: "WireMarkerMacro")

/// An optional written as `null` when `nil`, instead of being left out.
@attached(peer)
public macro EncodeNil() = #externalMacro(module: "GridKeeperMacrosPlugin", type: "WireMarkerMacro")

/// An optional string-valued enum read as `nil` when the wire holds a value the enum does not
/// name, instead of failing the whole reply: the exchange may list kinds GridKeeper never makes
/// (an order of type `stop` placed elsewhere). A value that is not a string is still an error.
/// The expansion calls `KeyedDecodingContainer.decodeKnownIfPresent(_:forKey:)`.
@attached(peer)
public macro UnknownAsNil() = #externalMacro(module: "GridKeeperMacrosPlugin", type: "WireMarkerMacro")
