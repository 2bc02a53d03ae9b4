import Foundation
import GridAPI
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// Answers an error thrown by a route or an inner middleware the way the Trading API does:
/// the status, `{"errors":{"detail":…}}` and `Retry-After` when the error carries one. A path
/// the router does not know, or a method it has no route for, is a 404 that names the path.
/// A dropped connection passes through to `RequestLogMiddleware`.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = SimulatorContext

    /// Whether `/admin/` paths are served (their 404 then says "admin path").
    let adminEnabled: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SimulatorError {
            return Self.response(error)
        } catch let error as HTTPError where error.status == .notFound {
            return Self.response(Self.notFound(method: request.method.rawValue, path: request.uri.path, adminEnabled: adminEnabled))
        } catch let error as DroppedConnection {
            throw error
        } catch {
            return Self.response(SimulatorError(400, "malformed request: \(error)"))
        }
    }

    /// The 404 for a path no route serves.
    static func notFound(method: String, path: String, adminEnabled: Bool) -> SimulatorError {
        if path.hasPrefix("/admin/") {
            return adminEnabled ? .notFound("admin path \(method) \(path)") : .notFound("path \(path)")
        }
        return path.hasPrefix("/v1/") ? .notFound("path \(method) \(path)") : .notFound("path \(path)")
    }

    static func response(_ error: SimulatorError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfterSeconds { headers[.retryAfter] = String(retryAfter) }
        let body = (try? JSONEncoder().encode(ErrorBody(detail: error.detail))) ?? Data()
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
