import Foundation
import Ledger
import Simulator
import Testing

@testable import Backtest

/// The fast path for JSON lines (`RecordingLineScanner`): it takes the recording's own line
/// shapes, and wherever it takes a line the reader gives what the `JSONDecoder` path gives —
/// the same recording, or the same error.
@Suite struct RecordingScannerTests {
    // MARK: Loading both ways

    /// What a load gave: the recording's contents, or the error's text.
    enum Outcome: Equatable, CustomStringConvertible {
        case recording(instrument: String, source: String?, books: RecordedBooks, trades: [TradePrint], burn: [BurnStep],
                       balanceTimes: [Int64], balanceUnits: [Int])
        case error(String)

        init(path: String, _ parsing: RecordingIO.LineParsing) {
            do {
                let r = try RecordingIO.load(path: path, lineParsing: parsing)
                self = .recording(instrument: r.instrument, source: r.source, books: r.books, trades: r.trades, burn: r.burn,
                                  balanceTimes: r.balances.map(\.ms), balanceUnits: r.balances.map(\.consumption))
            } catch {
                self = .error(error.description)
            }
        }

        var isError: Bool { if case .error = self { true } else { false } }

        var description: String {
            switch self {
            case .error(let text): return "error: \(text)"
            case .recording(let instrument, let source, let books, let trades, let burn, let times, let units):
                return "\(instrument) (\(source ?? "-")): books \(books.times) bids \(books.bidPrices)/\(books.bidQuantities) "
                    + "asks \(books.askPrices)/\(books.askQuantities) lasts \(books.lasts); trades \(trades); burn \(burn); balances \(times) \(units)"
            }
        }
    }

    /// Writes `bytes` to `path` and loads it both ways.
    static func both(_ bytes: [UInt8], at path: String) throws -> (fast: Outcome, decoder: Outcome) {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (Outcome(path: path, .fastPath), Outcome(path: path, .decoderOnly))
    }

