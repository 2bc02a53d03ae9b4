import GridAPI

/// The fast path for JSON lines recordings: a strict scanner over a line's UTF-8 bytes that
/// recognises exactly the shapes `RecordingIO` documents (header, `book`, `trade`, `burn`,
/// `balance`), keys in any order, whitespace wherever JSON allows it, and converts values
/// straight to integers: prices to micro-dollars, quantities to whole units, times to epoch
/// milliseconds.
///
/// It is not a JSON parser. Whatever it does not fully recognise — escapes, exponents, `null`,
/// negative or zero prices, unknown or repeated keys, times in another form, anything invalid —
/// makes `scan` return nil, and the line goes through `JSONDecoder` as before, so every error
/// message and every odd-but-valid spelling keeps its behaviour. What it accepts, the decoder
/// path accepts with the same values (`RecordingScannerTests` checks both on generated and
/// mutated lines).
struct RecordingLineScanner {
    /// A recognised line. Book levels are in `bids` and `asks`.
    enum Event: Equatable {
        /// Version 1; `instrument` is not empty.
        case header(instrument: String, source: String?)
        case book(ms: Int64, last: Int64?)
        case trade(ms: Int64, price: Int64, quantity: Int)
        /// `unitsPerHour` in micro-units.
        case burn(ms: Int64, unitsPerHour: Int64)
        case balance(ms: Int64, consumption: Int)
    }

    /// The levels of the last book scanned: (price in micro-dollars > 0, whole units ≥ 0).
    /// Kept from line to line so that scanning allocates nothing once they have grown.
    private(set) var bids: [(Int64, Int)] = []
    private(set) var asks: [(Int64, Int)] = []

    /// The line's event, or nil when the line is not exactly one of the documented shapes
    /// with valid values (then the decoder decides).
    mutating func scan(_ line: UnsafeBufferPointer<UInt8>) -> Event? {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        var c = Cursor(bytes: line)
        guard c.take(Cursor.openBrace) else { return nil }
        var seen: UInt16 = 0
        var kind = Kind.recording  // read only when `seen` has `Key.kind`
        var version = 0, quantity = 0, consumption = 0
        var ms: Int64 = 0, last: Int64 = 0, price: Int64 = 0, rate: Int64 = 0
        var instrument = 0..<0, source = 0..<0
        if !c.take(Cursor.closeBrace) {
            repeat {
                guard let key = c.key(), seen & key.rawValue == 0, c.take(Cursor.colon) else { return nil }
                seen |= key.rawValue
                // Each key: the reader of its value and where the value goes.
                let valid = switch key {
                case .kind: store(c.kind(), in: &kind)
                case .version: store(c.jsonWhole(), in: &version)
                case .instrument: store(c.plainString(), in: &instrument)
                case .source: store(c.plainString(), in: &source)
                case .t: store(c.time(), in: &ms)
                case .bids: c.levels(into: &bids)
                case .asks: c.levels(into: &asks)
                case .last: store(c.micros(), in: &last)
                case .price: store(c.micros(), in: &price)
                case .unitsPerHour: store(c.micros(), in: &rate)
                case .quantity: store(c.whole(), in: &quantity)
                case .consumption: store(c.whole(), in: &consumption)
                }
                guard valid else { return nil }
            } while c.take(Cursor.comma)
            guard c.take(Cursor.closeBrace) else { return nil }
        }
        guard c.atEnd, seen & Key.kind.rawValue != 0 else { return nil }
        // Each kind: the keys it may have, the keys it must have, and values the replay accepts.
        switch kind {
        case .recording:
            let allowed: Key.Bits = Key.kind.rawValue | Key.version.rawValue | Key.instrument.rawValue | Key.source.rawValue
            guard seen & ~allowed == 0, version == 1, !instrument.isEmpty else { return nil }
            let source = source.isEmpty ? nil : c.text(source)
            return .header(instrument: c.text(instrument), source: source)
        case .book:
            let allowed: Key.Bits = Key.kind.rawValue | Key.t.rawValue | Key.bids.rawValue | Key.asks.rawValue | Key.last.rawValue
            guard seen & ~allowed == 0, seen & Key.t.rawValue != 0 else { return nil }
            guard seen & Key.last.rawValue == 0 || last > 0 else { return nil }
            return .book(ms: ms, last: seen & Key.last.rawValue == 0 ? nil : last)
        case .trade:
            let required: Key.Bits = Key.kind.rawValue | Key.t.rawValue | Key.price.rawValue | Key.quantity.rawValue
            guard seen == required, price > 0, quantity > 0 else { return nil }
            return .trade(ms: ms, price: price, quantity: quantity)
        case .burn:
            guard seen == Key.kind.rawValue | Key.t.rawValue | Key.unitsPerHour.rawValue else { return nil }
            return .burn(ms: ms, unitsPerHour: rate)
        case .balance:
            guard seen == Key.kind.rawValue | Key.t.rawValue | Key.consumption.rawValue else { return nil }
            return .balance(ms: ms, consumption: consumption)
        }
    }

