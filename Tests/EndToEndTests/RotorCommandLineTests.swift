import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import KubernetesEmulator
import RotorAPI
import Testing

/// The `rotor` command as users of kubectl, helm and controller-runtime operators type it:
/// `--version`, boolean flags bare or with values, completion scripts, help with examples,
/// one exit-code scheme (0 ok, 1 runtime failure, 2 configuration or usage error).
@Suite("rotor command line")
struct RotorCommandLineTests {
    static func rotor(_ arguments: [String], environment: [String: String] = [:]) async throws -> InstallManifestsTests.Output {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        return try await InstallManifestsTests.run(executable, arguments, environment: environment)
    }

    @Test("rotor --version and rotor version print the same, exit 0")
    func version() async throws {
        let flag = try await Self.rotor(["--version"])
        let command = try await Self.rotor(["version"])
        #expect(flag.status == 0 && command.status == 0)
        #expect(flag.stdout.hasPrefix("rotor ") && flag.stdout == command.stdout, "\(flag.stdout) / \(command.stdout)")
    }

    @Test("boolean settings bare, =value or as the next word; a bare one never swallows the next flag", arguments: [
        (["--leader-elect"], "leader election: on"),
        (["--leader-elect=false"], "leader election: off"),
        (["--leader-elect", "false"], "leader election: off"),
        (["--leader-elect", "true"], "leader election: on"),
        (["--leader-elect", "--workers", "3"], "workers: 3"),
        (["--leader-elect=false", "--allow-pod-cloud-identity", "--workers", "5"], "workers: 5"),
    ])
    func booleanFlags(_ arguments: [String], expected: String) async throws {
        let result = try await Self.rotor(["check-config"] + arguments, environment: ["ROTOR_LEADER_ELECT": "false"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        #expect(result.stdout.contains(expected), "\(arguments): \(result.stdout)")
        if arguments == ["--leader-elect", "--workers", "3"] {
            #expect(result.stdout.contains("leader election: on"), "the bare flag is true, and --workers kept its value")
        }
    }

    @Test("rotor dev's flags take =true/=false too: --no-demo=false keeps the demo, an unknown one is a usage error")
    func devFlagsWithValues() async throws {
        let help = try await Self.rotor(["dev", "--api-only=false", "--no-demo=true", "--help"])
        #expect(help.status == 0, "\(help.stderr)")
        let unknown = try await Self.rotor(["dev", "--no-such-flag"])
        #expect(unknown.status == 2, "a usage error exits 2, not the parser's 64: \(unknown.stderr)")
        #expect(unknown.stderr.contains("Unknown option"))
    }

    @Test("rotor completion bash|zsh|fish prints a script (bash -n accepts the bash one); another shell is a usage error")
    func completion() async throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try await Self.rotor(["completion", shell])
            #expect(script.status == 0 && script.stdout.contains("rotor"), "\(shell): \(script.stderr)")
        }
        let bash = try await Self.rotor(["completion", "bash"])
        let checked = try await InstallManifestsTests.run("/bin/bash", ["-n"], stdin: bash.stdout)
        #expect(checked.status == 0, "bash -n: \(checked.stderr)")
        #expect(bash.stdout.contains("check-config") && bash.stdout.contains("completion"), "completes the subcommands")
        let tcsh = try await Self.rotor(["completion", "tcsh"])
        #expect(tcsh.status == 2 && tcsh.stderr.contains("bash, zsh or fish"), "\(tcsh.stderr)")
    }

    @Test("every subcommand's --help ends with examples of real use", arguments: ["", "run", "dev", "crds", "check-config", "version", "completion"])
    func helpEndsWithExamples(_ command: String) async throws {
        let help = try await Self.rotor((command.isEmpty ? [] : [command]) + ["--help"])
        #expect(help.status == 0)
        let examples = try #require(help.stdout.range(of: "EXAMPLES:\n"), "\(help.stdout)")
        let after = help.stdout[examples.upperBound...].split(separator: "\n")
        #expect(!after.isEmpty && after.allSatisfy { $0.hasPrefix("  rotor ") || $0.hasPrefix("  source ") || $0.hasPrefix("  ROTOR_") })
        if command == "dev" { #expect(help.stdout.contains("vault.env"), "dev --help says where vault.env goes") }
    }

    @Test("exit codes: 2 for an unknown flag or subcommand and for a bad setting, 0 for help")
    func exitCodes() async throws {
        #expect(try await Self.rotor(["run", "--no-such-flag"]).status == 2)
        #expect(try await Self.rotor(["no-such-command"]).status == 2)
        #expect(try await Self.rotor(["check-config", "--workers", "zero"]).status == 2)
        #expect(try await Self.rotor(["dev", "--port", "99999"]).status == 2)
        #expect(try await Self.rotor(["--help"]).status == 0)
    }

    @Test("rotor run without its operator namespace says in one line what to do and exits 2")
    func missingOperatorNamespace() async throws {
        try await EmulatedCluster.with { cluster in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-ns-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            try cluster.emulator.writeKubeconfig(to: kubeconfig)
            for definition in RotorCRDs.all { _ = try await cluster.client.create(RotorRunCommandTests.crds, namespace: nil, body: definition.object) }
            let result = try await Self.rotor(
                ["run", "--kubeconfig", kubeconfig, "--health-address", "off", "--leader-elect=false"],
                environment: ["ROTOR_OPERATOR_NAMESPACE": "rotor-missing"])
            #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
            let line = result.stderr.split(separator: "\n").first { $0.contains("rotor-missing") }
            #expect(line?.contains("kubectl create namespace rotor-missing") == true, "\(result.stderr)")
            #expect(line?.contains("--operator-namespace") == true)
        }
    }
}
