import Crypto
import Foundation
import KubeClient
import KubeRuntime
import Logging
import KubeAPI
import RotorAPI
import SecretProviders

/// Converges one ExternalSecret toward its Secret. Decisions are made by
/// the pure planners; this type only reads, asks and writes:
///
/// 1. resolve the store (`StoreResolution`), 2. read the target Secret and check it is
/// this ExternalSecret's to write (`TargetOwnership`: one writer per Secret), 3. run the
/// provider side of a scheduled rotation if one is due or pending (`ScheduledRotation`:
/// record `pendingID`, then write the provider idempotently), 4. decide whether a sync is
/// due (`RefreshPlanner`, or rotation housekeeping: a window that ended, targets not yet
/// restarted), 5. read the values (`ValueResolver`, coalesced per store), 6. render
/// (`SecretRenderer`), add overlap rotation (`RotationPlanner`: previous values and
/// `rotor.dev/*` annotations, held while restart targets roll out) and plan the write
/// (`ManagedSecretPlan`: no request when nothing changed), 7. roll restart targets once per
/// rotation (`RestartPlanner`), 8. write the status only when it changed
/// (`ExternalSecretStatusPlanner`, `RotationStatusPlanner`), 9. requeue for the next
/// refresh, or sooner: exactly at `grace-until`, at the next scheduled rotation, or to look
/// at unfinished rollouts again.
///
/// Rotation state lives only in the Secret's annotations and the status, so a restarted
/// operator resumes a window or a pending rotation exactly where it was.
///
/// The failure rule: any failure before the write leaves the Secret exactly as it was;
/// the status says why (`Ready=False`), a warning Event is recorded, and the key is
/// retried with backoff (or waits for a change, for a bad spec). What the API server would
/// refuse (invalid keys, over 1 MiB) is refused by the plan before any write, and a write
/// that fails anyway (Secret create/update/delete, restart-target patch) takes the same
/// path (`WriteRejected`, `WriteFailed`, …); only a 409 is left to the controller, which
/// retries it as soon as the newer version is cached.
public struct ExternalSecretReconciler: Sendable {
    public let client: any KubernetesClient
    public let providers: StoreProviders
    public let secretStores: Store<SecretStore>
    public let clusterSecretStores: Store<ClusterSecretStore>
    /// Reads ahead the keys of a store's ExternalSecrets coming due, in full batches.
    public let readAhead: StoreReadAhead?
    /// Where the Secret versions written here are recorded, so their watch echo is ignored.
    public let ownWrites: OwnWrites?
    /// Secrets known to match their plan, and the resourceVersion of each Secret as the
    /// managed-Secret cache has it now: together they spare a refresh the read of a Secret
    /// nothing changed (``VerifiedTargets``). Both nil: every sync reads its Secret.
    public let verifiedTargets: VerifiedTargets?
    let cachedTargetVersion: (@Sendable (ObjectKey) async -> String?)?
    /// Where the labels of an ExternalSecret's namespace come from, for a ClusterSecretStore's
    /// `namespaceSelector` (``NamespaceLabelSource``). Nil: a GET per lookup.
    public let namespaceLabels: NamespaceLabelSource?
    public let events: EventRecorder
    /// The per-install HMAC key's bytes (`SymmetricKey` is not Sendable).
    let fingerprintKeyBytes: [UInt8]
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let logger: Logger
    let rotationMetrics: RotationMetrics
    let rotationHooks: RotationHooks

    public init(
        client: any KubernetesClient, providers: StoreProviders, secretStores: Store<SecretStore>,
        clusterSecretStores: Store<ClusterSecretStore>, readAhead: StoreReadAhead? = nil, ownWrites: OwnWrites? = nil,
        verifiedTargets: VerifiedTargets? = nil, cachedTargetVersion: (@Sendable (ObjectKey) async -> String?)? = nil,
        namespaceLabels: NamespaceLabelSource? = nil, events: EventRecorder, fingerprintKey: SymmetricKey,
        now: @escaping @Sendable () -> Date = Date.init, random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        logger: Logger = Logger(label: "rotor.externalsecret"), rotationMetrics: RotationMetrics = RotationMetrics(),
        rotationHooks: RotationHooks = RotationHooks()
    ) {
        self.client = client
        self.providers = providers
        self.secretStores = secretStores
        self.clusterSecretStores = clusterSecretStores
        self.readAhead = readAhead
        self.ownWrites = ownWrites
        self.verifiedTargets = verifiedTargets
        self.cachedTargetVersion = cachedTargetVersion
        self.namespaceLabels = namespaceLabels
        self.events = events
        self.fingerprintKeyBytes = fingerprintKey.withUnsafeBytes { Array($0) }
        self.now = now
        self.random = random
        self.logger = logger
        self.rotationMetrics = rotationMetrics
        self.rotationHooks = rotationHooks
    }

