import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to a PostgreSQL ledger, used synchronously like the SQLite ledger: the
/// engine's ledger calls are blocking, short and serialised, and run off the connection's
/// event loop. A lost connection is opened again on the next call; a query that does not
/// answer within `timeout` closes the connection and fails, so a partitioned database cannot
/// stall a leader past its lease.
final class PostgresSession: @unchecked Sendable {
    let location: PostgresLocation
    let timeout: TimeAmount
    private let lock = NIOLock()
    private var connection: PostgresConnection?
    private let logger: Logger
    private static let group = MultiThreadedEventLoopGroup.singleton

    init(location: PostgresLocation, timeout: TimeAmount = .seconds(10)) {
        self.location = location
        self.timeout = timeout
        var logger = Logger(label: "gridkeeper.ledger.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    deinit {
        if let connection { Self.closeSoon(connection) }
    }

    /// Starts closing `connection` (the future's, not the async, `close()`), keeping it alive
    /// until it is closed: PostgresNIO requires a connection to be closed before it is freed.
    static func closeSoon(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Drops the current connection (closing it); the next call opens a new one.
    private func discard() {
        if let connection { Self.closeSoon(connection) }
        connection = nil
    }

    /// Runs `body` on the open connection (opening it if needed), alone. A body that finds
    /// the connection lost (the database restarted, failed over, or the network dropped) runs
    /// once more on a new one: reads are safe to repeat.
    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        try lock.withLock {
            do {
                return try body(Connection(raw: try openConnection(), logger: logger, timeout: timeout))
            } catch where Self.isConnectionLost(error) {
                discard()
                return try body(Connection(raw: try openConnection(), logger: logger, timeout: timeout))
            }
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`; anything thrown rolls the transaction back. Only
    /// `BEGIN` is retried on a new connection: once a statement of the transaction was sent, a
    /// lost connection is an error the caller sees (a lost `COMMIT` leaves the outcome unknown).
    func transaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try lock.withLock {
            var c = Connection(raw: try openConnection(), logger: logger, timeout: timeout)
            do {
                try c.execute("BEGIN")
            } catch where Self.isConnectionLost(error) {
                discard()
                c = Connection(raw: try openConnection(), logger: logger, timeout: timeout)
                try c.execute("BEGIN")
            }
            do {
                let result = try body(c)
                try c.execute("COMMIT")
                return result
            } catch {
                if !c.raw.isClosed { _ = try? c.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Whether `error` says the connection is gone rather than that a statement failed.
    static func isConnectionLost(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            switch error.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
                return true
            default:
                // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
                return ["57P01", "57P02", "57P03"].contains(error.serverInfo?[.sqlState] ?? "")
            }
        }
        return error is ChannelError
    }

    /// Closes the connection (the next call opens a new one).
    func close() {
        lock.withLock {
            if let connection {
                let closing: EventLoopFuture<Void> = connection.close()
                try? closing.wait()
            }
            connection = nil
        }
    }

    private func openConnection() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        discard()
        let tls: PostgresConnection.Configuration.TLS
        switch location.tls {
        case .disable:
            tls = .disable
        case .prefer, .require:
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: .makeClientConfiguration()) } catch { throw PostgresFailure.tls("\(error)") }
            tls = location.tls == .require ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = timeout
        // A client frozen inside a transaction (SIGSTOP, a VM pause) must not hold its locks, the
        // lease row's among them, for as long as it is frozen: the server ends such a session.
        configuration.options.additionalStartupParameters = [("application_name", "gridkeeper"), ("idle_in_transaction_session_timeout", "5s")]
        let opened = try PostgresConnection.connect(on: Self.group.next(), configuration: configuration, id: 1, logger: logger).wait()
        connection = opened
        return opened
    }

    /// The connection as a transaction body sees it.
    struct Connection {
        let raw: PostgresConnection
        let logger: Logger
        let timeout: TimeAmount

        /// Runs `query` and returns every row; a reply slower than the timeout closes the
        /// connection and fails.
        @discardableResult
        func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
            let connection = raw
            let watchdog = connection.eventLoop.scheduleTask(in: timeout) { PostgresSession.closeSoon(connection) }
            defer { watchdog.cancel() }
            return try connection.query(query, logger: logger).wait()
        }

        /// Rows changed (or returned) by `query`.
        @discardableResult
        func execute(_ query: PostgresQuery) throws -> Int {
            try self.query(query).metadata.rows ?? 0
        }

        /// Several statements in one round trip, without parameters (the simple protocol).
        func executeScript(_ sql: String) throws {
            let connection = raw
            let watchdog = connection.eventLoop.scheduleTask(in: timeout) { PostgresSession.closeSoon(connection) }
            defer { watchdog.cancel() }
            _ = try connection.simpleQuery(sql).wait()
        }
    }
}

/// What went wrong below the ledger, described without secrets.
enum PostgresFailure: Error, CustomStringConvertible {
    case tls(String)

    var description: String {
        switch self {
        case .tls(let reason): "cannot set up TLS: \(reason)"
        }
    }

    /// A PostgreSQL or connection error as one line: the server's SQLSTATE and message, or what
    /// failed on the way there. Never the password or the query's values.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let message = info[.message] ?? "error"
                let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                let detail = info[.detail].map { ": \($0)" } ?? ""
                return message + detail + state
            }
            switch error.code {
            case .connectionError:
                return "cannot connect" + (error.underlying.map { ": \(String(describing: $0))" } ?? "")
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return "the connection was closed (database restarted, network lost, or no answer in time)"
            case .authMechanismRequiresPassword:
                return "the server asks for a password: put it in the URL, in PGPASSWORD, or in a file named by ?password_file="
            case .sslUnsupported:
                return "the server does not offer TLS but sslmode=require"
            default:
                return "PostgreSQL error \(error.code)"
            }
        }
        if let error = error as? PostgresFailure { return error.description }
        if let error = error as? ChannelError { return "connection error: \(error)" }
        return "\(error)"
    }

    /// The SQLSTATE of a server error, if that is what `error` is.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
