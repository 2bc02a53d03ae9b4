import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Simulator
import Testing
import TestSupport

/// `migrate`, `status`, `history`, `pause` and `resume` on real ledger files.
@Suite struct LedgerCommandTests {
    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-lcmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func migrateCreatesTheLedgerAndReportsItsVersion() async throws {
        let db = try Self.scratch() + "/nested/ledger.sqlite"
        let missing = try await CLIRunner.run(["status", "--db", db])
        #expect(missing.status == 1 && missing.stderr.contains(db))
        // The schema is compiled in: any working directory will do.
        let migrate = try await CLIRunner.run(["migrate", "--db", db], currentDirectory: URL(fileURLWithPath: "/"))
        #expect(migrate.status == 0 && migrate.stdout.contains("applied 0001_ledger"))
        let status = try await CLIRunner.run(["migrate", "--db", db, "--status", "--json"])
        let migrations = try #require(try Self.object(status.stdout)["migrations"] as? [[String: Any]])
        #expect(migrations.count == Migration.bundled.count && migrations.allSatisfy { $0["applied_at"] != nil })
    }

    @Test func pauseAndResumeAreKeptInTheLedger() async throws {
        let db = try Self.scratch() + "/ledger.sqlite"
        let created = try await CLIRunner.run(["migrate", "--db", db])
        #expect(created.status == 0 && created.stderr.contains("created new ledger at \(db)"), "\(created.stderr)")
        #expect(try await CLIRunner.run(["migrate", "--db", db]).stderr.isEmpty, "only a new file is announced")
        #expect(try await CLIRunner.run(["pause", "--db", db, "--reason", "invoice review"]).status == 0)
        let paused = try Self.object(try await CLIRunner.run(["status", "--db", db, "--json"]).stdout)
        let kill = try #require(paused["kill_switch"] as? [String: Any])
        #expect(kill["engaged"] as? Bool == true && kill["reason"] as? String == "invoice review")
        let text = try await CLIRunner.run(["status", "--db", db])
        #expect(text.stdout.contains("KILL SWITCH ENGAGED") && text.stdout.contains("invoice review"))
        #expect(try await CLIRunner.run(["resume", "--db", db]).status == 0)
        let resumed = try Self.object(try await CLIRunner.run(["status", "--db", db, "--json"]).stdout)
        #expect((resumed["kill_switch"] as? [String: Any])?["engaged"] as? Bool == false)
    }

