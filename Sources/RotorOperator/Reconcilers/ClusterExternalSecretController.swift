import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import KubeAPI
import RotorAPI

/// Keeps each ClusterExternalSecret's ExternalSecrets: informers on ClusterExternalSecrets,
/// on the ExternalSecrets they manage (labelled ``ClusterExternalSecretPlanner/managedLabel``,
/// never every ExternalSecret) and, when every namespace is watched, on Namespaces' labels:
/// a namespace created or labelled gets its ExternalSecret at once (no wait for
/// `refreshTime`), one unlabelled loses it. A namespaced install reads the labels of its
/// watched namespaces with one GET each per reconcile.
///
/// The ExternalSecrets themselves are synced by the ExternalSecret controller; with a
/// ClusterSecretStore they share the store's reads, so the provider is read once per
/// refresh however many namespaces there are.
public enum ClusterExternalSecretController {
    public static func make(
        client: any KubernetesClient, scope: NamespaceScope = .all, clock: any RuntimeClock = SystemClock(),
        logger: Logger = Logger(label: "rotor.operator"), metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) -> Controller<ClusterExternalSecret> {
        let clusterExternalSecrets = Informer<ClusterExternalSecret>(
            client: client, clock: clock, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix,
            indexes: [uidIndex: { [$0.metadata.uid ?? ""] }])
        let managed = Informer<ExternalSecret>(
            client: client, configuration: WatcherConfiguration(scope: scope, labelSelector: ClusterExternalSecretPlanner.managedLabel),
            clock: clock, logger: logger, metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix,
            indexes: [ownerIndex: { es in ClusterExternalSecretPlanner.Existing(es).controllerUID.map { [$0] } ?? [] }])
        let namespaces: Informer<NamespaceLabels>? =
            scope == .all
            ? Informer<NamespaceLabels>(
                client: client, resource: Namespace.resourceType, configuration: WatcherConfiguration(), clock: clock, logger: logger,
                metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix, key: \.key, project: NamespaceLabels.init(projecting:))
            : nil
        let reconciler = ClusterExternalSecretReconciler(
            client: client, scope: scope, managed: managed.store, namespaces: namespaces?.store, now: { clock.now() }, logger: logger)
        var controller = Controller(
            name: "clusterexternalsecret", primary: clusterExternalSecrets, queue: WorkQueue(clock: clock), workers: 2, logger: logger,
            metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix, ignoresStatusOnlyChanges: true,
            reconcile: reconciler.reconcile)
        let all = clusterExternalSecrets.store
        // Anyone's change to a managed ExternalSecret (an edit, a delete) wakes its owner, which puts it back.
        controller.watches(managed) { es in
            guard let uid = ClusterExternalSecretPlanner.Existing(es).controllerUID else { return [] }
            return await all.byIndex(uidIndex, uid).map { ObjectKey(of: $0) }
        }
        if let namespaces {
            // A namespace created, deleted or relabelled may change every selection.
            controller.watches(namespaces, version: \.labelsVersion) { _ in await all.list().map { ObjectKey(of: $0) } }
        }
        return controller
    }

    /// Managed ExternalSecrets by their controlling ClusterExternalSecret's uid.
    static let ownerIndex = "owner"
    /// ClusterExternalSecrets by uid: an ExternalSecret's change wakes its owner only.
    static let uidIndex = "uid"
}

/// One reconcile of a ClusterExternalSecret: gather, plan (``ClusterExternalSecretPlanner``),
/// act, then write the status when it changed.
struct ClusterExternalSecretReconciler: Sendable {
    let client: any KubernetesClient
    let scope: NamespaceScope
    let managed: Store<ExternalSecret>
    let namespaces: Store<NamespaceLabels>?
    let now: @Sendable () -> Date
    let logger: Logger

