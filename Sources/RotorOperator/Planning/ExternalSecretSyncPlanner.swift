import Crypto
import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI
import SecretProviders

/// Every decision of one reconcile of an ExternalSecret, as pure functions of what the
/// reconciler has read (no I/O, no clock, no randomness: time is passed in). The reconciler
/// reads, asks the planner, and carries out the answer.
///
/// A reconcile learns things in stages, each by I/O the previous decision asked for, so
/// the planner is asked once per stage:
/// 1. ``isGone(_:)``, ``checkSpec(_:)``: what can be refused from the spec alone;
/// 2. whether the target Secret must be read (``expectsNoTarget(_:)``,
///    ``trustedVerifiedEntry(_:of:cachedSecretVersion:)``);
/// 3. ``intake(_:)``: with the Secret known, the ownership refusal, the target's
///    state, the scheduled-rotation step, and whether the provider is read now
///    (refresh due, or rotation housekeeping) or only the status is brought up to date;
/// 4. with the values read: ``afterReadFailure(_:field:of:store:targetRead:)`` (a missing remote key),
///    ``mustReadVerifiedTarget(rendered:verified:fingerprintKey:)`` (new data);
/// 5. ``sync(_:)``: the write, the verified-target record, Events, restarts, the status
///    with the `RolloutComplete` condition, rotation metrics and the next wake.
public enum ExternalSecretSyncPlanner {
    /// How often held previous values look at the rollouts they wait for.
    public static let rolloutPollInterval: Duration = .seconds(15)

    // MARK: Before anything is read

    /// Whether the ExternalSecret is gone or going (deleted, or marked for deletion): its
    /// entries are forgotten and nothing is written (an Owner Secret goes with it through
    /// its ownerReference).
    public static func isGone(_ es: ExternalSecret?) -> Bool {
        guard let es else { return true }
        return es.metadata.deletionTimestamp != nil
    }

    /// The refresh schedule, or the first problem found in the spec alone (refresh
    /// settings, then policies, rotation, keys, template metadata, find patterns), before
    /// the store is looked up or anything is read.
    public static func checkSpec(_ es: ExternalSecret) -> Result<RefreshSchedule, SyncFailure> {
        let schedule: RefreshSchedule
        switch RefreshSchedule.of(es.spec) {
        case .success(let s): schedule = s
        case .failure(let failure): return .failure(failure)
        }
        if let failure = SpecValidation.firstProblem(es.spec) ?? SecretRenderer.specProblem(es) ?? FindPatternValidation.validate(es.spec)
            ?? KeyRewrite.specProblem(es.spec)
        {
            return .failure(failure)
        }
        return .success(schedule)
    }

    /// A first sync of an ExternalSecret that creates its own Secret (`Owner` or `Orphan`),
    /// with no rotation and no `deletionPolicy: Delete` to act on an existing one: the
    /// Secret is not expected to exist, so it is created without a read first (one request
    /// per new ExternalSecret fewer); the create's `409 AlreadyExists` says otherwise.
    public static func expectsNoTarget(_ es: ExternalSecret) -> Bool {
        guard es.status?.syncedResourceVersion == nil, es.spec.rotation == nil else { return false }
        let target = es.spec.target
        return (target?.effectiveCreationPolicy ?? .owner) != .merge && target?.deletionPolicy != .delete
    }

    /// The verified entry of `es`'s Secret when reading the Secret can be skipped: no
    /// rotation block, the ExternalSecret (uid and generation) it was verified for, and the
    /// managed-Secret cache showing the Secret at the version verified.
    public static func trustedVerifiedEntry(
        _ entry: VerifiedTargets.Entry?, of es: ExternalSecret, cachedSecretVersion: String?
    ) -> VerifiedTargets.Entry? {
        guard es.spec.rotation == nil, let entry, entry.uid == es.metadata.uid, entry.generation == es.metadata.generation,
            cachedSecretVersion == entry.secretResourceVersion
        else { return nil }
        return entry
    }

    // MARK: With the target Secret known

