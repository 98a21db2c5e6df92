import Crypto
import Foundation
import KubeClient
import KubeRuntime
import Logging
import KubeAPI
import RotorAPI
import SecretProviders

/// Converges one ExternalSecret toward its Secret. It decides nothing: it reads, asks
/// ``ExternalSecretSyncPlanner`` (pure) what to do with what it read, and carries the
/// answer out; failures go through ``SyncErrorPolicy``.
///
/// 1. check the spec and resolve the store (`StoreResolution`), 2. read the target Secret
/// unless the planner says it need not be (a first create, a verified unchanged Secret),
/// 3. the planner's intake: refuse another ExternalSecret's Secret (one writer per Secret),
/// the scheduled-rotation step, and whether the provider is read now, 4. write the provider
/// side of a scheduled rotation (`pendingID` recorded first, the write idempotent), 5. read
/// the values (`ValueResolver`, coalesced per store) and render them (`SecretRenderer`),
/// 6. the planner's sync: the Secret write (no request when nothing changed), Events,
/// restart targets rolled once per rotation, the status, the next wake, which this type
/// carries out in that order.
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
    typealias Planner = ExternalSecretSyncPlanner

    public let client: any KubernetesClient
    public let providers: StoreProviders
    public let secretStores: Store<SecretStore>
    public let clusterSecretStores: Store<ClusterSecretStore>
    /// Reads ahead the keys of a store's ExternalSecrets coming due, in full batches.
    public let readAhead: StoreReadAhead?
    /// How fresh each ExternalSecret's next read must be (never older than its interval).
    public let refreshMarks: RefreshMarks
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
    /// Where each durable step of a scheduled rotation is reported (``RotationCheckpoints``).
    let rotationCheckpoints: RotationCheckpoints
    /// Where the Secrets written and deleted here are audited; nil: nowhere.
    let audit: AuditLog?

    /// - Parameter rotationCheckpoints: where scheduled rotations report their durable
    ///   steps; by default a debug log line each, on `logger`.
    /// - Parameter audit: where Secret writes and deletes are audited (``AuditLog``); nil: nowhere.
    public init(
        client: any KubernetesClient, providers: StoreProviders, secretStores: Store<SecretStore>,
        clusterSecretStores: Store<ClusterSecretStore>, readAhead: StoreReadAhead? = nil, refreshMarks: RefreshMarks = RefreshMarks(),
        ownWrites: OwnWrites? = nil,
        verifiedTargets: VerifiedTargets? = nil, cachedTargetVersion: (@Sendable (ObjectKey) async -> String?)? = nil,
        namespaceLabels: NamespaceLabelSource? = nil, events: EventRecorder, fingerprintKey: SymmetricKey,
        now: @escaping @Sendable () -> Date = Date.init, random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        logger: Logger = Logger(label: "rotor.externalsecret"), rotationMetrics: RotationMetrics = RotationMetrics(),
        rotationCheckpoints: RotationCheckpoints? = nil, audit: AuditLog? = nil
    ) {
        self.client = client
        self.providers = providers
        self.secretStores = secretStores
        self.clusterSecretStores = clusterSecretStores
        self.readAhead = readAhead
        self.refreshMarks = refreshMarks
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
        self.rotationCheckpoints = rotationCheckpoints ?? .logging(logger)
        self.audit = audit
    }

    /// How often held previous values look at the rollouts they wait for.
    public static var rolloutPollInterval: Duration { ExternalSecretSyncPlanner.rolloutPollInterval }

    /// When the reconcile in progress on this task started (for `rotor_sync_duration_seconds`).
    @TaskLocal private static var started: ContinuousClock.Instant?

    public func reconcile(_ key: ObjectKey, _ object: ExternalSecret?) async throws -> ReconcileAction {
        try await Self.$started.withValue(ContinuousClock.now) {
            try await AuditSubject.$current.withValue(.externalSecret(key.description)) {
                try await converge(key, object)
            }
        }
    }

    /// Counts a sync attempt's outcome (`Synced` or the failure reason) and its duration.
    func recordSync(result: String) {
        let duration = Self.started.map { $0.duration(to: .now) } ?? .zero
        OperatorMetrics.sync(result: result, duration: duration, factory: rotationMetrics.factory)
    }

    /// - Parameter mayPresumeMissing: whether the read of the target Secret may be skipped
    ///   where none is expected (``ExternalSecretSyncPlanner/expectsNoTarget(_:)``); false
    ///   when a create already found one, so this run reads it.
    private func converge(_ key: ObjectKey, _ object: ExternalSecret?, mayPresumeMissing: Bool = true) async throws -> ReconcileAction {
        guard !Planner.isGone(object), var es = object else {
            verifiedTargets?.forget(key)
            refreshMarks.forget(key)
            await rotationMetrics.forget(namespace: key.namespace ?? "", name: key.name)
            return .done
        }
        let schedule: RefreshSchedule
        switch Planner.checkSpec(es) {
        case .success(let s): schedule = s
        case .failure(let failure): return try await fail(es, failure)
        }
        let resolution = await resolveStore(es)
        guard case .resolved(let store) = resolution else {
            return try await fail(es, resolution.failure ?? .storeNotReady("store not resolved"))
        }
        let presumedMissing = mayPresumeMissing && Planner.expectsNoTarget(es)
        var verified = presumedMissing ? nil : await trustedVerifiedEntry(key, es)
        var existing = presumedMissing || verified != nil ? nil : try await readTarget(es)
        var managerGone = false
        if let existing { managerGone = await recordedManagerGone(existing, of: es) }
        let now = self.now()
        let course: SyncCourse
        switch Planner.intake(SyncIntake(
            externalSecret: es, schedule: schedule, store: store, verified: verified, existing: existing, recordedManagerGone: managerGone,
            fingerprintKey: fingerprintKeyBytes, now: now))
        {
        case .refuse(let failure): return try await fail(es, failure)
        case .proceed(let c): course = c
        }
        if course.writesProviderFirst, let action = try await writeScheduledRotation(&es, store: store, decision: course.scheduled) {
            return action
        }
        let start: SyncStart
        switch course.next {
        case .notDue(let idle):
            try await writeStatus(es, idle.status)
            await observe(es, idle.observation)
            return idle.wake
        case .sync(let s): start = s
        }
        let reader: CoalescingReader
        do {
            reader = try await providers.reader(for: store.identity, provider: store.provider)
        } catch {
            return try await fail(es, .provider(error, store: store.identity))
        }
        for remoteKey in start.dropCachedKeys { await reader.invalidate(key: remoteKey) }
        await readAhead?.prime(store, reader: reader, now: now)
        let values: [String: SecretValue]
        switch await ValueResolver.resolve(
            es.spec, from: reader.reading(refreshMarks.freshness(for: key, schedule: schedule, due: start.due)),
            externalSecret: "\(es.metadata.namespace ?? "")/\(es.name)")
        {
        case .success(let v): values = v
        case .failure(let failure):
            if let refusal = failure.keyRefusal { return try await fail(es, refusal) }
            let decision = Planner.afterReadFailure(failure.error, field: failure.field, of: es, store: store.identity, targetRead: verified == nil)
            if decision.deletesTarget {
                if decision.readsTargetFirst { existing = try await readTarget(es) }
                if let failure = try await deleteTarget(existing, of: es) { return try await fail(es, failure) }
                verifiedTargets?.forget(key)
            }
            return try await fail(es, decision.failure)
        }
        // Every read started so far is as old as the values in hand, or older.
        let readMark = ReadMark.current
        let rendered: RenderedSecret
        do {
            rendered = try SecretRenderer.render(externalSecret: es, values: values)
        } catch {
            return try await fail(es, error.syncFailure)
        }
        if Planner.mustReadVerifiedTarget(rendered: rendered, verified: verified, fingerprintKey: fingerprintKeyBytes) {
            verified = nil
            existing = try await readTarget(es)
            if let existing { managerGone = await recordedManagerGone(existing, of: es) }
        }
        var pendingRollouts: [PendingRollout] = []
        if let window = start.checkRolloutsOf {
            pendingRollouts = try await self.pendingRollouts(es.spec.rotation?.restartTargets ?? [], of: es, for: window)
        }
        let decision = Planner.sync(SyncInput(
            externalSecret: es, schedule: schedule, store: store, rendered: rendered, verified: verified, existing: existing,
            recordedManagerGone: managerGone, recordedWindow: course.recordedWindow, pendingRollouts: pendingRollouts,
            scheduledWritten: course.writesProviderFirst, fingerprintKey: fingerprintKeyBytes, now: now))
        switch decision {
        case .fail(let failure):
            return try await fail(es, failure)
        case .carryOut(let steps):
            let action = try await carryOut(
                steps, es, key: key, retry: { try await converge(key, object, mayPresumeMissing: false) }, presumedMissing: presumedMissing)
            refreshMarks.record(readMark, for: key, synced: now)
            return action
        }
    }

    /// Carries out a sync's steps in order; a failed write or restart is reported and ends it.
    ///
    /// - Parameter retry: converges again, reading the Secret (a create found one).
    private func carryOut(
        _ steps: SyncSteps, _ es: ExternalSecret, key: ObjectKey, retry: () async throws -> ReconcileAction, presumedMissing: Bool
    ) async throws -> ReconcileAction {
        var secretVersion = steps.targetVersionAsRead
        // Someone else changed the Secret while our write was in flight: look again after this sync.
        var changedMeanwhile = false
        do {
            switch steps.write {
            case .create(let secret):
                (secretVersion, changedMeanwhile) = try await audited(.secretCreate, secret) {
                    try await tracked(ObjectKey(of: secret)) { try await client.createReturningReceipt(secret) }
                }
            case .update(let secret):
                (secretVersion, changedMeanwhile) = try await audited(.secretUpdate, secret) {
                    try await tracked(ObjectKey(of: secret)) { try await client.updateReturningReceipt(secret) }
                }
            case .none:
                break
            }
        } catch let error as KubeAPIError {
            var creates = false
            if case .create = steps.write { creates = true }
            switch SyncErrorPolicy.afterWriteError(error, object: "Secret \(steps.secret)", presumedMissing: creates && presumedMissing) {
            case .report(let failure): return try await fail(es, failure)
            case .leaveToController: throw error
            case .readTargetAndRetry: return try await retry()
            }
        }
        if !changedMeanwhile, let entry = steps.verifiedEntry(secretVersion: secretVersion) {
            verifiedTargets?.record(entry, for: key)
        } else {
            verifiedTargets?.forget(key)
        }
        let about = ObjectReference(to: es)
        if steps.countsRotation { rotationMetrics.rotation(result: "success") }
        for event in steps.writeEvents { await record(event, about: about) }
        // The new values are in the Secret: roll the restart targets, once per rotation.
        if let window = steps.restartFor, let failure = try await restart(es.spec.rotation?.restartTargets ?? [], of: es, for: window, about: about) {
            return try await fail(es, failure)
        }
        try await writeStatus(es, steps.status)
        recordSync(result: "Synced")
        if let warning = steps.rolloutWarning { await record(warning, about: about) }
        await observe(es, steps.observation)
        return changedMeanwhile ? .requeue(after: .zero) : steps.wake
    }

    /// Writes the Secret `target` announced to ``OwnWrites`` (its echo may outrun the answer);
    /// returns the version written and whether someone else changed it meanwhile.
    private func tracked(
        _ target: ObjectKey, _ write: () async throws -> WriteReceipt
    ) async throws -> (resourceVersion: String?, changedMeanwhile: Bool) {
        await ownWrites?.beginWrite(target)
        do {
            let receipt = try await write()
            let changed = await ownWrites?.endWrite(target, resourceVersion: receipt.resourceVersion) ?? false
            return (receipt.resourceVersion, changed)
        } catch {
            _ = await ownWrites?.endWrite(target, resourceVersion: nil)
            throw error
        }
    }

    /// Carries out a write of `secret` and audits it: the Secret's name, its fingerprint
    /// annotation and the resourceVersion written, or the class of the API's refusal.
    func audited(
        _ event: AuditEvent.Kind, _ secret: Secret, _ write: () async throws -> (resourceVersion: String?, changedMeanwhile: Bool)
    ) async throws -> (resourceVersion: String?, changedMeanwhile: Bool) {
        guard let audit else { return try await write() }
        func record(_ result: String, version: String?) {
            audit.record(event, result: result) {
                $0.secret = ObjectKey(of: secret).description
                $0.fingerprint = secret.metadata.annotations?[ManagedSecretMetadata.fingerprintAnnotation]
                $0.version = version
            }
        }
        do {
            let written = try await write()
            record("ok", version: written.resourceVersion)
            return written
        } catch let error as KubeAPIError {
            record(error.kind.rawValue, version: nil)
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            record("error", version: nil)
            throw error
        }
    }

    /// Records a failure (status, warning Event) and returns or throws what
    /// ``SyncErrorPolicy`` makes of it. The Secret is never touched here.
    func fail(_ es: ExternalSecret, _ failure: SyncFailure) async throws -> ReconcileAction {
        try await writeStatus(es, StatusUpdate(outcome: .failed(failure)))
        recordSync(result: failure.reason)
        if SyncErrorPolicy.warns(of: failure) {
            await events.warning(reason: failure.reason, message: failure.message, about: ObjectReference(to: es))
        }
        return try SyncErrorPolicy.result(after: failure, random: random)
    }

    /// Writes the status `update` asks for, when it changes the status.
    func writeStatus(_ es: ExternalSecret, _ update: StatusUpdate) async throws {
        guard let desired = Planner.desiredStatus(es, update, now: now()) else { return }
        var updated = es
        updated.status = desired
        try await client.updateStatusReturningReceipt(updated)
    }

    func record(_ event: PlannedEvent, about: ObjectReference) async {
        switch event.kind {
        case .normal: await events.normal(reason: event.reason, message: event.message, about: about)
        case .warning: await events.warning(reason: event.reason, message: event.message, about: about)
        }
    }

    /// Rotation metrics after a reconcile: overlap, and the age of the values.
    func observe(_ es: ExternalSecret, _ observation: RotationObservation) async {
        let namespace = es.metadata.namespace ?? ""
        await rotationMetrics.setOverlap(observation.overlap, namespace: namespace, name: es.name)
        if let changed = observation.valuesChangedAt {
            rotationMetrics.valuesChanged(at: changed, namespace: namespace, name: es.name)
        }
    }
}
