import Hummingbird
import HummingbirdCore
import NIOCore

/// Thrown inside the middleware chain to close the connection without a reply, as a network
/// failure would (`drop_before_commit`, `drop_after_commit` faults).
struct DroppedConnection: Error {}

/// The outermost middleware: records every request in the exchange's request log with the
/// status it was answered with, or 0 for a connection dropped on purpose (recorded before the
/// connection closes, so a client that sees the drop also finds it in the log).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = SimulatorContext

    let exchange: SimulatedExchange

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        do {
            let response = try await next(request, context)
            await exchange.record(method: method, path: path, status: response.status.code)
            return response
        } catch is DroppedConnection {
            await exchange.record(method: method, path: path, status: 0)
            try? await context.channel.close()
            return Response(status: .init(code: 499))
        }
    }
}
