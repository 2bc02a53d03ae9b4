/// Signs Trading API requests: Ed25519 over `timestamp + METHOD + path + body`.
///
/// `path` is the URL path as sent, including the version prefix (`/v1/orders`), without the
/// query string; `body` is the exact bytes sent (empty for GET and DELETE).
public struct RequestSigner: Sendable {
    public static let signatureHeader = "x-thegrid-signature"
    public static let timestampHeader = "x-thegrid-timestamp"
    public static let fingerprintHeader = "x-thegrid-fingerprint"

    public let key: SigningKey
    public let fingerprint: String

    /// - Parameters:
    ///   - key: the signing key.
    ///   - fingerprint: the fingerprint registered with The Grid; derived from the key when `nil`.
    public init(key: SigningKey, fingerprint: String? = nil) {
        self.key = key
        self.fingerprint = fingerprint ?? key.fingerprint
    }

    /// The exact bytes that are signed.
    public static func message(timestamp: String, method: String, path: String, body: [UInt8]) -> [UInt8] {
        var bytes = Array((timestamp + method.uppercased() + Self.pathWithoutQuery(path)).utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Removes `?query` and `#fragment` from a path.
    public static func pathWithoutQuery(_ path: String) -> String {
        if let i = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { return String(path[..<i]) }
        return path
    }

    /// Base64 signature for one request.
    public func signature(timestamp: String, method: String, path: String, body: [UInt8]) -> String {
        LenientBase64.encode(key.sign(Self.message(timestamp: timestamp, method: method, path: path, body: body)))
    }

    /// The three authentication headers for one request.
    /// - Parameter unixSeconds: the timestamp to sign, in whole seconds since 1970.
    public func headers(method: String, path: String, body: [UInt8], unixSeconds: Int64) -> [(name: String, value: String)] {
        let timestamp = String(unixSeconds)
        return [
            (Self.timestampHeader, timestamp),
            (Self.signatureHeader, signature(timestamp: timestamp, method: method, path: path, body: body)),
            (Self.fingerprintHeader, fingerprint),
        ]
    }
}
