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

    /// Reads a key file, refusing one that group or others may read. A symbolic link is
    /// followed and its target's mode checked (credential mounts are links).
    public static func loadFile(_ path: String) throws(KeyError) -> SigningKey {
        var bytes: [UInt8]
        do {
            bytes = try SecretFile.read(path, what: "key file")
        } catch {
            throw .file(error)
        }
        defer { Sodium.zero(&bytes) }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw .notBase64 }
        return try SigningKey(base64: text)
    }

    /// Writes `key`'s seed to `path` with mode 0600, refusing to overwrite an existing file.
    /// - Returns: the directory it had to create (mode 0700), if any, so the caller can say so.
    @discardableResult
    public static func write(_ key: SigningKey, to path: String) throws(KeyError) -> String? {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw .unreadableFile(path: path, reason: "file exists; refusing to overwrite a key")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var created: String?
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                created = directory
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
        return created
    }
}
