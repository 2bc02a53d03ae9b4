import Foundation
import Testing
import TestSupport

@testable import GridAPI

/// Key files as credential mounts present them: symbolic links, directories, dangling links.
@Suite struct KeyFileTests {
    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    static func keyFile(in dir: String, mode: Int = 0o600) throws -> String {
        let path = dir + "/trading.key"
        try Data((TestKeys.referenceSeedBase64 + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func aSymlinkedKeyIsCheckedByItsTargetsMode() throws {
        let dir = try Self.scratch()
        let target = try Self.keyFile(in: dir)
        // Kubernetes: key → ..data/key → ..2024_01_01/key; the links themselves are 0777.
        try FileManager.default.createDirectory(atPath: dir + "/..2024", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: target, toPath: dir + "/..2024/trading.key")
        try FileManager.default.createSymbolicLink(atPath: dir + "/..data", withDestinationPath: "..2024")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.key", withDestinationPath: "..data/trading.key")
        #expect(try KeySource.loadFile(dir + "/link.key").fingerprint == TestKeys.reference.fingerprint)

        // A link to a key others can read is refused, with the target's mode.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir + "/..2024/trading.key")
        #expect(throws: KeyError.file(SecretFileError(path: dir + "/link.key", what: "key file", problem: .readableByOthers(mode: "644")))) {
            try KeySource.loadFile(dir + "/link.key")
        }
        #expect(KeyError.file(SecretFileError(path: "k", what: "key file", problem: .readableByOthers(mode: "644"))).description.contains("chmod 600 k"))
    }

    @Test func aDirectoryOrADanglingLinkIsNamedAsSuch() throws {
        let dir = try Self.scratch()
        do {
            _ = try KeySource.loadFile(dir)
            Issue.record("read a directory as a key")
        } catch {
            #expect(error.description.contains("\(dir): it is a directory"), "\(error)")
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/gone.key", withDestinationPath: dir + "/nowhere.key")
        do {
            _ = try KeySource.loadFile(dir + "/gone.key")
            Issue.record("read a dangling link")
        } catch {
            #expect(error.description.contains("symbolic link to \(dir)/nowhere.key, which does not exist"), "\(error)")
        }
        do {
            _ = try KeySource.loadFile(dir + "/missing.key")
            Issue.record("read a missing file")
        } catch {
            #expect(error.description.contains("\(dir)/missing.key: no such file"), "\(error)")
        }
    }

    @Test func aHugeFileIsNotReadAsAKey() throws {
        let dir = try Self.scratch()
        let path = dir + "/big.key"
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 65, count: SecretFile.maxBytes + 1), attributes: [.posixPermissions: 0o600])
        #expect(throws: KeyError.file(SecretFileError(path: path, what: "key file", problem: .tooLarge(bytes: SecretFile.maxBytes + 1)))) {
            try KeySource.loadFile(path)
        }
    }
}
