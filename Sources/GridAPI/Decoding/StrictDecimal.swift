import Foundation

/// Exact decimal parsing: the whole string must be a plain decimal number.
///
/// `Decimal(string:)` accepts a valid prefix (`"12abc"` → 12) and may depend on the locale;
/// this checks the complete text first and parses without a locale.
public enum StrictDecimal {
    /// - Returns: the value, or `nil` unless `text` is `[-+]digits[.digits][e[-+]digits]`.
    public static func parse(_ text: String) -> Decimal? {
        var state = 0  // 0 sign/start, 1 int digits, 2 after dot, 3 frac digits, 4 after e, 5 exp sign, 6 exp digits
        var digits = 0
        for byte in text.utf8 {
            switch (state, byte) {
            case (0, UInt8(ascii: "-")), (0, UInt8(ascii: "+")): state = 1; digits = 0
            case (0...1, UInt8(ascii: "0")...UInt8(ascii: "9")): state = 1; digits += 1
            case (1, UInt8(ascii: ".")) where digits > 0: state = 2
            case (2...3, UInt8(ascii: "0")...UInt8(ascii: "9")): state = 3
            case (1, UInt8(ascii: "e")), (1, UInt8(ascii: "E")), (3, UInt8(ascii: "e")), (3, UInt8(ascii: "E")):
                guard digits > 0 else { return nil }
                state = 4
            case (4, UInt8(ascii: "-")), (4, UInt8(ascii: "+")): state = 5
            case (4...6, UInt8(ascii: "0")...UInt8(ascii: "9")): state = 6
            default: return nil
            }
        }
        guard digits > 0, state == 1 || state == 3 || state == 6 else { return nil }
        guard text.utf8.count <= 60 else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Plain text for a decimal (`2.5` → `"2.5"`), independent of locale.
    public static func format(_ value: Decimal) -> String {
        var v = value
        return NSDecimalString(&v, Locale(identifier: "en_US_POSIX"))
    }
}

/// Marks which key's number should be encoded as a JSON string instead of a number.
public extension CodingUserInfoKey {
    /// When `true` in an encoder's `userInfo`, quantities that are normally JSON numbers are
    /// encoded as strings (the simulator uses this to keep clients lenient).
    static let gridQuantitiesAsStrings = CodingUserInfoKey(rawValue: "grid.quantitiesAsStrings")!
}

extension KeyedDecodingContainer {
    /// Decodes a decimal sent as a JSON number or as a string holding a plain decimal.
    func decodeDecimal(forKey key: Key) throws -> Decimal {
        if let text = try? decode(String.self, forKey: key) {
            guard let value = StrictDecimal.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: self, debugDescription: "expected a decimal number, got \"\(text.prefix(40))\"")
            }
            return value
        }
        do {
            return try decode(Decimal.self, forKey: key)
        } catch DecodingError.typeMismatch(_, _) {
            throw DecodingError.typeMismatch(
                Decimal.self,
                .init(codingPath: codingPath + [key], debugDescription: "expected a decimal as a number or a string"))
        }
    }

    /// Like `decodeDecimal(forKey:)`; `nil` when the key is absent or `null`.
    func decodeDecimalIfPresent(forKey key: Key) throws -> Decimal? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeDecimal(forKey: key)
    }

    /// The first present key of several aliases, as a decimal.
    func decodeDecimal(forKeys keys: [Key]) throws -> Decimal {
        for key in keys where contains(key) {
            if let value = try decodeDecimalIfPresent(forKey: key) { return value }
        }
        throw DecodingError.keyNotFound(
            keys[0], .init(codingPath: codingPath, debugDescription: "missing \(keys.map(\.stringValue).joined(separator: " or "))"))
    }

    func decodeDecimalIfPresent(forKeys keys: [Key]) throws -> Decimal? {
        for key in keys where contains(key) {
            if let value = try decodeDecimalIfPresent(forKey: key) { return value }
        }
        return nil
    }

    /// The first present key of several aliases.
    func decode<T: Decodable>(_ type: T.Type, forKeys keys: [Key]) throws -> T {
        for key in keys where contains(key) {
            if let value = try decodeIfPresent(type, forKey: key) { return value }
        }
        throw DecodingError.keyNotFound(
            keys[0], .init(codingPath: codingPath, debugDescription: "missing \(keys.map(\.stringValue).joined(separator: " or "))"))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKeys keys: [Key]) throws -> T? {
        for key in keys where contains(key) {
            if let value = try decodeIfPresent(type, forKey: key) { return value }
        }
        return nil
    }
}

extension KeyedEncodingContainer {
    /// Prices and USD amounts: always a decimal string.
    mutating func encodeDecimalString(_ value: Decimal?, forKey key: Key) throws {
        guard let value else { return try encodeNil(forKey: key) }
        try encode(StrictDecimal.format(value), forKey: key)
    }

    /// Quantities: a JSON number, or a string when the encoder asks for strings.
    mutating func encodeDecimalNumber(_ value: Decimal?, forKey key: Key, in encoder: any Encoder) throws {
        guard let value else { return try encodeNil(forKey: key) }
        if encoder.userInfo[.gridQuantitiesAsStrings] as? Bool == true {
            try encode(StrictDecimal.format(value), forKey: key)
        } else {
            try encode(value, forKey: key)
        }
    }
}

extension KeyedDecodingContainer {
    /// A string-valued enum, or `nil` when the key is absent or null or holds a value the enum
    /// does not name (what `@UnknownAsNil` reads). A value that is not a string is an error.
    func decodeKnownIfPresent<T: RawRepresentable>(_ type: T.Type, forKey key: Key) throws -> T? where T.RawValue == String {
        try decodeIfPresent(String.self, forKey: key).flatMap(T.init(rawValue:))
    }

    func decodeKnownIfPresent<T: RawRepresentable>(_ type: T.Type, forKeys keys: [Key]) throws -> T? where T.RawValue == String {
        try decodeIfPresent(String.self, forKeys: keys).flatMap(T.init(rawValue:))
    }
}
