/// Server-side check of a signed request, as The Grid performs it. Used by the simulator and
/// the test servers; kept beside the signer so both sides share one definition.
public struct SignatureVerifier: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missingHeader(String)
        case unknownFingerprint
        case badTimestamp
        case staleTimestamp(skewSeconds: Int64)
        case badSignature

        public var description: String {
            switch self {
            case .missingHeader(let name): return "Missing required header \(name)"
            case .unknownFingerprint: return "Unknown key fingerprint"
            case .badTimestamp: return "Invalid timestamp"
            case .staleTimestamp(let skew): return "Request timestamp is \(skew)s away from server time (limit 30s)"
            case .badSignature: return "Signature verification failed"
            }
        }
    }

    /// Registered public keys by fingerprint.
    public var keys: [String: [UInt8]]
    /// Accepted distance between the request timestamp and server time, in seconds.
    public var window: Int64

    public init(publicKeys: [[UInt8]], window: Int64 = 30) {
        var keys: [String: [UInt8]] = [:]
        for key in publicKeys { keys[Fingerprint.of(publicKey: key)] = key }
        self.keys = keys
        self.window = window
    }

    /// Verifies one request.
    /// - Parameters:
    ///   - header: looks a header up by lowercase name.
    ///   - path: the request path as received (a query is ignored).
    ///   - nowSeconds: server time, Unix seconds.
    /// - Returns: the fingerprint of the key that signed.
    public func verify(
        method: String,
        path: String,
        body: [UInt8],
        nowSeconds: Int64,
        header: (String) -> String?
    ) throws(Failure) -> String {
        guard let signature = header(RequestSigner.signatureHeader) else {
            throw .missingHeader(RequestSigner.signatureHeader)
        }
        guard let timestamp = header(RequestSigner.timestampHeader) else {
            throw .missingHeader(RequestSigner.timestampHeader)
        }
        guard let fingerprint = header(RequestSigner.fingerprintHeader) else {
            throw .missingHeader(RequestSigner.fingerprintHeader)
        }
        guard let publicKey = keys[fingerprint] else { throw .unknownFingerprint }
        guard !timestamp.isEmpty, timestamp.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let seconds = Int64(timestamp)
        else { throw .badTimestamp }
        let skew = seconds - nowSeconds
        guard abs(skew) <= window else { throw .staleTimestamp(skewSeconds: skew) }
        guard let signatureBytes = LenientBase64.decode(signature),
            Sodium.verifyDetached(
                signature: signatureBytes,
                message: RequestSigner.message(timestamp: timestamp, method: method, path: path, body: body),
                publicKey: publicKey
            )
        else { throw .badSignature }
        return fingerprint
    }
}
