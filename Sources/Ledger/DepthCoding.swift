import Foundation

/// Packs the book levels beyond the top into a few bytes: a varint count of further bids, then
/// for each level (bids, then asks) the zig-zag varint price step in micro-dollars from the
/// previous level (starting at the top of its side) and the varint quantity.
enum DepthCoding {
    static func encode(bids: [(Int64, Int)], asks: [(Int64, Int)]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + (bids.count + asks.count) * 4)
        append(UInt64(max(0, bids.count - 1)), to: &bytes)
        for side in [bids, asks] {
            guard var previous = side.first?.0 else { continue }
            for (price, quantity) in side.dropFirst() {
                let step = price - previous
                append(UInt64(bitPattern: (step << 1) ^ (step >> 63)), to: &bytes)
                append(UInt64(max(0, quantity)), to: &bytes)
                previous = price
            }
        }
        return Data(bytes)
    }

    static func decode(_ data: Data, topBid: Int64?, topAsk: Int64?) -> (bids: [(Int64, Int)], asks: [(Int64, Int)])? {
        let bytes = [UInt8](data)
        var index = 0
        func next() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        guard let bidCount = next() else { return nil }
        var bids: [(Int64, Int)] = []
        var asks: [(Int64, Int)] = []
        var previous = topBid ?? 0
        for _ in 0..<bidCount {
            guard let zig = next(), let quantity = next() else { return nil }
            previous += Int64(bitPattern: (zig >> 1) ^ (0 &- (zig & 1)))
            bids.append((previous, Int(quantity)))
        }
        previous = topAsk ?? 0
        while index < bytes.count {
            guard let zig = next(), let quantity = next() else { return nil }
            previous += Int64(bitPattern: (zig >> 1) ^ (0 &- (zig & 1)))
            asks.append((previous, Int(quantity)))
        }
        return (bids, asks)
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
}
