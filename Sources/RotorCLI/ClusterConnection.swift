import Foundation
import KubeClient
import Logging
import RotorAPI

/// Where `kubectl rotor` connects, chosen as kubectl chooses it.
public struct ConnectionSettings: Sendable, Hashable {
    /// `--kubeconfig`: this one file; otherwise the files of `KUBECONFIG`, else `~/.kube/config`.
    public var kubeconfig: String?
    /// `--context`: this context; otherwise the kubeconfig's `current-context`.
    public var context: String?
    /// `-n/--namespace`: this namespace; otherwise the context's, else `default`.
    public var namespace: String?

    public init(kubeconfig: String? = nil, context: String? = nil, namespace: String? = nil) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.namespace = namespace
    }

    /// The client configuration and the namespace these settings select, with `environment`
    /// standing for the process's (`KUBECONFIG`, `HOME`).
    public func resolve(environment: [String: String]) throws -> (configuration: ClientConfiguration, namespace: String) {
        let config: KubeConfig
        if let kubeconfig, !kubeconfig.isEmpty {
            config = try KubeConfig.load(path: kubeconfig)
        } else {
            config = try KubeConfig.loadDefault(environment: environment)
        }
        if let context, config.contexts[context] == nil {
            throw PluginError("context \"\(context)\" does not exist")
        }
        var configuration = try config.clientConfiguration(context: context)
        configuration.userAgent = "kubectl-rotor/\(RotorAPIVersion.string)"
        let chosen = namespace.flatMap { $0.isEmpty ? nil : $0 } ?? configuration.namespace
        return (configuration, chosen)
    }
}

/// A client for one command: made from ``ConnectionSettings``, shut down when the command ends.
public enum ClusterConnection {
    /// Runs `body` with a client and the selected namespace, and always shuts the client down.
    public static func with<T: Sendable>(
        _ settings: ConnectionSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (any KubernetesClient, String) async throws -> T
    ) async throws -> T {
        let (configuration, namespace) = try settings.resolve(environment: environment)
        // The plugin's output is its tables and messages: the client logs nothing.
        let logger = Logger(label: "kubectl-rotor") { _ in SwiftLogNoOpLogHandler() }
        let client = try HTTPKubernetesClient(configuration: configuration, logger: logger)
        do {
            let result = try await body(client, namespace)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
