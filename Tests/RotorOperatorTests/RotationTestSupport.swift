import Crypto
import EmulatorTestSupport
import FakeProvider
import Foundation
import KubeClient
import KubeRuntime
import Logging
import MetricsTestKit
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// A cluster with Rotor's CRDs, a fake store and an operator that runs on a `ManualClock`,
/// which tests stop and start again (a restart keeps nothing but what is in the cluster,
/// and the provider's state when the test shares one).
final class RotationHarness: Sendable {
    static let namespace = "default"
    let cluster: EmulatedCluster
    let clock: ManualClock
    let metrics: TestMetrics
    /// `rotor_secret_age_seconds` of this harness's operators only.
    let secretAges = SecretAgeTable()
    /// The fingerprint key, the same for every operator started (as the key Secret would be).
    let keyBytes: [UInt8] = Array(repeating: 42, count: 32)
    /// The provider kinds the operator knows (a test may serve its own fake).
    let registry: ProviderRegistry
    /// Store credentials come from the cluster's Secrets (Vault token), as in `rotor run`.
    let clusterCredentials: Bool

    /// Every operator started, stopped when the test ends (also when it throws).
    let started = StartedOperators()

    var client: HTTPKubernetesClient { cluster.client }

    init(cluster: EmulatedCluster, clock: ManualClock, metrics: TestMetrics, registry: ProviderRegistry, clusterCredentials: Bool) {
        self.cluster = cluster
        self.clock = clock
        self.metrics = metrics
        self.registry = registry
        self.clusterCredentials = clusterCredentials
    }

    /// Runs `body` with a cluster holding the CRDs and the fake store `fake` with
    /// `db/password` = `password`; no operator runs until `startOperator()`.
    static func with(
        password: String = "v1", registry: ProviderRegistry = .rotorDefault, clusterCredentials: Bool = false,
        _ body: (RotationHarness) async throws -> Void
    ) async throws {
        try await EmulatedCluster.with { cluster in
            for definition in RotorCRDs.shipped {
                _ = try await cluster.client.create(ExternalSecretControllerTests.crds, namespace: nil, body: definition.object)
            }
            let harness = RotationHarness(
                cluster: cluster, clock: ManualClock(), metrics: TestMetrics(), registry: registry, clusterCredentials: clusterCredentials)
            _ = try await cluster.client.create(try fakeStore(password))
            do {
                try await body(harness)
            } catch {
                await harness.started.stopAll()
                throw error
            }
            await harness.started.stopAll()
        }
    }

