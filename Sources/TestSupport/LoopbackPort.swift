import Foundation

/// Loopback ports for tests of what happens when nothing, or something else, listens.
public enum LoopbackPort {
    /// A port on 127.0.0.1 that nothing listens on (bound to find a free one, then closed).
    public static func closed() throws -> Int {
        let (fd, port) = try bound()
        close(fd)
        return port
    }

    /// A socket listening on 127.0.0.1 and its port; close the descriptor to free it.
    public static func listening() throws -> (fd: Int32, port: Int) {
        let (fd, port) = try bound()
        guard listen(fd, 4) == 0 else {
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return (fd, port)
    }

    private static func bound() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
