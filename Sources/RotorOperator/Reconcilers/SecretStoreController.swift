import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import KubeAPI
import RotorAPI
import SecretProviders

/// Checks SecretStores and ClusterSecretStores: builds the provider from the spec, asks
/// it to validate the configuration and credentials (a login, a cheap authenticated
/// call; the fake provider always passes unless told to fail), and writes the `Ready`
/// condition and capabilities — only when they change. ExternalSecrets wait for `Ready`.
public enum SecretStoreController {
    /// How often a store that is Ready is checked again (credentials expire, servers move).
    public static let recheckInterval: Duration = .seconds(300)

    public static func make(
        client: any KubernetesClient, scope: NamespaceScope = .all, providers: StoreProviders,
        clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "rotor.operator"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) -> (Controller<SecretStore>, Controller<ClusterSecretStore>) {
        let namespaced = Controller(
            name: "secretstore",
            primary: Informer<SecretStore>(client: client, configuration: WatcherConfiguration(scope: scope), clock: clock, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix),
            queue: WorkQueue(clock: clock), workers: 2, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix,
            ignoresStatusOnlyChanges: true
        ) { key, store in
            try await reconcile(store, identity: .secretStore(namespace: key.namespace ?? "", name: key.name), client: client, providers: providers)
        }
        let cluster = Controller(
            name: "clustersecretstore",
            primary: Informer<ClusterSecretStore>(client: client, clock: clock, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix),
            queue: WorkQueue(clock: clock), workers: 2, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix,
            ignoresStatusOnlyChanges: true
        ) { key, store in
            try await reconcile(store, identity: .clusterSecretStore(name: key.name), client: client, providers: providers)
        }
        return (namespaced, cluster)
    }

    /// One check of a store of either kind; the status is written only when it changed.
    static func reconcile<Store: StoreResource>(
        _ store: Store?, identity: StoreIdentity, client: any KubernetesClient, providers: StoreProviders
    ) async throws -> ReconcileAction {
        // Gone: its provider goes too (its cache holds values; its clients hold connections).
        guard var store else {
            await providers.forget(identity)
            return .done
        }
        if let status = try await check(store.storeProvider, identity: identity, status: store.status, generation: store.metadata.generation, providers: providers) {
            store.status = status
            try await client.updateStatusReturningReceipt(store)
        }
        return .requeue(after: recheckInterval)
    }

    /// The store's new status, or nil when it is unchanged (no write).
    static func check(
        _ provider: SecretStoreProvider, identity: StoreIdentity, status: SecretStoreStatus?, generation: Int64?, providers: StoreProviders
    ) async throws -> SecretStoreStatus? {
        let result: StoreCheck
        // The identity rule first: a store that breaks it gets no provider, so nothing is sent.
        switch StoreIdentityRule.evaluate(provider, store: identity, allowances: providers.allowances) {
        case .failure(let error):
            await providers.forget(identity)
            result = .failed(error, store: identity)
        case .success(let grant):
            do {
                let reader = try await providers.reader(for: identity, provider: provider)
                try await reader.validate()
                let capabilities: SecretStoreCapabilities = reader.capabilities.access == .readWrite ? .readWrite : .readOnly
                result = .valid(capabilities, warnings: grant.warnings)
            } catch let error as ProviderError {
                result = .failed(error, store: identity)
            }
        }
        let desired = StoreStatusPlanner.desiredStatus(current: status, generation: generation, check: result, now: Date())
        return desired == status ? nil : desired
    }
}

/// What SecretStore and ClusterSecretStore share for a readiness check.
protocol StoreResource: KubernetesResource {
    var storeProvider: SecretStoreProvider { get }
    var status: SecretStoreStatus? { get set }
}

extension SecretStore: StoreResource {
    var storeProvider: SecretStoreProvider { spec.provider }
}

extension ClusterSecretStore: StoreResource {
    var storeProvider: SecretStoreProvider { spec.provider }
}
