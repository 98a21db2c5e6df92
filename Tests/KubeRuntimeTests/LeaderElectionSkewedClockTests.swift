import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import KubernetesEmulator
import JSONCore
import KubeAPI
import Synchronization
import Testing

extension LeaderElectionTests {
    // MARK: Skewed clocks

    /// A client whose requests all fail while `partitioned` is set: a replica cut off from
    /// the API server (or paused) while its process, and its workers, go on.
    final class PartitionableClient: KubernetesClient {
        struct Partitioned: Error {}
        let inner: any KubernetesClient
        private let cut = Mutex(false)
        init(_ inner: any KubernetesClient) { self.inner = inner }

        var partitioned: Bool {
            get { cut.withLock { $0 } }
            set { cut.withLock { $0 = newValue } }
        }

        private func check() throws { if partitioned { throw Partitioned() } }

        func get(_ type: ResourceType, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
            try check()
            return try await inner.get(type, namespace: namespace, name: name, subresource: subresource)
        }
        func list(_ type: ResourceType, namespace: String?, options: ListOptions) async throws -> JSONValue {
            try check()
            return try await inner.list(type, namespace: namespace, options: options)
        }
        func watch(_ type: ResourceType, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
            try check()
            return try await inner.watch(type, namespace: namespace, options: options)
        }
        func create(_ type: ResourceType, namespace: String?, body: JSONValue, options: WriteOptions) async throws -> JSONValue {
            try check()
            return try await inner.create(type, namespace: namespace, body: body, options: options)
        }
        func update(
            _ type: ResourceType, namespace: String?, name: String, body: JSONValue, subresource: String?, options: WriteOptions
        ) async throws -> JSONValue {
            try check()
            return try await inner.update(type, namespace: namespace, name: name, body: body, subresource: subresource, options: options)
        }
        func patch(
            _ type: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String?, options: WriteOptions
        ) async throws -> JSONValue {
            try check()
            return try await inner.patch(type, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options)
        }
        func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue {
            try check()
            return try await inner.delete(type, namespace: namespace, name: name, options: options)
        }
        func createToken(serviceAccount: String, namespace: String, request: JSONValue) async throws -> JSONValue {
            try check()
            return try await inner.createToken(serviceAccount: serviceAccount, namespace: namespace, request: request)
        }
    }

    /// When each replica led, on one common timeline (seconds since the test began): from
    /// the moment it started leading until it stopped plus the workers' grace, the time its
    /// in-flight reconciles may still run.
    final class LeadingTimeline: Sendable {
        struct Interval: Sendable, CustomStringConvertible {
            var who: String
            var start: Double
            var end: Double?
            var description: String { "\(who) [\(start), \(end.map { "\($0)" } ?? "…"))" }
        }

        private let intervals = Mutex<[Interval]>([])
        let now: @Sendable () -> Double
        init(now: @escaping @Sendable () -> Double) { self.now = now }

        func started(_ who: String) {
            let t = now()
            intervals.withLock { $0.append(Interval(who: who, start: t)) }
        }

        func stopped(_ who: String) {
            let end = now() + LeaderElectionConfiguration.workerGrace.timeInterval
            intervals.withLock { list in
                if let i = list.lastIndex(where: { $0.who == who && $0.end == nil }) { list[i].end = end }
            }
        }

        var all: [Interval] { intervals.withLock { $0 } }

        /// Pairs of different replicas whose intervals share an instant.
        var overlaps: [(Interval, Interval)] {
            let list = all
            var found: [(Interval, Interval)] = []
            for (i, a) in list.enumerated() {
                for b in list[(i + 1)...] where a.who != b.who {
                    if a.start < (b.end ?? .infinity) && b.start < (a.end ?? .infinity) { found.append((a, b)) }
                }
            }
            return found
        }
    }

    enum LeaderFate: String, CaseIterable, Sendable {
        /// Cut off from the API server while its workers run on.
        case partitioned
        /// Renews throughout.
        case keepsRenewing
    }

    /// Clock offsets tried (seconds the standby's clock is ahead of the leader's; negative:
    /// behind). Expiry is judged by local observation, so any offset is tolerated; these
    /// are the ones the test states: 3 s and 6 s, either way.
    static let skews: [Int] = [3, -3, 6, -6]

    @Test(
        "with clocks skewed by 3 s or 6 s either way, a leader that is cut off or keeps renewing never leads at the same instant as the standby, workers' grace included",
        arguments: LeaderElectionTests.skews, LeaderFate.allCases)
    func skewedClocksNeverLeadTogether(skew: Int, fate: LeaderFate) async throws {
        try await EmulatedCluster.with { cluster in
            let lease = "skew"
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            let clockA = ManualClock(start: base)
            let clockB = ManualClock(start: base.addingTimeInterval(TimeInterval(skew)))
            let timeline = LeadingTimeline { clockA.now().timeIntervalSince(base) }
            let clientA = PartitionableClient(cluster.client)
            func elector(_ id: String, _ client: any KubernetesClient, _ clock: ManualClock) throws -> LeaderElector {
                try LeaderElector(
                    configuration: LeaderElectionConfiguration(leaseName: lease, leaseNamespace: Self.namespace, identity: id),
                    client: client, clock: clock, onStartedLeading: { timeline.started(id) }, onStoppedLeading: { timeline.stopped(id) })
            }
            let a = try elector("a", clientA, clockA)
            let b = try elector("b", cluster.client, clockB)
            let work: @Sendable () async throws -> Void = { try? await Task.sleep(for: .seconds(3600)) }
            let runA = Task { try await a.run(work) }
            #expect(await EmulatedCluster.eventually { a.isLeader && a.attemptCount >= 1 && clockA.sleeperCount == 1 })
            let runB = Task { try await b.run(work) }
            #expect(await EmulatedCluster.eventually { b.attemptCount >= 1 && clockB.sleeperCount == 1 })

            /// Both clocks move 2 s (one retry period); waits until each elector has made its
            /// attempt, or stopped or started leading, and waits on its clock again.
            func step() async {
                let pairs = [(a, clockA), (b, clockB)]
                let attempts = pairs.map { $0.0.attemptCount }
                let leading = pairs.map { $0.0.isLeader }
                clockA.advance(by: .seconds(2))
                clockB.advance(by: .seconds(2))
                let settled = await EmulatedCluster.eventually {
                    pairs.indices.allSatisfy { i in
                        let (elector, clock) = pairs[i]
                        return clock.sleeperCount == 1 && (elector.attemptCount > attempts[i] || elector.isLeader != leading[i])
                    }
                }
                #expect(settled, "electors did not settle at t=\(timeline.now())")
            }

            for _ in 0..<3 { await step() }
            #expect(a.isLeader && !b.isLeader)
            if fate == .partitioned { clientA.partitioned = true }
            // 32 s: past the renew deadline, the lease duration and the takeover.
            for _ in 0..<16 { await step() }
            switch fate {
            case .partitioned:
                #expect(!a.isLeader && b.isLeader, "the standby took over from the cut-off leader: \(timeline.all)")
            case .keepsRenewing:
                #expect(a.isLeader && !b.isLeader, "the renewing leader kept the Lease: \(timeline.all)")
            }
            runA.cancel()
            runB.cancel()
            _ = try? await runA.value
            _ = try? await runB.value
            #expect(timeline.overlaps.isEmpty, "two replicas led at once (skew \(skew) s, \(fate)): \(timeline.overlaps)")
        }
    }
}
