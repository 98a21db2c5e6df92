import Foundation
import HTTPServing
import Logging
import NIOCore
import NIOPosix
import KubeAPI

/// An in-process emulator of kube-apiserver's HTTP API.
///
/// It serves discovery, OpenAPI v3, Table output, CRUD with optimistic concurrency,
/// the status subresource, finalizers, ownerReference garbage collection, namespace
/// termination, watches with bookmarks and 410 after compaction, CRDs with
/// structural-schema validation, ServiceAccount tokens and RBAC authorization — faithfully enough that
/// the real `kubectl` works against it, and that code which would fail against a
/// real API server fails here too. Tests, benchmarks and `rotor dev` use it.
public final class KubernetesEmulator: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port.
        public var port = 0
        /// Serve HTTPS with a freshly generated CA (kubeconfigs then carry the CA).
        public var tls = true
        /// The bearer token of the cluster admin.
        public var adminToken = "rotor-admin-" + UUID().uuidString.lowercased()
        /// Changes kept for resuming watches; older resourceVersions get 410 Expired.
        public var historyLimit = 100_000
        /// How often watches that asked for bookmarks get one.
        public var bookmarkInterval: Duration = .seconds(5)
        /// Events buffered per slow watcher before it is closed.
        public var watchBufferLimit = 50_000
        /// Namespaces that exist from the start, as in a new cluster.
        public var initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]
        public var logger = Logger(label: "rotor.kubernetes-emulator")
        /// RBAC authorization of every request, as kube-apiserver's `--authorization-mode=RBAC`.
        /// Off, every request is allowed (`AlwaysAllow`): only for tests where RBAC is beside the point.
        public var authorization = true
        /// The `OwnerReferencesPermissionEnforcement` admission plugin (OpenShift runs it; an
        /// upstream kube-apiserver only with `--enable-admission-plugins`): setting
        /// `blockOwnerDeletion` needs `update` on the owner's `finalizers`, changing
        /// `ownerReferences` needs `delete` on the object. Needs ``authorization``.
        public var ownerReferencesPermissionEnforcement = false

        public init() {}
    }

    /// The server's base URL, e.g. `https://127.0.0.1:36443`.
    public let url: String
    public let adminToken: String
    /// The PEM CA certificate clients must trust (nil without TLS).
    public let caCertificatePEM: String?
    /// Failure, latency and request-count controls for tests.
    public let faults: FaultInjector
    /// Which RoleBinding or ClusterRoleBinding, and which rule, allowed each request RBAC allowed.
    public let authorizations: AuthorizationLog
    /// The `iss` of the ServiceAccount tokens the emulator issues.
    public let serviceAccountIssuer = ServiceAccountTokens.issuer
    /// The PEM public key (ES256) ServiceAccount tokens are signed with: what a Vault JWT
    /// auth method's `jwt_validation_pubkeys` is configured with to accept them.
    public let serviceAccountPublicKeyPEM: String
    let store: ClusterStore
    private let server: HTTPServer
    private let bookmarkTask: Task<Void, Never>

    private init(
        url: String, adminToken: String, ca: String?, faults: FaultInjector, authorizations: AuthorizationLog, store: ClusterStore,
        server: HTTPServer, bookmarkTask: Task<Void, Never>, serviceAccountPublicKeyPEM: String
    ) {
        self.serviceAccountPublicKeyPEM = serviceAccountPublicKeyPEM
        self.url = url
        self.adminToken = adminToken
        self.caCertificatePEM = ca
        self.faults = faults
        self.authorizations = authorizations
        self.store = store
        self.server = server
        self.bookmarkTask = bookmarkTask
    }

    /// Starts an emulator and returns once it accepts connections.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> KubernetesEmulator {
        let store = ClusterStore(configuration: .init(historyLimit: configuration.historyLimit, watchBufferLimit: configuration.watchBufferLimit))
        for name in configuration.initialNamespaces {
            _ = try await store.create(
                await store.allDescriptors().first { $0.id == ResourceRegistry.namespaces }!, namespace: nil,
                body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]], options: WriteOptions())
        }
        try await store.bootstrapRBAC()
        await store.markStarted()
        let certificates = configuration.tls ? try ServingCertificates.generate() : nil
        let faults = FaultInjector()
        let authorizations = AuthorizationLog()
        let group = MultiThreadedEventLoopGroup.singleton
        let tokens = ServiceAccountTokens()
        let api = APIServer(
            store: store, faults: faults, tokens: tokens, adminToken: configuration.adminToken, now: Date.init,
            authorization: RequestAuthorization(
                store: store, log: authorizations, enabled: configuration.authorization,
                enforcesOwnerReferencePermissions: configuration.ownerReferencesPermissionEnforcement))
        let server = try await HTTPServer(
            host: configuration.host, port: configuration.port, tls: try certificates?.makeServerContext(), group: group,
            logger: configuration.logger,
            payloadTooLarge: .error(APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is 3145728"))
        ) { request in
            await api.handle(request)
        }
        let scheme = configuration.tls ? "https" : "http"
        let url = "\(scheme)://\(configuration.host):\(server.port)"
        let interval = configuration.bookmarkInterval
        let bookmarkTask = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await store.sendBookmarks()
            }
        }
        return KubernetesEmulator(
            url: url, adminToken: configuration.adminToken, ca: certificates?.caCertificatePEM, faults: faults,
            authorizations: authorizations, store: store,
            server: server, bookmarkTask: bookmarkTask, serviceAccountPublicKeyPEM: tokens.publicKeyPEM)
    }

    /// Stops serving and ends open watches. (Connections run on NIO's shared event loops.)
    public func shutdown() async {
        bookmarkTask.cancel()
        await store.dropAllWatches()
        await server.shutdown()
    }

    /// A kubeconfig for the admin user (CA embedded), as `kubectl` and `KubeClient` read it.
    public func kubeconfig(contextName: String = "rotor-dev", namespace: String = "default") -> String {
        var cluster = "    server: \(url)\n"
        if let caCertificatePEM {
            cluster += "    certificate-authority-data: \(Data(caCertificatePEM.utf8).base64EncodedString())\n"
        }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: \(contextName)
              cluster:
            \(cluster)users:
            - name: \(contextName)-admin
              user:
                token: \(adminToken)
            contexts:
            - name: \(contextName)
              context:
                cluster: \(contextName)
                user: \(contextName)-admin
                namespace: \(namespace)
            current-context: \(contextName)
            preferences: {}

            """
    }

    /// Writes `kubeconfig()` to `path` (mode 0600: it holds a credential).
    public func writeKubeconfig(to path: String, contextName: String = "rotor-dev") throws {
        // It holds the admin token: owner-only from its first byte.
        try PrivateFile.write(kubeconfig(contextName: contextName), to: path)
    }

    // MARK: Test controls

    /// Ends every open watch, as an API server restart or a load balancer would.
    public func dropWatches() async { await store.dropAllWatches() }

    /// Forgets the change history, so resuming a watch from any earlier resourceVersion gets 410 Expired.
    public func compactHistory() async { await store.compactHistory() }

    /// Sends a bookmark to every watch that asked for them, now.
    public func sendBookmarks() async { await store.sendBookmarks() }

    public func openWatchCount() async -> Int { await store.openWatchCount }

    /// The latest resourceVersion handed out.
    public func currentResourceVersion() async -> Int64 { await store.currentResourceVersion }
}

