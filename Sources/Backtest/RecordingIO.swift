import Foundation
import GridAPI
import GridKeeperCore
import Ledger

/// Reads and writes recordings: a GridKeeper ledger (SQLite, what the daemon and `gridkeeper
/// record` write) or JSON lines (to share data sets).
///
/// JSON lines: the first line is a header, then one event per line in time order:
/// ```
/// {"kind":"recording","version":1,"instrument":"text-prime","source":"sim seed 7"}
/// {"kind":"book","t":"2026-09-22T00:00:00.000Z","bids":[["2.49",50]],"asks":[["2.51",50],["2.52",120]],"last":"2.50"}
/// {"kind":"trade","t":"2026-09-22T00:00:03.000Z","price":"2.51","quantity":4}
/// {"kind":"burn","t":"2026-09-22T00:00:00.000Z","units_per_hour":"3.2"}
/// {"kind":"balance","t":"2026-09-22T00:00:00.000Z","consumption":12}
/// ```
public enum RecordingIO {
    public static let depth = 5
    /// The longest JSON line accepted; a book of five levels a side is about 200 bytes.
    public static let maxLineBytes = 1 << 20

    /// Loads the recording of `instrument` (or of the only instrument recorded).
    ///
    /// JSON lines are read as a stream, a chunk at a time: memory follows what the recording
    /// holds, not the file's size, and a line longer than `maxLineBytes` is an error at that line.
    /// - Parameter lineParsing: `.decoderOnly` reads every JSON line with `JSONDecoder`, for
    ///   benchmarks and tests that compare it with the fast path; the result is the same.
    public static func load(path: String, instrument: String? = nil, lineParsing: LineParsing = .fastPath) throws(RecordingError) -> Recording {
        if PostgresLocation.isPostgres(path) { return try loadLedger(path: path, instrument: instrument) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw RecordingError("\(path): no such file") }
        guard !isDirectory.boolValue else { throw RecordingError("\(path): is a directory; give a ledger or a JSON lines file") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RecordingError("\(path): cannot open the file: \(String(cString: strerror(errno)))") }
        var magic = [UInt8](repeating: 0, count: 16)
        let got = magic.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, 16) }
        if got == 16, magic == Array("SQLite format 3\0".utf8) {
            close(fd)
            return try loadLedger(path: path, instrument: instrument)
        }
        let bytes = Int(max(0, lseek(fd, 0, SEEK_END)))
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            close(fd)
            throw RecordingError("\(path): cannot read the file: \(String(cString: strerror(errno)))")
        }
        var reader = LineReader(fd: fd, maxLine: maxLineBytes)
        return try parseLines(&reader, file: path, instrument: instrument, sizeHint: bytes, lineParsing: lineParsing)
    }

    /// How JSON lines are read.
    public enum LineParsing: Sendable {
        /// The documented line shapes by `RecordingLineScanner`, any other line by `JSONDecoder`.
        case fastPath
        /// Every line by `JSONDecoder` (the baseline the fast path is measured and tested against).
        case decoderOnly
    }

    /// Times a recording may hold: 2000-01-01 up to 2100-01-01 (UTC). A stray year 9999 would
    /// otherwise make a replay span thousands of years.
    public static let plausibleTimes: Range<Int64> = 946_684_800_000..<4_102_444_800_000

    /// A ledger location as messages and recordings show it: a path, or a URL without its password.
    public static func shown(_ location: String) -> String {
        guard PostgresLocation.isPostgres(location) else { return location }
        return (try? PostgresLocation(url: location, environment: [:]))?.description ?? PostgresLocation.redact(location)
    }

    /// Reads a ledger's recording: a SQLite file or a `postgres://` URL (shown without its password).
    static func loadLedger(path location: String, instrument: String?) throws(RecordingError) -> Recording {
        let path = shown(location)
        do {
            let ledger = try LedgerOpener.open(location, readOnly: true, create: false)
            let instruments = try ledger.recordedInstruments()
            let chosen: String
            if let instrument {
                guard instruments.contains(instrument) else {
                    throw RecordingError("\(path): no market snapshots of \(instrument); recorded: \(instruments.isEmpty ? "none" : instruments.joined(separator: ", "))")
                }
                chosen = instrument
            } else {
                guard instruments.count == 1 else {
                    throw RecordingError(instruments.isEmpty ? "\(path): no market snapshots recorded"
                                                             : "\(path) records \(instruments.joined(separator: ", ")): choose one with --instrument")
                }
                chosen = instruments[0]
            }
            var recording = Recording(instrument: chosen, books: try ledger.recordedBooks(instrument: chosen, depth: depth, from: .distantPast, to: .distantFuture), source: path)
            for ms in [recording.books.times.first, recording.books.times.last].compactMap({ $0 }) where !plausibleTimes.contains(ms) {
                throw RecordingError("\(path): market_snapshots row (\(chosen), taken_ms \(ms)): \(Date(ledgerMilliseconds: ms).ISO8601Format()) is not a plausible time (expected from 2000 to 2099)")
            }
            if ledger.hasRecordingTables() {
                recording.trades = try ledger.recordedTrades(instrument: chosen).map { TradePrint(ms: $0.ms, price: $0.price, quantity: $0.quantity) }
                recording.burn = try ledger.recordedBurn(instrument: chosen).map { BurnStep(ms: $0.ms, milliUnitsPerHour: $0.milliUnitsPerHour) }
            }
            recording.balances = try ledger.recordedBalances(instrument: chosen)
            return recording
        } catch let error as RecordingError {
            throw error
        } catch {
            throw RecordingError("\(path): \(error)")
        }
    }

    // MARK: JSON lines

    /// One line of a JSON lines recording.
    struct Line: Decodable {
        var kind: String?
        var version: Int?
        var instrument: String?
        var source: String?
        var t: String?
        var bids: [Level]?
        var asks: [Level]?
        var last: Number?
        var price: Number?
        var quantity: Number?
        var unitsPerHour: Number?
        var consumption: Number?

        enum CodingKeys: String, CodingKey {
            case kind, version, instrument, source, t, bids, asks, last, price, quantity, unitsPerHour = "units_per_hour", consumption
        }
    }

    /// `[price, quantity]`.
    struct Level: Decodable {
        var price: Number
        var quantity: Number

        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            price = try c.decode(Number.self)
            quantity = try c.decode(Number.self)
            guard c.isAtEnd else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected [price, quantity]")
            }
        }
    }

    /// A decimal written as a JSON string ("2.51") or number (2.51), kept as text.
    struct Number: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { text = s } else { text = "\(try c.decode(Decimal.self))" }
        }
        var micros: Int64? { RecordingIO.micros(text) }
        /// A whole number (7 or "7"; not 1.5).
        var whole: Int? { Int(text) }
    }

    static func parseLines(_ reader: inout LineReader, file: String, instrument wanted: String?, sizeHint: Int,
                           lineParsing: LineParsing = .fastPath) throws(RecordingError) -> Recording {
        var recording: Recording?
        var lineNumber = 0
        var lastBook: Int64 = .min, lastTrade: Int64 = .min, lastBurn: Int64 = .min, lastBalance: Int64 = .min
        func fail(_ message: String) -> RecordingError { RecordingError("\(file):\(lineNumber): \(message)") }
        let decoder = JSONDecoder()
        var scanner = RecordingLineScanner()
        let fast = lineParsing == .fastPath
        while true {
            let next: (line: UnsafeBufferPointer<UInt8>, complete: Bool)?
            do throws(LineReader.Failure) {
                next = try reader.next()
            } catch {
                lineNumber += 1
                switch error {
                case .lineTooLong: throw fail("the line is longer than \(maxLineBytes >> 20) MiB: not a recording, or a damaged file")
                case .unreadable(let reason): throw fail("cannot read the file: \(reason)")
                }
            }
            guard let next else { break }
            let text = next.line, complete = next.complete
            lineNumber += 1
            if text.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
            // The fast path takes a line only when the decoder path below would accept it with
            // the same values; anything else (an error included) is left to the decoder path.
            if fast, let event = scanner.scan(text) {
                switch event {
                case .header(let instrument, let source) where recording == nil && (wanted == nil || wanted == instrument):
                    recording = start(instrument: instrument, source: source, sizeHint: sizeHint)
                    continue
                case .book(let ms, let last) where recording != nil && ms >= lastBook && plausibleTimes.contains(ms):
                    lastBook = ms
                    recording!.books.append(ms: ms, bids: scanner.bids, asks: scanner.asks, last: last)
                    continue
                case .trade(let ms, let price, let quantity) where recording != nil && ms >= lastTrade && plausibleTimes.contains(ms):
                    lastTrade = ms
                    recording!.trades.append(TradePrint(ms: ms, price: price, quantity: quantity))
                    continue
                case .burn(let ms, let rate) where recording != nil && ms >= lastBurn && plausibleTimes.contains(ms):
                    lastBurn = ms
                    recording!.burn.append(BurnStep(ms: ms, milliUnitsPerHour: rate / 1000))
                    continue
                case .balance(let ms, let units) where recording != nil && ms >= lastBalance && plausibleTimes.contains(ms):
                    lastBalance = ms
                    recording!.balances.append((ms: ms, consumption: units))
                    continue
                default:
                    break
                }
            }
            let line: Line
            do {
                line = try decoder.decode(Line.self, from: Data(buffer: text))
            } catch {
                let depth = nesting(text)
                if depth > 64 { throw fail("nested \(depth) levels deep, where a recording's lines nest 3: not a recording, or a damaged file") }
                if let error = error as? DecodingError { throw fail(describe(error, complete: complete)) }
                throw fail(complete ? "not valid JSON" : "not valid JSON: the last line is incomplete (truncated file?)")
            }
            guard let kind = line.kind else { throw fail("missing \"kind\" (recording, book, trade, burn or balance)") }
            if recording == nil {
                guard kind == "recording" else { throw fail("the first line must be the header {\"kind\":\"recording\",\"version\":1,\"instrument\":…}") }
                guard line.version == 1 else { throw fail("unsupported version \(line.version.map(String.init) ?? "(missing)"); this GridKeeper reads version 1") }
                guard let instrument = line.instrument, !instrument.isEmpty else { throw fail("the header needs \"instrument\"") }
                if let wanted, wanted != instrument { throw fail("this recording is of \(instrument), not \(wanted)") }
                recording = start(instrument: instrument, source: line.source.flatMap { $0.isEmpty ? nil : $0 }, sizeHint: sizeHint)
                continue
            }
            guard let t = line.t else { throw fail("\(kind): missing \"t\" (an ISO-8601 time)") }
            guard let ms = Timestamp.milliseconds(t) else { throw fail("\(kind): \"t\": expected an ISO-8601 time like 2026-09-22T00:00:00.000Z, got \(t)") }
            guard plausibleTimes.contains(ms) else { throw fail("\(kind): \"t\": \(t) is not a plausible time (expected from 2000 to 2099)") }
            switch kind {
            case "book":
                guard ms >= lastBook else { throw fail("book at \(t) is earlier than the one before it") }
                lastBook = ms
                let bids = try levels(line.bids, "bids", fail)
                let asks = try levels(line.asks, "asks", fail)
                var last: Int64?
                if let value = line.last {
                    guard let micros = value.micros, micros > 0 else { throw fail("book: \"last\": expected a price like \"2.50\", got \(value.text)") }
                    last = micros
                }
                recording!.books.append(ms: ms, bids: bids, asks: asks, last: last)
            case "trade":
                guard ms >= lastTrade else { throw fail("trade at \(t) is earlier than the one before it") }
                lastTrade = ms
                guard let price = line.price?.micros, price > 0 else { throw fail("trade: \"price\": expected a price like \"2.51\"") }
                guard let quantity = line.quantity?.whole, quantity > 0 else { throw fail("trade: \"quantity\": expected whole units ≥ 1, got \(line.quantity?.text ?? "nothing")") }
                recording!.trades.append(TradePrint(ms: ms, price: price, quantity: quantity))
            case "burn":
                guard ms >= lastBurn else { throw fail("burn at \(t) is earlier than the one before it") }
                lastBurn = ms
                guard let rate = line.unitsPerHour?.micros, rate >= 0 else { throw fail("burn: \"units_per_hour\": expected a number like \"3.2\"") }
                recording!.burn.append(BurnStep(ms: ms, milliUnitsPerHour: rate / 1000))
            case "balance":
                guard ms >= lastBalance else { throw fail("balance at \(t) is earlier than the one before it") }
                lastBalance = ms
                guard let units = line.consumption?.whole, units >= 0 else { throw fail("balance: \"consumption\": expected whole units ≥ 0, got \(line.consumption?.text ?? "nothing")") }
                recording!.balances.append((ms: ms, consumption: units))
            default:
                throw fail("unknown kind \"\(kind)\": expected book, trade, burn or balance")
            }
        }
        guard let recording else { throw RecordingError("\(file): empty: expected a header line and book snapshots") }
        guard recording.books.count > 0 else { throw RecordingError("\(file): no book snapshots") }
        return recording
    }

    /// An empty recording for a header, with room for the snapshots a file of `sizeHint` bytes
    /// may hold.
    static func start(instrument: String, source: String?, sizeHint: Int) -> Recording {
        var recording = Recording(instrument: instrument, books: RecordedBooks(depth: depth), source: source)
        // About 200 bytes a snapshot; capped, so a huge file that is not a recording does not
        // reserve memory it will never fill.
        recording.books.reserve(min(sizeHint / 200, 1 << 20))
        return recording
    }

    /// How deep `line` nests arrays and objects, outside strings. Only for the message of a
    /// line the decoder refused: Foundation's parser stops at a fixed depth and calls the line
    /// "not valid JSON", which for 10,000 balanced `[` says too little.
    static func nesting(_ line: UnsafeBufferPointer<UInt8>) -> Int {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for byte in line {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B:
                depth += 1
                deepest = max(deepest, depth)
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        return deepest
    }

    static func describe(_ error: DecodingError, complete: Bool) -> String {
        switch error {
        case .typeMismatch(let type, let c) where !c.codingPath.isEmpty:
            return "\(path(c.codingPath)): expected \(type == Int.self ? "whole units" : type == String.self ? "text" : "\(type)")"
        case .valueNotFound(_, let c) where !c.codingPath.isEmpty:
            return "\(path(c.codingPath)): missing value"
        case .dataCorrupted(let c) where !c.codingPath.isEmpty:
            return "\(path(c.codingPath)): expected \(c.codingPath.last?.intValue == 1 ? "whole units" : "a valid value") (\(c.debugDescription))"
        case .keyNotFound(let key, let c):
            return "\(path(c.codingPath + [key])): missing"
        default:
            return complete ? "not valid JSON" : "not valid JSON: the last line is incomplete (truncated file?)"
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out.isEmpty ? "the line" : out
    }

    static func levels(_ value: [Level]?, _ side: String, _ fail: (String) -> RecordingError) throws(RecordingError) -> [(Int64, Int)] {
        guard let value else { return [] }
        var out: [(Int64, Int)] = []
        out.reserveCapacity(value.count)
        for (i, level) in value.enumerated() {
            guard let price = level.price.micros, price > 0 else { throw fail("book: \(side)[\(i)][0]: expected a price like \"2.51\", got \(level.price.text)") }
            guard let quantity = level.quantity.whole, quantity >= 0 else { throw fail("book: \(side)[\(i)][1]: expected whole units ≥ 0, got \(level.quantity.text)") }
            out.append((price, quantity))
        }
        return out
    }

    /// A decimal as exact micro-units; nil when it is not a number or has more than six
    /// decimals.
    static func micros(_ text: String) -> Int64? {
        var value: Int64 = 0
        var places = -1
        var negative = false
        var any = false
        for (i, byte) in text.utf8.enumerated() {
            if byte == 45, i == 0 { negative = true; continue }
            if byte == 46 {
                guard places < 0 else { return nil }
                places = 0
                continue
            }
            guard byte >= 48, byte <= 57 else {
                // Exponents and other spellings: the exact, slower way.
                return StrictDecimal.parse(text).flatMap { try? Micros.exactly($0) }
            }
            if places >= 0 {
                guard places < 6 else { return nil }
                places += 1
            }
            guard value < Int64.max / 100 else { return nil }
            value = value * 10 + Int64(byte - 48)
            any = true
        }
        guard any else { return nil }
        for _ in 0..<(6 - max(places, 0)) {
            guard value < Int64.max / 10 else { return nil }
            value *= 10
        }
        return negative ? -value : value
    }

    // MARK: Writing

    /// Writes `recording` as JSON lines.
    public static func writeLines(_ recording: Recording, to path: String) throws(RecordingError) {
        // Written beside the target under a name no one else uses, then renamed over it in one
        // step: the old file stays whole until the new one is, and a directory is never replaced.
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw RecordingError("\(path): is a directory; name a file to write the recording to")
        }
        let partial = path + ".partial-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: partial, contents: nil), let out = FileHandle(forWritingAtPath: partial) else {
            throw RecordingError("\(path): cannot create the file")
        }
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        var writeError: (any Error)?
        func flush(_ force: Bool = false) {
            guard writeError == nil else { return }
            if force || buffer.utf8.count > 1 << 20 {
                do { try out.write(contentsOf: Data(buffer.utf8)) } catch { writeError = error }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        let header: [String: Any] = ["kind": "recording", "version": 1, "instrument": recording.instrument, "source": recording.source ?? ""]
        buffer += String(decoding: (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data(), as: UTF8.self) + "\n"
        let b = recording.books, d = b.depth
        var ti = 0, bi = 0, li = 0
        let burn = recording.burn
        for i in 0..<b.count {
            let ms = b.times[i]
            while bi < burn.count, burn[bi].ms <= ms {
                buffer += "{\"kind\":\"burn\",\"t\":\"\(time(burn[bi].ms))\",\"units_per_hour\":\"\(text(burn[bi].milliUnitsPerHour * 1000))\"}\n"
                bi += 1
            }
            while li < recording.balances.count, recording.balances[li].ms <= ms {
                buffer += "{\"kind\":\"balance\",\"t\":\"\(time(recording.balances[li].ms))\",\"consumption\":\(recording.balances[li].consumption)}\n"
                li += 1
            }
            while ti < recording.trades.count, recording.trades[ti].ms <= ms {
                let t = recording.trades[ti]
                buffer += "{\"kind\":\"trade\",\"t\":\"\(time(t.ms))\",\"price\":\"\(text(t.price))\",\"quantity\":\(t.quantity)}\n"
                ti += 1
            }
            var line = "{\"kind\":\"book\",\"t\":\"\(time(ms))\",\"bids\":["
            var first = true
            for k in 0..<d where b.bidPrices[i * d + k] > 0 {
                line += (first ? "" : ",") + "[\"\(text(b.bidPrices[i * d + k]))\",\(b.bidQuantities[i * d + k])]"
                first = false
            }
            line += "],\"asks\":["
            first = true
            for k in 0..<d where b.askPrices[i * d + k] > 0 {
                line += (first ? "" : ",") + "[\"\(text(b.askPrices[i * d + k]))\",\(b.askQuantities[i * d + k])]"
                first = false
            }
            line += "]" + (b.lasts[i] > 0 ? ",\"last\":\"\(text(b.lasts[i]))\"" : "") + "}\n"
            buffer += line
            flush()
        }
        for step in burn[bi...] { buffer += "{\"kind\":\"burn\",\"t\":\"\(time(step.ms))\",\"units_per_hour\":\"\(text(step.milliUnitsPerHour * 1000))\"}\n" }
        for t in recording.trades[ti...] { buffer += "{\"kind\":\"trade\",\"t\":\"\(time(t.ms))\",\"price\":\"\(text(t.price))\",\"quantity\":\(t.quantity)}\n" }
        for s in recording.balances[li...] { buffer += "{\"kind\":\"balance\",\"t\":\"\(time(s.ms))\",\"consumption\":\(s.consumption)}\n" }
        flush(true)
        if writeError == nil {
            do { try out.synchronize() } catch { writeError = error }
        }
        try? out.close()
        if let writeError {
            try? FileManager.default.removeItem(atPath: partial)
            throw RecordingError("\(path): cannot write (\(writeError.localizedDescription)); nothing was changed")
        }
        guard rename(partial, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partial)
            throw RecordingError("\(path): cannot write: \(reason)")
        }
    }

    /// Writes `recording` into a GridKeeper ledger (a SQLite file or a `postgres://` URL; created if needed).
    /// - Parameter intoTradingLedger: allow a ledger that holds live or paper orders; refused
    ///   otherwise, since the imported market history would feed its strategies' signals.
    /// - Returns: whether the file was created.
    @discardableResult
    public static func writeLedger(_ recording: Recording, to location: String, intoTradingLedger: Bool = false) throws(RecordingError) -> Bool {
        let path = shown(location)
        do {
            let ledger = try LedgerOpener.open(location)
            let traded = try ledger.orderModes().intersection([.live, .paper])
            if !traded.isEmpty, !intoTradingLedger {
                throw RecordingError("\(path) is a trading ledger (it holds \(traded.map(\.rawValue).sorted().joined(separator: " and ")) orders): "
                                     + "imported market data would mix with the history its strategies read. Import into a ledger of its own, "
                                     + "or pass --force (nothing was imported)")
            }
            let b = recording.books, d = b.depth
            var batch: [MarketSnapshotRecord] = []
            batch.reserveCapacity(10_000)
            for i in 0..<b.count {
                var bids: [MarketSnapshotRecord.Level] = [], asks: [MarketSnapshotRecord.Level] = []
                for k in 0..<d where b.bidPrices[i * d + k] > 0 { bids.append(.init(price: Micros.decimal(b.bidPrices[i * d + k]), quantity: Int(b.bidQuantities[i * d + k]))) }
                for k in 0..<d where b.askPrices[i * d + k] > 0 { asks.append(.init(price: Micros.decimal(b.askPrices[i * d + k]), quantity: Int(b.askQuantities[i * d + k]))) }
                batch.append(MarketSnapshotRecord(instrument: recording.instrument, takenAt: Date(ledgerMilliseconds: b.times[i]), bids: bids, asks: asks,
                                                  last: b.lasts[i] > 0 ? Micros.decimal(b.lasts[i]) : nil))
                if batch.count == 10_000 {
                    try ledger.record(marketSnapshots: batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            try ledger.record(marketSnapshots: batch)
            try ledger.record(publicTrades: recording.trades.enumerated().map { i, t in
                PublicTradeRecord(instrument: recording.instrument, tradedAt: Date(ledgerMilliseconds: t.ms), tradeID: "rec-\(i)", price: Micros.decimal(t.price), quantity: t.quantity)
            })
            try ledger.record(burnSamples: recording.burn.map {
                BurnSampleRecord(instrument: recording.instrument, at: Date(ledgerMilliseconds: $0.ms), unitsPerHour: Decimal($0.milliUnitsPerHour) / 1000)
            })
            try ledger.record(balanceSnapshots: recording.balances.map {
                BalanceSnapshotRecord(instrument: recording.instrument, takenAt: Date(ledgerMilliseconds: $0.ms), tradingUnits: nil, consumptionUnits: $0.consumption)
            })
            return ledger.created
        } catch let error as RecordingError {
            throw error
        } catch {
            throw RecordingError("\(path): \(error)")
        }
    }

    /// Micro-units as a plain decimal: 2510000 → "2.51".
    static func text(_ micros: Int64) -> String {
        let negative = micros < 0
        let v = negative ? -micros : micros
        var s = String(v / 1_000_000)
        var frac = v % 1_000_000
        if frac > 0 {
            var digits = 6
            while frac % 10 == 0 { frac /= 10; digits -= 1 }
            let f = String(frac)
            s += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return negative ? "-" + s : s
    }

    static func time(_ ms: Int64) -> String {
        Date(ledgerMilliseconds: ms).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
