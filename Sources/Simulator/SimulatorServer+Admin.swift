import Foundation
import GridAPI
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The control API on `/admin/...`: unauthenticated, for tests, the demo and rehearsals only.
extension SimulatorServer {
    struct Advance: Decodable { var seconds: Double }
    struct Speed: Decodable { var speed: Double }
    struct Skew: Decodable { var seconds: Double }
    struct Burn: Decodable {
        var symbol: String
        var profile: BurnProfile?
    }
    struct Balances: Decodable {
        var usd: String?
        var inventory: [String: Int]?
        var consumption: [String: Int]?
    }
    struct Account: Decodable {
        var accountMode: String?
        var autoTransfer: Bool?
        enum CodingKeys: String, CodingKey { case accountMode = "account_mode", autoTransfer = "auto_transfer" }
    }
    struct Ok: Encodable { var ok = true }

    /// The `/admin/` routes (only when `adminEnabled`). The market catches up where a handler
    /// reads it (`state()` does), not before each request.
    func addAdminRoutes(to router: Router<SimulatorContext>) {
        let ex = exchange
        admin(router, .get, "/admin/state") { _ in json(await ex.state(), sortedKeys: true) }
        admin(router, .get, "/admin/requests") { _ in
            json(await ex.requestLog.map { ["method": $0.method, "path": $0.path, "status": String($0.status)] })
        }
        admin(router, .post, "/admin/advance") { call in
            let request = try decodeBody(Advance.self, call.body)
            guard request.seconds >= 0, request.seconds <= 366 * 86_400 else { throw SimulatorError.invalid("seconds must be between 0 and one year") }
            await ex.advance(by: request.seconds)
            return json(await ex.state(), sortedKeys: true)
        }
        admin(router, .post, "/admin/speed") { call in
            let request = try decodeBody(Speed.self, call.body)
            guard request.speed >= 0, request.speed <= 100_000 else { throw SimulatorError.invalid("speed must be between 0 and 100000") }
            await ex.catchUp()
            ex.clock.setSpeed(request.speed)
            return json(Ok())
        }
        admin(router, .post, "/admin/skew") { call in
            let request = try decodeBody(Skew.self, call.body)
            guard abs(request.seconds) <= 86_400 else { throw SimulatorError.invalid("seconds must be within ±86400") }
            ex.clock.setSkew(request.seconds)
            return json(Ok())
        }
        admin(router, .post, "/admin/burn") { call in
            let request = try decodeBody(Burn.self, call.body)
            try await ex.setBurn(symbol: request.symbol, request.profile)
            return json(Ok())
        }
        admin(router, .post, "/admin/balances") { call in
            let request = try decodeBody(Balances.self, call.body)
            var usd: Decimal?
            if let text = request.usd {
                guard let value = StrictDecimal.parse(text) else { throw SimulatorError.invalid("usd must be a decimal string like \"250.00\"") }
                usd = value
            }
            try await ex.setBalances(usd: usd, inventory: request.inventory ?? [:], consumption: request.consumption ?? [:])
            return json(await ex.state(), sortedKeys: true)
        }
        admin(router, .post, "/admin/account") { call in
            let request = try decodeBody(Account.self, call.body)
            if let mode = request.accountMode {
                guard ["easy", "advanced"].contains(mode) else { throw SimulatorError.invalid("account_mode must be easy or advanced") }
                await ex.setAccountMode(mode)
            }
            if let auto = request.autoTransfer { await ex.setAutoTransfer(auto) }
            return json(Ok())
        }
        admin(router, .post, "/admin/faults") { call in
            await ex.inject(try decodeBody(Fault.self, call.body))
            return json(Ok())
        }
        admin(router, .delete, "/admin/faults") { _ in
            await ex.clearFaults()
            return json(Ok())
        }
    }

    /// Adds one admin route.
    private func admin(_ router: Router<SimulatorContext>, _ method: HTTPRequest.Method, _ path: RouterPath, _ handler: @escaping Handler) {
        let adminEnabled = self.adminEnabled
        router.on(path, method: method) { request, context in
            try await handler(RouteCall(request, context, adminEnabled: adminEnabled))
        }
    }
}