    @Test func statusAndHistoryShowWhatWasRecorded() async throws {
        let db = try Self.scratch() + "/ledger.sqlite"
        let now = Date()
        do {
            let ledger = try Ledger(path: db)
            let cycle = try ledger.record(CycleRecord(
                startedAt: now, mode: .live, strategy: "keeper", instrument: "text-prime", snapshotDigest: "d",
                decisions: [DecisionRecord(rule: "restock", outcome: .fired, action: .buy, quantity: 4, price: Decimal(string: "2.45"), reason: "ask 2.45 ≤ avg × 0.98")]))
            try ledger.reserve(Decimal(string: "9.80")!, for: OrderRecord(clientOrderID: "gk-h-1", mode: .live, instrument: "text-prime", marketID: "m", type: "limit", quantity: 4, limitPrice: Decimal(string: "2.45"), decisionID: cycle.decisionIDs[0]), at: now)
            try ledger.updateOrder(clientOrderID: "gk-h-1", state: .open, exchangeOrderID: "order_9", at: now)
            _ = try ledger.record(fills: [FillRecord(tradeID: "t-h-1", clientOrderID: "gk-h-1", quantity: 1, price: Decimal(string: "2.45")!, executedAt: now)], at: now)
        }
        let status = try Self.object(try await CLIRunner.run(["status", "--db", db, "--json", "--time-zone", "UTC"]).stdout)
        #expect((status["spend"] as? [String: String])?["today"] == "9.8", "2.45 filled + 7.35 still reserved")
        #expect((status["open_orders"] as? [[String: Any]])?.first?["state"] as? String == "partially_filled")
        let history = try await CLIRunner.run(["history", "--db", db, "--since", "1h", "--json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["kind"] as? String } == ["decision", "fill"])
        let table = try await CLIRunner.run(["history", "--db", db, "--since", "1h"])
        #expect(table.stdout.contains("restock") && table.stdout.contains("t-h-1"))
        let bad = try await CLIRunner.run(["history", "--db", db, "--since", "yesterday-ish"])
        #expect(bad.status == 64 && bad.stderr.contains("--since"))
        let zone = try await CLIRunner.run(["status", "--db", db, "--time-zone", "Mars/Olympus"])
        #expect(zone.status == 64 && zone.stderr.contains("time zone"))
    }

    @Test func aMistypedLedgerPathIsRefusedAndNothingIsCreated() async throws {
        let dir = try Self.scratch()
        let typo = dir + "/typo/ledger.sqlite"
        for command in [["pause", "--reason", "x"], ["resume"], ["status"], ["history"], ["migrate", "--status"]] {
            let result = try await CLIRunner.run(command + ["--db", typo])
            #expect(result.status == 1, "\(command): \(result.stdout)")
            #expect(result.stderr.contains("no ledger at \(typo)") && result.stderr.contains("nothing was created"), "\(command): \(result.stderr)")
            #expect(!result.stdout.contains("kill switch engaged"), "\(command)")
        }
        let export = try await CLIRunner.run(["recording", "export", "--db", typo, "--out", dir + "/out.jsonl"])
        #expect(export.status == 1 && export.stderr.contains("no ledger or recording at \(typo)"), "\(export.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "no file, no directory")
    }

    @Test func theDaemonsConfigFileNamesTheLedgerAndItsTimeZone() async throws {
        let dir = try Self.scratch()
        let config = dir + "/gridkeeper.yaml"
        try Data("ledger: state/ledger.sqlite\ntime_zone: Pacific/Auckland\n".utf8).write(to: URL(fileURLWithPath: config))
        // The daemon's ledger does not exist yet: pause refuses rather than create one.
        let early = try await CLIRunner.run(["pause", "--config", config])
        #expect(early.status == 1 && early.stderr.contains("no ledger at \(dir)/state/ledger.sqlite"), "\(early.stderr)")
        #expect(try await CLIRunner.run(["migrate", "--config", config]).status == 0)
        #expect(try await CLIRunner.run(["pause", "--config", config, "--reason", "audit"]).status == 0)
        // status through the same file: that ledger, that time zone; GRIDKEEPER_CONFIG works too.
        let status = try Self.object(try await CLIRunner.run(["status", "--json"], environment: ["GRIDKEEPER_CONFIG": config]).stdout)
        #expect(status["ledger"] as? String == dir + "/state/ledger.sqlite")
        #expect((status["kill_switch"] as? [String: Any])?["reason"] as? String == "audit")
        #expect(status["time_zone"] as? String == "Pacific/Auckland", "\(status)")
        #expect(try await CLIRunner.run(["history", "--config", config]).status == 0)
        #expect(try await CLIRunner.run(["resume", "--config", config]).status == 0)
        // --db and --time-zone still win over the file.
        let tokyo = try Self.object(try await CLIRunner.run(["status", "--config", config, "--time-zone", "Asia/Tokyo", "--json"]).stdout)
        #expect(tokyo["time_zone"] as? String == "Asia/Tokyo" && (tokyo["kill_switch"] as? [String: Any])?["engaged"] as? Bool == false)
        let other = try Self.scratch() + "/other.sqlite"
        #expect(try await CLIRunner.run(["migrate", "--db", other]).status == 0)
        #expect(try Self.object(try await CLIRunner.run(["status", "--config", config, "--db", other, "--json"]).stdout)["ledger"] as? String == other)
    }

    @Test func aFileThatIsNotALedgerIsLeftAlone() async throws {
        let path = try Self.scratch() + "/notes.txt"
        try Data("remember the milk\n".utf8).write(to: URL(fileURLWithPath: path))
        for command in [["status"], ["history"], ["pause"], ["migrate"]] {
            let result = try await CLIRunner.run(command + ["--db", path])
            #expect(result.status == 1 && result.stderr.contains("is not a GridKeeper ledger"), "\(command)")
        }
        #expect(FileManager.default.contents(atPath: path) == Data("remember the milk\n".utf8))
    }
}

/// `gridkeeper validate` on the shipped examples and on broken files.
@Suite struct ValidateCommandTests {
    static let strategies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies").standardized.path

    @Test func theExamplesAreValid() async throws {
        let result = try await CLIRunner.run(["validate", Self.strategies])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.components(separatedBy: ": ok").count - 1 >= 3)
    }

    @Test func everyErrorOfEveryFileIsListed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-val-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.yaml")
        try Data("strategy: bad\ninstrument: text-prime\nevery: 1m\nrules:\n  - name: a\n    when: runway < ask\n    transfer: { quantity: 5, extra: 1 }\n".utf8).write(to: bad)
        let good = Self.strategies + "/text-prime-keeper.yaml"
        let result = try await CLIRunner.run(["validate", good, bad.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(bad.path):6:18: error: when: cannot compare a duration with a price"))
        #expect(result.stdout.contains("\(bad.path):7:30: error: unknown key 'extra' in transfer"))
        #expect(result.stdout.contains("text-prime-keeper.yaml: ok"))
        let json = try await CLIRunner.run(["validate", "--json", bad.path])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect((parsed.first?["errors"] as? [[String: Any]])?.count == 2)
        let missing = try await CLIRunner.run(["validate", dir.appendingPathComponent("nope.yaml").path])
        #expect(missing.status == 1 && missing.stdout.contains("cannot read the file"))
    }
}

extension ValidateCommandTests {
    /// `validate` refuses what `once` (and `run`) would refuse on loading the same directory.
    @Test func validateAndOnceRefuseTheSameDirectory() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-val-\(UUID().uuidString)")
        let other = dir.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func strategy(_ name: String) -> Data {
            Data("strategy: \(name)\ninstrument: text-prime\nevery: 1m\nrules:\n  - { name: feed, when: inventory > 0, transfer: { quantity: 1 } }\n".utf8)
        }
        try strategy("keeper").write(to: dir.appendingPathComponent("a.yaml"))
        try strategy("second").write(to: dir.appendingPathComponent("b.yaml"))
        try strategy("keeper").write(to: other.appendingPathComponent("a.yaml"))
        let b = dir.appendingPathComponent("b.yaml").path
        let problem = "\(b):2:13: instrument: text-prime is already kept by \(dir.path)/a.yaml (strategy keeper); use one strategy per instrument"

        let validate = try await CLIRunner.run(["validate", dir.path])
        #expect(validate.status == 1, "\(validate.stdout)")
        #expect(validate.stdout.contains("\(b):2:13: error: instrument: text-prime is already kept by"), "\(validate.stdout)")
        #expect(validate.stdout.contains("a.yaml: ok"), "\(validate.stdout)")
        // Files of one directory are checked together however they are named; other
        // directories run on their own.
        let files = try await CLIRunner.run(["validate", dir.appendingPathComponent("a.yaml").path, b])
        #expect(files.status == 1 && files.stdout.contains("already kept by"), "\(files.stdout)")
        let apart = try await CLIRunner.run(["validate", dir.appendingPathComponent("a.yaml").path, other.appendingPathComponent("a.yaml").path])
        #expect(apart.status == 0, "\(apart.stdout)")

        let once = try await CLIRunner.run(["once", "--dry-run", "--strategies", dir.path, "--db", dir.appendingPathComponent("ledger.sqlite").path])
        #expect(once.status == 3 && once.stderr.contains(problem), "\(once.stderr)")
    }
}

/// `gridkeeper once` against a simulator on loopback.
@Suite struct OnceCommandTests {
    static let strategies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../strategies").standardized.path