    /// The target Secret's state: a verified one matches if its fingerprint is the
    /// status's; a read one is drifted when its recorded fingerprint is missing or not the
    /// status's, edited when its data no longer match that fingerprint, else it matches.
    public static func targetState(
        of es: ExternalSecret, verified: VerifiedTargets.Entry?, existing: Secret?, fingerprintKey: [UInt8]
    ) -> TargetState {
        if let verified { return verified.fingerprint == es.status?.fingerprint ? .matches : .drifted }
        guard let existing else { return .missing }
        let recorded = existing.metadata.annotations?[ManagedSecretMetadata.fingerprintAnnotation]
        guard let recorded, recorded == es.status?.fingerprint else { return .drifted }
        let holdsData = ManagedSecretPlan.holdsFingerprintedData(
            existing, creationPolicy: es.spec.target?.effectiveCreationPolicy ?? .owner, fingerprintKey: SymmetricKey(data: fingerprintKey))
        return holdsData ? .matches : .edited
    }

    /// Whether rotation housekeeping makes a sync due even when no refresh is: a scheduled
    /// rotation written (or abandoned) now, a window that ended (or rotation switched off
    /// while one runs), or restart targets not yet rolled for the recorded window.
    public static func housekeepingDue(
        _ es: ExternalSecret, scheduled: ScheduledRotation.Decision, existing: Secret?, recordedWindow: RotationWindow?, now: Date
    ) -> Bool {
        switch scheduled {
        case .start, .resume, .abandon: return true
        case .none: break
        }
        return RotationPlanner.housekeepingDue(existing: existing, rotation: es.spec.rotation, now: now)
            || RestartPlanner.needsRestart(
                rotationID: recordedWindow?.rotationID, restartedFor: es.status?.rotation?.restartedFor,
                targets: es.spec.rotation?.restartTargets ?? [])
    }

    /// The remote keys whose cached reads a sync drops first: every key `es` reads, when a
    /// force-sync value not yet handled asks for a sync "from the provider".
    public static func cachedKeysToDrop(_ es: ExternalSecret, version: SyncedVersion) -> Set<String> {
        guard version.forceSyncPart != nil, es.status?.syncedResourceVersion != version.description else { return [] }
        return Set((es.spec.data ?? []).map(\.remoteRef.key) + (es.spec.dataFrom ?? []).compactMap { $0.extract?.key })
    }

    /// The window whose restart targets' rollouts must be looked at before the write: with
    /// a rotation block, once the recorded window's grace period has ended.
    public static func rolloutCheck(_ es: ExternalSecret, recordedWindow: RotationWindow?, now: Date) -> RotationWindow? {
        guard es.spec.rotation != nil, let window = recordedWindow, now >= window.graceUntil else { return nil }
        return window
    }

    /// The course of the reconcile once the target Secret is known (see the type's rules).
    public static func intake(_ input: SyncIntake) -> IntakeDecision {
        let es = input.externalSecret
        let now = input.now
        // One writer per Secret: another ExternalSecret's Secret is refused before anything is
        // read from the provider or written.
        if let existing = input.existing,
            let refusal = TargetOwnership.refusal(existing: existing, externalSecret: es, recordedManagerGone: input.recordedManagerGone)
        {
            return .refuse(refusal.syncFailure)
        }
        let targetState = targetState(of: es, verified: input.verified, existing: input.existing, fingerprintKey: input.fingerprintKey)
        let version = SyncedVersion(externalSecret: es, store: input.store)
        let recordedWindow = RotationWindow.read(from: input.existing?.metadata.annotations)
        let scheduled = ScheduledRotation.decide(
            rotation: es.spec.rotation, status: es.status?.rotation, rotateAnnotation: es.metadata.annotations?[ExternalSecretAnnotations.rotate],
            now: now)
        let housekeeping = housekeepingDue(es, scheduled: scheduled, existing: input.existing, recordedWindow: recordedWindow, now: now)
        let due = RefreshPlanner.dueReason(schedule: input.schedule, status: es.status, current: version, target: targetState, now: now)
        let next: SyncCourse.Next
        if due != nil || housekeeping {
            next = .sync(SyncStart(
                due: due, dropCachedKeys: cachedKeysToDrop(es, version: version), checkRolloutsOf: rolloutCheck(es, recordedWindow: recordedWindow, now: now)))
        } else {
            next = .notDue(notDue(input, targetState: targetState, recordedWindow: recordedWindow))
        }
        return .proceed(SyncCourse(targetState: targetState, scheduled: scheduled, recordedWindow: recordedWindow, next: next))
    }

