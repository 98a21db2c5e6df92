import Foundation
import KubernetesEmulator
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

    /// A kubectl process with the given kubeconfig and its own HOME.
    private func makeProcess(_ arguments: [String], kubeconfig: String, home: String) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = kubeconfig
        environment["HOME"] = home
        process.environment = environment
        return process
    }

    /// Runs `kubectl ARGS` with the given kubeconfig and an isolated HOME (so the
    /// discovery cache of one test never leaks into another). Waits without blocking
    /// a thread of the concurrency pool: the emulator serves on the same pool.
    public func run(_ arguments: [String], kubeconfig: String, home: String, stdin: String? = nil) async throws -> Result {
        guard isInstalled else { throw NotInstalled() }
        let (status, stdoutData, stderrData) = try await OutputCollector.runToEnd(
            makeProcess(arguments, kubeconfig: kubeconfig, home: home), stdin: stdin.map { Data($0.utf8) } ?? Data())
        return Result(status: status, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Starts `kubectl ARGS` in the background (e.g. `get -w`), collecting its output.
    public func start(_ arguments: [String], kubeconfig: String, home: String) throws -> BackgroundKubectl {
        guard isInstalled else { throw NotInstalled() }
        let process = makeProcess(arguments, kubeconfig: kubeconfig, home: home)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        return BackgroundKubectl(process: process, output: OutputCollector.following(pipe.fileHandleForReading))
    }
}

/// Output of a process, read as it arrives. Pipes are read with blocking reads on
/// Dispatch's global threads (not the concurrency pool, and not `readabilityHandler`,
/// whose dispatch sources have crashed libdispatch on Linux when pipes close).
public final class OutputCollector: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var data = Data()

    /// One `read(2)` of at most `count` bytes from `handle`, retried when a signal
    /// interrupts it: Foundation's `FileHandle` reads end in `try!` and crash the whole
    /// test process on `EINTR`. Empty at end of file (or on another error).
    public static func readChunk(_ handle: FileHandle, count: Int = 65_536) -> Data {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let read = Foundation.read(handle.fileDescriptor, &buffer, count)
            if read >= 0 { return Data(buffer[0..<read]) }
            if errno != EINTR { return Data() }
        }
    }

    /// Everything `handle` delivers until end of file, read with ``readChunk(_:count:)``.
    public static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        while true {
            let chunk = readChunk(handle)
            if chunk.isEmpty { return data }
            data.append(chunk)
        }
    }

    /// Reads `handle` until end of file, then returns everything.
    public static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: readAll(handle)) }
        }
    }

    /// Appends what `handle` delivers, as it arrives, until end of file.
    public static func following(_ handle: FileHandle) -> OutputCollector {
        let collector = OutputCollector()
        DispatchQueue.global().async {
            while true {
                let chunk = readChunk(handle)
                if chunk.isEmpty { return }
                collector.append(chunk)
            }
        }
        return collector
    }

    /// Runs a configured `process` to the end: `stdin` fed and both outputs read off the
    /// concurrency pool (at the same time, so neither side waits on a full pipe).
    public static func runToEnd(_ process: Process, stdin: Data = Data()) async throws -> (status: Int32, stdout: Data, stderr: Data) {
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let writer = input.fileHandleForWriting
        DispatchQueue.global().async {
            if !stdin.isEmpty { writer.write(stdin) }
            try? writer.close()
        }
        async let stdout = readToEnd(out.fileHandleForReading)
        async let stderr = readToEnd(err.fileHandleForReading)
        let (stdoutData, stderrData) = await (stdout, stderr)
        return (await waitForExit(process), stdoutData, stderrData)
    }

    /// The exit status of `process`, waited for off the concurrency pool.
    public static func waitForExit(_ process: Process) async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    public func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

public struct BackgroundKubectl: @unchecked Sendable {
    // Safe: the Process is only terminated and waited for by the test that started it.
    public let process: Process
    public let output: OutputCollector

    public init(process: Process, output: OutputCollector) {
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

    public func stop() {
        if process.isRunning { process.terminate() }
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
