import Crypto
import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI

extension ExternalSecretSyncPlanner {
    /// The sync, once the values are read and rendered:
    /// - overlap rotation (``RotationPlanner``: previous values held while restart targets
    ///   roll out) and the write (``ManagedSecretPlan``; a verified Secret is not written);
    ///   either may fail the sync before anything is written;
    /// - ``VerifiedTargets`` keeps only a plain Secret (no rotation block, no window recorded
    ///   or opened): rotation state is always read;
    /// - a write is announced (`Synced`, `Rotated`, `GraceExpired`), except a first sync's
    ///   create, which the `Ready` condition records;
    /// - restart targets roll once per rotation (`status.rotation.restartedFor`);
    /// - the status records the sync, the rotation status and the `RolloutComplete`
    ///   condition (held rollouts, warned of once);
    /// - the next wake: the next refresh, or sooner at `grace-until`, to poll held
    ///   rollouts, or at the next scheduled rotation.
    public static func sync(_ input: SyncInput) -> SyncDecision {
        let es = input.externalSecret
        let now = input.now
        let rotationPlan: RotationPlan
        switch RotationPlanner.plan(
            existing: input.existing, rendered: input.rendered.data, rotation: es.spec.rotation,
            creationPolicy: es.spec.target?.effectiveCreationPolicy ?? .owner, now: now, holdPrevious: !input.pendingRollouts.isEmpty)
        {
        case .success(let plan): rotationPlan = plan
        case .failure(let failure): return .fail(failure)
        }
        let plan = input.verified.map { ManagedSecretPlan(unchangedTargetOf: es, fingerprint: $0.fingerprint) }
            ?? ManagedSecretPlan(
                rendered: input.rendered, externalSecret: es, existing: input.existing, fingerprintKey: SymmetricKey(data: input.fingerprintKey),
                additions: rotationPlan.additions, recordedManagerGone: input.recordedManagerGone)
        let write: SecretWrite
        switch plan.action {
        case .create(let secret): write = .create(secret)
        case .update(let secret): write = .update(secret)
        case .none: write = .none
        case .refuse(let refusal): return .fail(refusal.syncFailure)
        }
        let targetCreated: Date?
        if case .create = write {
            targetCreated = now
        } else {
            targetCreated = input.verified?.created ?? input.existing?.metadata.creationTimestamp?.date
        }
        let plain = es.spec.rotation == nil && input.recordedWindow == nil && rotationPlan.window == nil
        let restart = restartWindow(es, rotationPlan: rotationPlan)
        var rotationStatus = RotationStatusPlanner.status(
            current: es.status?.rotation, rotation: es.spec.rotation, window: rotationPlan.window, completedScheduled: input.scheduledWritten, now: now)
        if let restart { rotationStatus?.restartedFor = restart.rotationID }
        let held = rolloutCondition(es, pending: input.pendingRollouts)
        let heldBefore = es.status?.conditions?.first(ofType: ExternalSecretConditions.rolloutComplete) != nil
        let synced = SyncedSecret(
            secretName: es.targetSecretName, store: input.store.identity, syncedVersion: SyncedVersion(externalSecret: es, store: input.store),
            fingerprint: plan.fingerprint)
        var wrote = true
        if case .none = write { wrote = false }
        // A first sync creating the Secret is recorded by the Ready condition alone (its
        // transition time says when); Events tell what changed after that.
        var firstSync = false
        if case .create = write, es.status?.syncedResourceVersion == nil, es.status?.refreshTime == nil { firstSync = true }
        return .carryOut(SyncSteps(
            write: write, secret: plan.secret,
            targetVersionAsRead: input.verified?.secretResourceVersion ?? input.existing?.metadata.resourceVersion,
            verifiedRecord: plain
                ? VerifiedRecord(fingerprint: plan.fingerprint, uid: es.metadata.uid, generation: es.metadata.generation, created: targetCreated) : nil,
            writeEvents: wrote ? writeEvents(secret: plan.secret, rotationPlan, store: input.store, firstSync: firstSync) : [],
            countsRotation: wrote && rotationPlan.rotated && rotationPlan.window != nil,
            restartFor: restart,
            status: StatusUpdate(outcome: .synced(synced), rotation: .some(rotationStatus), rolloutCondition: .some(held)),
            rolloutWarning: held.flatMap { heldBefore ? nil : .warning(ExternalSecretConditions.Reason.rolloutPending, $0.message ?? "") },
            observation: observation(es, window: rotationPlan.window, targetCreated: targetCreated),
            wake: wake(after: input, rotationPlan: rotationPlan, nextRotation: rotationStatus?.nextRotation?.date)))
    }

