import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import KubernetesEmulator
import JSONCore
import KubeAPI
import Synchronization
import Testing

/// Leader election against the emulator, with time on a `ManualClock`: every step of the
/// clock waits until each elector has finished its attempt and is waiting on the clock again.
@Suite("LeaderElection")
struct LeaderElectionTests {
    static let namespace = "default"

    /// Who is running leading work; counts any moment at which two were.
    actor LeadershipTracker {
        private(set) var active: Set<String> = []
        private(set) var history: [String] = []
        private(set) var overlaps = 0

        func enter(_ id: String) {
            if !active.isEmpty { overlaps += 1 }
            active.insert(id)
            history.append(id)
        }

        func leave(_ id: String) { active.remove(id) }
    }

    /// A counter callbacks can bump.
    final class Counter: Sendable {
        private let count = Mutex(0)
        func increment() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    /// Leading work that runs until cancelled, reporting to `tracker`.
    static func work(_ id: String, _ tracker: LeadershipTracker) -> @Sendable () async throws -> Void {
        {
            await tracker.enter(id)
            // Real-time sleep that only cancellation ends; no test waits for it to elapse.
            try? await Task.sleep(for: .seconds(3600))
            await tracker.leave(id)
        }
    }

    static func elector(
        _ id: String, lease: String, cluster: EmulatedCluster, clock: ManualClock, releaseOnCancel: Bool = true,
        onStoppedLeading: @escaping @Sendable () -> Void = {}
    ) throws -> LeaderElector {
        try LeaderElector(
            configuration: LeaderElectionConfiguration(
                leaseName: lease, leaseNamespace: namespace, identity: id, releaseOnCancel: releaseOnCancel),
            client: cluster.client, clock: clock, onStoppedLeading: onStoppedLeading)
    }

    static func lease(_ name: String, _ cluster: EmulatedCluster) async throws -> Lease {
        try await cluster.client.get(Lease.self, namespace: namespace, name: name)
    }

    /// Waits until every elector has completed at least `attempts[i]` attempts and all are
    /// waiting on the clock.
    static func settle(_ clock: ManualClock, _ electors: [LeaderElector], attempts: [Int]) async -> Bool {
        await EmulatedCluster.eventually {
            zip(electors, attempts).allSatisfy { $0.attemptCount >= $1 } && clock.sleeperCount == electors.count
        }
    }

    /// Advances the clock by one retry period (2 s), in which each elector makes exactly one
    /// attempt, and waits until all have made it.
    static func step(_ clock: ManualClock, _ electors: [LeaderElector], sourceLocation: SourceLocation = #_sourceLocation) async {
        let before = electors.map(\.attemptCount)
        clock.advance(by: .seconds(2))
        let settled = await settle(clock, electors, attempts: before.map { $0 + 1 })
        #expect(settled, "electors did not settle after a step", sourceLocation: sourceLocation)
    }

    @Test("the configuration requires leaseDuration > renewDeadline > retryPeriod")
    func configurationValidation() throws {
        let valid = LeaderElectionConfiguration(leaseName: "l", leaseNamespace: "ns", identity: "a")
        #expect(valid.leaseDuration == .seconds(15) && valid.renewDeadline == .seconds(10) && valid.retryPeriod == .seconds(2))
        try valid.validate()
        #expect(valid.safetyMargin == .seconds(3), "15 s lease − 10 s renew deadline − 2 s workers' grace")
        var invalid = valid
        invalid.leaseDuration = .seconds(12)
        #expect(throws: LeaderElectionError.self, "no room left after the workers' grace") { try invalid.validate() }
        invalid = valid
        invalid.renewDeadline = .seconds(15)
        #expect(throws: LeaderElectionError.self) { try invalid.validate() }
        invalid = valid
        invalid.retryPeriod = .seconds(10)
        #expect(throws: LeaderElectionError.self) { try invalid.validate() }
        invalid = valid
        invalid.identity = ""
        do {
            try invalid.validate()
            Issue.record("an empty identity was accepted")
        } catch {
            #expect(error.code == LeaderElectionError.invalidConfigurationCode)
        }
        #expect(LeaderElectionConfiguration.defaultIdentity(prefix: "pod") != LeaderElectionConfiguration.defaultIdentity(prefix: "pod"))
    }

