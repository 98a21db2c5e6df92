import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import KubernetesEmulator
import Testing

/// The client's adaptive pacing against the emulator when it sheds load as an API server's
/// Priority and Fairness does: 429 with `Retry-After` beyond a rate (its fault injection).
@Suite("Request pacing against a throttling API server")
struct RequestPacingTests {
    static let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)

    /// Runs `body` with a client of its own pacer (so the test can read its state), else the
    /// default configuration; always shuts the client down.
    static func withClient(
        _ cluster: EmulatedCluster, pacer: AdaptivePacer, _ body: (HTTPKubernetesClient) async throws -> Void
    ) async throws {
        let client = try HTTPKubernetesClient(configuration: cluster.client.configuration, pacer: pacer)
        do {
            try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func createConfigMaps(_ client: HTTPKubernetesClient, names: [String], concurrency: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = names[...]
            func next() {
                guard let name = pending.popFirst() else { return }
                group.addTask {
                    _ = try await client.create(configMaps, namespace: "default", body: [
                        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["k": "v"],
                    ])
                }
            }
            for _ in 0..<concurrency { next() }
            while try await group.next() != nil { next() }
        }
    }

    @Test("a server admitting 8 creates a second: every create lands, none is retried before Retry-After, the client then sends no faster than the server admits, and 429s stay few")
    func backsOffToTheServersRate() async throws {
        try await EmulatedCluster.with { cluster in
            let limit = 8
            cluster.emulator.faults.throttle(
                requestsPerSecond: limit, retryAfterSeconds: 1, matching: .init(verb: "create", resource: "configmaps"))
            let pacer = AdaptivePacer()
            // 32 callers at once: far more than 8 a second, however loaded the machine.
            let names = (0..<64).map { "paced-\($0)" }
            try await Self.withClient(cluster, pacer: pacer) { client in
                try await Self.createConfigMaps(client, names: names, concurrency: 32)
                let arrivals = cluster.emulator.faults.arrivals
                // Every create landed, through the client's own retries (the callers saw no 429).
                let admitted = Set(arrivals.filter { $0.refusedWithRetryAfter == nil }.compactMap(\.name))
                #expect(admitted == Set(names))
                // No request was sent again sooner than the Retry-After it was answered with.
                for (index, arrival) in arrivals.enumerated() {
                    guard let seconds = arrival.refusedWithRetryAfter else { continue }
                    let retry = arrivals[(index + 1)...].first { $0.name == arrival.name }
                    let gap = try #require(retry).at - arrival.at
                    #expect(gap >= .seconds(seconds), "\(arrival.name ?? "?") retried after \(gap)")
                }
                // After the first refusal's Retry-After, requests reach the server no faster than it
                // admits them (measured at the server; a slower client only lowers this).
                let firstRefusal = try #require(arrivals.first { $0.refusedWithRetryAfter != nil }, "the first burst was refused in part")
                let later = arrivals.filter { $0.at >= firstRefusal.at + .seconds(1) }
                if let first = later.first, let last = later.last, later.count > 2 * limit {
                    let seconds = Double((last.at - first.at).components.seconds) + Double((last.at - first.at).components.attoseconds) / 1e18
                    let rate = Double(later.count - 1) / max(seconds, 0.001)
                    #expect(rate <= Double(limit) * 1.5, "\(later.count) requests in \(seconds) s after backing off")
                }
                // Few refusals, not a loop: the first burst and a probe now and then.
                let refused = arrivals.filter { $0.refusedWithRetryAfter != nil }.count
                #expect(refused < names.count, "\(refused) 429s for \(names.count) creates")
                let snapshot = await pacer.snapshot(.write)
                #expect(snapshot.throttled == refused, "the pacer saw every 429")
                let reads = await pacer.snapshot(.read)
                #expect(reads.throttled == 0 && reads.rate == nil, "reads were not refused, so not slowed")
            }
        }
    }

    @Test("once the server stops refusing, the pacing recovers: its rate limit is lifted")
    func recoversWhenTheServerIsHealthy() async throws {
        try await EmulatedCluster.with { cluster in
            // A limit far below what 16 concurrent creates ask for, even on a loaded machine.
            cluster.emulator.faults.throttle(
                requestsPerSecond: 4, retryAfterSeconds: 1, matching: .init(verb: "create", resource: "configmaps"))
            var policy = PacingPolicy()
            policy.rateIncreasePerSecond = 2  // recover within about a second, to keep the test short
            let pacer = AdaptivePacer(policy: policy)
            try await Self.withClient(cluster, pacer: pacer) { client in
                try await Self.createConfigMaps(client, names: (0..<24).map { "before-\($0)" }, concurrency: 16)
                let throttled = await pacer.snapshot(.write)
                #expect(throttled.throttled > 0, "the server refused some, and the pacing backed off")
                cluster.emulator.faults.reset()
                let lifted = await EmulatedCluster.eventually {
                    try? await Self.createConfigMaps(client, names: (0..<10).map { "after-\(UUID().uuidString.prefix(8).lowercased())-\($0)" }, concurrency: 10)
                    return await pacer.snapshot(.write).rate == nil
                }
                #expect(lifted, "the rate limit was lifted once the server admitted everything")
                // (The window's growth is checked in simulated time, PacingLaneTests: here, on a
                // loaded machine, rising latency may rightly keep it small.)
                #expect(await pacer.snapshot(.write).throttled == throttled.throttled, "nothing refused since")
            }
        }
    }

    @Test("Lease requests, watches and reads never wait behind writes that fill their window")
    func leasesAndWatchesAreNotPaced() async throws {
        try await EmulatedCluster.with { cluster in
            // Every ConfigMap create takes 8 s; the write window holds 2: the writes fill it.
            cluster.emulator.faults.addLatency(.seconds(8), matching: .init(verb: "create", resource: "configmaps"))
            var policy = PacingPolicy()
            policy.initialWindow = 2
            policy.maximumWindow = 2
            let pacer = AdaptivePacer(policy: policy)
            try await Self.withClient(cluster, pacer: pacer) { client in
                let blocked = Task { try await Self.createConfigMaps(client, names: (0..<6).map { "slow-\($0)" }, concurrency: 6) }
                let full = await EmulatedCluster.eventually { await pacer.snapshot(.write).inFlight == 2 }
                #expect(full, "two writes in flight, four waiting for the window")
                // The leader's Lease: created, read and renewed while the write window is full.
                let lease: JSONValue = [
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "leader", "namespace": "default"],
                    "spec": ["holderIdentity": "a", "leaseDurationSeconds": 15],
                ]
                let created = try await client.create(ResourceTypes.leases, namespace: "default", body: lease)
                _ = try await client.get(ResourceTypes.leases, namespace: "default", name: "leader")
                _ = try await client.patch(
                    ResourceTypes.leases, namespace: "default", name: "leader",
                    patch: .merge(["metadata": ["resourceVersion": created[path: ["metadata", "resourceVersion"]] ?? .null], "spec": ["holderIdentity": "b"]]))
                // Reads are paced apart from writes.
                _ = try await client.list(Self.configMaps, namespace: "default")
                // A watch opens and delivers while the writes still wait.
                let watch = try await client.watch(Self.configMaps, namespace: "default", options: WatchOptions())
                var events = watch.makeAsyncIterator()
                _ = try await client.create(ResourceTypes.leases, namespace: "default", body: [
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "second", "namespace": "default"],
                ])
                _ = try await cluster.client.delete(ResourceTypes.leases, namespace: "default", name: "second")
                let watchedLeases = try await client.watch(ResourceTypes.leases, namespace: "default", options: WatchOptions())
                var leaseEvents = watchedLeases.makeAsyncIterator()
                let first = try await leaseEvents.next()
                #expect(first?.object[path: ["metadata", "name"]]?.stringValue == "leader")
                _ = events
                let still = await pacer.snapshot(.write)
                #expect(still.inFlight == 2, "all of this happened while the write window was still full")
                blocked.cancel()
                _ = await blocked.result
            }
        }
    }
}
