import ArgumentParser
import Foundation
import KubernetesEmulator
import Logging

/// `rotor dev`: the embedded sandbox. Today it runs the Kubernetes API emulator
/// (`--api-only`); the operator and the Vault emulator join it in later stages.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local sandbox: a Kubernetes API emulator that kubectl can talk to.")

    @Flag(help: "Run only the Kubernetes API emulator (no operator, no Vault emulator).")
    var apiOnly = false

    @Option(help: "Where to write the kubeconfig for kubectl.")
    var kubeconfig: String = ".rotor-dev/kubeconfig"

    @Option(help: "Port of the API emulator (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Flag(help: "Serve plain HTTP instead of HTTPS.")
    var insecureHTTP = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        guard !kubeconfig.isEmpty else { throw ValidationError("--kubeconfig must name a file") }
    }

    func run() async throws {
        var configuration = KubernetesEmulator.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.tls = !insecureHTTP
        configuration.logger.logLevel = .warning
        let emulator = try await KubernetesEmulator.start(configuration)
        let path = URL(fileURLWithPath: kubeconfig).standardizedFileURL.path
        try emulator.writeKubeconfig(to: path)
        if !apiOnly {
            print("note: the operator is not part of the sandbox yet; running the Kubernetes API emulator only.")
        }
        // Written unbuffered: scripts wait for these lines on a pipe.
        FileHandle.standardOutput.write(Data("""
            Kubernetes API emulator listening on \(emulator.url)
            kubeconfig written to \(path)

            Try:
              kubectl --kubeconfig \(path) get namespaces
              kubectl --kubeconfig \(path) create secret generic demo --from-literal=password=s3cr3t
              kubectl --kubeconfig \(path) get secrets

            Press Ctrl-C to stop.

            """.utf8))
        await waitForTermination()
        await emulator.shutdown()
    }
}

/// Returns when the process gets SIGINT or SIGTERM.
func waitForTermination() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    let sources = [SIGINT, SIGTERM].map { signalNumber in
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        return source
    }
    for await _ in stream { break }
    sources.forEach { $0.cancel() }
}
