import Foundation

/// Reads a file line by line in fixed chunks, so memory stays bounded by the chunk plus the
/// longest line allowed, whatever the file's size (a 2 GB file of zeros is refused after
/// reading about 2 MiB, not after loading it whole).
struct LineReader: ~Copyable {
    /// Bytes read from the file at a time.
    static let chunk = 1 << 20

    private let fd: Int32
    private let maxLine: Int
    private var buffer: [UInt8] = []
    /// Start of the bytes not yet handed out.
    private var head = 0
    /// Bytes after `head` already searched for a newline.
    private var scanned = 0
    private var atEnd = false

    enum Failure: Error {
        /// The line being read has more than `maxLine` bytes without a newline.
        case lineTooLong
        case unreadable(String)
    }

    /// Takes ownership of `fd` (closed on deinit).
    init(fd: Int32, maxLine: Int) {
        self.fd = fd
        self.maxLine = maxLine
        buffer.reserveCapacity(Self.chunk + maxLine)
    }

    deinit { close(fd) }

    /// The next line without its newline, and whether it ended with one (the last line of a
    /// truncated file does not); nil at the end of the file.
    mutating func next() throws(Failure) -> (line: ArraySlice<UInt8>, complete: Bool)? {
        while true {
            if let newline = buffer[(head + scanned)...].firstIndex(of: 10) {
                let line = buffer[head..<newline]
                head = newline + 1
                scanned = 0
                return (line, true)
            }
            scanned = buffer.count - head
            if scanned > maxLine { throw .lineTooLong }
            if atEnd {
                guard head < buffer.count else { return nil }
                let line = buffer[head...]
                head = buffer.count
                scanned = 0
                return (line, false)
            }
            if head > 0 {
                buffer.removeSubrange(0..<head)
                head = 0
            }
            try fill()
        }
    }

    private mutating func fill() throws(Failure) {
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunk))
        var n = 0
        repeat {
            n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + old, Self.chunk) }
        } while n < 0 && errno == EINTR
        guard n >= 0 else {
            buffer.removeLast(Self.chunk)
            throw .unreadable(String(cString: strerror(errno)))
        }
        buffer.removeLast(Self.chunk - n)
        if n == 0 { atEnd = true }
    }
}
