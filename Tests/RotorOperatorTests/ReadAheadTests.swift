import Crypto
import EmulatorTestSupport
import FakeProvider
import FakeProviderTestSupport
import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// Reading ahead the keys of a store's ExternalSecrets coming due, so that a batching
/// provider gets full batches: the planner's decisions, and the operator's provider calls.
@Suite("Read-ahead of due keys")
struct ReadAheadTests {
    typealias F = PlanningFixtures
    typealias Planner = ReadAheadPlanner

    static func reading(_ key: String, name: String = "db", namespace: String = "shop", interval: String = "1h") -> ExternalSecret {
        var es = F.externalSecret(name: name, namespace: namespace, refreshInterval: interval)
        es.spec.data = [ExternalSecretData(secretKey: "password", remoteRef: ExternalSecretRemoteRef(key: key))]
        return es
    }

    static func synced(_ es: ExternalSecret, at time: Date) -> ExternalSecret {
        var es = es
        es.status = PlanningRefreshTests.syncedStatus(of: es, at: time)
        es.status?.conditions = [Condition(type: ExternalSecretConditions.ready, status: .true, reason: ExternalSecretConditions.Reason.synced)]
        return es
    }

    static func failing(_ es: ExternalSecret, reason: String) -> ExternalSecret {
        var es = es
        es.status = ExternalSecretStatus(conditions: [Condition(type: ExternalSecretConditions.ready, status: .false, reason: reason)])
        return es
    }

    // MARK: When an ExternalSecret reads next

    @Test("a never-synced ExternalSecret reads now, also while it waits for its store")
    func neverSyncedReadsNow() {
        let es = Self.reading("shop/db")
        #expect(Planner.nextRead(of: es, store: F.vaultStore, now: F.now) == F.now)
        #expect(Planner.nextRead(of: Self.failing(es, reason: ExternalSecretConditions.Reason.storeNotReady), store: F.vaultStore, now: F.now) == F.now)
    }

    @Test("an ExternalSecret whose last sync failed is left to its own retries", arguments: [
        ExternalSecretConditions.Reason.providerError, ExternalSecretConditions.Reason.secretNotFound,
        ExternalSecretConditions.Reason.forbidden, ExternalSecretConditions.Reason.throttled, ExternalSecretConditions.Reason.invalidSpec,
    ])
    func failingIsLeftAlone(reason: String) {
        #expect(Planner.nextRead(of: Self.failing(Self.reading("shop/db"), reason: reason), store: F.vaultStore, now: F.now) == nil)
    }

    @Test("a periodic ExternalSecret reads at the very instant its reconcile is requeued for")
    func periodicReadsWhenRequeued() throws {
        for index in 0..<50 {
            let es = Self.synced(Self.reading("shop/key-\(index)"), at: F.now)
            let due = try #require(Planner.nextRead(of: es, store: F.vaultStore, now: F.now))
            let requeue = RefreshPlanner.nextAction(
                schedule: .periodic(every: .seconds(3600)), lastRefresh: F.now, now: F.now, random: { RefreshPlanner.jitterDraw(for: es) })
            guard case .requeue(let after) = requeue else {
                Issue.record("a periodic schedule requeues")
                return
            }
            #expect(abs(due.timeIntervalSince(F.now) - after.timeInterval) < 0.001)
            #expect(due.timeIntervalSince(F.now) >= 3240 && due.timeIntervalSince(F.now) <= 3960)
        }
    }

    @Test("OnChange and CreatedOnce ExternalSecrets are not read ahead once synced; a spec change reads now")
    func onlyPeriodicOnesComeDue() {
        var onChange = Self.reading("shop/db")
        onChange.spec.refreshPolicy = .onChange
        #expect(Planner.nextRead(of: Self.synced(onChange, at: F.now), store: F.vaultStore, now: F.now + 7200) == nil)
        var createdOnce = Self.reading("shop/db")
        createdOnce.spec.refreshPolicy = .createdOnce
        #expect(Planner.nextRead(of: Self.synced(createdOnce, at: F.now), store: F.vaultStore, now: F.now + 7200) == nil)
        var edited = Self.synced(Self.reading("shop/db"), at: F.now)
        edited.metadata.generation = 2
        #expect(Planner.nextRead(of: edited, store: F.vaultStore, now: F.now + 60) == F.now + 60)
    }

