import Foundation
import GridKeeperMacros

/// The read-only first-run check behind `gridkeeper verify`: service, key, account mode,
/// balances and markets. It places no orders and moves nothing.
public struct Preflight: Sendable {
    public enum Status: String, Codable, Sendable {
        case pass, warn, fail, skip
    }

    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var status: Status
        public var detail: String
        /// What to do about a warning or failure.
        public var fix: String?
    }

    @MemberwiseInit(.internal) @WireCodable
    public struct Report: Codable, Sendable {
        public var baseURL: String
        public var fingerprint: String?
        public var checks: [Check]
        /// True when no check failed (warnings allowed).
        @WireKey("ok") public var ok: Bool { !checks.contains { $0.status == .fail } }
    }

    let client: GridClient

    public init(client: GridClient) { self.client = client }

    /// Runs every check in order; later checks are skipped when authentication fails.
    public func run() async -> Report {
        var checks: [Check] = []
        func add(_ name: String, _ status: Status, _ detail: String, fix: String? = nil) {
            checks.append(Check(name: name, status: status, detail: detail, fix: fix))
        }

        do {
            let health = try await client.health()
            add("service", health.status.lowercased() == "ok" ? .pass : .warn, "\(health.service ?? "trading api") reports \(health.status)")
        } catch {
            add("service", .fail, error.description, fix: "check GRID_TRADING_BASE_URL (or --base-url) and the network")
        }

        let authenticated: Bool
        do {
            let me = try await client.me()
            add("key", .pass, "signed request accepted for user \(me.userID)\(client.serverClock.isCorrecting ? " (local clock is off; signing with server time)" : "")")
            if me.canTrade {
                add("account mode", .pass, "advanced: orders may be placed")
            } else if let mode = me.accountMode {
                // A key that can place no orders is a failed set-up for a program whose job is placing them.
                add("account mode", .fail, "\(mode): the exchange refuses orders from this account (\(GridAPIError.autoModeRestricted))",
                    fix: "switch the account to Advanced mode in the dashboard (app.thegrid.ai) before running the daemon")
            } else {
                add("account mode", .warn, "the exchange did not say which mode the account is in; orders need Advanced mode",
                    fix: "check in the dashboard that the account is in Advanced mode")
            }
            authenticated = true
        } catch {
            let fix: String
            switch error.status {
            case 401: fix = "register the public key (gridkeeper keygen prints it) in the dashboard, check GRID_TRADING_FINGERPRINT, and the system clock"
            case nil where error.isRetryable: fix = "the service is unreachable; retry later"
            default: fix = "see the error above"
            }
            add("key", .fail, error.description, fix: fix)
            authenticated = false
        }

        guard authenticated else {
            for name in ["usd balance", "trading accounts", "consumption accounts", "markets"] {
                add(name, .skip, "skipped: authentication failed")
            }
            return Report(baseURL: client.configuration.baseURL, fingerprint: client.fingerprint, checks: checks)
        }

        do {
            let usd = try await client.currencyAccounts().collect().filter { $0.currency.lowercased() == "usd" }
            if let account = usd.first {
                let available = StrictDecimal.format(account.availableBalance)
                add("usd balance", account.availableBalance > 0 ? .pass : .warn, "USD \(available) available, \(StrictDecimal.format(account.lockedBalance ?? 0)) locked",
                    fix: account.availableBalance > 0 ? nil : "add credit before the daemon can buy")
            } else {
                add("usd balance", .warn, "no USD currency account", fix: "add credit in the dashboard")
            }
        } catch {
            add("usd balance", .fail, error.description, fix: "retry; if it persists, report it")
        }

        do {
            let rows = try await client.tradingAccounts().collect()
            let units = rows.filter { $0.instrumentID != nil }
            add("trading accounts", .pass, "\(rows.count) account\(rows.count == 1 ? "" : "s"), \(units.count) instrument\(units.count == 1 ? "" : "s")")
        } catch {
            add("trading accounts", .fail, error.description)
        }

        do {
            let rows = try await client.consumptionAccounts().collect()
            add("consumption accounts", .pass, "\(rows.count) instrument\(rows.count == 1 ? "" : "s") with consumption accounts")
        } catch {
            add("consumption accounts", .fail, error.description)
        }

        do {
            let markets = try await client.markets().collect()
            let active = markets.filter { ($0.status ?? "active").lowercased() == "active" }
            let withoutControls = active.filter { $0.orderControls == nil }.count
            if active.isEmpty {
                add("markets", .fail, "no active markets", fix: "check the base URL points at the Trading API")
            } else if withoutControls > 0 {
                add("markets", .warn, "\(active.count) active, \(withoutControls) without order controls (tick, lot, minimum size)",
                    fix: "orders there are sized to whole units and cent prices")
            } else {
                let symbols = active.compactMap(\.symbol).sorted().joined(separator: ", ")
                add("markets", .pass, "\(active.count) active with order controls\(symbols.isEmpty ? "" : ": \(symbols)")")
            }
        } catch {
            add("markets", .fail, error.description)
        }
        return Report(baseURL: client.configuration.baseURL, fingerprint: client.fingerprint, checks: checks)
    }
}
