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

    func admin(method: String, path: String, body: [UInt8]) async throws(SimulatorError) -> Response {
        let ex = exchange
        switch (method, path) {
        case ("GET", "/admin/state"):
            return json(await ex.state(), sortedKeys: true)
        case ("GET", "/admin/requests"):
            let log = await ex.requestLog.map { ["method": $0.method, "path": $0.path, "status": String($0.status)] }
            return json(log)
        case ("POST", "/admin/advance"):
            let request = try decodeBody(Advance.self, body)
            guard request.seconds >= 0, request.seconds <= 366 * 86_400 else { throw .invalid("seconds must be between 0 and one year") }
            await ex.advance(by: request.seconds)
            return json(await ex.state(), sortedKeys: true)
        case ("POST", "/admin/speed"):
            let request = try decodeBody(Speed.self, body)
            guard request.speed >= 0, request.speed <= 100_000 else { throw .invalid("speed must be between 0 and 100000") }
            await ex.catchUp()
            ex.clock.setSpeed(request.speed)
            return json(Ok())
        case ("POST", "/admin/skew"):
            let request = try decodeBody(Skew.self, body)
            guard abs(request.seconds) <= 86_400 else { throw .invalid("seconds must be within ±86400") }
            ex.clock.setSkew(request.seconds)
            return json(Ok())
        case ("POST", "/admin/burn"):
            let request = try decodeBody(Burn.self, body)
            try await ex.setBurn(symbol: request.symbol, request.profile)
            return json(Ok())
        case ("POST", "/admin/balances"):
            let request = try decodeBody(Balances.self, body)
            var usd: Decimal?
            if let text = request.usd {
                guard let value = StrictDecimal.parse(text) else { throw .invalid("usd must be a decimal string like \"250.00\"") }
                usd = value
            }
            try await ex.setBalances(usd: usd, inventory: request.inventory ?? [:], consumption: request.consumption ?? [:])
            return json(await ex.state(), sortedKeys: true)
        case ("POST", "/admin/account"):
            let request = try decodeBody(Account.self, body)
            if let mode = request.accountMode {
                guard ["easy", "advanced"].contains(mode) else { throw .invalid("account_mode must be easy or advanced") }
                await ex.setAccountMode(mode)
            }
            if let auto = request.autoTransfer { await ex.setAutoTransfer(auto) }
            return json(Ok())
        case ("POST", "/admin/faults"):
            await ex.inject(try decodeBody(Fault.self, body))
            return json(Ok())
        case ("DELETE", "/admin/faults"):
            await ex.clearFaults()
            return json(Ok())
        default:
            throw .notFound("admin path \(method) \(path)")
        }
    }
}
