import Hummingbird
import HummingbirdCore

/// Applies the first injected fault matching the request's method and path, before anything
/// else looks at the request: a faulted request is neither body-checked, signature-checked nor
/// counted by the rate limiter.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SimulatorContext

    let exchange: SimulatedExchange

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch await exchange.takeFault(method: request.method.rawValue, path: request.uri.path) {
        case .status(let code, let detail, let retryAfter):
            throw SimulatorError(code, detail, retryAfterSeconds: retryAfter)
        case .dropBeforeCommit:
            throw DroppedConnection()
        case .delay(let ms):
            try? await Task.sleep(for: .milliseconds(ms))
            return try await next(request, context)
        case .dropAfterCommit:
            // The request takes effect, then the reply is lost. A request that fails is answered
            // with its error: only a success is dropped.
            _ = try await next(request, context)
            throw DroppedConnection()
        case nil:
            return try await next(request, context)
        }
    }
}
