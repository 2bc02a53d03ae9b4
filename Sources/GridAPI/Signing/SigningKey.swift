import Foundation

/// An Ed25519 key pair for signing Trading API requests.
///
/// The secret key lives in memory the type owns and is wiped with `sodium_memzero` when the
/// last reference goes away. Its `description` never shows key material.
public final class SigningKey: Sendable, CustomStringConvertible {
    // Written once in `init`, then only read; wiped in `deinit`.
    private nonisolated(unsafe) let secret: UnsafeMutableRawBufferPointer
    /// The raw 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    /// Derives the key pair from a 32-byte seed.
    public init(seed: [UInt8]) throws(KeyError) {
        guard seed.count == Sodium.seedBytes else { throw .wrongLength(seed.count) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Sodium.secretKeyBytes, alignment: 16)
        var pk = [UInt8](repeating: 0, count: Sodium.publicKeyBytes)
        seed.withUnsafeBytes { s in
            pk.withUnsafeMutableBytes { p in Sodium.seedKeypair(seed: s, publicKey: p, secretKey: buffer) }
        }
        secret = buffer
        publicKey = pk
    }

    /// Parses a private key as The Grid hands it out: base64 of the 32-byte seed or of the
    /// 64-byte secret key (seed followed by public key), decoded leniently.
    /// - Throws: `KeyError` describing what is wrong, never echoing the key.
    public convenience init(base64 text: String) throws(KeyError) {
        guard var bytes = LenientBase64.decode(text) else { throw .notBase64 }
        defer { Sodium.zero(&bytes) }
        switch bytes.count {
        case Sodium.seedBytes:
            try self.init(seed: bytes)
        case Sodium.secretKeyBytes:
            var seed = Array(bytes[0..<Sodium.seedBytes])
            defer { Sodium.zero(&seed) }
            try self.init(seed: seed)
            guard Array(bytes[Sodium.seedBytes...]) == publicKey else { throw .mismatchedPublicKey }
        default:
            throw .wrongLength(bytes.count)
        }
    }

    /// A new random key pair.
    public static func generate() -> SigningKey {
        var seed = [UInt8](repeating: 0, count: Sodium.seedBytes)
        defer { Sodium.zero(&seed) }
        seed.withUnsafeMutableBytes { Sodium.randomBytes(into: $0) }
        // A 32-byte seed is always accepted.
        return try! SigningKey(seed: seed)
    }

    deinit {
        Sodium.zero(secret)
        secret.deallocate()
    }

    /// Base64 (with padding) of the 32-byte public key, the form the dashboard registers.
    public var publicKeyBase64: String { LenientBase64.encode(publicKey) }

    /// Base64 of SHA-256 of the raw public key, without trailing `=` (43 characters).
    public var fingerprint: String { Fingerprint.of(publicKey: publicKey) }

    /// Base64 of the 32-byte seed: what `GRID_TRADING_PRIVATE_KEY` or a key file holds.
    /// Only `keygen` should ever call this.
    public func exportSeedBase64() -> String {
        var seed = Array(UnsafeRawBufferPointer(rebasing: secret[0..<Sodium.seedBytes]))
        defer { Sodium.zero(&seed) }
        return LenientBase64.encode(seed)
    }

    /// Detached Ed25519 signature of `message` (64 bytes).
    public func sign(_ message: [UInt8]) -> [UInt8] {
        Sodium.signDetached(message: message, secretKey: UnsafeRawBufferPointer(secret))
    }

    public var description: String { "SigningKey(fingerprint: \(fingerprint))" }
}

/// Fingerprints identify a public key to the Trading API.
public enum Fingerprint {
    /// Base64 of SHA-256 of the raw public key with the trailing `=` removed.
    public static func of(publicKey: [UInt8]) -> String {
        var text = LenientBase64.encode(Sodium.sha256(publicKey))
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}

/// Why a private key could not be used. Descriptions never contain key material.
public enum KeyError: Error, Equatable, CustomStringConvertible {
    case missing
    case notBase64
    case wrongLength(Int)
    case mismatchedPublicKey
    case unreadableFile(path: String, reason: String)
    /// The key file cannot be used: missing, a dangling link, a directory, readable by others…
    case file(SecretFileError)
    case invalidPublicKey

    public var description: String {
        switch self {
        case .missing:
            return "no private key: set GRID_TRADING_PRIVATE_KEY or pass --key-file FILE (create one with `gridkeeper keygen`)"
        case .notBase64:
            return "the private key is not base64: expected base64 of a 32-byte Ed25519 seed or a 64-byte secret key"
        case .wrongLength(let n):
            return "the private key decodes to \(n) bytes: expected 32 (seed) or 64 (secret key)"
        case .mismatchedPublicKey:
            return "the 64-byte private key's second half is not the public key of its first half: the key is damaged"
        case .unreadableFile(let path, let reason):
            return "cannot read key file \(path): \(reason)"
        case .file(let error):
            return error.description
        case .invalidPublicKey:
            return "the public key must be base64 of 32 bytes"
        }
    }
}

/// SHA-256 for identifiers (not for secrets): hex of the digest.
public enum Digest {
    public static func sha256Hex(_ text: String) -> String {
        sha256Hex(Array(text.utf8))
    }

    /// The first `length` hex digits of the SHA-256 of `bytes` (all 64 by default).
    public static func sha256Hex(_ bytes: [UInt8], length: Int = 64) -> String {
        let digits: StaticString = "0123456789abcdef"
        let hash = Sodium.sha256(bytes)
        let count = min(max(length, 0), 64)
        return String(unsafeUninitializedCapacity: count) { out in
            digits.withUTF8Buffer { hex in
                for i in 0..<count {
                    let byte = hash[i / 2]
                    out[i] = hex[Int(i % 2 == 0 ? byte >> 4 : byte & 0x0f)]
                }
            }
            return count
        }
    }
}