    /// How often held previous values look at the rollouts they wait for.
    public static let rolloutPollInterval: Duration = .seconds(15)

    /// When the reconcile in progress on this task started (for `rotor_sync_duration_seconds`).
    @TaskLocal private static var started: ContinuousClock.Instant?

    public func reconcile(_ key: ObjectKey, _ object: ExternalSecret?) async throws -> ReconcileAction {
        try await Self.$started.withValue(ContinuousClock.now) {
            try await converge(key, object)
        }
    }

    /// Counts a sync attempt's outcome (`Synced` or the failure reason) and its duration.
    private func recordSync(result: String) {
        let duration = Self.started.map { $0.duration(to: .now) } ?? .zero
        OperatorMetrics.sync(result: result, duration: duration, factory: rotationMetrics.factory)
    }

    /// - Parameter mayPresumeMissing: whether the read of the target Secret may be skipped
    ///   where none is expected (``expectsNoTarget(_:)``); false when a create already
    ///   found one, so this run reads it.
    private func converge(_ key: ObjectKey, _ object: ExternalSecret?, mayPresumeMissing: Bool = true) async throws -> ReconcileAction {
        // Gone or going: an Owner Secret goes with it through its ownerReference.
        guard var es = object, es.metadata.deletionTimestamp == nil else {
            verifiedTargets?.forget(key)
            await rotationMetrics.forget(namespace: key.namespace ?? "", name: key.name)
            return .done
        }
        let schedule: RefreshSchedule
        switch RefreshSchedule.of(es.spec) {
        case .success(let s): schedule = s
        case .failure(let failure): return try await fail(es, failure)
        }
        // Everything that can be checked from the spec alone (policies, rotation, keys, template
        // metadata, find patterns), before the store is looked up or anything is read.
        if let failure = SpecValidation.firstProblem(es.spec) ?? SecretRenderer.specProblem(es) ?? FindPatternValidation.validate(es.spec) {
            return try await fail(es, failure)
        }
        let resolution = await resolveStore(es)
        guard case .resolved(let store) = resolution else {
            return try await fail(es, resolution.failure ?? .storeNotReady("store not resolved"))
        }
        let fingerprintKey = SymmetricKey(data: fingerprintKeyBytes)
        let presumedMissing = mayPresumeMissing && Self.expectsNoTarget(es)
        // A Secret verified by this process and unchanged since is read only if the data differ.
        var verified = presumedMissing ? nil : await unchangedVerifiedTarget(key, es)
        var existing = presumedMissing || verified != nil ? nil : try await readTarget(es)
        // One writer per Secret: another ExternalSecret's Secret is refused before anything
        // is read from the provider or written (a verified Secret is unchanged since this
        // ExternalSecret checked it; a presumed-missing one is checked if the create finds it).
        var managerGone = false
        if let existing {
            managerGone = await recordedManagerGone(existing, of: es)
            if let refusal = TargetOwnership.refusal(existing: existing, externalSecret: es, recordedManagerGone: managerGone) {
                return try await fail(es, refusal.syncFailure)
            }
        }
        let targetState: TargetState
        if let verified {
            targetState = verified.fingerprint == es.status?.fingerprint ? .matches : .drifted
        } else if let existing {
            let recorded = existing.metadata.annotations?[ManagedSecretMetadata.fingerprintAnnotation]
            let holdsData = ManagedSecretPlan.holdsFingerprintedData(
                existing, creationPolicy: es.spec.target?.effectiveCreationPolicy ?? .owner, fingerprintKey: fingerprintKey)
            targetState = recorded == nil || recorded != es.status?.fingerprint ? .drifted : holdsData ? .matches : .edited
        } else {
            targetState = .missing
        }
        let version = SyncedVersion(externalSecret: es, store: store)
        let now = self.now()
        let recordedWindow = RotationWindow.read(from: existing?.metadata.annotations)
        let restartTargets = es.spec.rotation?.restartTargets ?? []
        // A scheduled rotation writes the provider first (recording pendingID before), then syncs.
        var scheduledWritten = false
        let decision = ScheduledRotation.decide(
            rotation: es.spec.rotation, status: es.status?.rotation, rotateAnnotation: es.metadata.annotations?[ExternalSecretAnnotations.rotate], now: now)
        switch decision {
        case .start, .resume:
            if let action = try await writeScheduledRotation(&es, store: store, decision: decision) { return action }
            scheduledWritten = true
        case .none, .abandon:
            break
        }
        // A window that ended must be closed even when no refresh is due: the previous values
        // go when the grace period ends, not at the next refresh.
        let housekeeping = scheduledWritten || decision == .abandon
            || RotationPlanner.housekeepingDue(existing: existing, rotation: es.spec.rotation, now: now)
            || RestartPlanner.needsRestart(rotationID: recordedWindow?.rotationID, restartedFor: es.status?.rotation?.restartedFor, targets: restartTargets)
        guard RefreshPlanner.dueReason(schedule: schedule, status: es.status, current: version, target: targetState, now: now) != nil || housekeeping else {
            let status = RotationStatusPlanner.status(current: es.status?.rotation, rotation: es.spec.rotation, window: recordedWindow, now: now)
            try await writeStatus(es, outcome: .notDue(secretName: es.targetSecretName, store: store.identity), rotation: status)
            await observeRotation(es, window: recordedWindow, targetCreated: verified?.created ?? existing?.metadata.creationTimestamp?.date)
            let refresh = RefreshPlanner.nextAction(
                schedule: schedule, lastRefresh: es.status?.refreshTime?.date, now: now, random: { RefreshPlanner.jitterDraw(for: es) })
            let wake = [recordedWindow?.graceUntil, status?.nextRotation?.date, RefreshPlanner.editRepairWake(target: targetState, status: es.status)]
            return wake.reduce(refresh) { RefreshPlanner.earlier($0, wake: $1, now: now) }
        }
        let reader: CoalescingReader
        do {
            reader = try await providers.reader(for: store.identity, provider: store.provider)
        } catch {
            return try await fail(es, .provider(error, store: store.identity))
        }
        // "Sync now" means from the provider, not from what other ExternalSecrets read lately;
        // whichever sync first sees a new force-sync value (it is recorded as handled) asks anew.
        let forced = version.forceSyncPart != nil && es.status?.syncedResourceVersion != version.description
        if forced {
            let keys = (es.spec.data ?? []).map(\.remoteRef.key) + (es.spec.dataFrom ?? []).compactMap { $0.extract?.key }
            for key in Set(keys) { await reader.invalidate(key: key) }
        }
        await readAhead?.prime(store, reader: reader, now: now)
        let values: [String: SecretValue]
        switch await ValueResolver.resolve(es.spec, from: reader) {
        case .success(let v): values = v
        case .failure(let failure):
            if failure.error.isSecretMissing, es.spec.target?.deletionPolicy == .delete {
                if verified != nil { existing = try await readTarget(es) }
                if let existing {
                    do {
                        try await deleteManagedSecret(existing, of: es)
                    } catch let error as KubeAPIError where error.kind != .notFound && error.kind != .conflict {
                        return try await fail(es, .write(error, object: "Secret \(es.metadata.namespace ?? "")/\(es.targetSecretName)"))
                    }
                }
                verifiedTargets?.forget(key)
            }
            return try await fail(es, .provider(failure.error, store: store.identity), field: failure.field)
        }
        let rendered: RenderedSecret
        do {
            rendered = try SecretRenderer.render(externalSecret: es, values: values)
        } catch {
            return try await fail(es, error.syncFailure)
        }
        if let known = verified, SecretFingerprint.combined(rendered.data, key: fingerprintKey) != known.fingerprint {
            // New data: the Secret is read, and the write planned from what it holds.
            verified = nil
            existing = try await readTarget(es)
            if let existing { managerGone = await recordedManagerGone(existing, of: es) }
        }
        // After grace-until, previous values wait for the restart targets' rollouts.
        var pendingRollouts: [(name: String, message: String)] = []
        if es.spec.rotation != nil, let window = recordedWindow, now >= window.graceUntil {
            pendingRollouts = try await self.pendingRollouts(restartTargets, of: es, for: window)
        }
        let rotationPlan: RotationPlan
        switch RotationPlanner.plan(
            existing: existing, rendered: rendered.data, rotation: es.spec.rotation,
            creationPolicy: es.spec.target?.effectiveCreationPolicy ?? .owner, now: now, holdPrevious: !pendingRollouts.isEmpty)
        {
        case .success(let p): rotationPlan = p
        case .failure(let failure): return try await fail(es, failure)
        }
        let plan = verified.map { ManagedSecretPlan(unchangedTargetOf: es, fingerprint: $0.fingerprint) }
            ?? ManagedSecretPlan(
                rendered: rendered, externalSecret: es, existing: existing, fingerprintKey: fingerprintKey, additions: rotationPlan.additions,
                recordedManagerGone: managerGone)
        var wrote = false
        // The Secret's version once it matches the plan (recorded below when that may be trusted).
        var matchingVersion = verified?.secretResourceVersion ?? existing?.metadata.resourceVersion
        var targetCreated = verified?.created ?? existing?.metadata.creationTimestamp?.date
        switch plan.action {
        case .create(let secret):
            do {
                let created = try await client.createReturningReceipt(secret)
                await ownWrites?.record(ObjectKey(of: created), resourceVersion: created.resourceVersion)
                matchingVersion = created.resourceVersion
                targetCreated = now
            } catch let error as KubeAPIError where error.kind == .alreadyExists && presumedMissing {
                // Not a first sync after all (a crash before the status was written, or
                // someone else's Secret of that name): read it and decide again.
                return try await converge(key, object, mayPresumeMissing: false)
            } catch let error as KubeAPIError where !Self.retriesByItself(error) {
                return try await fail(es, .write(error, object: "Secret \(plan.secret)"))
            }
            wrote = true
        case .update(let secret):
            do {
                let updated = try await client.updateReturningReceipt(secret)
                await ownWrites?.record(ObjectKey(of: updated), resourceVersion: updated.resourceVersion)
                matchingVersion = updated.resourceVersion
            } catch let error as KubeAPIError where !Self.retriesByItself(error) {
                return try await fail(es, .write(error, object: "Secret \(plan.secret)"))
            }
            wrote = true
        case .none:
            break
        case .refuse(let refusal):
            return try await fail(es, refusal.syncFailure)
        }
        // Only a plain Secret is recorded: rotation state (previous values, windows) is always read.
        if es.spec.rotation == nil, recordedWindow == nil, rotationPlan.window == nil, let matchingVersion {
            verifiedTargets?.record(
                .init(
                    secretResourceVersion: matchingVersion, fingerprint: plan.fingerprint, uid: es.metadata.uid, generation: es.metadata.generation,
                    created: targetCreated),
                for: key)
        } else {
            verifiedTargets?.forget(key)
        }
        let about = ObjectReference(to: es)
        if wrote { await announceWrite(plan, rotationPlan, from: store, about: about) }
        // The new values are in the Secret: roll the restart targets, once per rotation.
        var rotationStatus = RotationStatusPlanner.status(
            current: es.status?.rotation, rotation: es.spec.rotation, window: rotationPlan.window, completedScheduled: scheduledWritten, now: now)
        if let window = rotationPlan.window,
            RestartPlanner.needsRestart(rotationID: window.rotationID, restartedFor: es.status?.rotation?.restartedFor, targets: restartTargets)
        {
            if let failure = try await restart(restartTargets, of: es, for: window, about: about) {
                return try await fail(es, failure)
            }
            rotationStatus?.restartedFor = window.rotationID
        }
        let heldCondition = pendingRollouts.isEmpty ? nil : Condition(
            type: ExternalSecretConditions.rolloutComplete, status: .false, observedGeneration: es.metadata.generation,
            reason: ExternalSecretConditions.Reason.rolloutPending,
            message: "the grace period has ended; previous values are kept until these rollouts complete: "
                + pendingRollouts.map { "\($0.name) (\($0.message))" }.joined(separator: "; "))
        let heldBefore = es.status?.conditions?.first(ofType: ExternalSecretConditions.rolloutComplete) != nil
        try await writeStatus(
            es,
            outcome: .synced(SyncedSecret(
                secretName: es.targetSecretName, store: store.identity, syncedVersion: version, fingerprint: plan.fingerprint)),
            rotation: rotationStatus, rolloutCondition: .some(heldCondition))
        recordSync(result: "Synced")
        if let heldCondition, !heldBefore {
            await events.warning(reason: ExternalSecretConditions.Reason.rolloutPending, message: heldCondition.message ?? "", about: about)
        }
        await observeRotation(es, window: rotationPlan.window, targetCreated: targetCreated)
        let refresh = RefreshPlanner.nextAction(schedule: schedule, lastRefresh: now, now: now, random: { RefreshPlanner.jitterDraw(for: es) })
        let wake = rotationPlan.heldAfterGrace ? now.addingTimeInterval(Self.rolloutPollInterval.timeInterval) : rotationPlan.nextWake
        return RefreshPlanner.earlier(RefreshPlanner.earlier(refresh, wake: wake, now: now), wake: rotationStatus?.nextRotation?.date, now: now)
    }