    func reconcile(_ key: ObjectKey, _ ces: ClusterExternalSecret?) async throws -> ReconcileAction {
        // Deleted: its ExternalSecrets (and their Secrets) go by garbage collection.
        guard let ces, ces.metadata.deletionTimestamp == nil else { return .done }
        let labels = await namespaceLabels()
        var existing = await managed.byIndex(ClusterExternalSecretController.ownerIndex, ces.metadata.uid ?? "").map(ClusterExternalSecretPlanner.Existing.init)
        // An ExternalSecret of the wanted name without the label (someone else's, or ours
        // relabelled) is found by name, so it is never overwritten blindly.
        if ClusterExternalSecretPlanner.validate(ces) == nil {
            let first = ClusterExternalSecretPlanner.plan(ces, namespaces: labels, existing: existing)
            for case .create(let es) in first.actions {
                if let found = try? await client.get(ExternalSecret.self, namespace: es.metadata.namespace, name: es.metadata.name ?? "") {
                    existing.append(ClusterExternalSecretPlanner.Existing(found))
                }
            }
        }
        let plan = ClusterExternalSecretPlanner.plan(ces, namespaces: labels, existing: existing)
        var failures: [ClusterExternalSecretNamespaceFailure] = []
        for action in plan.actions {
            if let failure = await carryOut(action, of: ces) { failures.append(failure) }
        }
        let status = ClusterExternalSecretPlanner.status(of: ces, plan: plan, writeFailures: failures, now: now())
        if status != ces.status {
            var updated = ces
            updated.status = status
            _ = try await client.updateStatusReturningReceipt(updated)
        }
        if plan.invalidSpec != nil { return .done }
        let refresh = ces.spec.refreshTimeDuration ?? ClusterExternalSecretSpec.defaultRefreshTime
        return .requeue(after: .nanoseconds(refresh.nanoseconds))
    }

    /// Labels of every namespace the operator watches (nil: could not be read).
    private func namespaceLabels() async -> [String: [String: String]?] {
        var result: [String: [String: String]?] = [:]
        if let namespaces {
            for namespace in await namespaces.list() { result[namespace.name] = namespace.labels }
            return result
        }
        let names: Set<String>
        switch scope {
        case .all: names = []
        case .one(let name): names = [name]
        case .set(let set): names = set
        }
        let source = NamespaceLabelSource.get(client)
        for name in names {
            switch await source.labels(of: name) {
            case .known(let labels): result[name] = labels
            case .unknown(let why, _) where why.hasPrefix("404"): continue
            case .unknown: result[name] = .some(nil)
            }
        }
        return result
    }

    /// Carries out one action; a refusal or failure is returned as the namespace's failure
    /// (a 409 from a concurrent writer is retried at the next reconcile).
    private func carryOut(_ action: ClusterExternalSecretPlanner.Action, of ces: ClusterExternalSecret) async -> ClusterExternalSecretNamespaceFailure? {
        let namespace: String
        switch action {
        case .create(let es), .update(let es): namespace = es.metadata.namespace ?? ""
        case .delete(let ns, _, _): namespace = ns
        }
        do {
            switch action {
            case .create(let es): _ = try await client.create(es)
            case .update(let es): _ = try await client.update(es)
            case .delete(_, let name, let uid):
                _ = try await client.delete(ExternalSecret.self, namespace: namespace, name: name, options: DeleteOptions(preconditions: .init(uid: uid)))
            }
            return nil
        } catch let error as KubeAPIError where [.notFound, .conflict, .alreadyExists].contains(error.kind) {
            return nil  // gone already, or changed meanwhile: the watch brings the next reconcile
        } catch let error as KubeAPIError {
            logger.warning(
                "ClusterExternalSecret write failed",
                metadata: ["clusterExternalSecret": "\(ces.name)", "namespace": "\(namespace)", "error": "\(error)"])
            return ClusterExternalSecretNamespaceFailure(namespace: namespace, reason: "\(error.kind.rawValue): \(error.status?.message ?? "\(error)")")
        } catch {
            return ClusterExternalSecretNamespaceFailure(namespace: namespace, reason: "request failed: \(type(of: error))")
        }
    }
}
