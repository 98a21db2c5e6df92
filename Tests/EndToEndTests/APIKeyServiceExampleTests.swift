import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import Testing

/// The example service of `examples/api-key-service`, run as a process over a directory laid
/// out as kubelet mounts a Secret: it accepts the current key, accepts the previous one
/// with a warning during the window, refuses others, and follows a `..data` swap.
@Suite("Example: API keys from a rotated Secret")
struct APIKeyServiceExampleTests {
    /// Publishes `values` as kubelet's atomic writer does: a new timestamped directory,
    /// `..data` swapped to it with one rename, one symlink per key.
    static func publish(_ values: [String: String], in directory: URL, version: String) throws {
        let manager = FileManager.default
        let versioned = directory.appendingPathComponent("..\(version)")
        try manager.createDirectory(at: versioned, withIntermediateDirectories: true)
        for (key, value) in values {
            try Data(value.utf8).write(to: versioned.appendingPathComponent(key))
        }
        let staging = directory.appendingPathComponent("..data_tmp")
        try? manager.removeItem(at: staging)
        try manager.createSymbolicLink(atPath: staging.path, withDestinationPath: "..\(version)")
        guard rename(staging.path, directory.appendingPathComponent("..data").path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        for key in values.keys where !manager.fileExists(atPath: directory.appendingPathComponent(key).path) {
            try manager.createSymbolicLink(atPath: directory.appendingPathComponent(key).path, withDestinationPath: "..data/\(key)")
        }
    }

    @Test("current key: 200; previous key during the window: 200 with a Warning; other keys: 401; a ..data swap is followed")
    func authenticatesAcrossARotation() async throws {
        let executable = try #require(RotorDevCommandTests.executable(named: "rotor-example-api-keys"), "built with the tests")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("api-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.publish(["api-key": "key-one\n"], in: directory, version: "2026_11_29_10_00_00.1")

        let (process, output) = try RotorDevCommandTests.launch(executable, ["--directory", directory.path, "--port", "0"])
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let started = BackgroundKubectl(process: process, output: output)
        #expect(await started.waitForOutput { $0.contains("listening on") }, "output: \(output.text)")
        let url = try #require(output.text.split(separator: "\n").first { $0.hasPrefix("listening on ") }?.dropFirst("listening on ".count))
        func hello(_ key: String) async throws -> (status: Int, warning: String?) {
            let answer = try await RotorRunCommandTests.get("\(url)/hello", headers: ["Authorization": "Bearer \(key)"])
            return (answer.status, answer.headers["warning"])
        }
        #expect(try await hello("key-one").status == 200)
        #expect(try await hello("key-two").status == 401)

        // Rotor rotates: key-two is current, key-one previous until grace-until.
        try Self.publish(["api-key": "key-two\n", "api-key_previous": "key-one\n"], in: directory, version: "2026_11_29_11_00_00.1")
        #expect(await EmulatedCluster.eventually { (try? await hello("key-two").status) == 200 })
        let previous = try await hello("key-one")
        #expect(previous.status == 200)
        #expect(previous.warning?.contains("rotated") == true, "the client is told to switch")
        #expect(try await hello("key-three").status == 401)

        // The window ends: the previous key is gone from the Secret, and refused.
        try Self.publish(["api-key": "key-two\n"], in: directory, version: "2026_11_29_12_00_00.1")
        #expect(await EmulatedCluster.eventually { (try? await hello("key-one").status) == 401 })
        #expect(try await hello("key-two").status == 200)
    }
}
