import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// The reconciler's decisions up to the read of the values (``ExternalSecretSyncPlanner``).
@Suite("Planning: ExternalSecret sync, before the values are read")
struct PlanningSyncIntakeTests {
    typealias F = SyncFixtures
    typealias Planner = ExternalSecretSyncPlanner

    static let rotation = #"{"gracePeriod":"10m"}"#
    static let minute: TimeInterval = 60

    enum Presence: String, CaseIterable { case deleted, markedForDeletion, present }

    @Test("a deleted ExternalSecret, or one marked for deletion, is gone: nothing is synced for it", arguments: [
        (Presence.deleted, true), (.markedForDeletion, true), (.present, false),
    ])
    func gone(_ presence: Presence, gone: Bool) {
        var object: ExternalSecret? = F.externalSecret()
        switch presence {
        case .deleted: object = nil
        case .markedForDeletion: object?.metadata.deletionTimestamp = KubeTime(F.now)
        case .present: break
        }
        #expect(Planner.isGone(object) == gone)
    }

    // MARK: Reading the target or not

    enum NewObject: String, CaseIterable { case owner, orphan, merge, deleteOnMissing, rotating, syncedBefore }

    @Test("a first create of an Owner or Orphan Secret skips the read; anything that may act on an existing one reads", arguments: [
        (NewObject.owner, true), (.orphan, true), (.merge, false), (.deleteOnMissing, false), (.rotating, false), (.syncedBefore, false),
    ])
    func expectsNoTarget(_ object: NewObject, expected: Bool) {
        let es: ExternalSecret
        switch object {
        case .owner: es = F.externalSecret()
        case .orphan: es = F.externalSecret(target: #"{"creationPolicy":"Orphan"}"#)
        case .merge: es = F.externalSecret(target: #"{"creationPolicy":"Merge"}"#)
        case .deleteOnMissing: es = F.externalSecret(target: #"{"deletionPolicy":"Delete"}"#)
        case .rotating: es = F.externalSecret(rotation: Self.rotation)
        case .syncedBefore: es = F.externalSecret(status: ExternalSecretStatus(syncedResourceVersion: "es=3"))
        }
        #expect(Planner.expectsNoTarget(es) == expected)
    }

    enum VerifiedCase: String, CaseIterable { case same, otherUID, otherGeneration, secretChanged, notCached, rotating, noEntry }

    @Test("a verified Secret spares the read only for the same ExternalSecret and spec, at the version verified", arguments: [
        (VerifiedCase.same, true), (.otherUID, false), (.otherGeneration, false), (.secretChanged, false), (.notCached, false),
        (.rotating, false), (.noEntry, false),
    ])
    func trustsVerifiedEntry(_ situation: VerifiedCase, trusted: Bool) {
        var es = F.externalSecret()
        var entry: VerifiedTargets.Entry? = F.entry()
        var cached: String? = "100"
        switch situation {
        case .same: break
        case .otherUID: entry = F.entry(uid: "uid-of-an-earlier-db")
        case .otherGeneration: es.metadata.generation = 4
        case .secretChanged: cached = "107"
        case .notCached: cached = nil
        case .rotating: es = F.externalSecret(rotation: Self.rotation)
        case .noEntry: entry = nil
        }
        #expect((Planner.trustedVerifiedEntry(entry, of: es, cachedSecretVersion: cached) != nil) == trusted)
    }

    // MARK: The target's state

    enum Found: String, CaseIterable { case nothing, verifiedSame, verifiedOther, unannotated, otherFingerprint, intact, editedData }

    @Test("the target is missing, matches, drifted (not what was synced) or edited (data changed under its fingerprint)", arguments: [
        (Found.nothing, TargetState.missing), (.verifiedSame, .matches), (.verifiedOther, .drifted), (.unannotated, .drifted),
        (.otherFingerprint, .drifted), (.intact, .matches), (.editedData, .edited),
    ])
    func targetState(_ found: Found, expected: TargetState) {
        let (secret, es) = F.synced(F.externalSecret())
        var existing: Secret? = secret
        var verified: VerifiedTargets.Entry?
        switch found {
        case .nothing: existing = nil
        case .verifiedSame: (existing, verified) = (nil, F.entry())
        case .verifiedOther: (existing, verified) = (nil, F.entry(fingerprint: F.fingerprint("v2")))
        case .unannotated: existing?.metadata.annotations?[ManagedSecretMetadata.fingerprintAnnotation] = nil
        case .otherFingerprint: existing?.metadata.annotations?[ManagedSecretMetadata.fingerprintAnnotation] = F.fingerprint("v2")
        case .intact: break
        case .editedData: existing?.data?["password"] = Data("typed by hand".utf8)
        }
        #expect(Planner.targetState(of: es, verified: verified, existing: existing, fingerprintKey: F.keyBytes) == expected)
    }

    @Test("another ExternalSecret's Secret is refused before anything is read from the provider")
    func refusesAnotherWritersSecret() {
        var (secret, es) = F.synced(F.externalSecret())
        secret.metadata.ownerReferences = [
            OwnerReference(apiVersion: "rotor.dev/v1alpha1", kind: "ExternalSecret", name: "other", uid: "uid-es-other", controller: true)
        ]
        es.status?.syncedResourceVersion = nil
        guard case .refuse(let failure) = F.intake(es, existing: secret) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(failure.reason == ExternalSecretConditions.Reason.conflict)
    }

    // MARK: Housekeeping

    enum Housekeeping: String, CaseIterable {
        case startScheduled, resumeScheduled, abandonScheduled, nothing, windowRunning, windowEnded, rotationRemoved, restartDue, restartDone
    }

    @Test("rotation housekeeping makes a sync due without a refresh: scheduled steps, ended windows, restarts not rolled", arguments: [
        (Housekeeping.startScheduled, true), (.resumeScheduled, true), (.abandonScheduled, true), (.nothing, false), (.windowRunning, false),
        (.windowEnded, true), (.rotationRemoved, true), (.restartDue, true), (.restartDone, false),
    ])
    func housekeeping(_ situation: Housekeeping, due: Bool) {
        let targets = #"{"gracePeriod":"10m","restartTargets":[{"kind":"Deployment","name":"api"}]}"#
        let (plain, _) = F.synced(F.externalSecret())
        let running = F.withWindow(plain, rotatedAt: F.now, graceUntil: F.now.addingTimeInterval(10 * Self.minute))
        let ended = F.withWindow(plain, rotatedAt: F.now.addingTimeInterval(-20 * Self.minute), graceUntil: F.now.addingTimeInterval(-Self.minute))
        let window = RotationWindow.read(from: running.metadata.annotations)
        var es = F.externalSecret(rotation: Self.rotation)
        var scheduled = ScheduledRotation.Decision.none
        var existing: Secret? = plain
        switch situation {
        case .startScheduled: scheduled = .start
        case .resumeScheduled: scheduled = .resume(pendingID: "p-1")
        case .abandonScheduled: scheduled = .abandon
        case .nothing: break
        case .windowRunning: existing = running
        case .windowEnded: existing = ended
        case .rotationRemoved: (es, existing) = (F.externalSecret(), running)
        case .restartDue: (es, existing) = (F.externalSecret(rotation: targets), running)
        case .restartDone:
            es = F.externalSecret(rotation: targets, status: ExternalSecretStatus(rotation: .init(restartedFor: window?.rotationID)))
            existing = running
        }
        let recorded = RotationWindow.read(from: existing?.metadata.annotations)
        #expect(Planner.housekeepingDue(es, scheduled: scheduled, existing: existing, recordedWindow: recorded, now: F.now) == due)
    }

    @Test("a rotation requested by annotation writes the provider first, then syncs even though no refresh is due")
    func requestedRotationWritesProviderFirst() {
        let rotation = #"{"gracePeriod":"10m","generate":[{"property":"password"}]}"#
        let (secret, synced) = F.synced(F.externalSecret(rotation: rotation))
        var es = synced
        es.metadata.annotations = [ExternalSecretAnnotations.rotate: "1"]
        let course = F.course(F.intake(es, existing: secret, at: F.now.addingTimeInterval(Self.minute)))
        #expect(course?.scheduled == .start)
        #expect(course?.writesProviderFirst == true)
        guard case .sync = course?.next else {
            Issue.record("expected a sync")
            return
        }
    }

    // MARK: Forced syncs

    enum ForceCase: String, CaseIterable { case noAnnotation, newValue, handledValue }

    @Test("a new force-sync value drops the cached reads of every key the ExternalSecret reads; a handled one drops none", arguments: [
        (ForceCase.noAnnotation, Set<String>()), (.newValue, Set(["shop/db", "shop/all"])), (.handledValue, Set<String>()),
    ])
    func forcedSyncDropsCachedReads(_ situation: ForceCase, dropped: Set<String>) {
        let dataFrom = #"[{"extract":{"key":"shop/all"}}]"#
        let plain = F.externalSecret(dataFrom: dataFrom)
        let forced = F.externalSecret(dataFrom: dataFrom, annotations: [ExternalSecretAnnotations.forceSync: "1"])
        let es: ExternalSecret
        switch situation {
        case .noAnnotation: es = F.synced(plain).externalSecret
        case .newValue:
            es = F.externalSecret(
                dataFrom: dataFrom, annotations: forced.metadata.annotations, status: F.synced(plain).externalSecret.status)
        case .handledValue: es = F.synced(forced).externalSecret
        }
        #expect(Planner.cachedKeysToDrop(es, version: SyncedVersion(externalSecret: es, store: F.store)) == dropped)
    }

    // MARK: Rollouts

    enum RolloutCase: String, CaseIterable { case windowEnded, windowRunning, rotationRemoved, noWindow }

    @Test("rollouts are looked at once a window's grace period has ended, with a rotation block", arguments: [
        (RolloutCase.windowEnded, true), (.windowRunning, false), (.rotationRemoved, false), (.noWindow, false),
    ])
    func rolloutCheck(_ situation: RolloutCase, checks: Bool) {
        let window = RotationWindow(rotatedAt: F.now.addingTimeInterval(-600), graceUntil: F.now, previousKeys: ["password"])
        let running = RotationWindow(rotatedAt: F.now, graceUntil: F.now.addingTimeInterval(600), previousKeys: ["password"])
        let rotating = F.externalSecret(rotation: Self.rotation)
        let checked: RotationWindow?
        switch situation {
        case .windowEnded: checked = Planner.rolloutCheck(rotating, recordedWindow: window, now: F.now)
        case .windowRunning: checked = Planner.rolloutCheck(rotating, recordedWindow: running, now: F.now)
        case .rotationRemoved: checked = Planner.rolloutCheck(F.externalSecret(), recordedWindow: window, now: F.now)
        case .noWindow: checked = Planner.rolloutCheck(rotating, recordedWindow: nil, now: F.now)
        }
        #expect((checked != nil) == checks)
    }

    // MARK: Not due: status and wake

    enum IdleCase: String, CaseIterable { case matches, windowRunning, edited }

    @Test("nothing due: the next look is the next refresh, or grace-until, or when an edit may be repaired", arguments: [
        (IdleCase.matches, 3230.0...3950.0), (.windowRunning, 300.0...300.0), (.edited, 20.0...20.0),
    ])
    func notDueWake(_ situation: IdleCase, seconds: ClosedRange<TimeInterval>) {
        let later = F.now.addingTimeInterval(10)
        let (synced, es) = F.synced(F.externalSecret(rotation: situation == .windowRunning ? Self.rotation : nil))
        var secret = synced
        switch situation {
        case .matches: break
        case .windowRunning: secret = F.withWindow(secret, rotatedAt: F.now, graceUntil: later.addingTimeInterval(300))
        case .edited: secret.data?["password"] = Data("typed by hand".utf8)
        }
        guard case .notDue(let idle) = F.course(F.intake(es, existing: secret, at: later))?.next else {
            Issue.record("expected nothing due")
            return
        }
        #expect(F.seconds(idle.wake).map(seconds.contains) == true)
        #expect(idle.status.outcome == .notDue(secretName: "db", store: F.store.identity))
        #expect(idle.observation.overlap == (situation == .windowRunning))
    }

    // MARK: Scheduled rotation and missing remote keys

    @Test("a new scheduled rotation records its ID, Pending, and the rotate request it answers", arguments: [
        (String?.some("2"), String?.some("2")), (nil, "1"), ("", "1"),
    ])
    func pendingRotationStatus(annotation: String?, recordedRequest: String?) {
        let status = ExternalSecretStatus(refreshTime: KubeTime(F.now), rotation: .init(restartedFor: "r-0", rotateRequest: "1"))
        let es = F.externalSecret(rotation: Self.rotation, annotations: annotation.map { [ExternalSecretAnnotations.rotate: $0] }, status: status)
        let pending = Planner.pendingRotationStatus(of: es, pendingID: "p-7")
        #expect(pending.rotation?.pendingID == "p-7")
        #expect(pending.rotation?.phase == .pending)
        #expect(pending.rotation?.rotateRequest == recordedRequest)
        #expect(pending.rotation?.restartedFor == "r-0")
        #expect(pending.refreshTime == status.refreshTime)
    }

    enum ReadError: String, CaseIterable { case secretGone, propertyGone, denied }

    @Test("a remote secret gone deletes the Secret (read first if unread) only with deletionPolicy Delete; the failure names the field", arguments: [
        (ReadError.secretGone, "Delete", true), (.secretGone, "Retain", false), (.propertyGone, "Delete", false), (.denied, "Delete", false),
    ])
    func missingRemoteKey(_ read: ReadError, policy: String, deletes: Bool) {
        let es = F.externalSecret(target: #"{"deletionPolicy":"\#(policy)"}"#)
        let error: ProviderError
        switch read {
        case .secretGone: error = .notFound(key: "shop/db")
        case .propertyGone: error = .propertyNotFound(key: "shop/db", property: "pw")
        case .denied: error = .permissionDenied(key: "shop/db")
        }
        let decision = Planner.afterReadFailure(error, field: "spec.data[0].remoteRef", of: es, store: F.store.identity)
        #expect(decision.deletesTarget == deletes)
        #expect(!decision.readsTargetFirst)
        let unread = Planner.afterReadFailure(error, field: "spec.data[0].remoteRef", of: es, store: F.store.identity, targetRead: false)
        #expect(unread.readsTargetFirst == deletes)
        #expect(decision.failure.message.hasPrefix("spec.data[0].remoteRef: key \"shop/db\""))
    }

    enum Controller: String, CaseIterable { case thisOne, another, notController, none }

    @Test("only a Secret this ExternalSecret controls is deleted", arguments: [
        (Controller.thisOne, true), (.another, false), (.notController, false), (.none, false),
    ])
    func mayDelete(_ controller: Controller, deletes: Bool) {
        let (synced, es) = F.synced(F.externalSecret())
        var secret = synced
        let owner = { (uid: String, controls: Bool) in
            OwnerReference(apiVersion: "rotor.dev/v1alpha1", kind: "ExternalSecret", name: "db", uid: uid, controller: controls)
        }
        switch controller {
        case .thisOne: secret.metadata.ownerReferences = [owner("uid-es-db", true)]
        case .another: secret.metadata.ownerReferences = [owner("uid-es-other", true)]
        case .notController: secret.metadata.ownerReferences = [owner("uid-es-db", false)]
        case .none: secret.metadata.ownerReferences = nil
        }
        #expect(Planner.mayDelete(secret, of: es) == deletes)
    }

    @Test("new data end the trust in a verified Secret: it is read before the write is planned", arguments: [
        ("v1", true, false), ("v2", true, true), ("v2", false, false),
    ])
    func newDataReadTheVerifiedSecret(password: String, verified: Bool, reads: Bool) {
        let entry = verified ? F.entry() : nil
        #expect(Planner.mustReadVerifiedTarget(rendered: F.rendered(password), verified: entry, fingerprintKey: F.keyBytes) == reads)
    }
}
