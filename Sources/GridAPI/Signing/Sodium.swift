import CSodium

/// The only file that talks to libsodium. Everything else uses these wrappers.
enum Sodium {
    static let publicKeyBytes = Int(crypto_sign_PUBLICKEYBYTES)
    static let secretKeyBytes = Int(crypto_sign_SECRETKEYBYTES)
    static let seedBytes = Int(crypto_sign_SEEDBYTES)
    static let signatureBytes = Int(crypto_sign_BYTES)

    /// `sodium_init()` is idempotent and thread-safe; a negative result means the library is unusable.
    private static let initialised: Bool = sodium_init() >= 0

    static func ensureInitialised() {
        precondition(initialised, "libsodium failed to initialise")
    }

    /// Fills `publicKey` (32 bytes) and `secretKey` (64 bytes) from a 32-byte seed.
    static func seedKeypair(
        seed: UnsafeRawBufferPointer,
        publicKey: UnsafeMutableRawBufferPointer,
        secretKey: UnsafeMutableRawBufferPointer
    ) {
        ensureInitialised()
        precondition(seed.count == seedBytes && publicKey.count == publicKeyBytes && secretKey.count == secretKeyBytes)
        let rc = crypto_sign_seed_keypair(
            publicKey.baseAddress!.assumingMemoryBound(to: UInt8.self),
            secretKey.baseAddress!.assumingMemoryBound(to: UInt8.self),
            seed.baseAddress!.assumingMemoryBound(to: UInt8.self)
        )
        precondition(rc == 0, "crypto_sign_seed_keypair failed")
    }

    /// Fills `seed` with cryptographically secure random bytes.
    static func randomBytes(into buffer: UnsafeMutableRawBufferPointer) {
        ensureInitialised()
        randombytes_buf(buffer.baseAddress!, buffer.count)
    }

    /// Detached Ed25519 signature (deterministic, RFC 8032).
    static func signDetached(message: [UInt8], secretKey: UnsafeRawBufferPointer) -> [UInt8] {
        ensureInitialised()
        var signature = [UInt8](repeating: 0, count: signatureBytes)
        var length: UInt64 = 0
        let rc = message.withUnsafeBufferPointer { m in
            crypto_sign_detached(
                &signature,
                &length,
                m.baseAddress,
                UInt64(m.count),
                secretKey.baseAddress!.assumingMemoryBound(to: UInt8.self)
            )
        }
        precondition(rc == 0 && length == UInt64(signatureBytes), "crypto_sign_detached failed")
        return signature
    }

    static func verifyDetached(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        ensureInitialised()
        guard signature.count == signatureBytes, publicKey.count == publicKeyBytes else { return false }
        return message.withUnsafeBufferPointer { m in
            crypto_sign_verify_detached(signature, m.baseAddress, UInt64(m.count), publicKey) == 0
        }
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        ensureInitialised()
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = bytes.withUnsafeBufferPointer { crypto_hash_sha256(&out, $0.baseAddress, UInt64($0.count)) }
        return out
    }

    static func zero(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        sodium_memzero(base, buffer.count)
    }

    static func zero(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { zero($0) }
    }
}
