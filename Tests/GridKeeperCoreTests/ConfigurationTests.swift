import Foundation
import GridKeeperCore
import Testing

/// The configuration file and the global budget it sets.
@Suite struct ConfigurationTests {
    static func dec(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }

    @Test func aDatabaseURLIsKeptAsItIsWhileAPathIsResolvedAgainstTheFile() throws {
        let url = try KeeperConfiguration.parse("ledger: postgres://gk@db.internal:5432/ledger?sslmode=require\n", file: "/etc/gk/gridkeeper.yaml")
        #expect(url.ledger == "postgres://gk@db.internal:5432/ledger?sslmode=require")
        let relative = try KeeperConfiguration.parse("ledger: state/ledger.sqlite\n", file: "/etc/gk/gridkeeper.yaml")
        #expect(relative.ledger == "/etc/gk/state/ledger.sqlite")
    }

    @Test func aFullConfigurationIsRead() throws {
        let config = try KeeperConfiguration.parse("""
            budget: { daily: 250.00, monthly: 5000 }
            time_zone: Europe/Berlin
            strategies: strats
            ledger: /var/lib/gk/ledger.sqlite
            trading:
              base_url: http://127.0.0.1:8080/v1
              key_file: keys/trading.key
              auto_transfer: yes
            notify: { url: "https://hooks.example.com/gk?token=x", runway_critical: 45m, errors_in_a_row: 5 }
            status: { host: 0.0.0.0, port: 9000, token_file: status.token }
            """, file: "/etc/gk/gridkeeper.yaml", directory: "/etc/gk")
        #expect(config.budget == GlobalBudget(daily: Self.dec("250.00"), monthly: 5000))
        #expect(config.timeZone?.identifier == "Europe/Berlin")
        #expect(config.strategies == "/etc/gk/strats", "relative to the file")
        #expect(config.ledger == "/var/lib/gk/ledger.sqlite")
        #expect(config.baseURL == "http://127.0.0.1:8080/v1" && config.keyFile == "/etc/gk/keys/trading.key" && config.autoTransfer == true)
        #expect(config.notifyURL == "https://hooks.example.com/gk?token=x" && config.runwayCritical == 2700 && config.errorsInARow == 5)
        #expect(config.statusHost == "0.0.0.0" && config.statusPort == 9000 && config.statusTokenFile == "/etc/gk/status.token")
        #expect(try KeeperConfiguration.parse("", file: "empty.yaml") == KeeperConfiguration())
    }

    @Test(arguments: [
        ("budget: { daily: lots }", "c.yaml:1:18: budget.daily: expected a decimal like 250.00, got \"lots\""),
        ("budget:\n  dialy: 5", "c.yaml:2:3: unknown key 'dialy' in budget; did you mean 'daily'?"),
        ("time_zone: Mars/Olympus", "c.yaml:1:12: time_zone: 'Mars/Olympus' is not a time zone name"),
        ("notify: { runway_critical: 5m }", "c.yaml:1:9: notify is missing 'url'"),
        ("notify: { url: ftp://x }", "c.yaml:1:16: notify.url: expected an http(s) URL"),
        ("notify: { url: http://x, errors_in_a_row: 0 }", "c.yaml:1:43: notify.errors_in_a_row: expected a whole number from 1 to 1000, got \"0\""),
        ("status: { port: 70000 }", "c.yaml:1:17: status.port: expected a port from 0 to 65535"),
        ("trading: { base_url: trading.example }", "trading.base_url: expected an http(s) URL"),
        ("budgets: {}", "c.yaml:1:1: unknown key 'budgets' in the configuration; did you mean 'budget'?"),
        ("budget: [1, 2", "c.yaml:"),
    ])
    func badConfigurationIsLocated(_ text: String, _ expected: String) {
        do {
            _ = try KeeperConfiguration.parse(text, file: "c.yaml", directory: "/tmp")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    static func snapshot(spentToday: String, globalToday: String) -> MarketSnapshot {
        MarketSnapshot(asOf: Date(timeIntervalSince1970: 1_790_000_000), instrument: "text-prime", consumption: 0, inventory: 0, usdAvailable: 1000,
                       spentToday: dec(spentToday), spentMonth: dec(spentToday), bids: [.init(price: dec("2.49"), quantity: 50)],
                       asks: [.init(price: dec("2.50"), quantity: 500)], last: dec("2.50"),
                       shared: .init(daily: 100, monthly: 1000, spentToday: dec(globalToday), spentMonth: dec(globalToday)))
    }

    @Test(arguments: [
        // (this instrument's spend, every instrument's spend, units expected or nil when blocked, guardrail)
        ("0", "0", 10, nil),
        ("0", "90.00", 4, "global daily cap 100 with 90 spent"),
        ("0", "99.00", nil, "budget exhausted: global daily cap 100 with 99 spent leaves 1"),
        ("38.00", "38.00", nil, "budget exhausted: daily cap 40 with 38 spent"),
    ] as [(String, String, Int?, String?)])
    func theGlobalBudgetCapsEveryStrategyTogether(_ own: String, _ all: String, _ expected: Int?, _ note: String?) throws {
        let strategy = try StrategyParser.parse("""
            strategy: t
            instrument: text-prime
            every: 1m
            budget: { daily: 40.00, max_unit_price: 3.00 }
            rules:
              - { name: r, when: consumption == 0, buy: { quantity: 10, order: market } }
            """, file: "t.yaml")
        let outcome = try #require(Evaluator.evaluate(strategy, on: Self.snapshot(spentToday: own, globalToday: all)).outcomes.first)
        if let expected {
            guard case .buy(let quantity, _, _, _, _)? = outcome.intent else { Issue.record("expected a buy: \(outcome)"); return }
            #expect(quantity == expected)
        } else {
            #expect(outcome.outcome == .blocked && outcome.intent == nil)
        }
        if let note { #expect(outcome.guardrails.contains { $0.contains(note) }, "\(outcome.guardrails)") }
    }
}
