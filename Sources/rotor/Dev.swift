import ArgumentParser
import Foundation
import KubeClient
import KubernetesEmulator
import Logging
import RotorOperator

/// `rotor dev`: the embedded sandbox — the Kubernetes API emulator, the Vault emulator
/// and the operator in one process, with Rotor's CRDs and a demo applied. `--api-only`
/// runs the Kubernetes API emulator alone.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local sandbox: the Kubernetes API emulator and the operator, with a demo.",
        discussion: """
            The first line printed is the `export KUBECONFIG=…` to copy into another terminal. The \
            Vault emulator's address, root token and CA go to vault.env and vault-ca.pem, in the \
            directory of --kubeconfig. Ctrl-C or SIGTERM stops everything.

            Exit codes: 0 stopped, 1 a runtime failure, 2 a usage error.
            """)

    @Flag(help: "Run only the Kubernetes API emulator (no operator, no Vault emulator).")
    var apiOnly = false

    @Option(help: "Where to write the kubeconfig for kubectl; vault.env and vault-ca.pem (the Vault emulator's address, token and CA) go to the same directory.")
    var kubeconfig: String = ".rotor-dev/kubeconfig"

    @Option(help: "Port of the API emulator (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Port of the Vault emulator (0 picks a free one).")
    var vaultPort: Int = 0

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Flag(help: "Serve plain HTTP instead of HTTPS.")
    var insecureHTTP = false

    @Flag(help: "Do not apply the demo SecretStore and ExternalSecrets.")
    var noDemo = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        guard (0...65535).contains(vaultPort) else { throw ValidationError("--vault-port must be between 0 and 65535, got \(vaultPort)") }
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
        var operatorTask: Task<Void, Error>?
        var client: HTTPKubernetesClient?
        var vault: DevVault.Started?
        if !apiOnly {
            var logger = Logger(label: "rotor")
            logger.logLevel = .warning
            // Paced like `rotor run` by default: adaptive, no fixed ceiling.
            let clientConfiguration = try KubeConfig.parse(yaml: emulator.kubeconfig()).clientConfiguration()
            let kubeClient = try OperatorProcess.kubernetesClient(clientConfiguration)
            client = kubeClient
            let controllers = try await DevSandbox.prepare(emulator: emulator, client: kubeClient, logger: logger)
            operatorTask = Task { try await controllers.run() }
            let started = try await DevVault.start(
                host: host, port: vaultPort, kubernetes: emulator, client: kubeClient,
                directory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
            vault = started
            if !noDemo {
                try await DevSandbox.applyDemo(client: kubeClient)
                try await DevVault.applyDemo(started.emulator, client: kubeClient)
            }
        }
        let tryLines = apiOnly || noDemo
            ? """
              kubectl --kubeconfig \(path) get namespaces
              kubectl --kubeconfig \(path) create secret generic demo --from-literal=password=s3cr3t
              kubectl --kubeconfig \(path) get secrets
            """
            : """
              kubectl --kubeconfig \(path) get externalsecrets,secretstores
              kubectl --kubeconfig \(path) get secret db-credentials -o yaml
              kubectl --kubeconfig \(path) get secret db-url -o jsonpath='{.data.DATABASE_URL}' | base64 -d
              kubectl --kubeconfig \(path) annotate es db rotor.dev/force-sync=$(date +%s) --overwrite
              kubectl --kubeconfig \(path) describe es db
              kubectl --kubeconfig \(path) get secret vault-db-credentials -o jsonpath='{.data.password}' | base64 -d
            """
        // Written unbuffered: scripts wait for these lines on a pipe.
        FileHandle.standardOutput.write(Data("""
            export KUBECONFIG=\(URL(fileURLWithPath: path).standardizedFileURL.path)
            Kubernetes API emulator listening on \(emulator.url)\(apiOnly ? "" : " (operator running\(noDemo ? "" : ", demo applied"))")
            kubeconfig written to \(path)
            \(vault.map { vaultLines($0) } ?? "")

            Try:
            \(tryLines)

            Press Ctrl-C to stop.

            """.utf8))
        await waitForTermination()
        operatorTask?.cancel()
        _ = try? await operatorTask?.value
        await emulator.shutdown()
        await vault?.emulator.shutdown()
        try? await client?.shutdown()
    }

    private func vaultLines(_ vault: DevVault.Started) -> String {
        """
        Vault emulator listening on \(vault.emulator.url) (kubernetes auth role "\(DevVault.role)", secrets under secret/shop/)
          VAULT_ADDR=\(vault.emulator.url)
          VAULT_TOKEN=\(vault.emulator.rootToken)
          VAULT_CACERT=\(vault.caFile)
        written to \(vault.envFile); write a new version with:
          source \(vault.envFile) && curl -s --cacert "$VAULT_CACERT" -H "X-Vault-Token: $VAULT_TOKEN" \\
            -d '{"data":{"user":"app","password":"vault-demo-password-2"}}' "$VAULT_ADDR/v1/secret/data/shop/db"

        """
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