    @Test func aDryRunPrintsThePlanAndSendsNothingMutating() async throws {
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingConsumption: ["text-prime": 3]))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-once-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("ledger.sqlite").path
        try await server.withRunning { baseURL in
            let env = ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL]
            let result = try await CLIRunner.run(["once", "--dry-run", "--json", "--strategies", Self.strategies, "--db", db, "--time-zone", "UTC"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(reports.count == 3 && reports.allSatisfy { $0["mode"] as? String == "dry" })
            let decisions = reports.flatMap { ($0["decisions"] as? [[String: Any]]) ?? [] }
            #expect(decisions.allSatisfy { $0["reason"] as? String != nil && $0["outcome"] as? String != nil })
            #expect(await exchange.requestLog.allSatisfy { $0.method == "GET" })
            let table = try await CLIRunner.run(["once", "--dry-run", "--strategies", Self.strategies, "--db", db], environment: env)
            #expect(table.stdout.contains("text-prime-keeper (text-prime)") && table.stdout.contains("feed"))
            // A second run while the lock is held is refused.
            let lock = open(db + ".lock", O_CREAT | O_RDWR, 0o600)
            #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
            let locked = try await CLIRunner.run(["once", "--dry-run", "--strategies", Self.strategies, "--db", db], environment: env)
            #expect(locked.status == 75 && locked.stderr.contains("another gridkeeper run holds"))
            close(lock)
            // The kill switch is reported with its own exit status.
            _ = try await CLIRunner.run(["pause", "--db", db])
            let paused = try await CLIRunner.run(["once", "--dry-run", "--strategies", Self.strategies, "--db", db], environment: env)
            #expect(paused.status == 5, "\(paused.stdout)\(paused.stderr)")
        }
        let bad = dir.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try Data("strategy: x\n".utf8).write(to: bad.appendingPathComponent("x.yaml"))
        let invalid = try await CLIRunner.run(["once", "--strategies", bad.path, "--db", db])
        #expect(invalid.status == 3 && invalid.stderr.contains("x.yaml:1:1: the strategy is missing 'instrument'"))
    }

