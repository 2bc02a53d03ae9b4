import Foundation
import Hummingbird
import HummingbirdCore

/// What a route handler reads from a request: its path parameters (percent-decoded), query and
/// body (read once by `BodyLimitMiddleware`).
struct RouteCall: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var body: [UInt8]
    var parameters: Parameters

    /// - Throws: the 404 for an unknown path when the path has an empty component (`/v1/orders/`,
    ///   `/v1//me`): the router skips those, the API does not.
    init(_ request: Request, _ context: SimulatorContext, adminEnabled: Bool) throws(SimulatorError) {
        method = request.method.rawValue
        path = request.uri.path
        guard !path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw ErrorMiddleware.notFound(method: method, path: path, adminEnabled: adminEnabled)
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        self.query = query
        body = context.body
        parameters = context.parameters
    }

    /// The path parameter `name`, percent-decoded.
    func parameter(_ name: String) -> String {
        let raw = parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }
}
