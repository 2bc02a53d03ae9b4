import Foundation

/// Where a PostgreSQL ledger lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&password_file=…]`.
///
/// The password comes from the URL, else from the file named by `password_file`, else from
/// `PGPASSWORD`. `description` (what logs, errors and `status` show) never includes it.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Equatable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it (libpq's default).
        case prefer
        /// TLS or no connection.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: TLSMode
    /// Never printed; see `description`.
    public var password: String?

    /// Whether `text` names a PostgreSQL ledger rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// - Throws: `LedgerError.cannotOpen` saying what is wrong with the URL (with the password
    ///   masked).
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LedgerError) {
        let shown = Self.redact(text)
        func bad(_ reason: String) -> LedgerError { .cannotOpen(path: shown, reason: reason) }
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw bad("not a PostgreSQL URL; write postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else { throw bad("the URL names no host") }
        guard let user = components.user, !user.isEmpty else { throw bad("the URL names no user (postgres://USER@HOST/DATABASE)") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw bad("the URL names no database (postgres://USER@HOST/DATABASE)") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw bad("port \(port) is out of range") }
        var tls = TLSMode.prefer
        var passwordFile: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value ?? "" {
                case "disable": tls = .disable
                case "allow", "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                case let other: throw bad("sslmode=\(other) is not one of disable, prefer, require")
                }
            case "password_file":
                guard let value = item.value, !value.isEmpty else { throw bad("password_file= names no file") }
                passwordFile = value
            case "application_name", "connect_timeout":
                continue
            default:
                throw bad("unknown URL parameter \(item.name) (known: sslmode, password_file)")
            }
        }
        var password = components.password.flatMap { $0.removingPercentEncoding ?? $0 }
        if password == nil, let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile), let contents = String(data: data, encoding: .utf8) else {
                throw bad("cannot read the password file \(passwordFile)")
            }
            password = contents.trimmingCharacters(in: .newlines)
        }
        if password == nil, let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty { password = fromEnvironment }
        self.host = host
        self.port = port
        self.user = user.removingPercentEncoding ?? user
        self.database = database.removingPercentEncoding ?? database
        self.tls = tls
        self.password = password
    }

    /// `postgres://USER@HOST:PORT/DATABASE`, never with a password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// `text` with any password in its user-info part replaced by `***`, for messages about a
    /// URL that could not be read.
    public static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].range(of: "@", options: .backwards) else { return text }
        let userInfo = text[scheme.upperBound..<at.lowerBound]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at.lowerBound...])
    }
}
