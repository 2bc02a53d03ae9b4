import Foundation

/// Base64 decoding that accepts what people paste: surrounding whitespace and line breaks, the
/// URL-safe alphabet (`-`, `_`) and missing `=` padding.
public enum LenientBase64 {
    /// - Returns: the decoded bytes, or `nil` when the text is not base64 in either alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var cleaned = String()
        cleaned.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case " ", "\n", "\r", "\t": continue
            case "-": cleaned.append("+")
            case "_": cleaned.append("/")
            default: cleaned.unicodeScalars.append(scalar)
            }
        }
        while cleaned.hasSuffix("=") { cleaned.removeLast() }
        guard !cleaned.isEmpty, cleaned.count % 4 != 1 else { return nil }
        cleaned += String(repeating: "=", count: (4 - cleaned.count % 4) % 4)
        guard let data = Data(base64Encoded: cleaned) else { return nil }
        return [UInt8](data)
    }

    /// Standard base64 with padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// A 32-byte Ed25519 public key from base64, or `nil`.
    public static func decodePublicKey(_ text: String) -> [UInt8]? {
        guard let bytes = decode(text), bytes.count == 32 else { return nil }
        return bytes
    }
}
