import AsyncHTTPClient
import Engine
import Foundation
import GridKeeperCore
import GridKeeperMacros
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// One webhook message. The JSON body is `{"event", "strategy", "instrument", "at", "message", "details"}`.
public struct Notification: Sendable, Encodable, Equatable {
    public enum Event: String, Sendable, Encodable {
        case fill, killSwitch = "kill_switch", budgetExhausted = "budget_exhausted", runwayCritical = "runway_critical"
        case repeatedErrors = "repeated_errors", tradingStopped = "trading_stopped"
        /// A daemon sharing a PostgreSQL ledger took the lease, or lost it.
        case leaderChanged = "leader_changed"
    }

    public var event: Event
    public var strategy: String?
    public var instrument: String?
    public var at: Date
    public var message: String
    public var details: [String: String]
}

/// Watches cycle reports and tells a webhook what a person should know: fills, the kill switch
/// changing, the budget running out, runway falling under a threshold, repeated errors, trading
/// stopped. Each condition is sent when it starts, not on every cycle while it lasts.
/// Delivery never holds up a cycle: messages queue and are posted in the background, with three
/// attempts each; a webhook that keeps failing is logged (by host only: webhook URLs often
/// carry a token) and the daemon goes on.
public actor Notifier: Service {
    @MemberwiseInit
    public struct Thresholds: Sendable {
        /// Runway under which `runway_critical` is sent.
        public var runwayCritical: TimeInterval = 1800
        /// Consecutive cycles with errors that send `repeated_errors`.
        public var errorsInARow: Int = 3
    }

    private struct Watch {
        var paused: Bool?
        var budgetBlocked = false
        var runwayLow = false
        var errorsInARow = 0
    }

    public typealias Post = @Sendable (Data) async throws -> Void

    private let thresholds: Thresholds
    private let logger: Logger
    private let post: Post
    private let describe: String
    private var watches: [String: Watch] = [:]
    private let stream: AsyncStream<Notification>
    private let continuation: AsyncStream<Notification>.Continuation
    private var retryDelay: Duration

    /// - Parameters:
    ///   - url: the webhook; JSON is POSTed to it.
    ///   - post: how a body is sent (the default posts to `url` with a 10 s timeout).
    public init(url: String, thresholds: Thresholds = Thresholds(), logger: Logger, retryDelay: Duration = .seconds(2), post: Post? = nil) {
        self.thresholds = thresholds
        self.logger = logger
        self.retryDelay = retryDelay
        self.describe = URL(string: url)?.host ?? "the webhook"
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
        self.post = post ?? { body in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "gridkeeper")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else { throw NotifierError.status(Int(response.status.code)) }
        }
    }

    enum NotifierError: Error { case status(Int) }

    /// The notifications a finished cycle gives rise to (also queued for delivery).
    @discardableResult
    public func observe(_ report: CycleReport) -> [Notification] {
        var watch = watches[report.strategy] ?? Watch()
        var out: [Notification] = []
        func note(_ event: Notification.Event, _ message: String, _ details: [String: String] = [:]) {
            out.append(Notification(event: event, strategy: report.strategy, instrument: report.instrument, at: report.asOf, message: message, details: details))
        }
        if report.fillsRecorded > 0 {
            note(.fill, "\(report.strategy): \(report.fillsRecorded) new fill\(report.fillsRecorded == 1 ? "" : "s") of \(report.instrument)",
                 ["fills": "\(report.fillsRecorded)", "spent_today": CycleReport.money(report.spentToday) ?? "", "mode": report.mode.rawValue])
        }
        if let was = watch.paused, was != report.paused {
            note(.killSwitch, report.paused ? "kill switch engaged: no new orders" : "kill switch released: trading resumed", ["paused": "\(report.paused)"])
        } else if watch.paused == nil, report.paused {
            note(.killSwitch, "kill switch engaged: no new orders", ["paused": "true"])
        }
        watch.paused = report.paused
        if report.budgetBlocked, !watch.budgetBlocked {
            note(.budgetExhausted, "\(report.strategy): a buy was blocked, the budget is exhausted",
                 ["spent_today": CycleReport.money(report.spentToday), "daily_cap": CycleReport.money(report.dailyCap),
                  "spent_month": CycleReport.money(report.spentMonth), "monthly_cap": CycleReport.money(report.monthlyCap)].compactMapValues { $0 })
        }
        watch.budgetBlocked = report.budgetBlocked
        let low = report.runwaySeconds.map { TimeInterval($0) < thresholds.runwayCritical } ?? false
        if low, !watch.runwayLow {
            note(.runwayCritical, "\(report.instrument): consumption runway is \(report.runwaySeconds.map { "\($0 / 60) min" } ?? "?"), under \(Int(thresholds.runwayCritical / 60)) min",
                 ["runway_seconds": "\(report.runwaySeconds ?? 0)"])
        }
        watch.runwayLow = low
        watch.errorsInARow = report.errors.isEmpty ? 0 : watch.errorsInARow + 1
        if watch.errorsInARow == thresholds.errorsInARow {
            note(.repeatedErrors, "\(report.strategy): \(watch.errorsInARow) cycles in a row had errors", ["last_error": report.errors.last ?? ""])
        }
        watches[report.strategy] = watch
        for n in out { continuation.yield(n) }
        return out
    }

    /// Trading stopped because the ledger cannot be written.
    public func tradingStopped(_ reason: String, at time: Date) {
        continuation.yield(Notification(event: .tradingStopped, strategy: nil, instrument: nil, at: time, message: "trading stopped: \(reason)", details: [:]))
    }

    /// This daemon became leader of a shared ledger, or stopped being it.
    public func leaderChanged(_ message: String, details: [String: String], at time: Date) {
        continuation.yield(Notification(event: .leaderChanged, strategy: nil, instrument: nil, at: time, message: message, details: details))
    }

    /// Posts queued notifications until shutdown, then whatever is still queued.
    public func run() async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        await withGracefulShutdownHandler {
            for await notification in stream {
                guard let body = try? encoder.encode(notification) else { continue }
                await deliver(body, event: notification.event.rawValue)
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    /// Ends the queue: `run` returns after posting what is left.
    public nonisolated func finish() { continuation.finish() }

    private func deliver(_ body: Data, event: String) async {
        for attempt in 1...3 {
            do {
                try await post(body)
                return
            } catch {
                if attempt == 3 {
                    logger.warning("webhook failed; notification dropped", metadata: ["host": "\(describe)", "event": "\(event)", "error": "\(error)"])
                } else {
                    try? await Task.sleep(for: retryDelay * attempt)
                }
            }
        }
    }
}

extension Notifier: CycleObserver {
    public func didRun(_ strategy: Strategy, report: CycleReport, took: Duration) async { observe(report) }
}
