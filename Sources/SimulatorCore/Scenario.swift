import Foundation
import GridAPI
import GridKeeperCore
import Yams

/// A simulator set-up in YAML (or JSON): account, market, burn, clock, limits and faults.
///
/// ```yaml
/// account:
///   mode: advanced            # or easy (orders refused, as in Auto Mode)
///   auto_transfer: false
///   usd: "1000.00"
///   inventory: { text-prime: 10 }
///   consumption: { text-prime: 20 }
/// market: { seed: 7, step_seconds: 60, volatility_per_hour: 0.02 }   # or `market: static`
/// burn:
///   text-prime: { kind: daily, units_per_hour: 12, amplitude: 0.5 }
/// speed: 60                   # simulated seconds per real second
/// rate_limit_per_minute: 100
/// quantities_as_strings: false
/// faults:
///   - { method: POST, path_prefix: /v1/orders, action: status, status: 503, times: 2 }
/// ```
public struct Scenario: Decodable, Sendable {
    public struct Account: Decodable, Sendable {
        public var mode: String?
        public var autoTransfer: Bool?
        public var usd: Decimal?
        public var inventory: [String: Int]?
        public var consumption: [String: Int]?

        enum CodingKeys: String, CodingKey {
            case mode, autoTransfer = "auto_transfer", usd, inventory, consumption
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try Scenario.rejectUnknownKeys(decoder, allowed: ["mode", "auto_transfer", "usd", "inventory", "consumption"])
            mode = try c.decodeIfPresent(String.self, forKey: .mode)
            if let mode, !["easy", "advanced"].contains(mode) {
                throw DecodingError.dataCorruptedError(forKey: .mode, in: c, debugDescription: "expected easy or advanced, got '\(mode)'")
            }
            autoTransfer = try c.decodeIfPresent(Bool.self, forKey: .autoTransfer)
            if c.contains(.usd) {
                let text = try c.decode(String.self, forKey: .usd)
                guard let value = StrictDecimal.parse(text), value >= 0 else {
                    throw DecodingError.dataCorruptedError(forKey: .usd, in: c, debugDescription: "expected a decimal amount like \"1000.00\", got '\(text)'")
                }
                usd = value
            }
            inventory = try c.decodeIfPresent([String: Int].self, forKey: .inventory)
            consumption = try c.decodeIfPresent([String: Int].self, forKey: .consumption)
            for (key, units) in [(CodingKeys.inventory, inventory), (.consumption, consumption)] {
                for (symbol, value) in units ?? [:] {
                    guard InstrumentCatalog.entry(symbol: symbol) != nil else {
                        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "unknown instrument '\(symbol)'")
                    }
                    guard value >= 0 else {
                        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(symbol): units must be ≥ 0")
                    }
                }
            }
        }
    }

    public var account: Account?
    /// `nil` when absent; `.some(nil)` for `market: static`.
    public var market: MarketModel??
    public var burn: [String: BurnProfile]?
    public var speed: Double?
    public var rateLimitPerMinute: Int?
    public var quantitiesAsStrings: Bool?
    public var faults: [Fault]?

    enum CodingKeys: String, CodingKey {
        case account, market, burn, speed, rateLimitPerMinute = "rate_limit_per_minute"
        case quantitiesAsStrings = "quantities_as_strings", faults
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try Scenario.rejectUnknownKeys(decoder, allowed: ["account", "market", "burn", "speed", "rate_limit_per_minute", "quantities_as_strings", "faults"])
        account = try c.decodeIfPresent(Account.self, forKey: .account)
        if c.contains(.market) {
            if let text = try? c.decode(String.self, forKey: .market) {
                guard text == "static" else {
                    throw DecodingError.dataCorruptedError(forKey: .market, in: c, debugDescription: "expected a mapping or 'static', got '\(text)'")
                }
                market = .some(nil)
            } else {
                market = .some(try c.decode(MarketModel.self, forKey: .market))
            }
        }
        burn = try c.decodeIfPresent([String: BurnProfile].self, forKey: .burn)
        for symbol in burn?.keys ?? [:].keys where InstrumentCatalog.entry(symbol: symbol) == nil {
            throw DecodingError.dataCorruptedError(forKey: .burn, in: c, debugDescription: "unknown instrument '\(symbol)'")
        }
        speed = try c.decodeIfPresent(Double.self, forKey: .speed)
        if let speed, !(speed >= 0 && speed <= 100_000) {
            throw DecodingError.dataCorruptedError(forKey: .speed, in: c, debugDescription: "speed must be between 0 and 100000")
        }
        rateLimitPerMinute = try c.decodeIfPresent(Int.self, forKey: .rateLimitPerMinute)
        if let limit = rateLimitPerMinute, limit < 0 {
            throw DecodingError.dataCorruptedError(forKey: .rateLimitPerMinute, in: c, debugDescription: "must be ≥ 0 (0 = no limit)")
        }
        quantitiesAsStrings = try c.decodeIfPresent(Bool.self, forKey: .quantitiesAsStrings)
        faults = try c.decodeIfPresent([Fault].self, forKey: .faults)
    }

    static func rejectUnknownKeys(_ decoder: any Decoder, allowed: Set<String>) throws {
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let c = try decoder.container(keyedBy: AnyKey.self)
        for key in c.allKeys where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "unknown key '\(key.stringValue)'; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    /// Reads a scenario file.
    /// - Throws: `SimulatorError` (status 0) whose detail names the file and the field.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(path: path, message: "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    public static func parse(_ text: String, path: String = "scenario") throws(ScenarioError) -> Scenario {
        do {
            return try YAMLDecoder().decode(Scenario.self, from: text)
        } catch let error as DecodingError {
            throw ScenarioError(path: path, decodingError: error)
        } catch let error as YamlError {
            throw ScenarioError(path: path, message: "not valid YAML: \(error)")
        } catch {
            throw ScenarioError(path: path, message: "\(error)")
        }
    }

    /// Applies the scenario on top of `base`.
    public func configuration(base: SimulatorConfiguration = SimulatorConfiguration()) -> SimulatorConfiguration {
        var config = base
        if let account {
            if let mode = account.mode { config.accountMode = mode }
            if let auto = account.autoTransfer { config.autoTransfer = auto }
            if let usd = account.usd { config.startingUSD = usd }
            if let inventory = account.inventory { config.startingInventory = inventory }
            if let consumption = account.consumption { config.startingConsumption = consumption }
        }
        if let market { config.market = market }
        if let burn { config.burn = burn }
        if let limit = rateLimitPerMinute { config.rateLimitPerMinute = limit == 0 ? nil : limit }
        if let strings = quantitiesAsStrings { config.quantitiesAsStrings = strings }
        return config
    }
}

/// A scenario file that cannot be used, with the field at fault.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String

    init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    init(path: String, decodingError: DecodingError) {
        self.path = path
        func where_(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch decodingError {
        case .keyNotFound(let key, let context): message = "\(where_(context.codingPath + [key])): required field is missing"
        case .typeMismatch(let type, let context): message = "\(where_(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): message = "\(where_(context.codingPath)): expected \(type), got nothing"
        case .dataCorrupted(let context): message = "\(where_(context.codingPath)): \(context.debugDescription)"
        @unknown default: message = "\(decodingError)"
        }
    }

    public var description: String { "\(path): \(message)" }
}