    /// The window whose restart targets are rolled now: the one in force after the write,
    /// when the targets were not yet rolled for its rotation.
    static func restartWindow(_ es: ExternalSecret, rotationPlan: RotationPlan) -> RotationWindow? {
        guard let window = rotationPlan.window,
            RestartPlanner.needsRestart(
                rotationID: window.rotationID, restartedFor: es.status?.rotation?.restartedFor, targets: es.spec.rotation?.restartTargets ?? [])
        else { return nil }
        return window
    }

    /// `RolloutComplete=False` naming each rollout the previous values wait for, or nil
    /// (the condition is removed) when none is pending.
    public static func rolloutCondition(_ es: ExternalSecret, pending: [PendingRollout]) -> Condition? {
        guard !pending.isEmpty else { return nil }
        return Condition(
            type: ExternalSecretConditions.rolloutComplete, status: .false, observedGeneration: es.metadata.generation,
            reason: ExternalSecretConditions.Reason.rolloutPending,
            message: "the grace period has ended; previous values are kept until these rollouts complete: "
                + pending.map { "\($0.name) (\($0.message))" }.joined(separator: "; "))
    }

    /// Events for a Secret just written: `Synced`, and `Rotated` or `GraceExpired` when a
    /// window opened or ended. Keys and times only, never values.
    ///
    /// The first sync of an ExternalSecret (it creates the Secret, and its status records no
    /// earlier sync) writes no `Synced` Event: `kubectl describe` shows it in the `Ready`
    /// condition (reason `Synced`, the Secret and store named, the time of the transition),
    /// and an Event more per ExternalSecret would be a quarter of the writes of a first sync —
    /// 10,000 Events when 10,000 ExternalSecrets are applied at once. Every later write (new
    /// values, a re-created Secret) and every rotation is an Event.
    static func writeEvents(secret: String, _ rotationPlan: RotationPlan, store: ResolvedStore, firstSync: Bool = false) -> [PlannedEvent] {
        var events: [PlannedEvent] = firstSync ? [] : [.normal("Synced", "Secret \(secret) written from \(store.identity.phrase)")]
        if rotationPlan.rotated, let window = rotationPlan.window {
            events.append(.normal(
                "Rotated", "Secret \(secret): keys \(rotationPlan.rotatedKeys) changed; previous values kept until \(KubeTime(window.graceUntil))"))
        }
        if rotationPlan.expired {
            events.append(.normal("GraceExpired", "Secret \(secret): previous values of keys \(rotationPlan.expiredKeys) removed"))
        }
        return events
    }

    /// The Event for a restart target rolled for `window`'s rotation.
    public static func restartEvent(_ target: RestartTarget, for window: RotationWindow) -> PlannedEvent {
        .normal("RestartTriggered", "\(target.kind.rawValue) \(target.name) restarted for the rotation of \(window.rotationID)")
    }

    /// The next reconcile after a sync: the next refresh (counted from now), or sooner: at
    /// `grace-until`, one poll interval on while rollouts hold previous values, at the next
    /// scheduled rotation.
    static func wake(after input: SyncInput, rotationPlan: RotationPlan, nextRotation: Date?) -> ReconcileAction {
        let now = input.now
        let es = input.externalSecret
        let refresh = RefreshPlanner.nextAction(schedule: input.schedule, lastRefresh: now, now: now, random: { RefreshPlanner.jitterDraw(for: es) })
        let wake = rotationPlan.heldAfterGrace ? now.addingTimeInterval(rolloutPollInterval.timeInterval) : rotationPlan.nextWake
        return RefreshPlanner.earlier(RefreshPlanner.earlier(refresh, wake: wake, now: now), wake: nextRotation, now: now)
    }

    /// The rotation metrics: overlap while a window runs; the values last changed when the
    /// window opened, else when the status says, else when the Secret was created.
    static func observation(_ es: ExternalSecret, window: RotationWindow?, targetCreated: Date?) -> RotationObservation {
        RotationObservation(overlap: window != nil, valuesChangedAt: window?.rotatedAt ?? es.status?.rotation?.rotatedAt?.date ?? targetCreated)
    }

    /// The status to write for `update` at `now`, or nil when it would not change the status.
    public static func desiredStatus(_ es: ExternalSecret, _ update: StatusUpdate, now: Date) -> ExternalSecretStatus? {
        var desired = ExternalSecretStatusPlanner.desiredStatus(current: es.status, generation: es.metadata.generation, outcome: update.outcome, now: now)
        if case .some(let rotation) = update.rotation { desired.rotation = rotation }
        if case .some(let condition) = update.rolloutCondition {
            if let condition {
                desired.conditions = ConditionPlanner.setting(condition, in: desired.conditions, now: now)
            } else {
                desired.conditions?.removeAll { $0.type == ExternalSecretConditions.rolloutComplete }
            }
        }
        return ExternalSecretStatusPlanner.statusChanged(es.status, desired) ? desired : nil
    }
}
