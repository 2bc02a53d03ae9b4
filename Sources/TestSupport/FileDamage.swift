import Foundation
import Simulator

/// Damages files the way a failing disk or a stray write does, for tests of what notices.
public enum FileDamage {
    /// Overwrites `count` whole pages in the middle of an SQLite file with seeded random
    /// bytes. The header and the first pages (the schema) stay intact, so the file still opens
    /// and only a check that reads every page finds the damage.
    /// - Parameters:
    ///   - pageSize: SQLite's page size (4096 unless the file says otherwise).
    /// - Throws: when the file has too few pages to damage its middle.
    public static func corruptMiddlePages(of path: String, count: Int = 4, pageSize: Int = 4096, seed: UInt64 = 7) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let pages = Int(try handle.seekToEnd()) / pageSize
        guard pages >= count + 8 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(path) has only \(pages) pages"])
        }
        var random = SplitMix64(seed: seed)
        let first = pages / 2 - count / 2
        for page in first..<(first + count) {
            var bytes = [UInt8]()
            bytes.reserveCapacity(pageSize)
            while bytes.count < pageSize {
                var word = random.next()
                for _ in 0..<8 {
                    bytes.append(UInt8(truncatingIfNeeded: word))
                    word >>= 8
                }
            }
            try handle.seek(toOffset: UInt64(page * pageSize))
            try handle.write(contentsOf: Data(bytes.prefix(pageSize)))
        }
        try handle.synchronize()
    }
}
