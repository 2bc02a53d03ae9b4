import Daemon
import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import Testing

/// The one factory that wires the engine for `once` and `run`: strategies, ledger, lock,
/// exchange and paper carry-over. No socket is opened: the client points at a closed port
/// and no cycle runs.
@Suite struct EngineFactoryTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static let buyer = """
        strategy: buyer
        instrument: text-prime
        every: 1m
        budget: { daily: 50.00, max_unit_price: 5.00 }
        rules:
          - { name: buy, when: usd > 0, buy: { quantity: 2, order: market } }
        """

    /// A scratch directory with `strategies/buyer.yaml`; the ledger goes beside it.
    struct Scratch {
        let directory: URL
        var strategies: String { directory.appendingPathComponent("strategies").path }
        var ledger: String { directory.appendingPathComponent("ledger.sqlite").path }

        init(strategies files: [String: String] = ["buyer.yaml": EngineFactoryTests.buyer]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("gk-factory-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("strategies"), withIntermediateDirectories: true)
            for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent("strategies/\(name)")) }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// A client that is never used: nothing in these tests reaches the exchange.
    static func client() throws -> GridClient {
        try GridClient(configuration: .init(baseURL: "http://127.0.0.1:9/v1"), signer: RequestSigner(key: SigningKey.generate()))
    }

    static func factory(_ mode: EngineFactory.Mode, _ scratch: Scratch) -> EngineFactory {
        EngineFactory(mode: mode, strategies: scratch.strategies, ledger: scratch.ledger, timeZone: .gmt)
    }

    /// Counts the clients made.
    final class Connections {
        var count = 0
    }

    static func build(_ factory: EngineFactory, connections: Connections? = nil) throws -> Deployment {
        try factory.build(strategies: try factory.loadStrategies(), logger: quiet) {
            connections?.count += 1
            return try client()
        }
    }

    @Test func paperTradingCarriesOverThePaperPositionTheLedgerHolds() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bought = Date(timeIntervalSince1970: 1_790_035_200)
        do {
            let ledger = try Ledger(path: scratch.ledger)
            _ = try ledger.reserve(Decimal(string: "7.50")!, for: OrderRecord(clientOrderID: "p-1", mode: .paper, instrument: "text-prime", marketID: nil,
                                                                              type: "market", quantity: 3, limitPrice: nil), at: bought)
            _ = try ledger.record(fills: [FillRecord(tradeID: "t-1", clientOrderID: "p-1", quantity: 3, price: Decimal(string: "2.25")!, executedAt: bought)],
                                  at: bought)
            _ = try ledger.record(TransferRecord(transferID: "x-1", mode: .paper, instrument: "text-prime", quantity: 2, state: .done,
                                                 at: bought.addingTimeInterval(60)))
        }
        let deployment = try Self.build(Self.factory(.paper, scratch))
        defer { deployment.close() }
        let carry = try #require(deployment.paperCarry)
        #expect(carry.spent == Decimal(string: "6.75")!)
        #expect(carry.bought == ["text-prime": 3])
        let transfers = try #require(carry.transfers["text-prime"])
        #expect(transfers.map(\.units) == [2] && transfers.map(\.at) == [bought.addingTimeInterval(60)])
        #expect(deployment.exchange is PaperExchange)
        #expect(deployment.strategies.map(\.name) == ["buyer"] && deployment.mode == .paper)
    }

    @Test func liveAndDryRunTradeOnTheExchangeItselfWithNothingCarried() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        for mode in [EngineFactory.Mode.live, .dryRun] {
            let deployment = try Self.build(Self.factory(mode, scratch))
            #expect(deployment.paperCarry == nil)
            #expect(deployment.exchange is GridExchange)
            #expect(deployment.mode.ledgerMode == (mode == .live ? .live : .dry))
            deployment.close()
        }
    }

    @Test func aSecondEngineOnTheSameLedgerIsRefusedByTheLockUntilTheFirstCloses() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let first = try Self.build(Self.factory(.live, scratch))
        let connections = Connections()
        #expect(throws: DeploymentError.locked(path: scratch.ledger + ".lock")) {
            _ = try Self.build(Self.factory(.dryRun, scratch), connections: connections)
        }
        #expect(DeploymentError.locked(path: scratch.ledger + ".lock").description
            == "another gridkeeper run holds \(scratch.ledger).lock; try again later")
        #expect(connections.count == 0, "the refused engine must not make a client")
        first.close()
        let second = try Self.build(Self.factory(.dryRun, scratch))
        second.close()
    }

    @Test func aLockFailureReleasesNothingTheFirstEngineHolds() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let first = try Self.build(Self.factory(.live, scratch))
        defer { first.close() }
        for _ in 0..<2 {
            #expect(throws: DeploymentError.locked(path: scratch.ledger + ".lock")) { _ = try Self.build(Self.factory(.live, scratch)) }
        }
    }

    @Test func aBadStrategyFileIsReportedAtItsLineAndColumnBeforeTheLedgerIsOpened() throws {
        let scratch = try Scratch(strategies: ["x.yaml": "strategy: x\n"])
        defer { scratch.remove() }
        let error = try #require(throws: DeploymentError.self) { _ = try Self.factory(.live, scratch).loadStrategies() }
        guard case .invalidConfiguration(let message) = error else {
            Issue.record("expected invalidConfiguration, got \(error)")
            return
        }
        #expect(message.contains("x.yaml:1:1: the strategy is missing 'instrument'"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: scratch.ledger))
    }

    @Test func missingOrEmptyStrategyDirectoriesAreConfigurationErrors() throws {
        let scratch = try Scratch(strategies: [:])
        defer { scratch.remove() }
        #expect(throws: DeploymentError.invalidConfiguration("\(scratch.strategies) holds no .yaml strategy files")) {
            _ = try Self.factory(.live, scratch).loadStrategies()
        }
        let missing = scratch.directory.appendingPathComponent("nowhere").path
        #expect(throws: DeploymentError.invalidConfiguration("no strategies at \(missing): pass --strategies DIR")) {
            _ = try EngineFactory(mode: .live, strategies: missing, ledger: scratch.ledger).loadStrategies()
        }
    }

    @Test func paperAndLiveSpendNeverShareALedger() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        do {
            let ledger = try Ledger(path: scratch.ledger)
            _ = try ledger.reserve(1, for: OrderRecord(clientOrderID: "l-1", mode: .live, instrument: "text-prime", marketID: nil,
                                                       type: "market", quantity: 1, limitPrice: nil), at: Date(timeIntervalSince1970: 1_790_035_200))
        }
        let connections = Connections()
        #expect(throws: DeploymentError.invalidConfiguration(
            "\(scratch.ledger) holds live orders; paper trading needs its own ledger: pass another --db")) {
            _ = try Self.build(Self.factory(.paper, scratch), connections: connections)
        }
        #expect(connections.count == 0)
        // The refusal released the lock; a dry run rehearses live trading on the live ledger.
        let dry = try Self.build(Self.factory(.dryRun, scratch), connections: connections)
        dry.close()
        #expect(connections.count == 1)
    }

    @Test func aNewLedgerIsAnnouncedOnceAndTheClientIsMadeAfterTheChecks() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let factory = Self.factory(.live, scratch)
        for expected in [["created new ledger at \(scratch.ledger)"], []] {
            var notices: [String] = []
            let deployment = try factory.build(strategies: try factory.loadStrategies(), logger: Self.quiet, announce: { notices.append($0) }) {
                try Self.client()
            }
            deployment.close()
            #expect(notices == expected)
        }
    }

    @Test func paperTradingDefaultsToALedgerOfItsOwnBesideTheLiveOne() {
        let environment = ["XDG_STATE_HOME": "/var/state"]
        #expect(EngineFactory.defaultLedgerPath(for: .live, environment: environment) == "/var/state/gridkeeper/ledger.sqlite")
        #expect(EngineFactory.defaultLedgerPath(for: .dryRun, environment: environment) == "/var/state/gridkeeper/ledger.sqlite")
        #expect(EngineFactory.defaultLedgerPath(for: .paper, environment: environment) == "/var/state/gridkeeper/paper-ledger.sqlite")
        #expect(EngineFactory(mode: .paper, environment: environment).ledgerPath == "/var/state/gridkeeper/paper-ledger.sqlite")
        #expect(EngineFactory(mode: .live, environment: environment).strategiesPath == "strategies")
    }

    @Test func theReadOnlyCommandsNeverCreateALedger() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(throws: DeploymentError.self) { _ = try LedgerAccess.status(path: scratch.ledger, asOf: Date(), timeZone: .gmt) }
        #expect(throws: DeploymentError.self) { _ = try LedgerAccess.history(path: scratch.ledger, since: .distantPast, limit: 10, includeSkipped: false) }
        #expect(throws: DeploymentError.self) { try LedgerAccess.setKillSwitch(path: scratch.ledger, engaged: true, reason: "test", by: "t", at: Date()) }
        #expect(throws: DeploymentError.self) { _ = try LedgerAccess.migrations(path: scratch.ledger, statusOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: scratch.ledger))
        let migrated = try LedgerAccess.migrations(path: scratch.ledger, statusOnly: false)
        #expect(migrated.migrations.allSatisfy(\.isApplied) && !migrated.migrations.isEmpty)
        let path = try LedgerAccess.setKillSwitch(path: scratch.ledger, engaged: true, reason: "test", by: "t", at: Date())
        #expect(path == migrated.path)
        #expect(try LedgerAccess.status(path: scratch.ledger, asOf: Date(), timeZone: .gmt).killSwitch?.engaged == true)
    }

    @Test func aSingleStrategyFileIsReadWithItsTextOrRefusedAtItsLineAndColumn() throws {
        let scratch = try Scratch(strategies: ["buyer.yaml": Self.buyer, "broken.yaml": "strategy: b\ninstrument: text-prime\nbudget: { weekly: 1 }\n"])
        defer { scratch.remove() }
        let good = try StrategyFiles.read(scratch.strategies + "/buyer.yaml")
        #expect(good.text == Self.buyer && good.contents == Data(Self.buyer.utf8) && good.strategy.name == "buyer")
        let missing = scratch.strategies + "/none.yaml"
        #expect(throws: DeploymentError.invalidConfiguration("cannot read \(missing)")) { _ = try StrategyFiles.read(missing) }
        let error = try #require(throws: DeploymentError.self) { _ = try StrategyFiles.read(scratch.strategies + "/broken.yaml") }
        #expect(error.description.contains(#/broken\.yaml:\d+:\d+: /#), "\(error)")
    }

    @Test func validateChecksTheFilesOfADirectoryTogetherAndEachFileOnce() throws {
        let twin = Self.buyer.replacingOccurrences(of: "strategy: buyer", with: "strategy: twin")
        let scratch = try Scratch(strategies: ["a.yaml": Self.buyer, "b.yaml": twin])
        defer { scratch.remove() }
        let empty = scratch.directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let (files, emptyPaths) = StrategyFiles.check([scratch.strategies, scratch.strategies + "/a.yaml", empty.path])
        #expect(files.map { ($0.path as NSString).lastPathComponent } == ["a.yaml", "b.yaml"])
        #expect(emptyPaths == [empty.path])
        // Two strategies for one instrument: the later file carries the conflict, as `once` would refuse it.
        #expect(files[0].isValid && !files[1].isValid)
        #expect(throws: DeploymentError.self) { _ = try StrategyFiles.load(scratch.strategies) }
    }
}