    /// Nothing is due: the status says so (and keeps the rotation state the Secret records),
    /// and the next look is the next refresh, or sooner: at `grace-until`, at the next
    /// scheduled rotation, or when an edited Secret may be repaired.
    static func notDue(_ input: SyncIntake, targetState: TargetState, recordedWindow: RotationWindow?) -> NotDuePlan {
        let es = input.externalSecret
        let now = input.now
        let rotation = RotationStatusPlanner.status(current: es.status?.rotation, rotation: es.spec.rotation, window: recordedWindow, now: now)
        let refresh = RefreshPlanner.nextAction(
            schedule: input.schedule, lastRefresh: es.status?.refreshTime?.date, now: now, random: { RefreshPlanner.jitterDraw(for: es) })
        let wakes = [recordedWindow?.graceUntil, rotation?.nextRotation?.date, RefreshPlanner.editRepairWake(target: targetState, status: es.status)]
        let created = input.verified?.created ?? input.existing?.metadata.creationTimestamp?.date
        return NotDuePlan(
            status: StatusUpdate(outcome: .notDue(secretName: es.targetSecretName, store: input.store.identity), rotation: .some(rotation)),
            observation: observation(es, window: recordedWindow, targetCreated: created),
            wake: wakes.reduce(refresh) { RefreshPlanner.earlier($0, wake: $1, now: now) })
    }

    /// `status` with a new scheduled rotation recorded as pending: `pendingID`, phase
    /// `Pending`, and the `rotor.dev/rotate` value it answers (so that value asks no more).
    public static func pendingRotationStatus(of es: ExternalSecret, pendingID: String) -> ExternalSecretStatus {
        var status = es.status ?? ExternalSecretStatus()
        var rotation = status.rotation ?? ExternalSecretRotationStatus()
        rotation.pendingID = pendingID
        rotation.phase = .pending
        if let request = es.metadata.annotations?[ExternalSecretAnnotations.rotate], !request.isEmpty {
            rotation.rotateRequest = request
        }
        status.rotation = rotation
        return status
    }

    /// A scheduled rotation writes the provider: a read-only store is `InvalidSpec`.
    public static func scheduledWriteRefusal(access: ProviderCapabilities.Access, store: StoreIdentity) -> SyncFailure? {
        guard access != .readWrite else { return nil }
        return .invalidSpec(
            field: "spec.rotation", problem: "\(store.phrase) is read-only; a scheduled rotation writes to the provider and needs a ReadWrite store")
    }

    // MARK: With the values read

    /// A read of the values failed: with `deletionPolicy: Delete` and the remote secret
    /// gone, the Secret is deleted first (read first when a verified entry spared its read);
    /// the failure is reported either way, prefixed with the field that asked for the values.
    public static func afterReadFailure(
        _ error: ProviderError, field: String, of es: ExternalSecret, store: StoreIdentity, targetRead: Bool = true
    ) -> ReadFailureDecision {
        var failure = SyncFailure.provider(error, store: store)
        failure.message = "\(field): \(failure.message)"
        let deletes = error.isSecretMissing && es.spec.target?.deletionPolicy == .delete
        return ReadFailureDecision(deletesTarget: deletes, readsTargetFirst: deletes && !targetRead, failure: failure)
    }

    /// Whether `secret` may be deleted on behalf of `es`: only a Secret it controls.
    public static func mayDelete(_ secret: Secret, of es: ExternalSecret) -> Bool {
        secret.metadata.ownerReferences?.contains { $0.controller == true && $0.uid == es.metadata.uid } ?? false
    }

    /// New data: a verified Secret no longer spares the read, the write is planned from
    /// what it holds.
    public static func mustReadVerifiedTarget(rendered: RenderedSecret, verified: VerifiedTargets.Entry?, fingerprintKey: [UInt8]) -> Bool {
        guard let verified else { return false }
        return SecretFingerprint.combined(rendered.data, key: SymmetricKey(data: fingerprintKey)) != verified.fingerprint
    }
}
