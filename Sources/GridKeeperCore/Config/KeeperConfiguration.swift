import Foundation
import GridKeeperMacros
import Yams

/// The caps every strategy shares, over all instruments together.
@MemberwiseInit
public struct GlobalBudget: Sendable, Equatable {
    /// USD per day, midnight to midnight in the configured time zone.
    public var daily: Decimal? = nil
    /// USD per calendar month.
    public var monthly: Decimal? = nil
}

/// The daemon's configuration file (`--config FILE`): the global budget, where things are,
/// how to reach the Trading API and whom to notify. Flags and the environment override it.
///
/// ```yaml
/// budget: { daily: 250.00, monthly: 5000.00 }
/// time_zone: Europe/Berlin
/// strategies: strategies          # relative paths are relative to this file
/// ledger: /var/lib/gridkeeper/ledger.sqlite   # or postgres://USER@HOST:PORT/DB
/// trading: { base_url: https://trading.api.thegrid.ai/v1, key_file: trading.key, auto_transfer: false }
/// notify: { url: https://hooks.example.com/gk, runway_critical: 30m, errors_in_a_row: 3 }
/// status: { host: 127.0.0.1, port: 9469, token_file: status.token }   # a token is required off loopback
/// ```
public struct KeeperConfiguration: Sendable, Equatable {
    public var budget = GlobalBudget()
    public var timeZone: TimeZone?
    public var strategies: String?
    public var ledger: String?
    public var baseURL: String?
    public var keyFile: String?
    public var autoTransfer: Bool?
    public var notifyURL: String?
    /// Seconds of runway under which a `runway_critical` notification is sent.
    public var runwayCritical: Decimal?
    /// Consecutive failed cycles of one strategy that send a `repeated_errors` notification.
    public var errorsInARow: Int?
    public var statusHost: String?
    public var statusPort: Int?
    /// A file holding the bearer token `/status` and `/metrics` require (mode 0600).
    public var statusTokenFile: String?

    public init() {}

    /// Parses a configuration file's text; relative paths are resolved against `directory`.
    /// - Throws: `StrategyErrors` naming file:line:column of every problem.
    public static func parse(_ text: String, file: String, directory: String? = nil) throws(StrategyErrors) -> KeeperConfiguration {
        var parser = StrategyParser(file: file)
        guard let node = try StrategyParser.compose(text, file: file) else { return KeeperConfiguration() }
        var config = KeeperConfiguration()
        let base = directory ?? (file as NSString).deletingLastPathComponent
        func path(_ text: String?) -> String? {
            guard let text, !text.isEmpty else { return nil }
            let expanded = (text as NSString).expandingTildeInPath
            return expanded.hasPrefix("/") || base.isEmpty ? expanded : (base as NSString).appendingPathComponent(expanded)
        }
        guard let top = parser.fields(node, allowed: ["budget", "time_zone", "strategies", "ledger", "trading", "notify", "status"],
                                      required: [], what: "the configuration") else {
            throw StrategyErrors(diagnostics: parser.diagnostics)
        }
        if let budget = top["budget"], let fields = parser.fields(budget, allowed: ["daily", "monthly"], required: [], what: "budget") {
            config.budget.daily = parser.decimal(fields["daily"], what: "budget.daily", example: "250.00")
            config.budget.monthly = parser.decimal(fields["monthly"], what: "budget.monthly", example: "5000.00")
        }
        if let zone = top["time_zone"], let name = parser.string(zone, what: "time_zone") {
            if let tz = TimeZone(identifier: name) { config.timeZone = tz } else {
                parser.error(zone, "time_zone: '\(name)' is not a time zone name like UTC or Europe/Berlin")
            }
        }
        config.strategies = path(parser.string(top["strategies"], what: "strategies"))
        // A database URL (postgres://…) is a location, not a path relative to this file.
        let ledger = parser.string(top["ledger"], what: "ledger")
        config.ledger = ledger.map { $0.contains("://") } == true ? ledger : path(ledger)
        if let trading = top["trading"], let fields = parser.fields(trading, allowed: ["base_url", "key_file", "auto_transfer"], required: [], what: "trading") {
            if let url = fields["base_url"], let text = parser.string(url, what: "trading.base_url") {
                if let parsed = URL(string: text), ["http", "https"].contains(parsed.scheme ?? "") { config.baseURL = text } else {
                    parser.error(url, "trading.base_url: expected an http(s) URL like https://trading.api.thegrid.ai/v1, got \(text)")
                }
            }
            config.keyFile = path(parser.string(fields["key_file"], what: "trading.key_file"))
            config.autoTransfer = parser.bool(fields["auto_transfer"], what: "trading.auto_transfer")
        }
        if let notify = top["notify"], let fields = parser.fields(notify, allowed: ["url", "runway_critical", "errors_in_a_row"], required: ["url"], what: "notify") {
            if let url = fields["url"], let text = parser.string(url, what: "notify.url") {
                if let parsed = URL(string: text), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil { config.notifyURL = text } else {
                    parser.error(url, "notify.url: expected an http(s) URL, got \(text)")
                }
            }
            config.runwayCritical = parser.duration(fields["runway_critical"], what: "notify.runway_critical", min: 60)
            if let count = fields["errors_in_a_row"] {
                if let n = count.scalar.flatMap({ Int($0.string) }), (1...1000).contains(n) { config.errorsInARow = n } else {
                    parser.error(count, "notify.errors_in_a_row: expected a whole number from 1 to 1000, got \(StrategyParser.show(count))")
                }
            }
        }
        if let status = top["status"], let fields = parser.fields(status, allowed: ["host", "port", "token_file"], required: [], what: "status") {
            config.statusHost = parser.string(fields["host"], what: "status.host")
            config.statusTokenFile = path(parser.string(fields["token_file"], what: "status.token_file"))
            if let port = fields["port"] {
                if let n = port.scalar.flatMap({ Int($0.string) }), (0...65535).contains(n) { config.statusPort = n } else {
                    parser.error(port, "status.port: expected a port from 0 to 65535, got \(StrategyParser.show(port))")
                }
            }
        }
        guard parser.diagnostics.isEmpty else { throw StrategyErrors(diagnostics: parser.diagnostics.sorted { $0.position < $1.position }) }
        return config
    }

    /// Reads a configuration file from disk.
    public static func load(path: String) throws(StrategyErrors) -> KeeperConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StrategyErrors(diagnostics: [StrategyDiagnostic(file: path, position: .init(line: 1, column: 1), message: "cannot read the configuration file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StrategyErrors(diagnostics: [StrategyDiagnostic(file: path, position: .init(line: 1, column: 1), message: "the file is not UTF-8 text")])
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(text, file: path, directory: directory.isEmpty ? FileManager.default.currentDirectoryPath : directory)
    }
}
