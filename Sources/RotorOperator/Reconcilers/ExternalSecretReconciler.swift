import Crypto
import Foundation
import KubeClient
import KubeRuntime
import Logging
import RotorAPI
import SecretProviders

/// Converges one ExternalSecret toward its Secret (DESIGN §9). Decisions are made by
/// the pure planners; this type only reads, asks and writes:
///
/// 1. resolve the store (`StoreResolution`), 2. read the target Secret, 3. decide
/// whether a sync is due (`RefreshPlanner`), 4. read the values (`ValueResolver`,
/// coalesced per store), 5. render (`SecretRenderer`) and plan the write
/// (`ManagedSecretPlan`: no request when nothing changed), 6. write the status only
/// when it changed (`ExternalSecretStatusPlanner`), 7. requeue for the next refresh.
///
/// The failure rule: any failure before the write leaves the Secret exactly as it was;
/// the status says why (`Ready=False`), a warning Event is recorded, and the key is
/// retried with backoff (or waits for a change, for a bad spec).
public struct ExternalSecretReconciler: Sendable {
    public let client: any KubernetesClient
    public let providers: StoreProviders
    public let secretStores: Store<SecretStore>
    public let clusterSecretStores: Store<ClusterSecretStore>
    public let events: EventRecorder
    /// The per-install HMAC key's bytes (`SymmetricKey` is not Sendable).
    let fingerprintKeyBytes: [UInt8]
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let logger: Logger

    public init(
        client: any KubernetesClient, providers: StoreProviders, secretStores: Store<SecretStore>,
        clusterSecretStores: Store<ClusterSecretStore>, events: EventRecorder, fingerprintKey: SymmetricKey,
        now: @escaping @Sendable () -> Date = Date.init, random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        logger: Logger = Logger(label: "rotor.externalsecret")
    ) {
        self.client = client
        self.providers = providers
        self.secretStores = secretStores
        self.clusterSecretStores = clusterSecretStores
        self.events = events
        self.fingerprintKeyBytes = fingerprintKey.withUnsafeBytes { Array($0) }
        self.now = now
        self.random = random
        self.logger = logger
    }

    public func reconcile(_ key: ObjectKey, _ object: ExternalSecret?) async throws -> ReconcileAction {
        // Gone or going: an Owner Secret goes with it through its ownerReference.
        guard let es = object, es.metadata.deletionTimestamp == nil else { return .done }
        let schedule: RefreshSchedule
        switch RefreshSchedule.of(es.spec) {
        case .success(let s): schedule = s
        case .failure(let failure): return try await fail(es, failure)
        }
        let resolution = await resolveStore(es)
        guard case .resolved(let store) = resolution else {
            return try await fail(es, resolution.failure ?? .storeNotReady("store not resolved"))
        }
        let existing = try await readTarget(es)
        let targetState: TargetState
        if let existing {
            let recorded = existing.metadata.annotations?[ManagedSecretMetadata.fingerprintAnnotation]
            targetState = recorded != nil && recorded == es.status?.fingerprint ? .matches : .drifted
        } else {
            targetState = .missing
        }
        let version = SyncedVersion(externalSecret: es, store: store)
        guard RefreshPlanner.dueReason(schedule: schedule, status: es.status, current: version, target: targetState, now: now()) != nil else {
            try await writeStatus(es, outcome: .notDue(secretName: es.targetSecretName, store: store.identity))
            return RefreshPlanner.nextAction(schedule: schedule, lastRefresh: es.status?.refreshTime?.date, now: now(), random: random)
        }
        let reader: any SecretReader
        do {
            reader = try await providers.reader(for: store.identity, provider: store.provider)
        } catch {
            return try await fail(es, .provider(error, store: store.identity))
        }
        let values: [String: SecretValue]
        switch await ValueResolver.resolve(es.spec, from: reader) {
        case .success(let v): values = v
        case .failure(let failure):
            if failure.error.isSecretMissing, es.spec.target?.deletionPolicy == .delete, let existing {
                try await deleteManagedSecret(existing, of: es)
            }
            return try await fail(es, .provider(failure.error, store: store.identity), field: failure.field)
        }
        let rendered: RenderedSecret
        do {
            rendered = try SecretRenderer.render(externalSecret: es, values: values)
        } catch {
            return try await fail(es, SyncFailure(reason: error.conditionReason, message: error.description, isTerminal: true))
        }
        let plan = ManagedSecretPlan(
            rendered: rendered, externalSecret: es, existing: existing, fingerprintKey: SymmetricKey(data: fingerprintKeyBytes))
        var wrote = false
        switch plan.action {
        case .create(let secret):
            _ = try await client.create(secret)
            wrote = true
        case .update(let secret):
            _ = try await client.update(secret)
            wrote = true
        case .none:
            break
        case .refuse(let refusal):
            return try await fail(es, SyncFailure(reason: refusal.conditionReason, message: refusal.description, isTerminal: true))
        }
        try await writeStatus(es, outcome: .synced(SyncedSecret(
            secretName: es.targetSecretName, store: store.identity, syncedVersion: version, fingerprint: plan.fingerprint)))
        if wrote {
            await events.normal(reason: "Synced", message: "Secret \(plan.secret) written from \(store.identity.phrase)", about: ObjectReference(to: es))
        }
        return RefreshPlanner.nextAction(schedule: schedule, lastRefresh: now(), now: now(), random: random)
    }

