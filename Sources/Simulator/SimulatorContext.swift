import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// Request context of the simulator's router: the connection, so a fault can drop it, and what
/// the middleware learnt on the way in.
public struct SimulatorContext: RequestContext {
    /// A request whose Ed25519 signature was verified.
    struct Signature: Sendable {
        /// The fingerprint of the key that signed.
        var fingerprint: String
        /// Server time when the signature was checked; the rate limiter charges the key at it.
        var checkedAt: Date
    }

    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// The whole request body, read once by `BodyLimitMiddleware`.
    var body: [UInt8] = []
    /// Set by `SignatureMiddleware`; `nil` on the public and `/admin/` paths.
    var signature: Signature?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