    /// Events (and the rotation counter) for a Secret just written: `Synced`, and `Rotated`
    /// or `GraceExpired` when a window opened or ended. Keys and times only, never values.
    private func announceWrite(_ plan: ManagedSecretPlan, _ rotationPlan: RotationPlan, from store: ResolvedStore, about: ObjectReference) async {
        await events.normal(reason: "Synced", message: "Secret \(plan.secret) written from \(store.identity.phrase)", about: about)
        if rotationPlan.rotated, let window = rotationPlan.window {
            rotationMetrics.rotation(result: "success")
            await events.normal(
                reason: "Rotated",
                message: "Secret \(plan.secret): keys \(rotationPlan.rotatedKeys) changed; previous values kept until \(KubeTime(window.graceUntil))",
                about: about)
        }
        if rotationPlan.expired {
            await events.normal(
                reason: "GraceExpired", message: "Secret \(plan.secret): previous values of keys \(rotationPlan.expiredKeys) removed", about: about)
        }
    }

    /// The restart targets whose rollout for `window`'s rotation has not completed.
    private func pendingRollouts(
        _ targets: [RestartTarget], of es: ExternalSecret, for window: RotationWindow
    ) async throws -> [(name: String, message: String)] {
        var states: [RestartTargetState] = []
        for target in targets {
            states.append(try await RestartTargetClient(client: client).state(of: target, namespace: es.metadata.namespace ?? ""))
        }
        return RestartPlanner.pendingRollouts(states, rotationID: window.rotationID)
    }

