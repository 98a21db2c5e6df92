import Crypto
import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import RotorAPI

/// Assembles the ExternalSecret controller: informers on ExternalSecrets, SecretStores,
/// ClusterSecretStores and on Secrets labelled `rotor.dev/managed=true` only (never
/// every Secret of the cluster), mapped back to the ExternalSecrets they concern.
public enum ExternalSecretController {
    public static func make(
        client: any KubernetesClient, scope: NamespaceScope = .all, workers: Int = 4,
        fingerprintKey: SymmetricKey, events: EventRecorder, providers: StoreProviders = StoreProviders(),
        clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "rotor.operator"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) -> Controller<ExternalSecret> {
        // Indexed by store from the start: a store change looks its ExternalSecrets up here.
        let externalSecrets = Informer<ExternalSecret>(
            client: client, configuration: WatcherConfiguration(scope: scope), clock: clock, logger: logger, metricsFactory: metricsFactory,
            indexes: [storeIndex: { [storeKey(of: $0)] }])
        let secretStores = Informer<SecretStore>(client: client, configuration: WatcherConfiguration(scope: scope), clock: clock, logger: logger, metricsFactory: metricsFactory)
        let clusterSecretStores = Informer<ClusterSecretStore>(client: client, configuration: WatcherConfiguration(), clock: clock, logger: logger, metricsFactory: metricsFactory)
        let managedSecrets = Informer<Secret>(
            client: client,
            configuration: WatcherConfiguration(scope: scope, labelSelector: "\(ManagedSecretMetadata.managedLabel)=\(ManagedSecretMetadata.managedLabelValue)"),
            clock: clock, logger: logger, metricsFactory: metricsFactory)
        let reconciler = ExternalSecretReconciler(
            client: client, providers: providers, secretStores: secretStores.store, clusterSecretStores: clusterSecretStores.store,
            events: events, fingerprintKey: fingerprintKey, logger: logger)
        var controller = Controller(
            name: "externalsecret", primary: externalSecrets, queue: WorkQueue(clock: clock), workers: workers, logger: logger,
            metricsFactory: metricsFactory, urgent: { ForceSync.isRequested(old: $0, new: $1) },
            reconcile: reconciler.reconcile)
        let byStore = externalSecrets.store
        controller.watches(secretStores) { store in
            await byStore.byIndex(storeIndex, "SecretStore/\(store.metadata.namespace ?? "")/\(store.metadata.name ?? "")").map { ObjectKey(of: $0) }
        }
        controller.watches(clusterSecretStores) { store in
            await byStore.byIndex(storeIndex, "ClusterSecretStore//\(store.metadata.name ?? "")").map { ObjectKey(of: $0) }
        }
        controller.watches(managedSecrets) { secret in ownerKeys(of: secret) }
        return controller
    }

    static let storeIndex = "store"

    /// The ExternalSecret that controls a managed Secret.
    static func ownerKeys(of secret: Secret) -> [ObjectKey] {
        var keys: [ObjectKey] = []
        for owner in secret.metadata.ownerReferences ?? [] where owner.kind == "ExternalSecret" && owner.controller == true {
            keys.append(ObjectKey(namespace: secret.metadata.namespace, name: owner.name))
        }
        return keys
    }

    /// `SecretStore/NS/NAME` or `ClusterSecretStore//NAME`: which store an ExternalSecret uses.
    static func storeKey(of es: ExternalSecret) -> String {
        let kind = es.spec.secretStoreRef.kind?.rawValue ?? "SecretStore"
        let namespace = kind == "ClusterSecretStore" ? "" : (es.metadata.namespace ?? "")
        return "\(kind)/\(namespace)/\(es.spec.secretStoreRef.name)"
    }
}