    // MARK: Jitter

    @Test("ExternalSecrets reading the same secrets of a store share their jitter; other secrets spread over the window")
    func jitterFollowsTheSecretsRead() {
        let first = Self.reading("shop/db", name: "a")
        let second = Self.reading("shop/db", name: "b")
        #expect(RefreshPlanner.jitterDraw(for: first) == RefreshPlanner.jitterDraw(for: second))
        var otherStore = Self.reading("shop/db", name: "c")
        otherStore.spec.secretStoreRef.name = "other"
        #expect(RefreshPlanner.jitterDraw(for: otherStore) != RefreshPlanner.jitterDraw(for: first))
        // 2,000 keys: every tenth of the window gets its share (± a third).
        var deciles = [Int](repeating: 0, count: 10)
        for index in 0..<2_000 {
            let draw = RefreshPlanner.jitterDraw(for: Self.reading("shop/key-\(index)"))
            #expect(draw >= 0 && draw < 1)
            deciles[min(9, Int(draw * 10))] += 1
        }
        #expect(deciles.allSatisfy { $0 > 133 && $0 < 267 }, "draws per tenth of the window: \(deciles)")
    }

    // MARK: Candidates and picks

    static func candidates(
        queued: [ExternalSecret] = [], _ others: [ExternalSecret], queueSeenWhole: Bool = true, rate: Double = 10, now: Date = F.now
    ) -> [Planner.Candidate] {
        Planner.candidates(
            queued: queued.enumerated().map { Planner.Queued($0.element, position: $0.offset) }, externalSecrets: queued + others,
            queueSeenWhole: queueSeenWhole, reconcilesPerSecond: rate, store: F.vaultStore, now: now, horizon: .seconds(10))
    }

    @Test("candidates: each secret once at its earliest due time, within the horizon, soonest first")
    func candidatesAreDedupedAndOrdered() {
        let others = [
            Self.synced(Self.reading("shop/c", name: "4"), at: F.now - 3_600),  // due within the hour's ±10 %
            Self.synced(Self.reading("shop/d", name: "5"), at: F.now),  // next due in about an hour
            Self.failing(Self.reading("shop/e", name: "6"), reason: ExternalSecretConditions.Reason.providerError),
        ]
        let queued = [Self.reading("shop/a", name: "1"), Self.reading("shop/b", name: "2"), Self.reading("shop/a", name: "3")]
        let found = Self.candidates(queued: queued, others, now: F.now + 360)
        let due = Dictionary(uniqueKeysWithValues: found.map { ($0.id.key, $0.due.timeIntervalSince(F.now)) })
        // Queued ones at their turn (10 reconciles a second), shop/a at its first reader's;
        // shop/c on its schedule (already past: now); shop/d not for an hour, shop/e failing.
        #expect(found.count == 3)
        #expect(abs((due["shop/a"] ?? 0) - 360) < 0.001)
        #expect(abs((due["shop/b"] ?? 0) - 360.1) < 0.001)
        #expect(abs((due["shop/c"] ?? 0) - 360) < 0.001)
        #expect(found.map(\.due) == found.map(\.due).sorted())
    }

    @Test("queued ExternalSecrets count only if they will read when their turn comes, and only within the horizon")
    func queuedOnesCountWhenDue() {
        let settled = Self.synced(Self.reading("shop/settled", name: "settled"), at: F.now)
        let new = (0..<300).map { Self.reading("shop/new-\($0)", name: "new-\($0)") }
        let found = Self.candidates(queued: [settled] + new, [], queueSeenWhole: false, rate: 10)
        #expect(!found.map(\.id.key).contains("shop/settled"), "woken but not due: it reads nothing")
        // 10 a second over a 10 s horizon: positions 1...100 only.
        #expect(found.count == 100)
        #expect(found.last?.id.key == "shop/new-99")
    }

