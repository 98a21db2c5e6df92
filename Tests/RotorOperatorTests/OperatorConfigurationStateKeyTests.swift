import Foundation
import SealedState
import Testing

@testable import RotorOperator

/// `--state-key-file`, `--state-previous-key-file` and `--audit-log`: what they accept and how
/// a bad one is listed (never a key's bytes).
@Suite("rotor run configuration: state keys and audit log")
struct OperatorConfigurationStateKeyTests {
    typealias Setting = OperatorConfiguration.Setting

    /// A temporary directory with key files in it, removed at the end.
    final class KeyFiles {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-keys-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
    }

    func resolve(_ flags: [Setting: String] = [:], _ environment: [String: String] = [:]) -> Result<OperatorConfiguration, OperatorConfiguration.Problems> {
        OperatorConfiguration.resolve(flags: flags, environment: environment, processors: 2)
    }

    @Test("no state key and the audit log off by default")
    func defaults() throws {
        let configuration = try resolve().get()
        #expect(configuration.stateKeys == nil)
        #expect(configuration.auditLog == .off)
    }

    @Test("a raw 32-byte key file and a base64 one (from the environment) make the current and previous keys")
    func keysLoaded() throws {
        let files = try KeyFiles()
        let raw = [UInt8](repeating: 7, count: 32)
        let old = [UInt8](repeating: 9, count: 32)
        let current = try files.write("current", raw)
        let previous = try files.write("previous", Array((Data(old).base64EncodedString() + "\n").utf8))
        let keys = try #require(try resolve([.stateKeyFile: current], ["ROTOR_STATE_PREVIOUS_KEY_FILE": previous]).get().stateKeys)
        #expect(keys.current == StateKey(bytes: raw))
        #expect(keys.previous == [StateKey(bytes: old)!])
    }

    @Test("a bad key file is a configuration problem naming the flag and the length, never the content")
    func badKeyFiles() throws {
        let files = try KeyFiles()
        let short = try files.write("short", Array("0123456789abcdef0123456789abcde".utf8))
        guard case .failure(let problems) = resolve([.stateKeyFile: short, .statePreviousKeyFile: files.directory.appendingPathComponent("missing").path]) else {
            Issue.record("a 31-byte key and a missing file were accepted")
            return
        }
        #expect(problems.messages.count == 2)
        #expect(problems.description.contains("--state-key-file (or ROTOR_STATE_KEY_FILE)") && problems.description.contains("31 bytes"))
        #expect(problems.description.contains("--state-previous-key-file") && problems.description.contains("cannot be read"))
        #expect(!problems.description.contains("0123456789abcdef"))
    }

    @Test("a previous key without a current one is refused")
    func previousNeedsCurrent() throws {
        let files = try KeyFiles()
        let previous = try files.write("previous", [UInt8](repeating: 1, count: 32))
        guard case .failure(let problems) = resolve([.statePreviousKeyFile: previous]) else {
            Issue.record("accepted")
            return
        }
        #expect(problems.description.contains("needs the current one too"))
    }

    @Test("--audit-log: off, stdout, or a file whose directory is writable")
    func auditLog() throws {
        let files = try KeyFiles()
        #expect(try resolve([.auditLog: "stdout"]).get().auditLog == .standardOutput)
        #expect(try resolve([:], ["ROTOR_AUDIT_LOG": "off"]).get().auditLog == .off)
        let path = files.directory.appendingPathComponent("audit.log").path
        #expect(try resolve([.auditLog: path]).get().auditLog == .file(path))
        guard case .failure(let problems) = resolve([.auditLog: "/nonexistent-\(UUID().uuidString)/audit.log"]) else {
            Issue.record("a file in a missing directory was accepted")
            return
        }
        #expect(problems.description.contains("--audit-log (or ROTOR_AUDIT_LOG)"))
        guard case .failure = resolve([.auditLog: files.directory.path]) else {
            Issue.record("a directory was accepted")
            return
        }
    }
}
