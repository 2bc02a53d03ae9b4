@testable import Daemon
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

@testable import Engine
import GridKeeperCore

/// Webhook notifications: which cycles give rise to which messages, and their delivery over HTTP.
@Suite struct NotifierTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func report(fills: Int = 0, paused: Bool = false, blocked: Bool = false, runway: Int? = 7200, errors: [String] = [],
                       at minute: Int = 0) -> CycleReport {
        var r = CycleReport(strategy: "keeper", instrument: "text-prime", asOf: Date(timeIntervalSince1970: 1_790_000_000 + Double(minute * 60)), mode: .live)
        r.errors = errors
        r.paused = paused
        r.budgetBlocked = blocked
        r.fillsRecorded = fills
        r.runwaySeconds = runway
        r.spentToday = Decimal(string: "12.5")
        r.dailyCap = 40
        return r
    }

    @Test func eachConditionIsSentWhenItStarts() async {
        let notifier = Notifier(url: "http://127.0.0.1:9/hook", thresholds: .init(runwayCritical: 1800, errorsInARow: 3), logger: Self.quiet)
        #expect(await notifier.observe(Self.report()).isEmpty, "a quiet cycle says nothing")
        #expect(await notifier.observe(Self.report(fills: 2)).map(\.event) == [.fill])
        #expect(await notifier.observe(Self.report(paused: true)).map(\.event) == [.killSwitch])
        #expect(await notifier.observe(Self.report(paused: true)).isEmpty, "still paused: no repeat")
        let resumed = await notifier.observe(Self.report(paused: false))
        #expect(resumed.map(\.event) == [.killSwitch] && resumed.first?.message.contains("released") == true)
        #expect(await notifier.observe(Self.report(blocked: true)).map(\.event) == [.budgetExhausted])
        #expect(await notifier.observe(Self.report(blocked: true)).isEmpty)
        let low = await notifier.observe(Self.report(runway: 600))
        #expect(low.map(\.event) == [.runwayCritical] && low.first?.details["runway_seconds"] == "600")
        #expect(await notifier.observe(Self.report(runway: 500)).isEmpty)
        #expect(await notifier.observe(Self.report(runway: 7200)).isEmpty)
        #expect(await notifier.observe(Self.report(runway: 100)).map(\.event) == [.runwayCritical], "a new drop is new")
        #expect(await notifier.observe(Self.report(errors: ["x"])).isEmpty)
        #expect(await notifier.observe(Self.report(errors: ["x"])).isEmpty)
        let errors = await notifier.observe(Self.report(errors: ["HTTP 503"]))
        #expect(errors.map(\.event) == [.repeatedErrors] && errors.first?.details["last_error"] == "HTTP 503")
        #expect(await notifier.observe(Self.report(errors: ["x"])).isEmpty, "once per run of errors")
    }

    @Test func notificationsArePostedAsJSONAndRetried() async throws {
        actor Inbox {
            var bodies: [Data] = []
            var failuresLeft = 2
            func receive(_ data: Data) -> Bool {
                if failuresLeft > 0 { failuresLeft -= 1; return false }
                bodies.append(data)
                return true
            }
        }
        let inbox = Inbox()
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            return await inbox.receive(Data(body.readableBytesView)) ? .noContent : .internalServerError
        }
        let (ports, found) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { channel in
            found.yield(channel.localAddress?.port ?? 0)
        }, logger: Self.quiet)
        let server = ServiceGroup(configuration: .init(services: [app], logger: Self.quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let notifier = Notifier(url: "http://127.0.0.1:\(port)/hook", logger: Self.quiet, retryDelay: .milliseconds(10))
            let delivery = Task { try await notifier.run() }
            await notifier.observe(Self.report(fills: 3))
            await notifier.tradingStopped("ledger: disk full", at: Date(timeIntervalSince1970: 1_790_000_000))
            notifier.finish()
            try await delivery.value
            let bodies = await inbox.bodies
            #expect(bodies.count == 2, "the first message got through on its third attempt")
            let first = try #require(try JSONSerialization.jsonObject(with: bodies.first ?? Data()) as? [String: Any])
            #expect(first["event"] as? String == "fill" && first["strategy"] as? String == "keeper" && first["instrument"] as? String == "text-prime")
            #expect((first["details"] as? [String: String])?["fills"] == "3")
            #expect(first["at"] as? String == "2026-09-21T14:13:20Z")
            let second = try #require(try JSONSerialization.jsonObject(with: bodies.last ?? Data()) as? [String: Any])
            #expect(second["event"] as? String == "trading_stopped" && (second["message"] as? String)?.contains("disk full") == true)
            await server.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