    enum Kind { case recording, book, trade, burn, balance }

    /// Puts `value` in `slot`; false, leaving `slot` as it is, when there is no value.
    @inline(__always) private func store<Value>(_ value: Value?, in slot: inout Value) -> Bool {
        guard let value else { return false }
        slot = value
        return true
    }

    /// The keys a line may have, as bits.
    enum Key: UInt16 {
        typealias Bits = UInt16
        case kind = 1, version = 2, instrument = 4, source = 8, t = 16, bids = 32, asks = 64, last = 128
        case price = 256, quantity = 512, unitsPerHour = 1024, consumption = 2048
    }
}

extension RecordingLineScanner {
    /// A position in one line. Every method skips the whitespace before its token and returns
    /// nil (or false) when the token is not there in the one form the fast path takes.
    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, colon: UInt8 = 0x3A, dot: UInt8 = 0x2E
        static let openBrace: UInt8 = 0x7B, closeBrace: UInt8 = 0x7D, openBracket: UInt8 = 0x5B, closeBracket: UInt8 = 0x5D

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        /// Whether only whitespace is left.
        var atEnd: Bool {
            mutating get {
                skipSpace()
                return i == bytes.count
            }
        }

        /// JSON whitespace (a line holds no newline).
        @inline(__always) mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
        }

        @inline(__always) mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        @inline(__always) func digit(at j: Int) -> Int64? {
            guard j < bytes.count else { return nil }
            let d = bytes[j] &- 0x30
            return d < 10 ? Int64(d) : nil
        }

        /// Reads the decimal digits from `i` on into `value` (each one appended as its lowest
        /// digit); false when there are more than `limit` of them.
        @inline(__always) mutating func digits(atMost limit: Int, into value: inout Int64) -> Bool {
            let start = i
            while let d = digit(at: i) {
                guard i - start < limit else { return false }
                value = value * 10 + d
                i += 1
            }
            return true
        }

        /// A string of printable ASCII without escapes, as the range of its contents.
        mutating func plainString() -> Range<Int>? {
            guard take(Self.quote) else { return nil }
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if b == Self.quote {
                    i += 1
                    return start..<(i - 1)
                }
                guard b >= 0x20, b < 0x7F, b != 0x5C else { return nil }
                i += 1
            }
            return nil
        }

        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        func matches(_ range: Range<Int>, _ word: StaticString) -> Bool {
            guard range.count == word.utf8CodeUnitCount else { return false }
            let w = word.utf8Start
            for k in 0..<range.count where bytes[range.lowerBound + k] != w[k] { return false }
            return true
        }

        mutating func key() -> Key? {
            guard let r = plainString() else { return nil }
            switch r.count {
            case 1: return matches(r, "t") ? .t : nil
            case 4: return matches(r, "kind") ? .kind : matches(r, "bids") ? .bids : matches(r, "asks") ? .asks : matches(r, "last") ? .last : nil
            case 5: return matches(r, "price") ? .price : nil
            case 6: return matches(r, "source") ? .source : nil
            case 7: return matches(r, "version") ? .version : nil
            case 8: return matches(r, "quantity") ? .quantity : nil
            case 10: return matches(r, "instrument") ? .instrument : nil
            case 11: return matches(r, "consumption") ? .consumption : nil
            case 14: return matches(r, "units_per_hour") ? .unitsPerHour : nil
            default: return nil
            }
        }

        mutating func kind() -> Kind? {
            guard let r = plainString() else { return nil }
            if matches(r, "book") { return .book }
            if matches(r, "trade") { return .trade }
            if matches(r, "burn") { return .burn }
            if matches(r, "balance") { return .balance }
            if matches(r, "recording") { return .recording }
            return nil
        }

        /// A non-negative decimal with at most ten digits before the point and six after, as
        /// micro-units: `"2.51"` (leading zeros allowed in a string, as the decoder path reads
        /// it) or `2.51` (JSON's grammar: no leading zero, a digit after the point, no
        /// exponent). Ten digits keep every value far inside the decoder path's own limits.
        mutating func micros() -> Int64? {
            skipSpace()
            guard i < bytes.count else { return nil }
            let quoted = bytes[i] == Self.quote
            if quoted { i += 1 }
            let start = i
            var value: Int64 = 0
            guard digits(atMost: 10, into: &value) else { return nil }
            guard i > start, quoted || bytes[start] != 0x30 || i - start == 1 else { return nil }
            var places = 0
            if i < bytes.count, bytes[i] == Self.dot {
                i += 1
                let fraction = i
                guard digits(atMost: 6, into: &value) else { return nil }
                places = i - fraction
                guard places > 0 else { return nil }
            }
            while places < 6 {
                value *= 10
                places += 1
            }
            if quoted {
                guard i < bytes.count, bytes[i] == Self.quote else { return nil }
                i += 1
            }
            return value
        }

        /// Whole units ≥ 0 of at most 18 digits: `"7"` (leading zeros allowed in a string) or
        /// `7` (no leading zero, no point, no exponent).
        mutating func whole() -> Int? {
            skipSpace()
            guard i < bytes.count else { return nil }
            guard bytes[i] == Self.quote else { return jsonWhole() }
            i += 1
            let start = i
            var value: Int64 = 0
            guard digits(atMost: 18, into: &value), i > start, i < bytes.count, bytes[i] == Self.quote else { return nil }
            i += 1
            return Int(value)
        }

        /// A JSON number that is a whole number ≥ 0 of at most 18 digits.
        mutating func jsonWhole() -> Int? {
            skipSpace()
            let start = i
            var value: Int64 = 0
            guard digits(atMost: 18, into: &value), i > start, bytes[start] != 0x30 || i - start == 1 else { return nil }
            return Int(value)
        }

        /// `[[price, quantity], …]` into `levels`.
        mutating func levels(into levels: inout [(Int64, Int)]) -> Bool {
            guard take(Self.openBracket) else { return false }
            if take(Self.closeBracket) { return true }
            repeat {
                guard take(Self.openBracket), let price = micros(), price > 0, take(Self.comma), let quantity = whole(),
                      take(Self.closeBracket) else { return false }
                levels.append((price, quantity))
            } while take(Self.comma)
            return take(Self.closeBracket)
        }

        /// `"YYYY-MM-DDTHH:MM:SSZ"` or `"YYYY-MM-DDTHH:MM:SS.fffZ"`, a real calendar date and
        /// time, as milliseconds since 1970 (UTC): the same arithmetic as
        /// `Timestamp.milliseconds`, which reads these two forms the same way.
        mutating func time() -> Int64? {
            guard take(Self.quote), i + 21 <= bytes.count else { return nil }
            guard bytes[i + 4] == 0x2D, bytes[i + 7] == 0x2D, bytes[i + 10] == 0x54, bytes[i + 13] == 0x3A, bytes[i + 16] == 0x3A,
                  let y = number(at: i, count: 4), let mo = number(at: i + 5, count: 2), let d = number(at: i + 8, count: 2),
                  let h = number(at: i + 11, count: 2), let mi = number(at: i + 14, count: 2), let s = number(at: i + 17, count: 2)
            else { return nil }
            var fraction = 0
            var length = 20
            if bytes[i + 19] == Self.dot {
                guard i + 25 <= bytes.count, let f = number(at: i + 20, count: 3), bytes[i + 23] == 0x5A else { return nil }
                fraction = f
                length = 24
            } else {
                guard bytes[i + 19] == 0x5A else { return nil }
            }
            guard bytes[i + length] == Self.quote,
                  let ms = Timestamp.utcMilliseconds(year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: fraction)
            else { return nil }
            i += length + 1
            return ms
        }

        /// The decimal digits at `j..<j + count` as a number.
        func number(at j: Int, count: Int) -> Int? {
            var v = 0
            for k in j..<(j + count) {
                guard let d = digit(at: k) else { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }
    }
}
