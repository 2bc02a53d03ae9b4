import Foundation
import GridAPI
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// Verifies the Ed25519 request signature against server time (401 with the verifier's reason
/// when it fails) and passes the signer on in `context.signature`. `GET /v1/health` and the
/// `/admin/` control API are not signed.
struct SignatureMiddleware: RouterMiddleware {
    typealias Context = SimulatorContext

    let verifier: SignatureVerifier
    let clock: SimulationClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        guard !Self.isUnsigned(method: method, path: path) else { return try await next(request, context) }
        let serverTime = clock.serverWallTime
        let fingerprint: String
        do {
            fingerprint = try verifier.verify(method: method, path: path, body: context.body,
                                              nowSeconds: Int64(serverTime.timeIntervalSince1970)) {
                request.headers[HTTPField.Name($0)!]
            }
        } catch {
            throw SimulatorError(401, error.description)
        }
        var context = context
        context.signature = .init(fingerprint: fingerprint, checkedAt: serverTime)
        return try await next(request, context)
    }

    /// The paths served without a signature.
    static func isUnsigned(method: String, path: String) -> Bool {
        path.hasPrefix("/admin/") || (method == "GET" && path == "/v1/health")
    }
}
