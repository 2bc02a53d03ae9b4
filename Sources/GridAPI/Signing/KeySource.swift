import Foundation

/// Where the private key comes from: a key file or `GRID_TRADING_PRIVATE_KEY`.
public enum KeySource {
    public static let environmentVariable = "GRID_TRADING_PRIVATE_KEY"
    public static let fingerprintVariable = "GRID_TRADING_FINGERPRINT"

    /// Loads the signing key: `keyFile` when given, else the environment variable.
    /// - Throws: `KeyError` — never containing key material.
    public static func load(keyFile: String?, environment: [String: String]) throws(KeyError) -> SigningKey {
        if let keyFile { return try loadFile(keyFile) }
        guard let text = environment[environmentVariable], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else { throw .missing }
        return try SigningKey(base64: text)
    }

    /// Reads a key file, refusing one that group or others may read.
    public static func loadFile(_ path: String) throws(KeyError) -> SigningKey {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .unreadableFile(path: path, reason: "no such file or not accessible")
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value, mode & 0o077 != 0 {
            throw .insecureFile(path: path, mode: String(mode & 0o777, radix: 8))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "permission denied")
        }
        var bytes = [UInt8](data)
        defer { Sodium.zero(&bytes) }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw .notBase64 }
        return try SigningKey(base64: text)
    }

    /// Writes `key`'s seed to `path` with mode 0600, refusing to overwrite an existing file.
    public static func write(_ key: SigningKey, to path: String) throws(KeyError) {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw .unreadableFile(path: path, reason: "file exists; refusing to overwrite a key")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .unreadableFile(path: path, reason: "cannot create directory \(directory)")
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes = Array((key.exportSeedBase64() + "\n").utf8)
        defer { Sodium.zero(&bytes) }
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw .unreadableFile(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
        }
    }
}
