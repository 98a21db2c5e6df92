import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import Testing

/// `rotor dev --api-only --kubeconfig PATH`, run as a user runs it: the process
/// serves TLS, prints its URL, writes the kubeconfig, and kubectl works with it.
@Suite("rotor dev --api-only")
struct RotorDevCommandTests {
    /// The `rotor` executable built beside this test bundle.
    static var rotorExecutable: String? { executable(named: "rotor") }

    /// An executable product of the package, built beside this test bundle.
    static func executable(named name: String) -> String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// Starts `rotor ARGS`, collecting its output as it arrives.
    static func launch(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Subprocess, OutputCollector) {
        let process = try Subprocess.spawn(
            executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
            stdin: .null, stderr: .standardOutput)
        return (process, OutputCollector.following(process))
    }

    @Test("serves over TLS, prints export KUBECONFIG first, writes the kubeconfig where asked, and kubectl uses it")
    func devAPIOnly() async throws {
        let executable = try #require(Self.rotorExecutable, "the rotor executable is built with the tests (swift build --build-tests)")
        let kubectl = try Kubectl.required()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("nested/dir/kc").path

        let (process, output) = try Self.launch(executable, ["dev", "--api-only", "--kubeconfig", kubeconfig])
        defer {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
        }
        let started = BackgroundKubectl(process: process, output: output)
        #expect(await started.waitForOutput { $0.contains("kubeconfig written to") }, "output: \(output.text)")
        #expect(output.text.contains("listening on https://127.0.0.1:"))
        // The first line is the one to copy into another terminal.
        let first = output.text.split(separator: "\n").first.map(String.init)
        #expect(first == "export KUBECONFIG=\(URL(fileURLWithPath: kubeconfig).standardizedFileURL.path)", "\(output.text)")
        let config = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        #expect(config.contains("certificate-authority-data:"))
        let attributes = try FileManager.default.attributesOfItem(atPath: kubeconfig)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "the kubeconfig holds a token")

        let result = try await kubectl.run(["get", "ns", "default", "-o", "jsonpath={.status.phase}"], kubeconfig: kubeconfig, home: directory.path)
        #expect(result.stdout == "Active", "stderr: \(result.stderr)")

        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Ctrl-C stops it cleanly")
    }

    @Test("rotor dev runs the operator with a demo: the ExternalSecrets are Ready and their Secrets exist")
    func devWithOperatorAndDemo() async throws {
        let executable = try #require(Self.rotorExecutable, "the rotor executable is built with the tests (swift build --build-tests)")
        let kubectl = try Kubectl.required()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kc").path
        let (process, output) = try Self.launch(executable, ["dev", "--kubeconfig", kubeconfig])
        defer {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
        }
        let started = BackgroundKubectl(process: process, output: output)
        #expect(await started.waitForOutput { $0.contains("demo applied") }, "output: \(output.text)")
        let ready = await EmulatedCluster.eventually {
            let result = try? await kubectl.run(["get", "es"], kubeconfig: kubeconfig, home: directory.path)
            let rows = tableRows(result?.stdout ?? "")
            return rows.count == 5 && rows.dropFirst().allSatisfy { $0.count > 4 && $0[3] == "Synced" && $0[4] == "True" }
        }
        #expect(ready, "every demo ExternalSecret (three on the fake store, one on Vault) becomes Ready")
        let url = try await kubectl.run(["get", "secret", "db-url", "-o", "jsonpath={.data.DATABASE_URL}"], kubeconfig: kubeconfig, home: directory.path)
        let decoded = Data(base64Encoded: url.stdout).map { String(decoding: $0, as: UTF8.self) }
        #expect(decoded == "postgres://app:demo-password-1@db:5432/shop")
        // The sandbox's credential files are its owner's only.
        for file in [kubeconfig, directory.appendingPathComponent("vault.env").path] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file) holds a token")
        }
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Ctrl-C stops it cleanly")
    }
}
