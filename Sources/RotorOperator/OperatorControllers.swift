import Crypto
import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import RotorAPI
import ServiceLifecycle

/// Every controller of the operator, sharing one provider per store. `allowances`: what
/// ClusterSecretStores may use of the operator's own identity (ignored when `providers`
/// is given: it carries its own). `secretAges`: where the ages of ExternalSecrets' values
/// are recorded, the table the process serves at `/metrics` (one served nowhere by
/// default). `audit`: where provider reads and writes and Secret writes are audited (nowhere
/// by default; ignored for providers when `providers` is given). A swift-service-lifecycle `Service`, so it can run under a `LeaderElectedService`.
public struct OperatorControllers: Service {
    public let externalSecrets: Controller<ExternalSecret>
    public let secretStores: Controller<SecretStore>
    public let clusterSecretStores: Controller<ClusterSecretStore>
    public let clusterExternalSecrets: Controller<ClusterExternalSecret>
    public let pushSecrets: Controller<PushSecret>

    public init(
        client: any KubernetesClient, scope: NamespaceScope = .all, workers: Int = 4, fingerprintKey: SymmetricKey,
        events: EventRecorder, logger: Logger = Logger(label: "rotor.operator"), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        providers: StoreProviders? = nil, allowances: AmbientIdentityAllowances = .none, secretAges: SecretAgeTable = SecretAgeTable(),
        audit: AuditLog? = nil
    ) {
        let providers = providers ?? StoreProviders.kubernetes(client: client, logger: logger, allowances: allowances, audit: audit)
        externalSecrets = ExternalSecretController.make(
            client: client, scope: scope, workers: workers, fingerprintKey: fingerprintKey, events: events, providers: providers,
            logger: logger, metricsFactory: metricsFactory, secretAges: secretAges, audit: audit)
        (secretStores, clusterSecretStores) = SecretStoreController.make(
            client: client, scope: scope, providers: providers, logger: logger, metricsFactory: metricsFactory)
        clusterExternalSecrets = ClusterExternalSecretController.make(client: client, scope: scope, logger: logger, metricsFactory: metricsFactory)
        pushSecrets = PushSecretController.make(
            client: client, scope: scope, providers: providers, fingerprintKey: fingerprintKey, logger: logger, metricsFactory: metricsFactory)
    }

    /// Whether every controller's caches have synced (`/readyz` on the leader).
    public func hasSynced() async -> Bool {
        let synced = [
            await externalSecrets.hasSynced(), await secretStores.hasSynced(), await clusterSecretStores.hasSynced(),
            await clusterExternalSecrets.hasSynced(), await pushSecrets.hasSynced(),
        ]
        return !synced.contains(false)
    }

    /// Runs all controllers until cancelled (each finishes its in-flight reconciles).
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await externalSecrets.run() }
            group.addTask { try await secretStores.run() }
            group.addTask { try await clusterSecretStores.run() }
            group.addTask { try await clusterExternalSecrets.run() }
            group.addTask { try await pushSecrets.run() }
            try await group.waitForAll()
        }
    }
}
