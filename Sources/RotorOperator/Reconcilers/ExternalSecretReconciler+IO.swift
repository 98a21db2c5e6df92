import Foundation
import KubeClient
import KubeRuntime
import KubeAPI
import RotorAPI
import SecretProviders

// The reads and writes of ``ExternalSecretReconciler``, each carrying out what
// ``ExternalSecretSyncPlanner`` decided.
extension ExternalSecretReconciler {
    // MARK: Reading

    func resolveStore(_ es: ExternalSecret) async -> StoreResolution {
        let namespace = es.metadata.namespace ?? ""
        let storeName = es.spec.secretStoreRef.name
        let namespaced = await secretStores.get(ObjectKey(namespace: namespace, name: storeName))
        let cluster = await clusterSecretStores.get(ObjectKey(namespace: nil, name: storeName))
        // Looked up only when a condition needs them; unknown labels refuse the store (fail closed).
        var labels = NamespaceLabelLookup.known([:])
        if let cluster, StoreResolution.needsNamespaceLabels(cluster, namespace: namespace) {
            labels = await (namespaceLabels ?? .get(client)).labels(of: namespace)
        }
        return StoreResolution.resolve(
            es, namespaceLabels: labels,
            secretStore: { ns, name in ns == namespace && name == storeName ? namespaced : nil },
            clusterSecretStore: { name in name == storeName ? cluster : nil })
    }

    /// The verified entry of `es`'s Secret when the planner trusts it to spare the read
    /// (``ExternalSecretSyncPlanner/trustedVerifiedEntry(_:of:cachedSecretVersion:)``).
    func trustedVerifiedEntry(_ key: ObjectKey, _ es: ExternalSecret) async -> VerifiedTargets.Entry? {
        guard let verifiedTargets, let cachedTargetVersion, let entry = verifiedTargets.entry(for: key) else { return nil }
        let cached = await cachedTargetVersion(ObjectKey(namespace: es.metadata.namespace, name: es.targetSecretName))
        return ExternalSecretSyncPlanner.trustedVerifiedEntry(entry, of: es, cachedSecretVersion: cached)
    }

    /// The target Secret, read from the API (a Merge target is not a managed Secret, so it
    /// is not in the managed-Secret cache); nil when not found.
    func readTarget(_ es: ExternalSecret) async throws -> Secret? {
        do {
            return try await client.get(Secret.self, namespace: es.metadata.namespace, name: es.targetSecretName)
        } catch let error as KubeAPIError where error.kind == .notFound {
            return nil
        }
    }

    /// Whether the other ExternalSecret recorded as manager of `existing` no longer manages
    /// it (``TargetOwnership``): looked up with a GET, only when the Secret records another
    /// manager. A failed lookup answers `false`: an unknown state refuses.
    func recordedManagerGone(_ existing: Secret, of es: ExternalSecret) async -> Bool {
        guard let record = TargetOwnership.managerToLookUp(existing: existing, externalSecret: es) else { return false }
        do {
            let found = try await client.get(ExternalSecret.self, namespace: es.metadata.namespace, name: record.name)
            return !TargetOwnership.isRecordedManager(record, found: found, of: existing)
        } catch let error as KubeAPIError where error.kind == .notFound {
            return true
        } catch {
            return false
        }
    }

    /// The restart targets whose rollout for `window`'s rotation has not completed.
    func pendingRollouts(_ targets: [RestartTarget], of es: ExternalSecret, for window: RotationWindow) async throws -> [PendingRollout] {
        var states: [RestartTargetState] = []
        for target in targets {
            states.append(try await RestartTargetClient(client: client).state(of: target, namespace: es.metadata.namespace ?? ""))
        }
        return RestartPlanner.pendingRollouts(states, rotationID: window.rotationID).map { PendingRollout(name: $0.name, message: $0.message) }
    }

    // MARK: Writing

    /// Deletes `secret` if the planner says it may (one `es` controls); returns the failure
    /// to report when the delete fails (``SyncErrorPolicy/afterDeleteError(_:object:)``).
    func deleteTarget(_ secret: Secret?, of es: ExternalSecret) async throws -> SyncFailure? {
        guard let secret, ExternalSecretSyncPlanner.mayDelete(secret, of: es) else { return nil }
        do {
            _ = try await audited(.secretDelete, secret) {
                _ = try await client.delete(
                    Secret.self, namespace: secret.metadata.namespace, name: secret.metadata.name ?? "",
                    options: DeleteOptions(preconditions: .init(uid: secret.metadata.uid)))
                return (nil, false)
            }
        } catch let error as KubeAPIError {
            if let failure = SyncErrorPolicy.afterDeleteError(error, object: "Secret \(es.metadata.namespace ?? "")/\(es.targetSecretName)") {
                return failure
            }
        }
        return nil
    }