    @Test("a single elector acquires the Lease, runs its work, renews, and releases on cancellation")
    func singleElectorAcquiresRunsAndReleases() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let tracker = LeadershipTracker()
            let elector = try Self.elector("a", lease: "single", cluster: cluster, clock: clock)
            let start = clock.now()
            let run = Task { try await elector.run(Self.work("a", tracker)) }

            #expect(await EmulatedCluster.eventually { await tracker.active == ["a"] })
            #expect(await Self.settle(clock, [elector], attempts: [1]))
            #expect(elector.isLeader)
            #expect(elector.currentLeader == "a")
            let acquired = try await Self.lease("single", cluster)
            #expect(acquired.spec.holderIdentity == "a")
            #expect(acquired.spec.leaseDurationSeconds == 15)
            #expect(acquired.spec.leaseTransitions == 0)
            #expect(acquired.spec.acquireTime?.date == start)
            #expect(acquired.spec.renewTime?.date == start)

            await Self.step(clock, [elector])
            let renewed = try await Self.lease("single", cluster)
            #expect(renewed.spec.renewTime?.date == start.addingTimeInterval(2))
            #expect(renewed.spec.acquireTime?.date == start)
            #expect(renewed.metadata.resourceVersion != acquired.metadata.resourceVersion)
            #expect(elector.lastRenewTime == start.addingTimeInterval(2))

