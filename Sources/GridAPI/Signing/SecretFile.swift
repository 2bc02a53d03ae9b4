import Foundation

/// Reads a small secret file (a private key, a bearer token) that only its owner may read.
///
/// Symbolic links are followed and the mode that counts is the target's: Kubernetes secrets
/// (`..data/…`) and systemd credentials are mounted as links, and a link's own mode (0777 on
/// Linux) says nothing about who can read the secret. The file is opened once and checked
/// through its descriptor (`fstat`), so the file checked is the file read.
public enum SecretFile {
    /// Secrets are short; anything bigger is the wrong file.
    public static let maxBytes = 64 * 1024

    /// The file's bytes; the caller wipes them when done.
    /// - Parameter what: what the file is, for messages ("key file", "status token file").
    /// - Throws: `SecretFileError` naming the path: missing, a dangling link, a directory, not a
    ///   regular file, readable by group or others, unreadable, or too large.
    public static func read(_ path: String, what: String) throws(SecretFileError) -> [UInt8] {
        // O_NONBLOCK: a FIFO given by mistake must not hang the open.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            var link = stat()
            if code == ENOENT, lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                throw SecretFileError(path: path, what: what, problem: .danglingLink(target: target))
            }
            throw SecretFileError(path: path, what: what, problem: code == ENOENT ? .missing : .unreadable(String(cString: strerror(code))))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SecretFileError(path: path, what: what, problem: .unreadable(String(cString: strerror(errno))))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw SecretFileError(path: path, what: what, problem: .directory)
        default: throw SecretFileError(path: path, what: what, problem: .notRegular)
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 { throw SecretFileError(path: path, what: what, problem: .readableByOthers(mode: String(mode, radix: 8))) }
        guard Int(info.st_size) <= maxBytes else { throw SecretFileError(path: path, what: what, problem: .tooLarge(bytes: Int(info.st_size))) }
        var bytes = [UInt8](repeating: 0, count: maxBytes + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                let reason = String(cString: strerror(errno))
                Sodium.zero(&bytes)
                throw SecretFileError(path: path, what: what, problem: .unreadable(reason))
            }
            if n == 0 { break }
            count += n
        }
        guard count <= maxBytes else {
            Sodium.zero(&bytes)
            throw SecretFileError(path: path, what: what, problem: .tooLarge(bytes: count))
        }
        let content = Array(bytes[0..<count])
        Sodium.zero(&bytes)
        return content
    }
}

/// Why a secret file cannot be used. Never contains the secret.
public struct SecretFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case missing
        case danglingLink(target: String)
        case directory
        case notRegular
        case readableByOthers(mode: String)
        case unreadable(String)
        case tooLarge(bytes: Int)
    }

    public var path: String
    public var what: String
    public var problem: Problem

    public var description: String {
        switch problem {
        case .missing:
            return "cannot read \(what) \(path): no such file"
        case .danglingLink(let target):
            return "cannot read \(what) \(path): it is a symbolic link to \(target), which does not exist"
        case .directory:
            return "cannot read \(what) \(path): it is a directory; give the path of the file inside it"
        case .notRegular:
            return "cannot read \(what) \(path): not a regular file"
        case .readableByOthers(let mode):
            return "\(what) \(path) has mode \(mode) and is readable by others: run `chmod 600 \(path)`"
        case .unreadable(let reason):
            return "cannot read \(what) \(path): \(reason)"
        case .tooLarge(let bytes):
            return "cannot read \(what) \(path): \(bytes) bytes is too large for a secret (at most \(SecretFile.maxBytes))"
        }
    }
}
