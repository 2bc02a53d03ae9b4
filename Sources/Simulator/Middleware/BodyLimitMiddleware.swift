import Hummingbird
import HummingbirdCore

/// Reads the whole request body once into `context.body`, refusing a body larger than the
/// configured limit with 413, before the signature (which covers the body) is checked.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = SimulatorContext

    /// Largest body accepted, bytes.
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let tooLarge = SimulatorError(413, "request body larger than \(maxBytes) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes { throw tooLarge }
        var request = request
        var context = context
        do {
            context.body = Array(buffer: try await request.collectBody(upTo: maxBytes))
        } catch {
            throw tooLarge
        }
        return try await next(request, context)
    }
}
