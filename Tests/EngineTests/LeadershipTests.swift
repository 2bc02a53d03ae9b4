import Daemon
import Foundation
import Ledger
import Logging
import Testing
import TestSupport

/// The lease as a daemon's service: one leader, a standby that takes over when the leader stops,
/// and every change of leader on the metrics and the webhook.
@Suite struct LeadershipTests {
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    actor Inbox {
        var messages: [String] = []
        func add(_ data: Data) { messages.append(String(decoding: data, as: UTF8.self)) }
    }

    static func until(_ seconds: TimeInterval, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func aStandbyTakesOverWhenTheLeaderStopsAndEveryChangeIsReported() async throws {
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(database: try cluster.createDatabase(prefix: "lease"))
        let ledgerA = try #require(try LedgerOpener.open(url) as? PostgresLedger)
        let ledgerB = try #require(try LedgerOpener.open(url) as? PostgresLedger)
        let inbox = Inbox()
        let notifier = Notifier(url: "http://127.0.0.1:9/hook", logger: Self.quiet, post: { data in await inbox.add(data) })
        let posting = Task { try await notifier.run() }
        let metricsA = EngineMetrics(), metricsB = EngineMetrics()
        // A lease of 30 s, renewed every 10 s and trusted for 24 s: the test process's other
        // suites (backtests, the HA test's daemons) can keep its two threads busy for seconds.
        let a = Leadership(ledger: ledgerA, holder: "host-a", ttl: 30, logger: Self.quiet, notifier: notifier, metrics: metricsA)
        let b = Leadership(ledger: ledgerB, holder: "host-b", ttl: 30, logger: Self.quiet, notifier: notifier, metrics: metricsB)

        let runningA = Task { try await a.run() }
        // Generous: the test process's other suites (the HA test's two daemons among them) can
        // keep the database and these threads busy for long stretches.
        #expect(await Self.until(90) { a.isLeading })
        let runningB = Task { try await b.run() }
        // host-a holds the lease: host-b, started after it, stands by.
        try await Task.sleep(for: .seconds(3))
        #expect(a.isLeading && !b.isLeading)
        #expect(a.status.role == "leader" && a.status.token == 1)
        #expect(b.status.role == "standby" && b.status.leader == "host-a")
        #expect(metricsA.text().contains("gridkeeper_leader 1.0") || metricsA.text().contains("gridkeeper_leader 1\n"), "\(metricsA.text())")
        #expect(metricsB.text().contains("gridkeeper_leader 0"), "\(metricsB.text())")

        // host-a stops (its service ends and hands the lease back): host-b leads with the next token.
        runningA.cancel()
        _ = try? await runningA.value
        #expect(await Self.until(90) { b.isLeading })
        #expect(b.status.token == 2 && b.status.role == "leader")
        #expect(metricsB.text().contains("gridkeeper_lease_token 2"), "\(metricsB.text())")
        #expect(try ledgerB.leadership()?.holder == "host-b")

        // host-b loses the lease behind its back (as if frozen past it): it stops trusting it,
        // steps down, and says so.
        _ = try cluster.psql("UPDATE leadership SET expires_at = clock_timestamp() - interval '1 second'", database: String(url.split(separator: "/").last!))
        #expect(await Self.until(90) { b.status.token == 3 }, "host-b found its lease gone, stepped down and took it again")
        runningB.cancel()
        _ = try? await runningB.value
        notifier.finish()
        _ = try? await posting.value
        let messages = await inbox.messages
        #expect(messages.contains { $0.contains("\"leader_changed\"") && $0.contains("host-a leads with token 1") }, "\(messages)")
        #expect(messages.contains { $0.contains("host-b leads with token 2") }, "\(messages)")
        #expect(messages.contains { $0.contains("host-b stopped leading") }, "\(messages)")
    }
}
