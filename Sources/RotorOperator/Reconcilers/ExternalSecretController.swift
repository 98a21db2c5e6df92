import Crypto
import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import JSONCore
import KubeAPI
import RotorAPI

/// Assembles the ExternalSecret controller: informers on ExternalSecrets, SecretStores,
/// ClusterSecretStores, on Secrets labelled `rotor.dev/managed=true` only (never
/// every Secret of the cluster) and, when every namespace is watched, on Namespaces' labels
/// (for ClusterSecretStore conditions), mapped back to the ExternalSecrets they concern.
public enum ExternalSecretController {
    /// - Parameter rotationCheckpoints: where scheduled rotations report their durable steps
    ///   (``RotationCheckpoints``); nil: a debug log line each, on `logger`.
    /// - Parameter secretAges: where the ages of ExternalSecrets' values are recorded (the
    ///   table the process serves at `/metrics`).
    /// - Parameter audit: where the Secrets written and deleted are audited; nil: nowhere.
    public static func make(
        client: any KubernetesClient, scope: NamespaceScope = .all, workers: Int = 4,
        fingerprintKey: SymmetricKey, events: EventRecorder, providers: StoreProviders = StoreProviders(),
        clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "rotor.operator"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, secretAges: SecretAgeTable,
        rotationCheckpoints: RotationCheckpoints? = nil, audit: AuditLog? = nil
    ) -> Controller<ExternalSecret> {
        // Indexed by store from the start: a store change looks its ExternalSecrets up here.
        let externalSecrets = Informer<ExternalSecret>(
            client: client, configuration: WatcherConfiguration(scope: scope), clock: clock, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix,
            indexes: [
                storeIndex: { [storeKey(of: $0)] },
                targetIndex: { [ObjectKey(namespace: $0.metadata.namespace, name: $0.targetSecretName).description] },
                clusterStoreNamespaceIndex: { $0.spec.secretStoreRef.effectiveKind == .clusterSecretStore ? [$0.metadata.namespace ?? ""] : [] },
            ])
        let secretStores = Informer<SecretStore>(client: client, configuration: WatcherConfiguration(scope: scope), clock: clock, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix)
        let clusterSecretStores = Informer<ClusterSecretStore>(client: client, configuration: WatcherConfiguration(), clock: clock, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix)
        // Only who controls each managed Secret is kept (never its data): the reconciler
        // reads the Secret itself when it converges it.
        let managedSecrets = Informer<ManagedSecretOwners>(
            client: client, resource: Secret.resourceType,
            configuration: WatcherConfiguration(scope: scope, labelSelector: "\(ManagedSecretMetadata.managedLabel)=\(ManagedSecretMetadata.managedLabelValue)"),
            clock: clock, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix, key: \.key, project: ManagedSecretOwners.init(projecting:))
        // Namespace labels for ClusterSecretStore conditions: from a cache when the operator
        // watches every namespace (its ClusterRole may list and watch namespaces), else a GET
        // per lookup (a namespaced install may only get them). Either way unknown labels refuse.
        let namespaces: Informer<NamespaceLabels>? =
            scope == .all
            ? Informer<NamespaceLabels>(
                client: client, resource: Namespace.resourceType, configuration: WatcherConfiguration(), clock: clock, logger: logger,
                metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix, key: \.key, project: NamespaceLabels.init(projecting:))
            : nil
        let queue = WorkQueue<ObjectKey>(clock: clock)
        let ownWrites = OwnWrites()
        let managedSecretCache = managedSecrets.store
        let refreshMarks = RefreshMarks()
        let reconciler = ExternalSecretReconciler(
            client: client, providers: providers, secretStores: secretStores.store, clusterSecretStores: clusterSecretStores.store,
            readAhead: StoreReadAhead(
                externalSecrets: externalSecrets.store, refreshMarks: refreshMarks, upcoming: { await queue.upcoming($0) }, logger: logger),
            refreshMarks: refreshMarks, ownWrites: ownWrites, verifiedTargets: VerifiedTargets(), cachedTargetVersion: { await managedSecretCache.get($0)?.resourceVersion },
            namespaceLabels: namespaces.map { .cache($0.store) } ?? .get(client), events: events, fingerprintKey: fingerprintKey, now: { clock.now() }, logger: logger,
            rotationMetrics: RotationMetrics(factory: metricsFactory, secretAges: secretAges), rotationCheckpoints: rotationCheckpoints,
            audit: audit)
        var controller = Controller(
            name: "externalsecret", primary: externalSecrets, queue: queue, workers: workers, logger: logger,
            metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix, urgent: { ForceSync.isRequested(old: $0, new: $1) || RotateRequest.isRequested(old: $0, new: $1) },
            settled: isSettled, ignoresStatusOnlyChanges: true, reconcile: reconciler.reconcile)
        let byStore = externalSecrets.store
        controller.watches(secretStores) { store in
            await byStore.byIndex(storeIndex, storeKey(of: StoreIdentity(kind: .secretStore, namespace: store.metadata.namespace, name: store.metadata.name ?? "")))
                .map { ObjectKey(of: $0) }
        }
        controller.watches(clusterSecretStores) { store in
            await byStore.byIndex(storeIndex, storeKey(of: StoreIdentity(kind: .clusterSecretStore, namespace: nil, name: store.metadata.name ?? "")))
                .map { ObjectKey(of: $0) }
        }
        // A change of a namespace's labels re-evaluates the ClusterSecretStore conditions of
        // the ExternalSecrets there (admitted or refused anew); other Namespace changes wake no one.
        if let namespaces {
            controller.watches(namespaces, version: \.labelsVersion) { namespace in
                await byStore.byIndex(clusterStoreNamespaceIndex, namespace.name).map { ObjectKey(of: $0) }
            }
        }
        // The Secret the reconciler just wrote wakes no one: it knows what it wrote. Anyone
        // else's change wakes its controller and every ExternalSecret naming it as target
        // (an Orphan Secret has no ownerReference).
        controller.watches(
            managedSecrets, version: \.resourceVersion,
            ignoring: { secret in await ownWrites.isEcho(secret.key, resourceVersion: secret.resourceVersion) }
        ) { secret in
            let naming = await byStore.byIndex(targetIndex, secret.key.description).map { ObjectKey(of: $0) }
            return secret.owners + naming.filter { !secret.owners.contains($0) }
        }
        return controller
    }

