import Foundation
import KubernetesEmulator
import ProcessTestSupport
import Testing

/// Runs the real `kubectl` against an emulator, as a user would.
public struct Kubectl: Sendable, CustomTestStringConvertible {
    /// The executable: the image's dispatcher `kubectl`, or a versioned client; empty for
    /// ``missing``.
    public let executable: String
    public let label: String

    public var testDescription: String { label }

    /// Whether this is a real client (not the ``missing`` stand-in).
    public var isInstalled: Bool { !executable.isEmpty }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var succeeded: Bool { status == 0 }
    }

    /// What a test says when no kubectl is found: the kubectl tests never pass without one.
    public static let missingComment: Comment = """
        kubectl is not on PATH: run the tests with hack/test, which installs kubectl into .tools/bin \
        (hack/install-kubectl) and puts that directory on PATH
        """

    /// The error every run of ``missing`` throws, so that a test given it fails with the
    /// way to install kubectl.
    public struct NotInstalled: Error, CustomStringConvertible {
        public var description: String { Kubectl.missingComment.rawValue }
    }

    /// Stands in for the clients when none is found: a parameterized test over
    /// ``available`` then still has a case, which fails with ``NotInstalled``.
    public static let missing = Kubectl(executable: "", label: "kubectl (not installed)")

    /// The clients to test with: `kubectl` from PATH (which picks the client matching
    /// the server's version) and, when the image has them, the oldest and newest
    /// versioned clients (`kubectl.1.27`, `kubectl.1.33`) from `ROTOR_KUBECTL_DIR`.
    /// Never empty: without a kubectl on PATH, ``missing``.
    public static var available: [Kubectl] {
        var clients: [Kubectl] = []
        if let path = findOnPath("kubectl") { clients.append(Kubectl(executable: path, label: "kubectl")) }
        let dir = ProcessInfo.processInfo.environment["ROTOR_KUBECTL_DIR"]
            ?? findOnPath("kubectl").map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent().path }
        if let dir {
            for version in ["1.27", "1.33"] {
                let path = "\(dir)/kubectl.\(version)"
                if FileManager.default.isExecutableFile(atPath: path) {
                    clients.append(Kubectl(executable: path, label: "kubectl \(version)"))
                }
            }
        }
        return clients.isEmpty ? [missing] : clients
    }

    /// `kubectl` from PATH; a test failure saying how `hack/test` installs it when there is none.
    public static func required(sourceLocation: SourceLocation = #_sourceLocation) throws -> Kubectl {
        let path = try #require(findOnPath("kubectl"), missingComment, sourceLocation: sourceLocation)
        return Kubectl(executable: path, label: "kubectl")
    }

    public static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The environment of a kubectl run: this process's, with the given kubeconfig and HOME.
    private func environment(kubeconfig: String, home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = kubeconfig
        environment["HOME"] = home
        return environment
    }

    /// Runs `kubectl ARGS` with the given kubeconfig and an isolated HOME (so the
    /// discovery cache of one test never leaks into another). Waits without blocking
    /// a thread of the concurrency pool: the emulator serves on the same pool.
    public func run(_ arguments: [String], kubeconfig: String, home: String, stdin: String? = nil) async throws -> Result {
        guard isInstalled else { throw NotInstalled() }
        let process = try Subprocess.spawn(executable, arguments, environment: environment(kubeconfig: kubeconfig, home: home))
        let (termination, stdoutData, stderrData) = await process.collect(input: stdin.map { Data($0.utf8) } ?? Data())
        return Result(
            status: termination.status, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Starts `kubectl ARGS` in the background (e.g. `get -w`), collecting its output.
    public func start(_ arguments: [String], kubeconfig: String, home: String) throws -> BackgroundKubectl {
        guard isInstalled else { throw NotInstalled() }
        let process = try Subprocess.spawn(
            executable, arguments, environment: environment(kubeconfig: kubeconfig, home: home), stdin: .null, stderr: .standardOutput)
        return BackgroundKubectl(process: process)
    }
}

/// A long-running child (`kubectl get -w`, `rotor dev`, `rotor run`) whose combined
/// stdout and stderr is collected as it arrives.
public struct BackgroundKubectl: Sendable {
    public let process: Subprocess
    public let output: OutputCollector

    /// Follows the stdout pipe of `process` (spawned with stderr going to stdout).
    public init(process: Subprocess) {
        self.init(process: process, output: OutputCollector.following(process))
    }

    /// A child whose output `output` already follows.
    public init(process: Subprocess, output: OutputCollector) {
        self.process = process
        self.output = output
    }

    /// Waits (polling, bounded) until the output satisfies `condition`.
    public func waitForOutput(timeout: Duration = .seconds(20), _ condition: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(output.text) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(output.text)
    }

    /// SIGTERM, then waits (blocking: callers stop in `defer`) for it to end.
    public func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// An emulator with a kubeconfig and a private HOME on disk, for kubectl tests.
public struct KubectlSandbox: Sendable {
    public let emulator: KubernetesEmulator
    public let kubectl: Kubectl
    public let directory: String

    public var kubeconfig: String { "\(directory)/kubeconfig" }

    /// Fails (with the way to install it) when `kubectl` is ``Kubectl/missing``.
    public static func start(_ kubectl: Kubectl, sourceLocation: SourceLocation = #_sourceLocation) async throws -> KubectlSandbox {
        try #require(kubectl.isInstalled, Kubectl.missingComment, sourceLocation: sourceLocation)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-kubectl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let emulator = try await KubernetesEmulator.start()
        let sandbox = KubectlSandbox(emulator: emulator, kubectl: kubectl, directory: directory)
        try emulator.writeKubeconfig(to: sandbox.kubeconfig)
        return sandbox
    }

    /// Runs kubectl; a failure is reported with its stderr (never secret data: tests use fake values).
    @discardableResult
    public func kubectl(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Kubectl.Result {
        try await kubectl(arguments, stdin: stdin, sourceLocation: sourceLocation)
    }

    @discardableResult
    public func kubectl(_ arguments: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Kubectl.Result {
        let result = try await kubectl.run(arguments, kubeconfig: kubeconfig, home: directory, stdin: stdin)
        #expect(result.succeeded, "kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs kubectl expecting it to fail; returns its result.
    public func kubectlFailing(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Kubectl.Result {
        let result = try await kubectl.run(arguments, kubeconfig: kubeconfig, home: directory, stdin: stdin)
        #expect(!result.succeeded, "kubectl \(arguments.joined(separator: " ")) unexpectedly succeeded", sourceLocation: sourceLocation)
        return result
    }

    public func stop() async {
        await emulator.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The rows of `kubectl get` output, split on runs of spaces.
public func tableRows(_ output: String) -> [[String]] {
    output.split(separator: "\n").map { line in line.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
}
