import ArgumentParser
import Daemon
import Backtest
import Engine
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record the market and balances for backtests, without trading.",
        discussion: """
            Every --every, records each instrument's top five book levels, last price, recent public trades and consumption balance into the ledger (--db), read-only on the exchange. The daemon records the same on each cycle. Stop with Ctrl-C, or give
            --until or --for. Export the result with `gridkeeper recording export`.
            """
    )

    @Option(help: ArgumentHelp("Instruments to record, comma-separated.", valueName: "symbols"))
    var instruments: String = "text-prime"

    @Option(help: ArgumentHelp("Interval: 10s, 1m, …", valueName: "duration"))
    var every: String = "10s"

    @Option(help: ArgumentHelp("Stop at this time (a date or ISO-8601 time).", valueName: "time"))
    var until: String?

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop after this long: 30m, 24h, 7d.", valueName: "duration"))
    var duration: String?

    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard let seconds = StrategyParser.duration(every), seconds >= 1 else { throw ValidationError("--every: expected a duration like 10s or 1m, got '\(every)'") }
        if let duration, StrategyParser.duration(duration) == nil { throw ValidationError("--for: expected a duration like 30m or 24h, got '\(duration)'") }
        if until != nil, duration != nil { throw ValidationError("give --until or --for, not both") }
        if instruments.split(separator: ",").isEmpty { throw ValidationError("--instruments: give at least one symbol") }
    }

    func run() async throws {
        try await reportingFailures {
            let interval = NSDecimalNumber(decimal: StrategyParser.duration(every) ?? 10).doubleValue
            var deadline: Date?
            if let until {
                guard let date = parseSince(until, now: Date(), timeZone: ledger.zone), date > Date() else {
                    throw CommandFailure(message: "--until '\(until)': expected a future date or ISO-8601 time", exitCode: 64)
                }
                deadline = date
            }
            if let duration, let seconds = StrategyParser.duration(duration) { deadline = Date().addingTimeInterval(NSDecimalNumber(decimal: seconds).doubleValue) }
            let symbols = instruments.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let store = try LedgerAccess.openOrCreate(path: ledger.path, announce: Output.notice)
            let exchange = GridExchange(client: try connection.makeClient())
            let stopped = StopFlag()
            let stop = Task {
                for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                    stopped.set()
                    return
                }
            }
            defer { stop.cancel() }
            print("recording \(symbols.joined(separator: ", ")) every \(every) into \(store.path)\(deadline.map { " until \($0.ISO8601Format())" } ?? "; Ctrl-C stops")")
            let recorder = MarketRecorder(instruments: symbols, interval: interval, deadline: deadline)
            var shown = 0
            // Short sleeps, so Ctrl-C and the deadline are prompt.
            let count = try await recorder.run(from: exchange, into: store, clock: SystemClock(step: 0.1), stop: { stopped.isSet },
                                               skipped: { symbol, error in Output.printError("\(symbol): \(error)") },
                                               progress: { recorded in
                                                   if recorded / 60 > shown / 60 { print("\(recorded) snapshots recorded") }
                                                   shown = recorded
                                               })
            print("\(count) snapshots recorded into \(store.path)")
        }
    }
}

/// A flag one task sets and another reads.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

struct RecordingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recording",
        abstract: "Export, import and describe recordings for backtests.",
        subcommands: [Export.self, Import.self, Info.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a ledger's recording of one instrument as JSON lines.",
            discussion: "The ledger must exist (nothing is created). An existing --out file is replaced only with --force; the file appears whole or not at all.")

        @Option(help: ArgumentHelp("Ledger (a SQLite file or postgres://USER@HOST:PORT/DB) or recording to read.", valueName: "file|url"))
        var db: String

        @Option(help: ArgumentHelp("JSON lines file to write.", valueName: "file"))
        var out: String

        @Option(help: ArgumentHelp("Instrument, when the ledger holds several.", valueName: "symbol"))
        var instrument: String?

        @Flag(help: "Replace --out if it exists.")
        var force = false

        func run() async throws {
            try await reportingFailures {
                guard PostgresLocation.isPostgres(db) || FileManager.default.fileExists(atPath: db) else {
                    throw CommandFailure(message: "no ledger or recording at \(db): check --db (nothing was written)")
                }
                if !force, FileManager.default.fileExists(atPath: out) {
                    throw CommandFailure(message: "\(out) exists: pass --force to replace it, or choose another --out (nothing was written)")
                }
                do {
                    let recording = try RecordingIO.load(path: db, instrument: instrument)
                    try RecordingIO.writeLines(recording, to: out)
                    print("wrote \(recording.books.count) snapshots, \(recording.trades.count) trades of \(recording.instrument) to \(out)")
                } catch { throw CommandFailure(message: "\(error)") }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a JSON lines recording into a ledger file.",
            discussion: """
                Meant for a ledger of its own (created if needed, and said so on stderr). A ledger that has traded (it holds live or paper orders) is refused: imported books, trades and balances would mix with the history its strategies read (avg(last, 24h), burn). --force imports anyway.
                """)

        @Argument(help: ArgumentHelp("JSON lines recording.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("Ledger to write (created if needed): a SQLite file or postgres://USER@HOST:PORT/DB.", valueName: "file|url"))
        var db: String

        @Flag(help: "Import into a ledger that has traded.")
        var force = false

        func run() async throws {
            try await reportingFailures {
                do {
                    let recording = try RecordingIO.load(path: file)
                    let shown = RecordingIO.shown(db)
                    if try RecordingIO.writeLedger(recording, to: db, intoTradingLedger: force) {
                        FileHandle.standardError.write(Data("created new ledger at \(shown)\n".utf8))
                    }
                    print("imported \(recording.books.count) snapshots, \(recording.trades.count) trades of \(recording.instrument) into \(shown)")
                } catch { throw CommandFailure(message: "\(error)") }
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Describe a recording: instrument, period, counts.")

        @Argument(help: ArgumentHelp("Ledger or JSON lines recording.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("Instrument, when the ledger holds several.", valueName: "symbol"))
        var instrument: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let recording: Recording
                do { recording = try RecordingIO.load(path: file, instrument: instrument) } catch { throw CommandFailure(message: "\(error)") }
                struct Info: Encodable {
                    var instrument: String
                    var from: Date?
                    var to: Date?
                    var snapshots: Int
                    var trades: Int
                    var demandSteps: Int
                    var balances: Int
                    var source: String?
                    enum CodingKeys: String, CodingKey { case instrument, from, to, snapshots, trades, demandSteps = "demand_steps", balances, source }
                }
                let info = Info(instrument: recording.instrument, from: recording.start, to: recording.end, snapshots: recording.books.count,
                                trades: recording.trades.count, demandSteps: recording.demand.count, balances: recording.balances.count, source: recording.source)
                if json { Output.printJSON(info); return }
                print("\(info.instrument): \(info.snapshots) snapshots from \(info.from?.ISO8601Format() ?? "—") to \(info.to?.ISO8601Format() ?? "—")")
                print("\(info.trades) trades, \(info.demandSteps) demand steps, \(info.balances) balance samples\(info.source.map { "; source: \($0)" } ?? "")")
            }
        }
    }
}
