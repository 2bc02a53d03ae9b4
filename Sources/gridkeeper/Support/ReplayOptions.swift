import ArgumentParser
import Backtest
import Foundation
import GridAPI
import GridKeeperCore

/// The replay settings `backtest` and `tune` share: which part of the recording, the starting
/// balances, latency, fees, demand and the caps' time zone.
struct ReplayOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Instrument, when the recording holds several.", valueName: "symbol"))
    var instrument: String?

    @Option(help: ArgumentHelp("Start of the replay: a date (2026-09-22) or ISO-8601 time.", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("End of the replay.", valueName: "time"))
    var to: String?

    @Option(help: "Starting USD.")
    var usd: String = "10000"

    @Option(help: "Starting units in consumption.")
    var consumption: Int = 0

    @Option(help: "Starting units in the trading account.")
    var inventory: Int = 0

    @Option(name: .customLong("latency-ms"), help: "Milliseconds between sending an order and its reaching the book.")
    var latencyMs: Int = 0

    @Option(name: .customLong("fee-bps"), help: "Fee in basis points of the notional.")
    var feeBps: String = "0"

    @Option(help: ArgumentHelp("Synthetic demand instead of the recording's: constant:3, daily:3[:0.5], bursts:2:20:4.", valueName: "profile"))
    var burn: String?

    @Option(name: .customLong("time-zone"), help: "Time zone of the daily and monthly caps.")
    var timeZone: String = "UTC"

    func validate() throws {
        guard StrictDecimal.parse(usd).map({ $0 >= 0 }) == true else { throw ValidationError("--usd must be an amount like 10000, got '\(usd)'") }
        guard consumption >= 0, inventory >= 0 else { throw ValidationError("--consumption and --inventory must be ≥ 0") }
        guard (0...3_600_000).contains(latencyMs) else { throw ValidationError("--latency-ms must be between 0 and 3600000") }
        guard StrictDecimal.parse(feeBps).map({ $0 >= 0 && $0 <= 10_000 }) == true else { throw ValidationError("--fee-bps must be between 0 and 10000") }
        guard TimeZone(identifier: timeZone) != nil else { throw ValidationError("--time-zone '\(timeZone)' is not a time zone name") }
    }

    var zone: TimeZone { TimeZone(identifier: timeZone) ?? .gmt }

    /// Reads the recording of `--instrument`, or of the strategy's instrument.
    func load(_ path: String, strategyInstrument: String) throws -> Recording {
        do { return try RecordingIO.load(path: path, instrument: instrument ?? strategyInstrument) } catch {
            throw CommandFailure(message: "\(error)")
        }
    }

    /// The backtest configuration these options describe over `recording`: `--from`/`--to`
    /// read against the recording's end, `--burn` laid over its span.
    func configuration(over recording: Recording) throws -> BacktestConfiguration {
        func time(_ text: String?, _ flag: String) throws -> Date? {
            guard let text else { return nil }
            guard let date = parseSince(text, now: recording.end ?? Date(), timeZone: zone) else {
                throw CommandFailure(message: "\(flag) '\(text)': expected a date like 2026-09-22 or an ISO-8601 time", exitCode: 64)
            }
            return date
        }
        let start = try time(from, "--from"), end = try time(to, "--to")
        if let start, let end, start > end {
            throw CommandFailure(message: "--from \(from ?? "") (\(start.ISO8601Format())) is after --to \(to ?? "") (\(end.ISO8601Format())): swap them", exitCode: 64)
        }
        var configuration = BacktestConfiguration(
            replay: ReplaySettings(startingUSD: StrictDecimal.parse(usd) ?? 0, startingInventory: inventory, startingConsumption: consumption,
                                   latency: Double(latencyMs) / 1000, feeRate: (StrictDecimal.parse(feeBps) ?? 0) / 10_000),
            from: start, to: end, timeZone: zone)
        if let burn {
            do {
                let profile = try Demand.parse(burn)
                if let first = recording.start, let last = recording.end { configuration.demand = Demand.steps(profile, from: first, to: last) }
            } catch { throw CommandFailure(message: "\(error)", exitCode: 64) }
        }
        return configuration
    }
}