    static let storeIndex = "store"
    /// ExternalSecrets that use a ClusterSecretStore, by their namespace.
    static let clusterStoreNamespaceIndex = "clusterStoreNamespace"
    /// ExternalSecrets by their target Secret's `ObjectKey` description (`NS/NAME`).
    static let targetIndex = "target"

    /// Synced at its current generation: after an operator restart it only needs its
    /// periodic check, so it waits behind new and changed ExternalSecrets.
    static func isSettled(_ es: ExternalSecret) -> Bool {
        guard let status = es.status, let generation = es.metadata.generation, status.observedGeneration == generation else { return false }
        return status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
    }

    /// `SecretStore/NS/NAME` or `ClusterSecretStore//NAME`: which store an ExternalSecret uses.
    static func storeKey(of es: ExternalSecret) -> String {
        let kind = es.spec.secretStoreRef.kind?.rawValue ?? "SecretStore"
        let namespace = kind == "ClusterSecretStore" ? "" : (es.metadata.namespace ?? "")
        return "\(kind)/\(namespace)/\(es.spec.secretStoreRef.name)"
    }

    /// The same key for a resolved store.
    static func storeKey(of store: StoreIdentity) -> String {
        "\(store.kind.rawValue)/\(store.namespace ?? "")/\(store.name)"
    }
}

/// What the controller keeps of a managed Secret: its key, version and the
/// ExternalSecret that controls it — a few hundred bytes instead of the whole Secret.
struct ManagedSecretOwners: Sendable {
    var key: ObjectKey
    var resourceVersion: String?
    /// The ExternalSecrets named as controller in the Secret's ownerReferences.
    var owners: [ObjectKey]

    init(projecting json: JSONValue) throws {
        let metadata = json["metadata"]
        let namespace = metadata?["namespace"]?.stringValue
        key = ObjectKey(namespace: namespace, name: metadata?["name"]?.stringValue ?? "")
        resourceVersion = metadata?["resourceVersion"]?.stringValue
        owners = (metadata?["ownerReferences"]?.arrayValue ?? []).compactMap { owner in
            guard owner["kind"]?.stringValue == "ExternalSecret", owner["controller"]?.boolValue == true,
                let name = owner["name"]?.stringValue
            else { return nil }
            return ObjectKey(namespace: namespace, name: name)
        }
    }
}
