import Foundation
import Testing

@testable import HTTPServing

/// Credential files of the sandbox (kubeconfig, `vault.env`) are owner-only from the
/// moment they exist, not made so after their content is written.
@Suite("private files")
struct PrivateFileTests {
    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    static func size(_ path: String) throws -> Int {
        try #require((FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue)
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("private-file-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a credential file is mode 0600 when it first exists, before any byte is in it")
    func ownerOnlyAtCreation() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/nested/vault.env"
        var seenAtCreation: (mode: Int, size: Int)?
        try PrivateFile.write(Array("export VAULT_TOKEN=root-token\n".utf8), to: path) { created in
            seenAtCreation = (try Self.mode(created), try Self.size(created))
        }
        let atCreation = try #require(seenAtCreation)
        #expect(atCreation.mode == 0o600)
        #expect(atCreation.size == 0, "checked before the content was written")
        #expect(try Self.mode(path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "export VAULT_TOKEN=root-token\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/nested") == ["vault.env"], "no temporary file left")
    }

    @Test("an existing world-readable file is replaced by a new owner-only one, never chmod-ed")
    func widerExistingFileIsReplaced() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/kubeconfig"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))
        let oldInode = try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)
        try PrivateFile.write("token: new", to: path)
        #expect(try Self.mode(path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "token: new")
        let newInode = try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)
        #expect(newInode != oldInode, "a new file took the name; the old one was not opened for writing")
    }

    @Test("a symbolic link at the path is replaced, not followed")
    func symbolicLinkIsNotFollowed() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let elsewhere = directory + "/elsewhere"
        #expect(FileManager.default.createFile(atPath: elsewhere, contents: Data("untouched".utf8), attributes: [.posixPermissions: 0o644]))
        let path = directory + "/vault.env"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: elsewhere)
        try PrivateFile.write("export VAULT_TOKEN=t", to: path)
        #expect(try String(contentsOfFile: elsewhere, encoding: .utf8) == "untouched")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType == .typeRegular)
        #expect(try Self.mode(path) == 0o600)
    }
}
