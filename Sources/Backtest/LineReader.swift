import Foundation

/// Reads a file line by line in fixed chunks, so memory stays bounded by the chunk plus the
/// longest line allowed, whatever the file's size (a 2 GB file of zeros is refused after
/// reading about 2 MiB, not after loading it whole).
///
/// One buffer of `chunk + maxLine` bytes is allocated up front and reused: no per-chunk
/// zero-filling or array growth (element-wise in a debug build, that made every load of even a
/// tiny file cost tens of milliseconds), and newlines are found with `memchr`.
struct LineReader: ~Copyable {
    /// Bytes read from the file at a time.
    static let chunk = 1 << 20

    private let fd: Int32
    private let maxLine: Int
    private let storage: UnsafeMutableBufferPointer<UInt8>
    /// Start of the bytes not yet handed out.
    private var head = 0
    /// End of the bytes read so far.
    private var end = 0
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
        storage = .allocate(capacity: Self.chunk + maxLine)
    }

    deinit {
        storage.deallocate()
        close(fd)
    }

    /// The next line without its newline, and whether it ended with one (the last line of a
    /// truncated file does not); nil at the end of the file.
    ///
    /// The line points into the reader's buffer: it is valid until the next call, not after.
    mutating func next() throws(Failure) -> (line: UnsafeBufferPointer<UInt8>, complete: Bool)? {
        let base = storage.baseAddress!
        while true {
            let from = head + scanned
            if from < end, let found = memchr(base + from, 10, end - from) {
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                // The same limit wherever the line falls in the buffer.
                if newline - head > maxLine { throw .lineTooLong }
                let line = UnsafeBufferPointer(start: base + head, count: newline - head)
                head = newline + 1
                scanned = 0
                return (line, true)
            }
            scanned = end - head
            if scanned > maxLine { throw .lineTooLong }
            if atEnd {
                guard head < end else { return nil }
                if end - head > maxLine { throw .lineTooLong }
                let line = UnsafeBufferPointer(start: base + head, count: end - head)
                head = end
                scanned = 0
                return (line, false)
            }
            if head > 0 {
                // At most `maxLine` bytes are moved: the unfinished line.
                if end > head { memmove(base, base + head, end - head) }
                end -= head
                head = 0
            }
            try fill()
        }
    }

    /// Reads at least one more byte, or marks the end of the file. There is always room for a
    /// chunk: `next` compacts first and has refused any line longer than `maxLine`.
    private mutating func fill() throws(Failure) {
        let room = storage.count - end
        var n = 0
        repeat {
            n = Foundation.read(fd, storage.baseAddress! + end, room)
        } while n < 0 && errno == EINTR
        guard n >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        end += n
        if n == 0 { atEnd = true }
    }
}
