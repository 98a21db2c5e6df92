import Foundation
import KubernetesEmulator
import Testing

/// Runs the real `kubectl` against an emulator, as a user would.
struct Kubectl: Sendable, CustomTestStringConvertible {
    /// The executable: the image's dispatcher `kubectl`, or a versioned client.
    let executable: String
    let label: String

    var testDescription: String { label }

    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var succeeded: Bool { status == 0 }
    }

    /// The clients to test with: `kubectl` from PATH (which picks the client matching
    /// the server's version) and, when the image has them, the oldest and newest
    /// versioned clients (`kubectl.1.27`, `kubectl.1.33`) from `ROTOR_KUBECTL_DIR`.
    static var available: [Kubectl] {
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
        return clients
    }

    static func findOnPath(_ name: String) -> String? {
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
    func run(_ arguments: [String], kubeconfig: String, home: String, stdin: String? = nil) async throws -> Result {
        let (status, stdoutData, stderrData) = try await OutputCollector.runToEnd(
            makeProcess(arguments, kubeconfig: kubeconfig, home: home), stdin: stdin.map { Data($0.utf8) } ?? Data())
        return Result(status: status, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Starts `kubectl ARGS` in the background (e.g. `get -w`), collecting its output.
    func start(_ arguments: [String], kubeconfig: String, home: String) throws -> BackgroundKubectl {
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
final class OutputCollector: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var data = Data()

    /// Reads `handle` until end of file, then returns everything.
    static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    /// Appends what `handle` delivers, as it arrives, until end of file.
    static func following(_ handle: FileHandle) -> OutputCollector {
        let collector = OutputCollector()
        DispatchQueue.global().async {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                collector.append(chunk)
            }
        }
        return collector
    }

    /// Runs a configured `process` to the end: `stdin` fed and both outputs read off the
    /// concurrency pool (at the same time, so neither side waits on a full pipe).
    static func runToEnd(_ process: Process, stdin: Data = Data()) async throws -> (status: Int32, stdout: Data, stderr: Data) {
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
    static func waitForExit(_ process: Process) async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

struct BackgroundKubectl: @unchecked Sendable {
    // Safe: the Process is only terminated and waited for by the test that started it.
    let process: Process
    let output: OutputCollector

    /// Waits (polling, bounded) until the output satisfies `condition`.
    func waitForOutput(timeout: Duration = .seconds(20), _ condition: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(output.text) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(output.text)
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// An emulator with a kubeconfig and a private HOME on disk, for kubectl tests.
struct KubectlSandbox: Sendable {
    let emulator: KubernetesEmulator
    let kubectl: Kubectl
    let directory: String

    var kubeconfig: String { "\(directory)/kubeconfig" }

    static func start(_ kubectl: Kubectl) async throws -> KubectlSandbox {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-kubectl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let emulator = try await KubernetesEmulator.start()
        let sandbox = KubectlSandbox(emulator: emulator, kubectl: kubectl, directory: directory)
        try emulator.writeKubeconfig(to: sandbox.kubeconfig)
        return sandbox
    }

    /// Runs kubectl; a failure is reported with its stderr (never secret data: tests use fake values).
    @discardableResult
    func kubectl(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Kubectl.Result {
        try await kubectl(arguments, stdin: stdin, sourceLocation: sourceLocation)
    }

    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Kubectl.Result {
        let result = try await kubectl.run(arguments, kubeconfig: kubeconfig, home: directory, stdin: stdin)
        #expect(result.succeeded, "kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs kubectl expecting it to fail; returns its result.
    func kubectlFailing(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Kubectl.Result {
        let result = try await kubectl.run(arguments, kubeconfig: kubeconfig, home: directory, stdin: stdin)
        #expect(!result.succeeded, "kubectl \(arguments.joined(separator: " ")) unexpectedly succeeded", sourceLocation: sourceLocation)
        return result
    }

    func stop() async {
        await emulator.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The rows of `kubectl get` output, split on runs of spaces.
func tableRows(_ output: String) -> [[String]] {
    output.split(separator: "\n").map { line in line.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
}

/// A CRD used by the kubectl tests: printer columns, a default, an enum, a required field, status.
let widgetCRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
      versions:
      - name: v1
        served: true
        storage: true
        subresources: {status: {}}
        additionalPrinterColumns:
        - {name: Size, type: integer, jsonPath: .spec.size}
        - {name: Color, type: string, jsonPath: .spec.color}
        - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
        - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
        schema:
          openAPIV3Schema:
            type: object
            description: A Widget is a test resource.
            properties:
              spec:
                type: object
                description: The desired widget.
                required: [size]
                properties:
                  size: {type: integer, minimum: 1, description: How big the widget is.}
                  color: {type: string, enum: [red, blue], default: red, description: The colour of the widget.}
              status:
                type: object
                properties:
                  conditions:
                    type: array
                    items: {type: object, x-kubernetes-preserve-unknown-fields: true}

    """

func widget(_ name: String, namespace: String = "default", size: Int, color: String? = nil) -> String {
    var spec = "size: \(size)"
    if let color { spec += ", color: \(color)" }
    return """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: \(name), namespace: \(namespace)}
        spec: {\(spec)}

        """
}