    /// A strategy that buys at market on every cycle: if anything trades, it shows.
    static let buyer = """
        strategy: buyer
        instrument: text-prime
        every: 1m
        budget: { daily: 50.00, max_unit_price: 5.00 }
        rules:
          - { name: buy, when: usd > 0, buy: { quantity: 2, order: market } }
        """

    @Test func aDamagedLedgerIsRefusedBeforeTheExchangeHearsAnything() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-damaged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("strategies"), withIntermediateDirectories: true)
        try Data(Self.buyer.utf8).write(to: dir.appendingPathComponent("strategies/buyer.yaml"))
        let db = dir.appendingPathComponent("ledger.sqlite").path
        do {
            // Months of another instrument's market history: a few hundred pages.
            let ledger = try Ledger(path: db)
            let start = Date(timeIntervalSince1970: 1_790_035_200)
            let levels = (0..<5).map { MarketSnapshotRecord.Level(price: Decimal(300 + $0) / 100, quantity: 20 + $0) }
            for batch in 0..<20 {
                try ledger.record(marketSnapshots: (0..<200).map { i in
                    MarketSnapshotRecord(instrument: "code-max", takenAt: start.addingTimeInterval(Double(batch * 200 + i) * 60), bids: levels, asks: levels, last: 3)
                })
            }
        }
        try FileDamage.corruptMiddlePages(of: db)
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingUSD: 100))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        try await server.withRunning { baseURL in
            let env = ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL]
            for command in [["once"], ["once", "--dry-run"], ["run", "--status-port", "0"]] {
                let result = try await CLIRunner.run(command + ["--strategies", dir.appendingPathComponent("strategies").path, "--db", db], environment: env)
                #expect(result.status == 1, "\(command): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("the ledger \(db) is damaged") && result.stderr.contains("\".recover\"")
                        && result.stderr.contains("gridkeeper migrate --status"), "\(command): \(result.stderr)")
            }
            #expect(await exchange.requestLog.isEmpty, "nothing reached the exchange")
            #expect(await exchange.allOrders().isEmpty)
        }
    }

    @Test func aRefusedConnectionEndsOnceWithinSeconds() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-refused-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("strategies"), withIntermediateDirectories: true)
        try Data(Self.buyer.utf8).write(to: dir.appendingPathComponent("strategies/buyer.yaml"))
        let port = try LoopbackPort.closed()
        let started = ContinuousClock.now
        let result = try await CLIRunner.run(["once", "--strategies", dir.appendingPathComponent("strategies").path, "--db", dir.appendingPathComponent("l.sqlite").path],
                                             environment: ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": "http://127.0.0.1:\(port)/v1"])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("connection refused connecting to http://127.0.0.1:\(port)"), "\(result.stdout)\(result.stderr)")
        // The client says how long it tried: about 1.3 s on an idle machine, 4 × 15 s (61 s)
        // before connections were made to fail at once. The whole run, process start included,
        // is bounded only loosely: on a machine busy with other tests it is mostly start-up.
        let output = result.stdout + result.stderr
        let tried = try #require(output.firstMatch(of: #/attempts? in ([0-9]+(?:\.[0-9]+)?) s/#).flatMap { Double($0.1) }, "\(output)")
        #expect(tried < 20, "the client tried for \(tried) s (61 s before)")
        #expect(elapsed < .seconds(120), "a refused connection took \(elapsed) in all")
    }

    @Test func theConfigFileSetsPathsTheAPIAndAGlobalBudget() async throws {
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingUSD: 1000, startingConsumption: ["text-prime": 0]))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-config-\(UUID().uuidString)")
        let strategies = dir.appendingPathComponent("strats")
        try FileManager.default.createDirectory(at: strategies, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("""
            strategy: greedy
            instrument: text-prime
            every: 1m
            budget: { daily: 500.00, max_unit_price: 5.00 }
            rules:
              - { name: buy-lots, when: usd > 0, buy: { quantity: 40, order: market } }
            """.utf8).write(to: strategies.appendingPathComponent("greedy.yaml"))
        try await server.withRunning { baseURL in
            let config = dir.appendingPathComponent("gridkeeper.yaml")
            // Paths relative to the file; the API URL from the file; a global cap of 30 USD.
            try Data("""
                budget: { daily: 30.00 }
                time_zone: UTC
                strategies: strats
                ledger: ledger.sqlite
                trading: { base_url: "\(baseURL)" }
                """.utf8).write(to: config)
            let result = try await CLIRunner.run(["once", "--json", "--config", config.path],
                                                 environment: ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            let guardrails = reports.flatMap { ($0["decisions"] as? [[String: Any]]) ?? [] }.flatMap { ($0["guardrails"] as? [String]) ?? [] }
            #expect(guardrails.contains { $0.contains("cut to 11 by the global daily cap 30") }, "\(guardrails)")
            #expect(reports.first?["global_daily_cap"] as? String == "30")
            let fills = await exchange.allFills()
            #expect(fills.reduce(Decimal(0)) { $0 + $1.notional } <= 30)
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ledger.sqlite").path))

            // A paper run refuses the live ledger.
            let paper = try await CLIRunner.run(["run", "--paper", "--config", config.path, "--status-port", "0"],
                                                environment: ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64])
            #expect(paper.status == 3 && paper.stderr.contains("holds live orders; paper trading needs its own ledger"), "\(paper.stderr)")
        }
        // A bad config file is located, exit 3.
        let broken = dir.appendingPathComponent("broken.yaml")
        try Data("budget:\n  daily: 30\n  weekly: 100\n".utf8).write(to: broken)
        let bad = try await CLIRunner.run(["once", "--config", broken.path])
        #expect(bad.status == 3 && bad.stderr.contains("broken.yaml:3:3: unknown key 'weekly' in budget"), "\(bad.stderr)")
    }
}

