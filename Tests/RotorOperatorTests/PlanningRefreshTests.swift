import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

@Suite("Planning: refresh schedule")
struct PlanningRefreshTests {
    typealias F = PlanningFixtures
    typealias Planner = RefreshPlanner

    /// A status as a successful sync of `es` against the vault store at `time` leaves it.
    static func syncedStatus(of es: ExternalSecret, at time: Date) -> ExternalSecretStatus {
        ExternalSecretStatus(
            refreshTime: KubeTime(time), syncedResourceVersion: SyncedVersion(externalSecret: es, store: F.vaultStore).description,
            fingerprint: "hmac-sha256:ab")
    }

    static func due(
        _ es: ExternalSecret, status: ExternalSecretStatus?, target: TargetState = .matches, store: ResolvedStore = F.vaultStore,
        now: Date
    ) throws -> DueReason? {
        let schedule = try RefreshSchedule.of(es.spec).get()
        return Planner.dueReason(
            schedule: schedule, status: status, current: SyncedVersion(externalSecret: es, store: store), target: target, now: now)
    }

    // MARK: Schedules

    @Test("refreshInterval and refreshPolicy give the schedule", arguments: [
        (String?.none, RefreshPolicy?.none, RefreshSchedule.periodic(every: .seconds(3600))),
        ("15m", .periodic, .periodic(every: .seconds(900))),
        ("0", .periodic, .onChange),
        ("0s", nil, .onChange),
        ("1h", .onChange, .onChange),
        ("1h", .createdOnce, .createdOnce),
    ])
    func schedules(interval: String?, policy: RefreshPolicy?, expected: RefreshSchedule) throws {
        let spec = F.externalSecret(refreshInterval: interval, refreshPolicy: policy).spec
        #expect(try RefreshSchedule.of(spec).get() == expected)
    }