    static func temp() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gk-scan-\(UUID().uuidString).jsonl").path
    }

    static func scan(_ line: String) -> RecordingLineScanner.Event? {
        var scanner = RecordingLineScanner()
        return Array(line.utf8).withUnsafeBufferPointer { scanner.scan($0) }
    }

    /// Milliseconds of an ISO-8601 time, by Foundation's formatter (independent of both paths).
    static func ms(_ iso: String) throws -> Int64 {
        let date = try #require(try? Date(iso, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: iso.contains("."))))
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    // MARK: What the fast path takes

    @Test func theWritersOwnLinesAllTakeTheFastPathAndReadBackExactly() throws {
        var recording = SyntheticData.randomWalk(days: 0.5, every: 60, seed: 11)
        recording.balances = [(recording.books.times[0], 12), (recording.books.times[30], 9)]
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try RecordingIO.writeLines(recording, to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        var scanner = RecordingLineScanner()
        var books = 0, trades = 0, burns = 0, balances = 0, headers = 0
        for line in lines {
            let event = Array(line.utf8).withUnsafeBufferPointer { scanner.scan($0) }
            switch try #require(event, "the fast path refused the writer's line \(line)") {
            case .header: headers += 1
            case .book: books += 1
            case .trade: trades += 1
            case .burn: burns += 1
            case .balance: balances += 1
            }
        }
        #expect(headers == 1 && books == recording.books.count && trades == recording.trades.count)
        #expect(burns == recording.burn.count && balances == 2)
        let (fast, decoder) = try Self.both(Array(try Data(contentsOf: URL(fileURLWithPath: path))), at: path)
        #expect(fast == decoder)
        let loaded = try RecordingIO.load(path: path)
        #expect(loaded.books == recording.books && loaded.trades == recording.trades && loaded.burn == recording.burn)
        #expect(loaded.balances.map(\.consumption) == [12, 9] && loaded.source == recording.source)
    }

    @Test(arguments: [
        (#"{"kind":"trade","t":"2024-02-29T23:59:59.123Z","price":"2.51","quantity":4}"#, "trade 2024-02-29T23:59:59.123Z 2510000 4"),
        (#" { "quantity" : "007" , "price" : 2.510 ,"t":"2026-09-22T00:00:03Z", "kind":"trade" }\#t"#, "trade 2026-09-22T00:00:03Z 2510000 7"),
        (#"{"kind":"trade","t":"2000-01-01T00:00:00.000Z","price":0.000001,"quantity":123456789012345678}"#,
         "trade 2000-01-01T00:00:00.000Z 1 123456789012345678"),
        (#"{"kind":"burn","t":"2026-09-22T00:00:00.000Z","units_per_hour":"1.939"}"#, "burn 2026-09-22T00:00:00.000Z 1939000"),
        (#"{"kind":"burn","units_per_hour":0,"t":"2099-12-31T23:59:59.999Z"}"#, "burn 2099-12-31T23:59:59.999Z 0"),
        (#"{"t":"2026-09-22T00:00:00.000Z","consumption":0,"kind":"balance"}"#, "balance 2026-09-22T00:00:00.000Z 0"),
        (#"{"kind":"book","t":"2026-09-22T00:00:00.000Z","bids":[["2.49",50]],"asks":[["2.51",50],[2.52,"120"]],"last":"2.50"}"#,
         "book 2026-09-22T00:00:00.000Z 2500000 bids 2490000x50 asks 2510000x50 2520000x120"),
        (#"{"asks":[ [ "9999999999.999999" , 0 ] ],"kind":"book","bids":[],"t":"2026-03-01T12:00:00Z"}"#,
         "book 2026-03-01T12:00:00Z - bids asks 9999999999999999x0"),
        (#"{"kind":"book","t":"2026-09-22T00:00:00Z"}"#, "book 2026-09-22T00:00:00Z - bids asks"),
    ])
    func theRecordingsOwnShapesAreReadStraightToIntegers(_ line: String, _ expected: String) throws {
        var scanner = RecordingLineScanner()
        let event = try #require(Array(line.utf8).withUnsafeBufferPointer { scanner.scan($0) }, "refused \(line)")
        let parts = expected.split(separator: " ").map(String.init)
        let ms = try Self.ms(parts[1])
        switch parts[0] {
        case "trade": #expect(event == .trade(ms: ms, price: Int64(parts[2])!, quantity: Int(parts[3])!))
        case "burn": #expect(event == .burn(ms: ms, unitsPerHour: Int64(parts[2])!))
        case "balance": #expect(event == .balance(ms: ms, consumption: Int(parts[2])!))
        default:
            #expect(event == .book(ms: ms, last: Int64(parts[2])))
            func levels(_ after: String, _ until: String?) -> [String] {
                let from = parts.firstIndex(of: after)! + 1
                let to = until.flatMap { parts.firstIndex(of: $0) } ?? parts.count
                return Array(parts[from..<to])
            }
            #expect(scanner.bids.map { "\($0.0)x\($0.1)" } == levels("bids", "asks"))
            #expect(scanner.asks.map { "\($0.0)x\($0.1)" } == levels("asks", nil))
        }
    }

    @Test func theHeaderIsReadWithItsSource() {
        #expect(Self.scan(#"{"kind":"recording","version":1,"instrument":"text-prime","source":"gridkeeper sim --seed 7"}"#)
                == .header(instrument: "text-prime", source: "gridkeeper sim --seed 7"))
        #expect(Self.scan(#"{"source":"","instrument":"code-prime","version":1,"kind":"recording"}"#) == .header(instrument: "code-prime", source: nil))
    }

    @Test(arguments: [
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.5","quantity":1,"note":"x"}"#,   // unknown key
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.5","price":"2.6","quantity":1}"#,  // repeated key
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":2.5e0,"quantity":1}"#,                // exponent
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.5","quantity":1.0}"#,              // a point in units
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.5000001","quantity":1}"#,          // seven decimals
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":02.5,"quantity":1}"#,                 // not JSON
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"-2.5","quantity":1}"#,
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"0","quantity":1}"#,
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.5","quantity":0}"#,
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.","quantity":1}"#,
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":null,"quantity":1}"#,
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.5","quantity":"1"}x"#,            // trailing garbage
        #"{"kind":"trade","t":"2026-09-22T00:00:00Z","price":"2.5","quantity":1"#,                 // truncated
        #"{"kind":"tr\u0061de","t":"2026-09-22T00:00:00Z","price":"2.5","quantity":1}"#,          // an escape
        #"{"kind":"trade","t":"2026-02-29T00:00:00Z","price":"2.5","quantity":1}"#,                // not a leap year
        #"{"kind":"trade","t":"2026-09-22T23:59:60Z","price":"2.5","quantity":1}"#,                // leap second
        #"{"kind":"trade","t":"2026-09-22T00:00:00.5Z","price":"2.5","quantity":1}"#,              // one-digit fraction
        #"{"kind":"trade","t":"2026-09-22T02:00:00+02:00","price":"2.5","quantity":1}"#,
        #"{"kind":"book","t":"2026-09-22T00:00:00Z","asks":[["2.5",1,2]]}"#,
        #"{"kind":"book","t":"2026-09-22T00:00:00Z","asks":[["2.5",1],]}"#,
        #"{"kind":"book","t":"2026-09-22T00:00:00Z","asks":[["2.5",1]],"last":null}"#,
        #"{"kind":"book","t":"2026-09-22T00:00:00Z","asks":[["2.5",1]],"source":"x"}"#,          // a header key
        #"{"kind":"book","asks":[]}"#,
        #"{"kind":"recording","version":2,"instrument":"text-prime"}"#,
        #"{"kind":"recording","version":1,"instrument":""}"#,
        #"{"kind":"recording","version":1,"instrument":"caf\#u{e9}"}"#,                           // not ASCII
    ])
    func anythingElseIsLeftToTheDecoder(_ line: String) {
        #expect(Self.scan(line) == nil, "took \(line)")
    }

    // MARK: Equivalence with the decoder path

    @Test func generatedLinesReadTheSameWithAndWithoutTheFastPath() throws {
        var random = SplitMix64(seed: 20_261_201)
        var generator = LineGenerator()
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var fastTaken = 0, errors = 0, recordings = 0
        var scanner = RecordingLineScanner()
        for _ in 0..<3000 {
            var lines = [generator.header(&random)]
            for _ in 0..<Int.random(in: 1...3, using: &random) { lines.append(generator.line(&random)) }
            if Int.random(in: 0..<3, using: &random) > 0 { lines.append(generator.validBook(&random)) }
            for line in lines.dropFirst() where Array(line.utf8).withUnsafeBufferPointer({ scanner.scan($0) }) != nil { fastTaken += 1 }
            let newline = Int.random(in: 0..<5, using: &random) == 0 ? "\r\n" : "\n"  // CRLF files too
            var text = lines.joined(separator: newline)
            if Int.random(in: 0..<10, using: &random) > 0 { text += newline }  // else a last line without its newline
            let (fast, decoder) = try Self.both(Array(text.utf8), at: path)
            #expect(fast == decoder, "\(text)\nfast: \(fast)\ndecoder: \(decoder)")
            if fast != decoder { return }
            if decoder.isError { errors += 1 } else { recordings += 1 }
        }
        // Both sides were exercised: many lines on the fast path, many files refused.
        #expect(fastTaken > 2000 && errors > 500 && recordings > 500, "fast \(fastTaken), errors \(errors), recordings \(recordings)")
    }

    @Test func mutatedLinesReadTheSameWithAndWithoutTheFastPath() throws {
        var random = SplitMix64(seed: 7_700_001)
        var generator = LineGenerator()
        generator.odd = 0
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let alphabet = Array(#"0123456789.-+eE"{}[],: tnul\abk"#.utf8) + [0x09, 0x0D, 0x00, 0x7F, 0xC3, 0xA9, 0xFF]
        var stillTaken = 0, differed = 0
        var scanner = RecordingLineScanner()
        for _ in 0..<4000 {
            let header = generator.header(&random)
            let original = Array(generator.line(&random).utf8)
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: 0..<max(1, bytes.count), using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !bytes.isEmpty: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 1 where !bytes.isEmpty: bytes[at] = alphabet.randomElement(using: &random)!
                case 2: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
                default: if !bytes.isEmpty { bytes.remove(at: at) }
                }
            }
            if bytes != original { differed += 1 }
            if bytes.withUnsafeBufferPointer({ scanner.scan($0) }) != nil { stillTaken += 1 }
            let file = Array((header + "\n").utf8) + bytes + Array(("\n" + generator.validBook(&random) + "\n").utf8)
            let (fast, decoder) = try Self.both(file, at: path)
            #expect(fast == decoder, "\(String(decoding: bytes, as: UTF8.self))\nfast: \(fast)\ndecoder: \(decoder)")
            if fast != decoder { return }
        }
        // Some mutants stay valid (a digit for a digit) and take the fast path; most do not.
        #expect(differed > 3500 && stillTaken > 100 && stillTaken < 3000, "differed \(differed), still taken \(stillTaken)")
    }
}

extension RecordingScannerTests {
    // MARK: Hostile input: an error at the line, never a crash or a hang

    /// A file whose second line is `line`, loaded both ways, each within `limit`.
    static func hostile(_ line: [UInt8], limit: Duration = .seconds(10)) throws -> (fast: Outcome, decoder: Outcome, path: String) {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = Array(#"{"kind":"recording","version":1,"instrument":"text-prime"}"#.utf8) + [10] + line + [10]
            + Array(#"{"kind":"book","t":"2026-09-22T00:01:00Z","asks":[["2.5",10]]}"#.utf8) + [10]
        let started = ContinuousClock.now
        let (fast, decoder) = try both(file, at: path)
        #expect(ContinuousClock.now - started < limit * 2, "took \(ContinuousClock.now - started)")
        return (fast, decoder, path)
    }

    @Test func aMultiMegabyteLineIsAnErrorNamingItsLine() throws {
        let huge = Array(#"{"kind":"book","t":"2026-09-22T00:00:00Z","bids":["#.utf8)
            + Array(repeating: Array(#"["2.49",50],"#.utf8), count: 300_000).joined() + Array(#"["2.49",50]]}"#.utf8)
        #expect(huge.count > 3 << 20)
        let (fast, decoder, path) = try Self.hostile(huge)
        #expect(fast == decoder)
        #expect(fast == .error("\(path):2: the line is longer than 1 MiB: not a recording, or a damaged file"), "\(fast)")
    }

    @Test func aLineJustUnderTheLimitWithThousandsOfLevelsKeepsTheFirstFive() throws {
        var line = Array(#"{"kind":"book","t":"2026-09-22T00:00:00Z","asks":["#.utf8)
        for i in 1...50_000 { line += Array("[\"\(i).5\",\(i)],".utf8) }
        line += Array(#"["1",1]]}"#.utf8)
        #expect(line.count > 800_000 && line.count < 1 << 20)
        let (fast, decoder, _) = try Self.hostile(line)
        #expect(fast == decoder)
        guard case .recording(_, _, let books, _, _, _, _) = fast else { Issue.record("\(fast)"); return }
        #expect(Array(books.askPrices.prefix(5)) == [1_500_000, 2_500_000, 3_500_000, 4_500_000, 5_500_000])
    }

    @Test(arguments: [
        String(repeating: "[", count: 10_000),
        String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        #"{"kind":"book","t":"2026-09-22T00:00:00Z","bids":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}",
        #"{"kind":"book","t":"2026-09-22T00:00:00Z","note":"# + String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000) + "}",
        #"{"kind":"book","t":"2026-09-22T00:00:00Z","bids":[["2.49",50]],"asks":"# + String(repeating: "[", count: 10_000),
    ])
    func deepNestingIsAnErrorNamingItsLine(_ line: String) throws {
        let (fast, decoder, path) = try Self.hostile(Array(line.utf8))
        #expect(fast == decoder)
        guard case .error(let text) = fast else { Issue.record("accepted 10,000 levels of nesting: \(fast)"); return }
        #expect(text.hasPrefix("\(path):2: nested 1000"), "\(text)")
        #expect(text.hasSuffix(" levels deep, where a recording's lines nest 3: not a recording, or a damaged file"), "\(text)")
    }

    /// The scanner alone, on valid lines cut, spliced and corrupted at every kind of place:
    /// it returns (a line is finite; every loop consumes a byte), and what it takes is a line
    /// the decoder also reads — checked on files by the equivalence tests below.
    @Test func theScannerReturnsOnEveryPrefixAndCorruptionOfValidLines() {
        var random = SplitMix64(seed: 31_337)
        var generator = LineGenerator()
        generator.odd = 30
        var scanner = RecordingLineScanner()
        var lines = 0
        let junk: [UInt8] = Array(#"0123456789.-+eE"{}[],: tnul\"#.utf8) + [0x09, 0x0D, 0x00, 0x7F, 0xC3, 0xA9, 0xFF]
        for _ in 0..<300 {
            let line = Array(generator.line(&random).utf8)
            for cut in 0...line.count {
                _ = line[..<cut].withUnsafeBufferPointer { scanner.scan($0) }
                _ = line[cut...].withUnsafeBufferPointer { scanner.scan($0) }
                var mutated = line
                if cut < line.count { mutated[cut] = junk.randomElement(using: &random)! }
                _ = mutated.withUnsafeBufferPointer { scanner.scan($0) }
                lines += 3
            }
        }
        #expect(lines > 10_000)
    }
}

/// Random recording lines: mostly valid ones in varied spellings (key order, whitespace,
/// strings or numbers, edge values), and with chance `odd` in 100 per choice, the ones files
/// arrive with anyway (escapes, exponents, nulls, repeated or unknown keys, impossible times,
/// truncation, trailing bytes).
struct LineGenerator {
    /// The time of the last event, ms; it moves forward, so most files are in order.
    var now: Int64 = 1_790_035_200_000
    var odd = 12

    func chance(_ percent: Int, _ random: inout SplitMix64) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    func isOdd(_ random: inout SplitMix64) -> Bool { chance(odd, &random) }
    func pick(_ choices: [String], _ random: inout SplitMix64) -> String { choices.randomElement(using: &random)! }

    /// JSON whitespace, usually none.
    func space(_ random: inout SplitMix64) -> String {
        chance(75, &random) ? "" : pick([" ", "  ", "\t", " \r ", "\r"], &random)
    }

    /// An object of `pairs` in random order with random whitespace.
    func object(_ pairs: [(String, String)], _ random: inout SplitMix64) -> String {
        var pairs = pairs
        pairs.shuffle(using: &random)
        let body = pairs.map { key, value in space(&random) + "\"\(key)\"" + space(&random) + ":" + space(&random) + value + space(&random) }
        return space(&random) + "{" + (body.isEmpty ? space(&random) : body.joined(separator: ",")) + "}" + space(&random)
    }

    mutating func header(_ random: inout SplitMix64) -> String {
        var pairs = [("kind", "\"recording\""), ("version", "1"), ("instrument", "\"text-prime\"")]
        if chance(50, &random) { pairs.append(("source", pick(["\"gridkeeper sim --seed 7\"", "\"\"", "\"host-1\""], &random))) }
        if isOdd(&random) {
            switch Int.random(in: 0..<8, using: &random) {
            case 0: pairs[1].1 = pick(["2", "\"1\"", "1.0", "1e0", "01", "null", "-1"], &random)
            case 1: pairs[2].1 = pick(["\"\"", "\"text\\u002dprime\"", "null", "\"code-prime\"", "7"], &random)
            case 2: pairs.append(("source", pick(["\"caf\u{e9}\"", "null", "\"a\\\"b\"", "1"], &random)))
            case 3: pairs.append(("t", "\"2026-09-22T00:00:00Z\""))
            case 4: pairs.remove(at: Int.random(in: 0..<3, using: &random))
            case 5: pairs.append(pairs[Int.random(in: 0..<3, using: &random)])
            case 6: pairs.append(("extra", pick(["1", "[1,{\"a\":null}]", "\"x\""], &random)))
            default: pairs[0].1 = pick(["\"book\"", "\"Recording\"", "\"rec\\u006frding\""], &random)
            }
        }
        return object(pairs, &random)
    }

    /// The next time, as the recorder writes it or in another valid form.
    mutating func time(_ random: inout SplitMix64) -> String {
        now += Int64.random(in: 0...90, using: &random) * (chance(50, &random) ? 1000 : Int64.random(in: 1...999, using: &random))
        if isOdd(&random) {
            return pick(["\"2024-02-29T12:00:00Z\"", "\"2000-02-29T00:00:00.000Z\"", "\"2023-02-29T00:00:00Z\"", "\"2026-02-31T00:00:00Z\"",
                         "\"2026-09-22T23:59:60Z\"", "\"2026-09-22T24:00:00Z\"", "\"2100-02-29T00:00:00Z\"", "\"9999-12-31T00:00:00Z\"",
                         "\"1999-12-31T23:59:59.999Z\"", "\"2026-09-22T02:00:00+02:00\"", "\"2026-09-22t00:00:00z\"", "\"2026-09-22 00:00:00Z\"",
                         "\"2026-09-22T00:00:00.5Z\"", "\"2026-09-22T00:00:00.123456Z\"", "\"2026-09-22T00:00:00\\u005A\"", "\"yesterday\"",
                         "\"\"", "1790035200000", "null", "\"2026-9-22T00:00:00Z\""], &random)
        }
        let text = RecordingIO.time(now)
        return "\"" + (now % 1000 == 0 && chance(50, &random) ? text.replacingOccurrences(of: ".000", with: "") : text) + "\""
    }

    /// A positive price with up to six decimals, as a string or a number.
    func price(_ random: inout SplitMix64, zeroAllowed: Bool = false) -> String {
        if isOdd(&random) {
            return pick(["0", "\"0\"", "0.0", "\"-2.5\"", "-2.5", "\"+2.5\"", "2.5e0", "25E-1", "\"2.5e0\"", "\"1e2\"", "02.5", "\"007.25\"",
                         "\"2.\"", "\".5\"", "2.", ".5", "\"2.5000001\"", "2.5000000", "2.50000001", "\"12345678901.5\"", "99999999999999999999",
                         "\"9999999999.999999\"", "null", "true", "\"abc\"", "\"\"", "\"2.5\\u0030\"", "\"2,5\"", "[2.5]", "\"2.5 \""], &random)
        }
        let whole = chance(10, &random) ? Int.random(in: 0...9_999_999_999, using: &random) : Int.random(in: zeroAllowed ? 0...20 : 1...20, using: &random)
        let places = Int.random(in: 0...6, using: &random)
        var text = String(whole)
        if places > 0 {
            let fraction = String(Int.random(in: 0..<Int(pow(10, Double(places))), using: &random))
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return chance(50, &random) ? "\"\(text)\"" : text
    }

    /// Whole units, as a number or a string.
    func units(_ random: inout SplitMix64) -> String {
        if isOdd(&random) {
            return pick(["0", "\"0\"", "-1", "\"-1\"", "1.5", "2.0", "\"2.0\"", "1e1", "\"007\"", "9223372036854775807", "99999999999999999999",
                         "2147483648", "123456789012345678", "\"123456789012345678\"", "null", "\"\"", "01", "\"1\\u0030\""], &random)
        }
        let n = Int.random(in: 1...200, using: &random)
        return chance(70, &random) ? String(n) : "\"\(n)\""
    }

    func levels(_ random: inout SplitMix64) -> String {
        var out: [String] = []
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            var level = [price(&random), units(&random)]
            if isOdd(&random) {
                if chance(50, &random) { level.append("1") } else { level.removeLast() }
            }
            out.append("[" + level.map { space(&random) + $0 + space(&random) }.joined(separator: ",") + "]")
        }
        return "[" + out.joined(separator: ",") + space(&random) + "]"
    }

    mutating func validBook(_ random: inout SplitMix64) -> String {
        now += 60_000
        return #"{"kind":"book","t":"\#(RecordingIO.time(now))","bids":[["2.49",50]],"asks":[["2.51",50]]}"#
    }

    /// One event line.
    mutating func line(_ random: inout SplitMix64) -> String {
        var pairs: [(String, String)]
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<5:
            pairs = [("kind", "\"book\""), ("t", time(&random))]
            if chance(90, &random) { pairs.append(("bids", levels(&random))) }
            if chance(90, &random) { pairs.append(("asks", levels(&random))) }
            if chance(50, &random) { pairs.append(("last", price(&random))) }
        case 5, 6:
            pairs = [("kind", "\"trade\""), ("t", time(&random)), ("price", price(&random)), ("quantity", units(&random))]
        case 7, 8:
            pairs = [("kind", "\"burn\""), ("t", time(&random)), ("units_per_hour", price(&random, zeroAllowed: true))]
        default:
            pairs = [("kind", "\"balance\""), ("t", time(&random)), ("consumption", chance(10, &random) ? "0" : units(&random))]
        }
        if isOdd(&random) {
            switch Int.random(in: 0..<9, using: &random) {
            case 0: pairs.append((pick(["note", "Kind", "t ", "units"], &random), pick(["1", "\"x\"", "null", "[1,{\"a\":[]}]"], &random)))
            case 1: pairs.append(pairs.randomElement(using: &random)!)
            case 2: pairs[Int.random(in: 0..<pairs.count, using: &random)].1 = "null"
            case 3: pairs[0].0 = pick(["\\u006bind", "ki\\u006ed"], &random)
            case 4: pairs.append([("source", "\"x\""), ("version", "1"), ("instrument", "\"text-prime\""), ("price", "\"2.5\""),
                                  ("quantity", "3"), ("bids", "[]")].randomElement(using: &random)!)
            case 5: pairs.remove(at: Int.random(in: 0..<pairs.count, using: &random))
            case 6: pairs[0].1 = pick(["\"tick\"", "\"Book\"", "\"recording\"", "\"tr\\u0061de\"", "1", "null", "\"\""], &random)
            case 7:
                let line = object(pairs, &random)
                return String(line.prefix(Int.random(in: 0..<line.count, using: &random)))
            default: return object(pairs, &random) + pick(["x", "}", ",", " {}", "\u{0}", "]"], &random)
            }
        }
        return object(pairs, &random)
    }
}