/// The operator's commands on a PostgreSQL ledger, as on a file; the password never shows.
@Suite struct PostgresLedgerCommandTests {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func migrateStatusPauseResumeAndHistoryWorkOnAPostgresURL() async throws {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.createDatabase(prefix: "cli")
        let url = cluster.url(database: database)
        let shown = cluster.url(database: database, includePassword: false)
        var outputs: [String] = []
        func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLIRunner.Result {
            let result = try await CLIRunner.run(arguments, environment: environment)
            outputs.append(result.stdout + result.stderr)
            return result
        }
        // Nothing is created by a read-only command on an empty database.
        let missing = try await run(["status", "--db", url])
        #expect(missing.status == 1 && missing.stderr.contains(shown), "\(missing.stderr)")
        let migrate = try await run(["migrate", "--db", url])
        #expect(migrate.status == 0 && migrate.stderr.contains("created new ledger at \(shown)"), "\(migrate.stdout) \(migrate.stderr)")
        let schema = try Self.object(try await run(["migrate", "--db", url, "--status", "--json"]).stdout)
        let migrations = try #require(schema["migrations"] as? [[String: Any]])
        #expect(migrations.count == Migration.bundledPostgres.count && migrations.allSatisfy { $0["applied_at"] != nil })
        // The password may come from PGPASSWORD instead of the URL.
        #expect(try await run(["pause", "--db", shown, "--reason", "failover drill"], environment: ["PGPASSWORD": cluster.password]).status == 0)
        let paused = try Self.object(try await run(["status", "--db", url, "--json"]).stdout)
        #expect((paused["kill_switch"] as? [String: Any])?["engaged"] as? Bool == true)
        #expect(paused["ledger"] as? String == shown)
        #expect(try await run(["resume", "--db", url]).status == 0)
        let text = try await run(["status", "--db", url])
        #expect(text.status == 0 && text.stdout.contains("kill switch off"), "\(text.stdout)")
        let history = try await run(["history", "--db", url, "--since", "1d", "--json"])
        #expect(history.status == 0, "\(history.stderr)")
        // A wrong password is refused with a message that does not echo it.
        let wrong = try await run(["status", "--db", shown], environment: ["PGPASSWORD": "wrong-\(UUID().uuidString.prefix(6))"])
        #expect(wrong.status == 1 && wrong.stderr.contains("password"), "\(wrong.stderr)")
        #expect(outputs.allSatisfy { !$0.contains(cluster.password) }, "the password never appears in output")
    }

