import Foundation

extension ClientConfiguration {
    /// The configuration of a kubeconfig context, as kubectl would pick it: the
    /// file at `path` if given, else the `KUBECONFIG` files, else `~/.kube/config`;
    /// `context` overrides `current-context`.
    public static func fromKubeconfig(
        path: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ClientConfiguration {
        let config = try path.map { try KubeConfig.load(path: $0) } ?? KubeConfig.loadDefault(environment: environment)
        return try config.clientConfiguration(context: context)
    }

    /// The service-account configuration of a pod, as client-go's `InClusterConfig`:
    /// `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the mounted
    /// `ca.crt`, the mounted `token` (re-read as it rotates) and `namespace`.
    /// `serviceAccountDirectory` is injectable for tests.
    ///
    /// A missing or empty `ca.crt` is an error (`fileNotFound` / `invalidValue`) naming the
    /// file, never a fall-back to the public roots: anyone with a publicly trusted
    /// certificate could otherwise pose as the API server and receive the pod's token.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeConfigError(.notInCluster, "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        }
        let tokenPath = "\(serviceAccountDirectory)/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeConfigError(.notInCluster, "no service-account token at \(tokenPath)")
        }
        // An IPv6 service address needs brackets in a URL.
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var configuration = ClientConfiguration(server: "https://\(hostPart):\(port)", authentication: .bearerTokenFile(path: tokenPath))
        let caPath = "\(serviceAccountDirectory)/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw KubeConfigError(
                .fileNotFound, "no service-account CA certificate at \(caPath): refusing to trust public roots for the API server")
        }
        guard !ca.isEmpty else {
            throw KubeConfigError(.invalidValue, "the service-account CA certificate \(caPath) is empty")
        }
        configuration.tls.certificateAuthorityPEM = [UInt8](ca)
        if let data = FileManager.default.contents(atPath: "\(serviceAccountDirectory)/namespace") {
            let namespace = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !namespace.isEmpty { configuration.namespace = namespace }
        }
        return configuration
    }

    /// What to use where we run, in controller-runtime's order: the `KUBECONFIG`
    /// files if that variable is set, else the pod's service account if in a
    /// cluster, else `~/.kube/config`.
    public static func automatic(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws -> ClientConfiguration {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return try fromKubeconfig(environment: environment)
        }
        do {
            return try inCluster(environment: environment, serviceAccountDirectory: serviceAccountDirectory)
        } catch let error as KubeConfigError where error.kind == .notInCluster {
            return try fromKubeconfig(environment: environment)
        }
    }
}