    /// Rolls each restart target for the rotation that opened `window` (a no-op for a
    /// workload already annotated with it, so a retry never rolls twice). A patch the API
    /// refuses is returned as the failure to report (the failure rule; the retry rolls the
    /// targets not rolled yet); a 409 is left to the controller.
    func restart(_ targets: [RestartTarget], of es: ExternalSecret, for window: RotationWindow, about: ObjectReference) async throws -> SyncFailure? {
        for target in targets {
            let restarted: Bool
            do {
                restarted = try await RestartTargetClient(client: client).restart(target, namespace: es.metadata.namespace ?? "", rotationID: window.rotationID)
            } catch let error as KubeAPIError {
                switch SyncErrorPolicy.afterWriteError(error, object: "\(target.kind.rawValue) \(es.metadata.namespace ?? "")/\(target.name)") {
                case .report(let failure): return failure
                case .leaveToController, .readTargetAndRetry: throw error
                }
            }
            if restarted { await record(ExternalSecretSyncPlanner.restartEvent(target, for: window), about: about) }
        }
        return nil
    }

    /// Phases 1 and 2 of a scheduled rotation: record `pendingID` in the status (unless
    /// resuming one), then write the generated values to the provider, idempotently: the
    /// values are reproducible from `pendingID`, a remote that already holds them is not
    /// written again, and the write carries `pendingID` as idempotency token and the version
    /// read as check-and-set. Returns the reconcile's result when it cannot go on; `es` is
    /// the object as updated.
    func writeScheduledRotation(
        _ es: inout ExternalSecret, store: ResolvedStore, decision: ScheduledRotation.Decision
    ) async throws -> ReconcileAction? {
        guard let rotation = es.spec.rotation else { return nil }
        let remoteKey: String
        switch ScheduledRotation.remoteKey(for: es.spec) {
        case .success(let key): remoteKey = key
        case .failure(let failure): return try await fail(es, failure)
        }
        let reader: CoalescingReader
        do {
            reader = try await providers.reader(for: store.identity, provider: store.provider)
        } catch {
            return try await fail(es, .provider(error, store: store.identity))
        }
        if let refusal = ExternalSecretSyncPlanner.scheduledWriteRefusal(access: reader.capabilities.access, store: store.identity) {
            return try await fail(es, refusal)
        }
        let key = ObjectKey(of: es)
        let pendingID: String
        if case .resume(let id) = decision {
            pendingID = id
        } else {
            pendingID = ScheduledRotation.newPendingID()
            var updated = es
            updated.status = ExternalSecretSyncPlanner.pendingRotationStatus(of: es, pendingID: pendingID)
            es = try await client.updateStatus(updated)
            try await rotationCheckpoints.reached(RotationCheckpoint(step: .pendingRecorded, externalSecret: key, pendingID: pendingID))
        }
        await reader.invalidate(key: remoteKey)
        let generated = ScheduledRotation.generatedValues(rotation.generate ?? [], installKey: fingerprintKeyBytes, pendingID: pendingID)
        do {
            let current = try await reader.read(RemoteSecretID(key: remoteKey))
            // The whole current document with the generated properties replaced; also
            // refuses a secret that is not a JSON object before anything is written.
            let document = try ScheduledRotation.merged(current: current.value, generated: generated, key: remoteKey)
            let properties = try current.extract(for: RemoteSecretID(key: remoteKey))
            if !ScheduledRotation.alreadyApplied(current: properties, generated: generated) {
                _ = try await reader.write(key: remoteKey, document: document, idempotencyToken: pendingID, expectedVersion: current.version)
            }
        } catch let error as ProviderError {
            rotationMetrics.rotation(result: "failure")
            return try await fail(es, .provider(error, store: store.identity))
        }
        try await rotationCheckpoints.reached(RotationCheckpoint(step: .providerWritten, externalSecret: key, pendingID: pendingID))
        return nil
    }
}