            run.cancel()
            try await run.value
            #expect(!elector.isLeader)
            #expect(await tracker.active.isEmpty)
            let released = try await Self.lease("single", cluster)
            #expect(released.spec.holderIdentity == nil)
            #expect(released.spec.leaseDurationSeconds == 1)
            #expect(released.spec.renewTime?.date == clock.now())
            #expect(released.spec.leaseTransitions == 0)
        }
    }

    @Test("two electors on one Lease: exactly one leads at a time")
    func twoElectorsExactlyOneLeads() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let tracker = LeadershipTracker()
            let a = try Self.elector("a", lease: "shared", cluster: cluster, clock: clock)
            let b = try Self.elector("b", lease: "shared", cluster: cluster, clock: clock)
            let runA = Task { try await a.run(Self.work("a", tracker)) }
            let runB = Task { try await b.run(Self.work("b", tracker)) }

            #expect(await Self.settle(clock, [a, b], attempts: [1, 1]))
            #expect(await EmulatedCluster.eventually { await tracker.active.count == 1 })
            let leader = try #require(await tracker.active.first)
            #expect([a, b].filter(\.isLeader).count == 1)
            for _ in 0..<10 {
                await Self.step(clock, [a, b])
                #expect(await tracker.active == [leader])
                #expect([a, b].filter(\.isLeader).count == 1)
                #expect(a.currentLeader == leader && b.currentLeader == leader)
            }
            runA.cancel()
            runB.cancel()
            try await runA.value
            try await runB.value
            #expect(await tracker.overlaps == 0)
            #expect(await tracker.history == [leader])
        }
    }

    @Test("after a leader crashes, the standby takes over only once leaseDuration has elapsed")
    func crashedLeaderIsReplacedAfterLeaseDuration() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let tracker = LeadershipTracker()
            // No release on cancel: cancelling `a` is a crash as far as the Lease can tell.
            let a = try Self.elector("a", lease: "crash", cluster: cluster, clock: clock, releaseOnCancel: false)
            let b = try Self.elector("b", lease: "crash", cluster: cluster, clock: clock)
            let runA = Task { try await a.run(Self.work("a", tracker)) }
            #expect(await EmulatedCluster.eventually { await tracker.active == ["a"] })
            #expect(await Self.settle(clock, [a], attempts: [1]))
            let runB = Task { try await b.run(Self.work("b", tracker)) }
            #expect(await Self.settle(clock, [a, b], attempts: [1, 1]))
            #expect(b.currentLeader == "a")
            for _ in 0..<3 { await Self.step(clock, [a, b]) }

            runA.cancel()
            try await runA.value
            #expect(await tracker.active.isEmpty)
            #expect(await Self.settle(clock, [b], attempts: [b.attemptCount]))
            let crashed = try await Self.lease("crash", cluster)
            #expect(crashed.spec.holderIdentity == "a")
            let expiry = try #require(crashed.spec.expiry)

            while clock.now().addingTimeInterval(2) < expiry {
                await Self.step(clock, [b])
                #expect(!b.isLeader)
                #expect(await tracker.active.isEmpty)
            }
            #expect(try await Self.lease("crash", cluster).spec.holderIdentity == "a")
            // b saw a's last renewal at that step or the next, and waits leaseDuration on its
            // own clock from then: it takes over within two retry periods after the expiry.
            while !b.isLeader && clock.now() < expiry.addingTimeInterval(4) {
                await Self.step(clock, [b])
            }
            #expect(clock.now() >= expiry)
            #expect(await EmulatedCluster.eventually { await tracker.active == ["b"] })
            #expect(b.isLeader)
            let taken = try await Self.lease("crash", cluster)
            #expect(taken.spec.holderIdentity == "b")
            #expect(taken.spec.leaseTransitions == 1)
            #expect(taken.spec.acquireTime?.date == clock.now())

            runB.cancel()
            try await runB.value
            #expect(await tracker.overlaps == 0)
            #expect(await tracker.history == ["a", "b"])
        }
    }

    @Test("after a graceful release, the standby takes over at its next retry, not after leaseDuration")
    func gracefulReleaseHandsOverImmediately() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let tracker = LeadershipTracker()
            let a = try Self.elector("a", lease: "handover", cluster: cluster, clock: clock)
            let b = try Self.elector("b", lease: "handover", cluster: cluster, clock: clock)
            let runA = Task { try await a.run(Self.work("a", tracker)) }
            #expect(await EmulatedCluster.eventually { await tracker.active == ["a"] })
            #expect(await Self.settle(clock, [a], attempts: [1]))
            let runB = Task { try await b.run(Self.work("b", tracker)) }
            #expect(await Self.settle(clock, [a, b], attempts: [1, 1]))
            await Self.step(clock, [a, b])

            let releasedAt = clock.now()
            runA.cancel()
            try await runA.value
            let released = try await Self.lease("handover", cluster)
            #expect(released.spec.holderIdentity == nil)
            #expect(released.spec.leaseDurationSeconds == 1)
            #expect(await Self.settle(clock, [b], attempts: [b.attemptCount]))

            await Self.step(clock, [b])
            #expect(await EmulatedCluster.eventually { await tracker.active == ["b"] })
            #expect(clock.now().timeIntervalSince(releasedAt) <= 2)
            #expect(try await Self.lease("handover", cluster).spec.holderIdentity == "b")

            runB.cancel()
            try await runB.value
            #expect(await tracker.overlaps == 0)
            #expect(await tracker.history == ["a", "b"])
        }
    }

    @Test("leaseTransitions counts each change of holder")
    func transitionsAreCounted() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let tracker = LeadershipTracker()
            let a = try Self.elector("a", lease: "transitions", cluster: cluster, clock: clock)
            let b = try Self.elector("b", lease: "transitions", cluster: cluster, clock: clock)
            var expected: [Int32] = []
            for (elector, id) in [(a, "a"), (b, "b"), (a, "a")] {
                let run = Task { try await elector.run(Self.work(id, tracker)) }
                #expect(await EmulatedCluster.eventually { await tracker.active == [id] })
                let lease = try await Self.lease("transitions", cluster)
                #expect(lease.spec.holderIdentity == id)
                expected.append(lease.spec.leaseTransitions ?? -1)
                run.cancel()
                try await run.value
                clock.advance(by: .seconds(1))
            }
            #expect(expected == [0, 1, 2])
        }
    }

    @Test("a leader whose renewals fail for longer than renewDeadline stops before the Lease could lapse")
    func renewFailuresStopTheLeader() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let tracker = LeadershipTracker()
            let stopped = Counter()
            let a = try Self.elector("a", lease: "flaky", cluster: cluster, clock: clock) { stopped.increment() }
            let acquiredAt = clock.now()
            let run = Task { try await a.run(Self.work("a", tracker)) }
            #expect(await EmulatedCluster.eventually { await tracker.active == ["a"] })
            #expect(await Self.settle(clock, [a], attempts: [1]))

            cluster.emulator.faults.failNext(1000, matching: .init(verb: "update", resource: "leases"), code: 500)
            for _ in 0..<4 {  // renewals at +2 s … +8 s fail; still within the renew deadline
                await Self.step(clock, [a])
                #expect(a.isLeader)
                #expect(await tracker.active == ["a"])
            }
            #expect(stopped.value == 0)

            clock.advance(by: .seconds(2))  // +10 s: the renew deadline
            #expect(await EmulatedCluster.eventually { await tracker.active.isEmpty })
            #expect(!a.isLeader)
            #expect(stopped.value == 1)
            let lease = try await Self.lease("flaky", cluster)
            #expect(lease.spec.holderIdentity == "a")
            #expect(lease.spec.renewTime?.date == acquiredAt)
            let expiry = try #require(lease.spec.expiry)
            #expect(clock.now() < expiry, "stopped leading before another could take over")

            // Once the API recovers it competes again, and wins its own unexpired Lease back.
            cluster.emulator.faults.reset()
            #expect(await Self.settle(clock, [a], attempts: [a.attemptCount]))
            await Self.step(clock, [a])
            #expect(await EmulatedCluster.eventually { await tracker.active == ["a"] })
            #expect(a.isLeader)

            run.cancel()
            try await run.value
            #expect(await tracker.history == ["a", "a"])
            #expect(await tracker.overlaps == 0)
        }
    }

    @Test("three electors: when the leader crashes exactly one standby wins the takeover")
    func onlyOneStandbyWinsTheTakeover() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let tracker = LeadershipTracker()
            let a = try Self.elector("a", lease: "race", cluster: cluster, clock: clock, releaseOnCancel: false)
            let runA = Task { try await a.run(Self.work("a", tracker)) }
            #expect(await EmulatedCluster.eventually { await tracker.active == ["a"] })
            #expect(await Self.settle(clock, [a], attempts: [1]))
            let b = try Self.elector("b", lease: "race", cluster: cluster, clock: clock)
            let c = try Self.elector("c", lease: "race", cluster: cluster, clock: clock)
            let runB = Task { try await b.run(Self.work("b", tracker)) }
            let runC = Task { try await c.run(Self.work("c", tracker)) }
            #expect(await Self.settle(clock, [a, b, c], attempts: [1, 1, 1]))

            runA.cancel()
            try await runA.value
            #expect(await Self.settle(clock, [b, c], attempts: [b.attemptCount, c.attemptCount]))
            // 18 s: leaseDuration after the last renewal b and c may have seen one period late.
            for _ in 0..<9 { await Self.step(clock, [b, c]) }
            #expect(await EmulatedCluster.eventually { await tracker.active.count == 1 })
            #expect([b, c].filter(\.isLeader).count == 1)
            for _ in 0..<3 { await Self.step(clock, [b, c]) }
            #expect([b, c].filter(\.isLeader).count == 1)
            #expect(try await Self.lease("race", cluster).spec.leaseTransitions == 1)

            runB.cancel()
            runC.cancel()
            try await runB.value
            try await runC.value
            #expect(await tracker.overlaps == 0)
            #expect(await tracker.history.count == 2)
        }
    }
}