    @Test("a bad refreshInterval or refreshPolicy is a terminal InvalidSpec naming the field", arguments: [
        ("1d", RefreshPolicy?.none, "spec.refreshInterval"), ("-5m", nil, "spec.refreshInterval"),
        ("soon", .onChange, "spec.refreshInterval"), ("1h", "Sometimes", "spec.refreshPolicy"),
    ])
    func badSchedule(interval: String, policy: RefreshPolicy?, field: String) throws {
        let spec = F.externalSecret(refreshInterval: interval, refreshPolicy: policy).spec
        guard case .failure(let failure) = RefreshSchedule.of(spec) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.reason == ExternalSecretConditions.Reason.invalidSpec)
        #expect(failure.message.hasPrefix(field + ": "))
        #expect(failure.isTerminal)
        #expect(Planner.afterFailure(failure, random: { 0.5 }) == .waitForChange)
    }

    // MARK: Periodic

    @Test("Periodic: the next refresh is the interval ±10 % after the sync, over many draws")
    func periodicJitterWithinTenPercent() {
        var generator = PlanningSeededGenerator(seed: 7)
        var lowest = Double.infinity
        var highest = -Double.infinity
        for _ in 0..<10_000 {
            let action = Planner.nextAction(
                schedule: .periodic(every: .seconds(3600)), lastRefresh: F.now, now: F.now,
                random: { Double.random(in: 0...1, using: &generator) })
            guard case .requeue(let after) = action else {
                Issue.record("expected a requeue, got \(action)")
                return
            }
            lowest = min(lowest, after.timeInterval)
            highest = max(highest, after.timeInterval)
        }
        #expect(lowest >= 3240 && highest <= 3960)
        // The draws spread over the window instead of bunching.
        #expect(lowest < 3260 && highest > 3940)
    }

    @Test("Periodic: the jitter extremes are exactly ±10 %")
    func periodicJitterExtremes() {
        let schedule = RefreshSchedule.periodic(every: .seconds(600))
        #expect(Planner.nextAction(schedule: schedule, lastRefresh: F.now, now: F.now, random: { 0 }) == .requeue(after: .seconds(540)))
        #expect(Planner.nextAction(schedule: schedule, lastRefresh: F.now, now: F.now, random: { 1 }) == .requeue(after: .seconds(660)))
        #expect(Planner.nextAction(schedule: schedule, lastRefresh: F.now, now: F.now, random: { 0.5 }) == .requeue(after: .seconds(600)))
    }

    @Test("Periodic: a reconcile woken early requeues for the remainder, never past a full interval from now")
    func periodicRemainder() {
        let schedule = RefreshSchedule.periodic(every: .seconds(600))
        #expect(Planner.nextAction(schedule: schedule, lastRefresh: F.now, now: F.now + 100, random: { 0.5 }) == .requeue(after: .seconds(500)))
        // refreshTime in the future (clock skew): capped at one jittered interval.
        #expect(Planner.nextAction(schedule: schedule, lastRefresh: F.now + 10_000, now: F.now, random: { 0.5 }) == .requeue(after: .seconds(600)))
        // Overdue: at once.
        #expect(Planner.nextAction(schedule: schedule, lastRefresh: F.now - 10_000, now: F.now, random: { 0.5 }) == .requeue(after: .zero))
    }

    @Test("Periodic: due once 90 % of the interval has passed since refreshTime, not before")
    func periodicDue() throws {
        let es = F.externalSecret(refreshInterval: "10m")
        let status = Self.syncedStatus(of: es, at: F.now)
        #expect(try Self.due(es, status: status, now: F.now + 60) == nil)
        #expect(try Self.due(es, status: status, now: F.now + 539) == nil)
        #expect(try Self.due(es, status: status, now: F.now + 540) == .intervalElapsed)
        #expect(try Self.due(es, status: status, now: F.now + 6000) == .intervalElapsed)
    }

    @Test("any policy but CreatedOnce: never synced, a missing or drifted target, a spec or store change make it due")
    func dueOnChanges() throws {
        for policy in [RefreshPolicy.periodic, .onChange] {
            let es = F.externalSecret(generation: 1, refreshInterval: "1h", refreshPolicy: policy)
            let status = Self.syncedStatus(of: es, at: F.now)
            let soon = F.now + 5
            #expect(try Self.due(es, status: nil, now: soon) == .neverSynced)
            #expect(try Self.due(es, status: status, now: soon) == nil)
            #expect(try Self.due(es, status: status, target: .missing, now: soon) == .targetMissing)
            #expect(try Self.due(es, status: status, target: .drifted, now: soon) == .targetDrifted)
            // Edited data: repaired, but not within the spacing after the last sync.
            #expect(try Self.due(es, status: status, target: .edited, now: soon) == nil)
            #expect(try Self.due(es, status: status, target: .edited, now: F.now + RefreshPlanner.editRepairSpacing) == .targetDrifted)
            #expect(RefreshPlanner.editRepairWake(target: .edited, status: status) == F.now + RefreshPlanner.editRepairSpacing)
            #expect(RefreshPlanner.editRepairWake(target: .drifted, status: status) == nil)
            var edited = es
            edited.metadata.generation = 2
            #expect(try Self.due(edited, status: status, now: soon) == .specChanged)
            var storeEdited = F.vaultStore
            storeEdited.generation = 2
            #expect(try Self.due(es, status: status, store: storeEdited, now: soon) == .specChanged)
            let otherStore = ResolvedStore(
                identity: .clusterSecretStore(name: "vault"), provider: F.vaultStore.provider, generation: 1)
            #expect(try Self.due(es, status: status, store: otherStore, now: soon) == .specChanged)
        }
    }

    @Test("\"0\" syncs once: no timer, due again only on a change")
    func zeroIntervalSyncsOnce() throws {
        let es = F.externalSecret(refreshInterval: "0")
        let schedule = try RefreshSchedule.of(es.spec).get()
        #expect(try Self.due(es, status: nil, now: F.now) == .neverSynced)
        let status = Self.syncedStatus(of: es, at: F.now)
        #expect(try Self.due(es, status: status, now: F.now + 86_400 * 365) == nil)
        #expect(Planner.nextAction(schedule: schedule, lastRefresh: F.now, now: F.now, random: { 0.5 }) == .done)
        var edited = es
        edited.metadata.generation = 2
        #expect(try Self.due(edited, status: status, now: F.now + 10) == .specChanged)
    }

    // MARK: OnChange

    @Test("OnChange: never due on time alone and never requeued")
    func onChange() throws {
        let es = F.externalSecret(refreshInterval: "1m", refreshPolicy: .onChange)
        let status = Self.syncedStatus(of: es, at: F.now)
        #expect(try Self.due(es, status: status, now: F.now + 86_400) == nil)
        #expect(Planner.nextAction(schedule: .onChange, lastRefresh: F.now, now: F.now, random: { 0.5 }) == .done)
    }

    // MARK: CreatedOnce

    @Test("CreatedOnce: synced while the Secret is missing, never again once it exists")
    func createdOnce() throws {
        let es = F.externalSecret(refreshPolicy: .createdOnce)
        #expect(try Self.due(es, status: nil, target: .missing, now: F.now) == .targetMissing)
        #expect(try Self.due(es, status: nil, target: .matches, now: F.now) == .neverSynced)
        let status = Self.syncedStatus(of: es, at: F.now)
        let muchLater = F.now + 86_400 * 30
        #expect(try Self.due(es, status: status, target: .matches, now: muchLater) == nil)
        #expect(try Self.due(es, status: status, target: .drifted, now: muchLater) == nil)
        var edited = es
        edited.metadata.generation = 5
        edited.metadata.annotations = [ExternalSecretAnnotations.forceSync: "now"]
        #expect(try Self.due(edited, status: status, target: .matches, now: muchLater) == nil)
        // Deleting the Secret brings it back.
        #expect(try Self.due(edited, status: status, target: .missing, now: muchLater) == .targetMissing)
        #expect(Planner.nextAction(schedule: .createdOnce, lastRefresh: F.now, now: F.now, random: { 0.5 }) == .done)
    }

    // MARK: Force sync

    @Test("force-sync: a new annotation value makes it due at once, the same value again does not")
    func forceSyncDue() throws {
        for policy in [RefreshPolicy.periodic, .onChange] {
            let es = F.externalSecret(refreshInterval: "1h", refreshPolicy: policy)
            let status = Self.syncedStatus(of: es, at: F.now)
            var forced = es
            forced.metadata.annotations = [ExternalSecretAnnotations.forceSync: "1800000010"]
            #expect(try Self.due(forced, status: status, now: F.now + 10) == .forceSync)
            // Once synced with that value recorded, the same value asks for nothing.
            let after = Self.syncedStatus(of: forced, at: F.now + 10)
            #expect(try Self.due(forced, status: after, now: F.now + 20) == nil)
            var again = forced
            again.metadata.annotations = [ExternalSecretAnnotations.forceSync: "1800000020"]
            #expect(try Self.due(again, status: after, now: F.now + 30) == .forceSync)
            // Removing the annotation asks for nothing.
            #expect(try Self.due(es, status: after, now: F.now + 30) == nil)
        }
    }

    @Test("force-sync: a long annotation value is recorded compactly and still compared exactly")
    func longForceSyncValue() throws {
        let long = String(repeating: "x", count: 500)
        var es = F.externalSecret()
        es.metadata.annotations = [ExternalSecretAnnotations.forceSync: long]
        let version = SyncedVersion(externalSecret: es, store: F.vaultStore)
        #expect(version.description.count < 150)
        #expect(!version.description.contains(long))
        var other = es
        other.metadata.annotations = [ExternalSecretAnnotations.forceSync: long + "y"]
        #expect(SyncedVersion(externalSecret: other, store: F.vaultStore) != version)
        #expect(try Self.due(other, status: Self.syncedStatus(of: es, at: F.now), now: F.now + 1) == .forceSync)
    }

    @Test("force-sync urgency: set or changed to a non-empty value is urgent; unchanged or removed is not")
    func forceSyncUrgency() {
        func es(_ value: String?) -> ExternalSecret {
            F.externalSecret(annotations: value.map { [ExternalSecretAnnotations.forceSync: $0] })
        }
        #expect(ForceSync.isRequested(old: es(nil), new: es("1")))
        #expect(ForceSync.isRequested(old: es("1"), new: es("2")))
        #expect(!ForceSync.isRequested(old: es("1"), new: es("1")))
        #expect(!ForceSync.isRequested(old: es("1"), new: es(nil)))
        #expect(!ForceSync.isRequested(old: es(nil), new: es("")))
        #expect(!ForceSync.isRequested(old: es(nil), new: es(nil)))
    }

    @Test("a failed sync leaves the object due, so backoff retries still read the provider")
    func failureStaysDue() throws {
        let es = F.externalSecret(refreshInterval: "1h")
        let synced = Self.syncedStatus(of: es, at: F.now)
        var edited = es
        edited.metadata.generation = 2
        let failed = ExternalSecretStatusPlanner.desiredStatus(
            current: synced, generation: 2, outcome: .failed(.provider(.transient(key: "shop/db"))), now: F.now + 10)
        #expect(try Self.due(edited, status: failed, now: F.now + 20) == .specChanged)
    }

    // MARK: Failures

    @Test("throttling with a retry-after hint requeues no earlier than the hint and at most 10 % later")
    func throttledHonoursRetryAfter() {
        let failure = SyncFailure.provider(.throttled(retryAfter: .seconds(30), key: "shop/db"))
        #expect(failure.retryAfter == .seconds(30))
        #expect(Planner.afterFailure(failure, random: { 0 }) == .requeue(after: .seconds(30)))
        #expect(Planner.afterFailure(failure, random: { 1 }) == .requeue(after: .seconds(33)))
        var generator = PlanningSeededGenerator(seed: 11)
        for _ in 0..<1_000 {
            guard case .requeue(let after) = Planner.afterFailure(failure, random: { Double.random(in: 0...1, using: &generator) }) else {
                Issue.record("expected a requeue")
                return
            }
            #expect(after >= .seconds(30) && after <= .seconds(33))
        }
    }

    @Test("throttling without a hint, and every other provider failure, back off in the work queue")
    func otherFailuresBackOff() {
        #expect(Planner.afterFailure(.provider(.throttled()), random: { 0.5 }) == .backoff)
        #expect(Planner.afterFailure(.provider(.throttled(retryAfter: .zero)), random: { 0.5 }) == .backoff)
        #expect(Planner.afterFailure(.provider(.transient()), random: { 0.5 }) == .backoff)
        #expect(Planner.afterFailure(.provider(.notFound(key: "k")), random: { 0.5 }) == .backoff)
        #expect(Planner.afterFailure(.storeNotReady("x"), random: { 0.5 }) == .backoff)
        #expect(Planner.afterFailure(.forbidden("x"), random: { 0.5 }) == .backoff)
        #expect(Planner.afterFailure(.invalidSpec(field: "spec.x", problem: "bad"), random: { 0.5 }) == .waitForChange)
    }
}