    @Test("behind a backlog, ExternalSecrets not in sight of the queue are not read ahead")
    func backlogReadsOnlyWhatIsInSight() {
        let due = Self.synced(Self.reading("shop/due", name: "due"), at: F.now - 3_600)
        #expect(Self.candidates([due], queueSeenWhole: true, now: F.now + 360).map(\.id.key) == ["shop/due"])
        #expect(Self.candidates([due], queueSeenWhole: false, now: F.now + 360).isEmpty)
    }

    @Test("remote ids: data and dataFrom.extract, with versions, each once")
    func remoteIDsOfASpec() {
        var es = Self.reading("shop/db")
        es.spec.data?.append(ExternalSecretData(secretKey: "user", remoteRef: ExternalSecretRemoteRef(key: "shop/db")))
        es.spec.data?.append(ExternalSecretData(secretKey: "old", remoteRef: ExternalSecretRemoteRef(key: "shop/db", version: "AWSPREVIOUS")))
        es.spec.dataFrom = [ExternalSecretDataFromSource(extract: ExternalSecretExtract(key: "shop/config"))]
        #expect(Planner.remoteIDs(of: es.spec) == [
            RemoteSecretID(key: "shop/config"), RemoteSecretID(key: "shop/db"), RemoteSecretID(key: "shop/db", version: "AWSPREVIOUS"),
        ])
    }

    @Test("pick: what is due before the next look, filled up to whole batches with the next due; later ones wait")
    func picksWholeBatches() {
        let candidates = (0..<100).map { Planner.Candidate(id: RemoteSecretID(key: "k\($0)"), due: F.now + Double($0) * 0.1) }
        // Due within 1 s: k0...k10 (11 ids) → one batch of 20.
        #expect(Planner.pick(candidates, now: F.now, scanInterval: .seconds(1), batchSize: 20, limit: 2_000).map(\.key) == (0..<20).map { "k\($0)" })
        // Nothing due before the next look: nothing yet.
        #expect(Planner.pick(Array(candidates.dropFirst(30)), now: F.now, scanInterval: .seconds(1), batchSize: 20, limit: 2_000).isEmpty)
        // Everything due: all of it, even when the last batch cannot be filled.
        #expect(Planner.pick(candidates, now: F.now + 20, scanInterval: .seconds(1), batchSize: 20, limit: 2_000).count == 100)
        #expect(Planner.pick(Array(candidates.prefix(7)), now: F.now + 20, scanInterval: .seconds(1), batchSize: 20, limit: 2_000).count == 7)
        // The per-look limit holds.
        #expect(Planner.pick(candidates, now: F.now + 20, scanInterval: .seconds(1), batchSize: 20, limit: 40).count == 40)
    }

    // MARK: Through the operator

    static func store(keys: Int) -> JSONValue {
        let data: [JSONValue] = (0..<keys).map { ["key": .string("shared/key-\($0)"), "value": .string("value-\($0)"), "version": "1"] }
        return [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "SecretStore", "metadata": ["name": "fake", "namespace": "default"],
            "spec": ["provider": ["fake": ["data": .array(data)]]],
        ]
    }

    /// `es-index`, reading `shared/key-(index % keys)`, or with `perKey` the key of
    /// `index / perKey`, so that the readers of one key are created together.
    static func externalSecret(_ index: Int, keys: Int, interval: String, perKey: Int? = nil) -> JSONValue {
        let key = perKey.map { index / $0 } ?? index % keys
        return [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret", "metadata": ["name": .string("es-\(index)"), "namespace": "default"],
            "spec": [
                "secretStoreRef": ["name": "fake"], "refreshInterval": .string(interval),
                "data": [["secretKey": "value", "remoteRef": ["key": .string("shared/key-\(key)")]]],
            ],
        ]
    }

    /// Each ExternalSecret's `status.refreshTime` (the last sync), by name.
    static func refreshTimes(_ client: HTTPKubernetesClient) async -> [String: KubeTime] {
        let list = try? await client.list(ExternalSecret.self, namespace: "default")
        var times: [String: KubeTime] = [:]
        for es in list?.items ?? [] {
            if let name = es.metadata.name, let time = es.status?.refreshTime { times[name] = time }
        }
        return times
    }

    static func syncedCount(_ client: HTTPKubernetesClient) async -> Int {
        let list = try? await client.list(ExternalSecret.self, namespace: "default")
        return list?.items.filter { $0.status?.conditions?.first(ofType: ExternalSecretConditions.ready)?.status == .true }.count ?? 0
    }

    /// A cluster with a fake store of `keys` keys (batches of 20) and `externalSecrets`
    /// ExternalSecrets created before the operator starts (as after a restart or an
    /// upgrade), then the operator running with `providers` built around that store.
    static func withExternalSecrets(
        keys: Int, externalSecrets: [JSONValue], cacheTTL: Duration = .seconds(30),
        _ body: (HTTPKubernetesClient, FakeProvider) async throws -> Void
    ) async throws {
        let entries = (0..<keys).map { FakeProvider.Entry(key: "shared/key-\($0)", value: "value-\($0)", version: "1") }
        let fake = FakeProvider(data: entries, maxBatchSize: 20)
        let providers = StoreProviders(
            registry: ProviderRegistry([FakeProviderFactory(instances: ["SecretStore/default/fake": fake])]),
            coalescing: CoalescingReader.Configuration(ttl: cacheTTL))
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            for definition in RotorCRDs.shipped {
                _ = try await client.create(ExternalSecretControllerTests.crds, namespace: nil, body: definition.object)
            }
            _ = try await client.create(SecretStore.resourceType, namespace: "default", body: Self.store(keys: keys))
            for es in externalSecrets { _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: es) }
            let events = EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "test"))
            let controllers = OperatorControllers(client: client, fingerprintKey: SymmetricKey(size: .bits256), events: events, providers: providers)
            let running = Task { try await controllers.run() }
            defer { running.cancel() }
            #expect(await EmulatedCluster.eventually(timeout: .seconds(60)) { await Self.syncedCount(client) == externalSecrets.count })
            try await body(client, fake)
            running.cancel()
            _ = try? await running.value
        }
    }

    @Test("200 ExternalSecrets over 40 keys, first sync: 2 provider calls of 20 keys, not one per reconcile")
    func firstSyncReadsInFullBatches() async throws {
        let keys = 40
        let externalSecrets = (0..<200).map { Self.externalSecret($0, keys: keys, interval: "1h") }
        try await Self.withExternalSecrets(keys: keys, externalSecrets: externalSecrets) { _, fake in
            let calls = await fake.readCalls
            let counts = await fake.readCounts
            #expect(calls == 2, "\(calls) provider calls; keys read more than once: \(counts.filter { $0.value > 1 }.keys.sorted())")
            #expect(await fake.readCounts.values.allSatisfy { $0 == 1 })
        }
    }

    @Test("a periodic refresh of ExternalSecrets synced together reads each key once, a batch of keys per call")
    func periodicRefreshReadsEachKeyOnce() async throws {
        // Few enough that the first sync (and so the refresh) takes well under the interval.
        let keys = 20
        let total = 60
        let externalSecrets = (0..<total).map { Self.externalSecret($0, keys: keys, interval: "20s", perKey: total / keys) }
        // A cache shorter than the interval: the refresh must read again.
        try await Self.withExternalSecrets(keys: keys, externalSecrets: externalSecrets, cacheTTL: .seconds(12)) { client, fake in
            let firstSync = await Self.refreshTimes(client)
            #expect(firstSync.count == total)
            await fake.resetCounters()
            // One refresh: 20 s ± 10 %. It is over once every ExternalSecret recorded a sync
            // after its first one (its status is written after its read).
            let refreshed = await EmulatedCluster.eventually(timeout: .seconds(40)) {
                let now = await Self.refreshTimes(client)
                return now.count == total && now.allSatisfy { name, time in firstSync[name].map { time > $0 } ?? false }
            }
            #expect(refreshed, "every ExternalSecret refreshed once")
            #expect(await fake.readCounts.count == keys, "every key read again")
            let refresh = await fake.readCalls
            // Keys come due over the time the first sync took (seconds, in a debug build), so
            // not all in one batch; one call per key is what reading only for oneself costs.
            #expect(refresh <= keys / 2, "provider calls of one refresh of \(keys) keys: \(refresh)")
            #expect(await fake.readCounts.values.allSatisfy { $0 == 1 }, "each key read once in the refresh")
        }
    }
}