    static func fakeStore(_ password: String) throws -> SecretStore {
        try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"fake","namespace":"default"},"spec":{"provider":{"fake":{"data":[{"key":"db/password","value":"\#(password)","version":"1"},{"key":"db/user","value":"app","version":"1"}]}}}}"#).decode(as: SecretStore.self)
    }

    /// Makes `password` the store's value (a store edit, as a user would do it).
    func setStorePassword(_ password: String) async throws {
        var store = try await client.get(SecretStore.self, namespace: Self.namespace, name: "fake")
        store.spec = try Self.fakeStore(password).spec
        _ = try await client.update(store)
    }

    /// An ExternalSecret `db` reading `db/password` and `db/user`, refreshed hourly, with `rotation`.
    func createExternalSecret(rotation: String = #"{"gracePeriod":"10m"}"#, extra: String = "") async throws {
        let json = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"db","namespace":"default"},"spec":{"secretStoreRef":{"name":"fake","kind":"SecretStore"},"refreshInterval":"1h","rotation":\#(rotation),\#(extra)"data":[{"secretKey":"password","remoteRef":{"key":"db/password"}},{"secretKey":"user","remoteRef":{"key":"db/user"}}]}}"#
        _ = try await client.create(ExternalSecret.resourceType, namespace: Self.namespace, body: try JSONValue(parsing: json))
    }

    /// An ExternalSecret `db` from its whole JSON `spec`.
    func createExternalSecret(spec: String) async throws {
        let json = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"db","namespace":"default"},"spec":\#(spec)}"#
        _ = try await client.create(ExternalSecret.resourceType, namespace: Self.namespace, body: try JSONValue(parsing: json))
    }

    // MARK: The operator

    /// A running operator: its ExternalSecret controller (to look at its queue) and the task.
    struct Running: Sendable {
        let externalSecrets: Controller<ExternalSecret>
        let task: Task<Void, any Error>

        func stop() async {
            task.cancel()
            _ = try? await task.value
        }
    }

    /// Starts an operator: fresh caches, queue and providers, as a new process would have.
    /// - Parameter audit: where the operator audits provider calls and Secret writes; nil: nowhere.
    func startOperator(hooks: RotationCheckpoints? = nil, logger: Logger = Logger(label: "rotor.operator"), audit: AuditLog? = nil) -> Running {
        // The stores' caches age reads by the test's clock too.
        let (clock, origin, start) = (self.clock, ContinuousClock.now, self.clock.now())
        let cacheClock: @Sendable () -> ContinuousClock.Instant = { origin + .seconds(clock.now().timeIntervalSince(start)) }
        let providers = clusterCredentials
            ? StoreProviders.kubernetes(client: client, registry: registry, cacheClock: cacheClock, logger: Logger(label: "rotor.test"), audit: audit)
            : StoreProviders(registry: registry, cacheClock: cacheClock, audit: audit)
        let events = EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "test"), logger: logger)
        var externalSecrets = ExternalSecretController.make(
            client: client, fingerprintKey: SymmetricKey(data: keyBytes), events: events, providers: providers, clock: clock,
            logger: logger, metricsFactory: metrics, secretAges: secretAges, rotationCheckpoints: hooks, audit: audit)
        // A crashed reconcile (a hook that never returns) is cut off quickly on stop.
        externalSecrets.shutdownGracePeriod = .milliseconds(200)
        let controller = externalSecrets
        let (stores, clusterStores) = SecretStoreController.make(client: client, providers: providers, logger: logger)
        let fanOut = ClusterExternalSecretController.make(client: client, clock: clock, logger: logger)
        let pushes = PushSecretController.make(client: client, providers: providers, fingerprintKey: SymmetricKey(data: keyBytes), clock: clock, logger: logger)
        let task = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                group.addTask { try await stores.run() }
                group.addTask { try await clusterStores.run() }
                group.addTask { try await fanOut.run() }
                group.addTask { try await pushes.run() }
                try await group.waitForAll()
            }
        }
        started.add(task)
        return Running(externalSecrets: controller, task: task)
    }

    /// Waits until the operator has nothing to do but wait for the clock: nothing queued
    /// or in progress, and a requeue scheduled.
    /// The operator's cache must also hold the ExternalSecret as the API server does: a
    /// status it wrote but has not yet seen come back would make its next decision on the
    /// previous status (seen once in CI: an edit repaired at once, as if never synced).
    func settled(_ running: Running) async -> Bool {
        await EmulatedCluster.eventually {
            if let stored = await externalSecret() {
                let cached = await running.externalSecrets.primary.store.get(ObjectKey(namespace: Self.namespace, name: stored.metadata.name ?? ""))
                guard cached?.metadata.resourceVersion == stored.metadata.resourceVersion else { return false }
            }
            for _ in 0..<3 {
                let queue = running.externalSecrets.queue
                let depth = await queue.depth
                let processing = await queue.processingCount
                let delayed = await queue.delayedCount
                guard depth == 0, processing == 0, delayed > 0 else { return false }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return true
        }
    }

    /// Moves the clock to `date` (never backwards).
    func advance(to date: Date) {
        let seconds = date.timeIntervalSince(clock.now())
        if seconds > 0 { clock.advance(by: .nanoseconds(Int64((seconds * 1e9).rounded()))) }
    }

    // MARK: Looking

    func secret() async -> Secret? {
        try? await client.get(Secret.self, namespace: Self.namespace, name: "db")
    }

    func data() async -> [String: String] {
        (await secret())?.data?.mapValues { String(decoding: $0, as: UTF8.self) } ?? [:]
    }

    func annotations() async -> [String: String] {
        (await secret())?.metadata.annotations ?? [:]
    }

    func externalSecret() async -> ExternalSecret? {
        try? await client.get(ExternalSecret.self, namespace: Self.namespace, name: "db")
    }

    func rotationStatus() async -> ExternalSecretRotationStatus? {
        await externalSecret()?.status?.rotation
    }

    /// The reasons of the Events recorded about `db`, in no particular order.
    func eventReasons() async -> [String] {
        let list = try? await client.list(ResourceTypes.events, namespace: Self.namespace)
        return (list?["items"]?.arrayValue ?? []).compactMap { $0["reason"]?.stringValue }
    }

    var secretWrites: Int {
        cluster.emulator.faults.requestCount(verb: "update", resource: "secrets")
            + cluster.emulator.faults.requestCount(verb: "create", resource: "secrets")
            + cluster.emulator.faults.requestCount(verb: "patch", resource: "secrets")
    }
}

/// The operator tasks a test started.
final class StartedOperators: @unchecked Sendable {
    // Safe: `tasks` is only touched while holding `lock`.
    private let lock = NSLock()
    private var tasks: [Task<Void, any Error>] = []

    func add(_ task: Task<Void, any Error>) {
        lock.lock()
        tasks.append(task)
        lock.unlock()
    }

    private func takeAll() -> [Task<Void, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        let all = tasks
        tasks = []
        return all
    }

    /// Cancels every operator and waits for each to end (before the cluster stops).
    func stopAll() async {
        for task in takeAll() {
            task.cancel()
            _ = try? await task.value
        }
    }
}