    @Test func onceRefusesToTradeBesideTheDaemonThatLeadsASharedLedger() async throws {
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(database: try cluster.createDatabase(prefix: "once"))
        let leader = try #require(try LedgerOpener.open(url) as? PostgresLedger)
        let lease = try #require(try leader.acquireLeadership(holder: "host-a:4242:run", ttl: 60))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-once-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("""
            strategy: steady
            instrument: text-prime
            every: 1m
            budget: { daily: 10.00, max_unit_price: 5.00 }
            rules:
              - { name: buy-one, when: usd > 0, buy: { quantity: 1, order: market } }
            """.utf8).write(to: dir.appendingPathComponent("steady.yaml"))
        // The exchange is never reached: the lease is checked first.
        let environment = ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": "http://127.0.0.1:9/v1"]
        let once = try await CLIRunner.run(["once", "--strategies", dir.path, "--db", url], environment: environment)
        #expect(once.status == 75, "\(once.stdout) \(once.stderr)")
        #expect(once.stderr.contains("host-a:4242:run") && once.stderr.contains("token \(lease.token)"), "\(once.stderr)")
        #expect(!once.stderr.contains(cluster.password))
        #expect(try leader.leadership()?.holder == "host-a:4242:run", "the leader keeps its lease")
        // Once the daemon has handed the lease back, `once` takes it for its run and returns it.
        try leader.releaseLeadership()
        #expect(try await CLIRunner.run(["pause", "--db", url, "--reason", "test"]).status == 0)
        // Paused, and with no exchange behind the URL: the run ends without trading either way.
        let second = try await CLIRunner.run(["once", "--strategies", dir.path, "--db", url], environment: environment)
        #expect(second.status != 75 && second.status != 0, "\(second.stdout) \(second.stderr)")
        let after = try #require(try leader.leadership())
        #expect(after.token == lease.token + 1 && !after.live, "once led with the next token and handed the lease back")
    }

    @Test func onceTradesOnASharedLedgerWhileItHoldsTheLease() async throws {
        // The run's orders go through the lease check a daemon's do (checked again between
        // signing and sending): while the lease is fresh, they reach the exchange.
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(database: try cluster.createDatabase(prefix: "oncetrade"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-oncetrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(OnceCommandTests.buyer.utf8).write(to: dir.appendingPathComponent("buyer.yaml"))
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingUSD: 100))
        let server = SimulatorServer(exchange: exchange, publicKeys: [TestKeys.reference.publicKey])
        try await server.withRunning { baseURL in
            let env = ["GRID_TRADING_PRIVATE_KEY": TestKeys.referenceSeedBase64, "GRID_TRADING_BASE_URL": baseURL]
            let once = try await CLIRunner.run(["once", "--strategies", dir.path, "--db", url], environment: env)
            #expect(once.status == 0, "\(once.stdout) \(once.stderr)")
            let orders = await exchange.allOrders()
            #expect(orders.count == 1 && orders.first?.clientOrderID?.hasPrefix("gk-") == true, "\(orders)")
        }
        let ledger = try #require(try LedgerOpener.open(url) as? PostgresLedger)
        let lease = try #require(try ledger.leadership())
        #expect(lease.holder.hasSuffix(":once") && !lease.live, "once took the lease and handed it back")
        #expect(try ledger.openOrders(instrument: "text-prime").isEmpty, "its market order was settled in the shared ledger")
    }
}