    // MARK: Steps

    private func resolveStore(_ es: ExternalSecret) async -> StoreResolution {
        let namespace = es.metadata.namespace ?? ""
        let storeName = es.spec.secretStoreRef.name
        let namespaced = await secretStores.get(ObjectKey(namespace: namespace, name: storeName))
        let cluster = await clusterSecretStores.get(ObjectKey(namespace: nil, name: storeName))
        var labels: [String: String] = [:]
        if cluster != nil, let ns = try? await client.get(Namespace.self, namespace: nil, name: namespace) {
            labels = ns.metadata.labels ?? [:]
        }
        return StoreResolution.resolve(
            es, namespaceLabels: labels,
            secretStore: { ns, name in ns == namespace && name == storeName ? namespaced : nil },
            clusterSecretStore: { name in name == storeName ? cluster : nil })
    }

    /// The target Secret, read from the API (a Merge target is not a managed Secret, so it
    /// is not in the managed-Secret cache).
    private func readTarget(_ es: ExternalSecret) async throws -> Secret? {
        do {
            return try await client.get(Secret.self, namespace: es.metadata.namespace, name: es.targetSecretName)
        } catch let error as KubeAPIError where error.kind == .notFound {
            return nil
        }
    }

    /// `deletionPolicy: Delete` and the remote secret is gone: delete the Secret, but only
    /// one this ExternalSecret controls.
    private func deleteManagedSecret(_ secret: Secret, of es: ExternalSecret) async throws {
        let controlled = secret.metadata.ownerReferences?.contains { $0.controller == true && $0.uid == es.metadata.uid } ?? false
        guard controlled else { return }
        _ = try await client.delete(
            Secret.self, namespace: secret.metadata.namespace, name: secret.metadata.name ?? "",
            options: DeleteOptions(preconditions: .init(uid: secret.metadata.uid)))
    }

    /// Records a failure (status, warning Event) and decides how to retry. The Secret is
    /// never touched here.
    private func fail(_ es: ExternalSecret, _ failure: SyncFailure, field: String? = nil) async throws -> ReconcileAction {
        var failure = failure
        if let field { failure.message = "\(field): \(failure.message)" }
        try await writeStatus(es, outcome: .failed(failure))
        await events.warning(reason: failure.reason, message: failure.message, about: ObjectReference(to: es))
        switch RefreshPlanner.afterFailure(failure, random: random) {
        case .waitForChange: throw TerminalError(failure.message)
        case .requeue(let after): return .requeue(after: after)
        case .backoff: throw failure
        }
    }

    private func writeStatus(_ es: ExternalSecret, outcome: SyncOutcome) async throws {
        let desired = ExternalSecretStatusPlanner.desiredStatus(current: es.status, generation: es.metadata.generation, outcome: outcome, now: now())
        guard ExternalSecretStatusPlanner.statusChanged(es.status, desired) else { return }
        var updated = es
        updated.status = desired
        _ = try await client.updateStatus(updated)
    }
}