    /// Rolls each restart target for the rotation that opened `window` (a no-op for a
    /// workload already annotated with it, so a retry never rolls twice). A patch the API
    /// refuses is returned as the failure to report (the failure rule; the retry rolls the
    /// targets not rolled yet).
    private func restart(
        _ targets: [RestartTarget], of es: ExternalSecret, for window: RotationWindow, about: ObjectReference
    ) async throws -> SyncFailure? {
        for target in targets {
            let restarted: Bool
            do {
                restarted = try await RestartTargetClient(client: client).restart(target, namespace: es.metadata.namespace ?? "", rotationID: window.rotationID)
            } catch let error as KubeAPIError where !Self.retriesByItself(error) {
                return .write(error, object: "\(target.kind.rawValue) \(es.metadata.namespace ?? "")/\(target.name)")
            }
            if restarted {
                await events.normal(
                    reason: "RestartTriggered", message: "\(target.kind.rawValue) \(target.name) restarted for the rotation of \(window.rotationID)",
                    about: about)
            }
        }
        return nil
    }

    /// Phases 1 and 2 of a scheduled rotation: record `pendingID` in the status
    /// (unless resuming one), then write the generated values to the provider, idempotently:
    /// the values are reproducible from `pendingID`, a remote that already holds them is not
    /// written again, and the write carries `pendingID` as idempotency token and the version
    /// read as check-and-set. Returns the reconcile's result when it cannot go on; `es` is
    /// the object as updated.
    private func writeScheduledRotation(
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
        guard reader.capabilities.access == .readWrite else {
            return try await fail(es, .invalidSpec(
                field: "spec.rotation", problem: "\(store.identity.phrase) is read-only; a scheduled rotation writes to the provider and needs a ReadWrite store"))
        }
        let pendingID: String
        if case .resume(let id) = decision {
            pendingID = id
        } else {
            pendingID = ScheduledRotation.newPendingID()
            var updated = es
            var status = es.status ?? ExternalSecretStatus()
            var rotationStatus = status.rotation ?? ExternalSecretRotationStatus()
            rotationStatus.pendingID = pendingID
            rotationStatus.phase = .pending
            if let request = es.metadata.annotations?[ExternalSecretAnnotations.rotate], !request.isEmpty {
                rotationStatus.rotateRequest = request
            }
            status.rotation = rotationStatus
            updated.status = status
            es = try await client.updateStatus(updated)
            try await rotationHooks.after(.pendingRecorded)
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
        try await rotationHooks.after(.providerWritten)
        return nil
    }

    /// Rotation metrics after a reconcile: overlap, and the age of the values.
    ///
    /// - Parameter targetCreated: when the target Secret was created, if known.
    private func observeRotation(_ es: ExternalSecret, window: RotationWindow?, targetCreated: Date?) async {
        let namespace = es.metadata.namespace ?? ""
        await rotationMetrics.setOverlap(window != nil, namespace: namespace, name: es.name)
        if let changed = window?.rotatedAt ?? es.status?.rotation?.rotatedAt?.date ?? targetCreated {
            rotationMetrics.valuesChanged(at: changed, namespace: namespace, name: es.name)
        }
    }

    // MARK: Steps

    private func resolveStore(_ es: ExternalSecret) async -> StoreResolution {
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

    /// The target Secret, read from the API (a Merge target is not a managed Secret, so it
    /// is not in the managed-Secret cache).
    /// A first sync of an ExternalSecret that creates its own Secret (`Owner` or `Orphan`),
    /// with no rotation and no `deletionPolicy: Delete` to act on an existing one: the
    /// Secret is not expected to exist, so it is created without a read first (one request
    /// per new ExternalSecret fewer); the create's `409 AlreadyExists` says otherwise.
    static func expectsNoTarget(_ es: ExternalSecret) -> Bool {
        guard es.status?.syncedResourceVersion == nil, es.spec.rotation == nil else { return false }
        let target = es.spec.target
        return (target?.effectiveCreationPolicy ?? .owner) != .merge && target?.deletionPolicy != .delete
    }

    /// The verified entry of `es`'s Secret when reading it can be skipped: no rotation block,
    /// the spec it was verified for, and the managed-Secret cache showing the same version.
    private func unchangedVerifiedTarget(_ key: ObjectKey, _ es: ExternalSecret) async -> VerifiedTargets.Entry? {
        guard es.spec.rotation == nil, let verifiedTargets, let cachedTargetVersion,
            let entry = verifiedTargets.entry(for: key), entry.uid == es.metadata.uid, entry.generation == es.metadata.generation
        else { return nil }
        let cached = await cachedTargetVersion(ObjectKey(namespace: es.metadata.namespace, name: es.targetSecretName))
        return cached == entry.secretResourceVersion ? entry : nil
    }

    /// A write error the controller retries by itself, sooner than a backoff would: a 409
    /// (stale version: retried when the newer one reaches the cache; a create that found
    /// the name taken: read on the retry). Every other write error goes through `fail`.
    static func retriesByItself(_ error: KubeAPIError) -> Bool {
        error.kind == .conflict || error.kind == .alreadyExists
    }

    /// Whether the other ExternalSecret recorded as manager of `existing` no longer manages
    /// it (``TargetOwnership``): looked up with a GET, only when the Secret records another
    /// manager. A failed lookup answers `false`: an unknown state refuses.
    private func recordedManagerGone(_ existing: Secret, of es: ExternalSecret) async -> Bool {
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
        recordSync(result: failure.reason)
        if !failure.isPending {
            await events.warning(reason: failure.reason, message: failure.message, about: ObjectReference(to: es))
        }
        switch RefreshPlanner.afterFailure(failure, random: random) {
        case .waitForChange: throw TerminalError(failure.message)
        case .requeue(let after): return .requeue(after: after)
        case .backoff: throw failure
        }
    }

    /// Writes the status after `outcome` when it changed. A given `rotation` (even `nil`)
    /// replaces `status.rotation`; without it the rotation status is kept.
    /// A given `rolloutCondition` sets (or, `nil`, removes) the `RolloutComplete` condition.
    private func writeStatus(
        _ es: ExternalSecret, outcome: SyncOutcome, rotation: ExternalSecretRotationStatus?? = .none,
        rolloutCondition: Condition?? = .none
    ) async throws {
        var desired = ExternalSecretStatusPlanner.desiredStatus(current: es.status, generation: es.metadata.generation, outcome: outcome, now: now())
        if case .some(let rotation) = rotation { desired.rotation = rotation }
        if case .some(let condition) = rolloutCondition {
            if let condition {
                desired.conditions = ConditionPlanner.setting(condition, in: desired.conditions, now: now())
            } else {
                desired.conditions?.removeAll { $0.type == ExternalSecretConditions.rolloutComplete }
            }
        }
        guard ExternalSecretStatusPlanner.statusChanged(es.status, desired) else { return }
        var updated = es
        updated.status = desired
        try await client.updateStatusReturningReceipt(updated)
    }
}
