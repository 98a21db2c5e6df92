import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import KubernetesEmulator
import JSONCore
import KubeAPI
import RotorAPI
import Testing

/// The controller loop against the emulator: retries, priorities, finalizers.
@Suite("Controller")
struct ControllerTests {
    static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)

    /// A cluster and a manual clock; stopped by `finish()`.
    struct Setup {
        let cluster: EmulatedCluster
        let clock = ManualClock()
        var emulator: KubernetesEmulator { cluster.emulator }
        var client: HTTPKubernetesClient { cluster.client }

        static func start() async throws -> Setup { Setup(cluster: try await EmulatedCluster.start()) }

        func informer() -> Informer<Secret> {
            Informer<Secret>(client: client, configuration: WatcherConfiguration(scope: .one("default")), clock: clock)
        }

        /// The Rotor CRDs installed, and an informer on the ExternalSecrets of `default`.
        func externalSecretInformer() async throws -> Informer<ExternalSecret> {
            let crds = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
            for definition in RotorCRDs.all { _ = try await client.create(crds, namespace: nil, body: definition.object) }
            return Informer<ExternalSecret>(client: client, configuration: WatcherConfiguration(scope: .one("default")), clock: clock)
        }

        func finish() async { await cluster.stop() }
    }

    actor Log {
        var entries: [String] = []
        func append(_ entry: String) { entries.append(entry) }
        func count(_ entry: String) -> Int { entries.filter { $0 == entry }.count }
    }

    @Test("a status-only change is told apart from spec, label, annotation and deletion changes")
    func statusOnlyChange() {
        var old = ExternalSecret(metadata: ObjectMeta(name: "db", namespace: "shop"), spec: ExternalSecretSpec(secretStoreRef: SecretStoreRef(name: "s")))
        old.metadata.generation = 3
        old.metadata.resourceVersion = "10"
        var statusOnly = old
        statusOnly.metadata.resourceVersion = "11"
        statusOnly.metadata.managedFields = [["manager": "rotor", "subresource": "status"]]
        statusOnly.status = ExternalSecretStatus(refreshTime: KubeTime(Date()))
        #expect(Controller<ExternalSecret>.isStatusOnlyChange(old: old, new: statusOnly))
        var specChanged = statusOnly
        specChanged.metadata.generation = 4
        #expect(!Controller<ExternalSecret>.isStatusOnlyChange(old: old, new: specChanged))
        var annotated = statusOnly
        annotated.metadata.annotations = ["rotor.dev/force-sync": "1"]
        #expect(!Controller<ExternalSecret>.isStatusOnlyChange(old: old, new: annotated))
        var labelled = statusOnly
        labelled.metadata.labels = ["team": "shop"]
        #expect(!Controller<ExternalSecret>.isStatusOnlyChange(old: old, new: labelled))
        var deleting = statusOnly
        deleting.metadata.deletionTimestamp = KubeTime(Date())
        #expect(!Controller<ExternalSecret>.isStatusOnlyChange(old: old, new: deleting))
    }

    @Test("with ignoresStatusOnlyChanges, a status write does not reconcile the object again; a label change does", arguments: [true, false])
    func statusOnlyChangesAreNotReconciled(ignoring: Bool) async throws {
        let setup = try await Setup.start()
        let log = Log()
        let informer = try await setup.externalSecretInformer()
        let queue = WorkQueue<ObjectKey>(clock: setup.clock)
        let controller = Controller(primary: informer, queue: queue, workers: 1, ignoresStatusOnlyChanges: ignoring) { key, object in
            if object != nil { await log.append(key.name) }
            return .done
        }
        let running = Task { try await controller.run() }
        var es = try await setup.client.create(
            ExternalSecret(metadata: ObjectMeta(name: "db", namespace: "default"), spec: ExternalSecretSpec(secretStoreRef: SecretStoreRef(name: "s"))))
        #expect(await EmulatedCluster.eventually { await log.count("db") == 1 })
        es.status = ExternalSecretStatus(refreshTime: KubeTime(Date()))
        es = try await setup.client.updateStatus(es)
        // A fence instead of a pause: the informer hands changes over in order, so once the
        // fence's reconcile is done and the queue is idle, the status write was either queued
        // and reconciled, or dropped.
        _ = try await setup.client.create(
            ExternalSecret(metadata: ObjectMeta(name: "fence", namespace: "default"), spec: ExternalSecretSpec(secretStoreRef: SecretStoreRef(name: "s"))))
        #expect(await EmulatedCluster.eventually {
            guard await log.count("fence") == 1 else { return false }
            return await Self.isIdle(queue)
        })
        #expect(await log.count("db") == (ignoring ? 1 : 2), "the status write reconciled again only without ignoresStatusOnlyChanges")
        _ = try await setup.client.patch(ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["labels": ["team": "shop"]]]))
        #expect(await EmulatedCluster.eventually { await log.count("db") == (ignoring ? 2 : 3) })
        running.cancel()
        _ = try? await running.value
        await setup.finish()
    }

    /// Nothing queued and no reconcile running: every key added so far has been reconciled.
    static func isIdle(_ queue: WorkQueue<ObjectKey>) async -> Bool {
        let ready = await queue.depth
        let processing = await queue.processingCount
        let delayed = await queue.delayedCount
        return ready == 0 && processing == 0 && delayed == 0
    }

    @Test("a write refused with 409 Conflict is retried when the newer version reaches the cache, even a status-only one, not after the backoff")
    func conflictRetriesOnTheNewerVersion() async throws {
        let setup = try await Setup.start()
        let log = Log()
        let informer = try await setup.externalSecretInformer()
        let client = setup.client
        // The first reconcile writes the status from an object someone else's status write has
        // just made stale: 409. The backoff runs on a clock that never moves here.
        let controller = Controller(primary: informer, queue: WorkQueue(clock: setup.clock), workers: 1, ignoresStatusOnlyChanges: true) { _, object in
            guard var es = object else { return .done }
            await log.append("reconcile")
            if await log.count("reconcile") == 1 {
                var other = try await client.get(ExternalSecret.self, namespace: "default", name: "db")
                other.status = ExternalSecretStatus(refreshTime: KubeTime(Date(timeIntervalSince1970: 1)))
                _ = try await client.updateStatus(other)
            }
            es.status = ExternalSecretStatus(refreshTime: KubeTime(Date(timeIntervalSince1970: 2)))
            _ = try await client.updateStatus(es)
            await log.append("written")
            return .done
        }
        let running = Task { try await controller.run() }
        _ = try await setup.client.create(
            ExternalSecret(metadata: ObjectMeta(name: "db", namespace: "default"), spec: ExternalSecretSpec(secretStoreRef: SecretStoreRef(name: "s"))))
        #expect(await EmulatedCluster.eventually { await log.count("written") == 1 }, "retried once the other status write reached the cache")
        #expect(await log.count("reconcile") == 2)
        running.cancel()
        _ = try? await running.value
        await setup.finish()
    }

    @Test("a related change the ignoring hook flags (an echo of the controller's own write) wakes no one", arguments: [true, false])
    func ignoredRelatedChangesWakeNoOne(ignoring: Bool) async throws {
        let setup = try await Setup.start()
        let log = Log()
        let queue = WorkQueue<ObjectKey>(clock: setup.clock)
        var controller = Controller(primary: setup.informer(), queue: queue, workers: 1) { key, _ in
            await log.append(key.name)
            return .done
        }
        // Every related Secret names the primary "owner", except a fence, which names a key of
        // its own; those labelled echo=yes are ignored.
        let related = setup.informer()
        controller.watches(related, ignoring: { ignoring && $0.metadata.labels?["echo"] == "yes" }) { secret in
            let name = secret.metadata.name ?? ""
            return [ObjectKey(namespace: "default", name: name.hasPrefix("fence") ? "\(name)-related" : "owner")]
        }
        /// Waits until a fence Secret went through the related informer and the queue is idle:
        /// the related informer hands changes over in order, so every change before the fence
        /// has then been either reconciled or dropped.
        func fence(_ name: String) async throws -> Bool {
            _ = try await setup.client.create(Self.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)]])
            return await EmulatedCluster.eventually {
                guard await log.count("\(name)-related") == 1 else { return false }
                return await Self.isIdle(queue)
            }
        }
        let running = Task { try await controller.run() }
        _ = try await setup.client.create(Self.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "owner"]])
        #expect(await EmulatedCluster.eventually { await log.count("owner") >= 1 })
        // The owner's own add may also come through the related informer: let it settle.
        #expect(try await fence("fence-1"))
        let before = await log.count("owner")
        _ = try await setup.client.create(
            Self.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "echo", "labels": ["echo": "yes"]]])
        #expect(try await fence("fence-2"))
        #expect(await log.count("owner") == (ignoring ? before : before + 1))
        _ = try await setup.client.create(Self.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "other"]])
        #expect(await EmulatedCluster.eventually { await log.count("owner") == (ignoring ? before + 1 : before + 2) })
        running.cancel()
        _ = try? await running.value
        await setup.finish()
    }

    @Test("a reconcile that hits 409 Conflict is retried until it succeeds")
    func conflictIsRetried() async throws {
        let setup = try await Setup.start()
        _ = try await setup.client.create(Self.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "db"]])
        setup.emulator.faults.failNext(2, matching: .init(verb: "patch", resource: "secrets"), code: 409, reason: "Conflict", message: "the object has been modified")
        let log = Log()
        let client = setup.client
        let controller = Controller(primary: setup.informer(), queue: WorkQueue(clock: setup.clock), workers: 1) { key, object in
            guard object != nil else { return .done }
            await log.append("attempt")
            _ = try await client.patch(Self.secrets, namespace: key.namespace, name: key.name, patch: .merge(["metadata": ["labels": ["reconciled": "yes"]]]))
            await log.append("patched")
            return .done
        }
        let running = Task { try await controller.run() }
        // Each failure backs off on the manual clock; move it along until the patch lands.
        let landed = await EmulatedCluster.eventually {
            setup.clock.advance(by: .seconds(1))
            return await log.count("patched") >= 1
        }
        #expect(landed)
        #expect(await log.count("attempt") >= 3, "two conflicts, then success")
        let secret = try await setup.client.get(Secret.self, namespace: "default", name: "db")
        #expect(secret.metadata.labels?["reconciled"] == "yes")
        running.cancel()
        _ = try? await running.value
        await setup.finish()
    }

    @Test("a terminal error is not retried until the object changes")
    func terminalErrorWaitsForChange() async throws {
        let setup = try await Setup.start()
        _ = try await setup.client.create(Self.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "bad"]])
        let log = Log()
        let queue = WorkQueue<ObjectKey>(clock: setup.clock)
        let controller = Controller(primary: setup.informer(), queue: queue, workers: 1) { _, object in
            await log.append("attempt")
            if object?.metadata.labels?["fixed"] == "yes" { return .done }
            throw TerminalError("spec.refreshInterval: invalid duration")
        }
        let running = Task { try await controller.run() }
        #expect(await EmulatedCluster.eventually {
            let processing = await queue.processingCount
            return await log.count("attempt") == 1 && processing == 0
        })
        let (delayed, depth) = (await queue.delayedCount, await queue.depth)
        #expect(delayed == 0 && depth == 0, "no backoff retry is scheduled after a terminal error")
        for _ in 0..<10 { setup.clock.advance(by: .seconds(600)) }
        #expect(await log.count("attempt") == 1)
        _ = try await setup.client.patch(Self.secrets, namespace: "default", name: "bad", patch: .merge(["metadata": ["labels": ["fixed": "yes"]]]))
        #expect(await EmulatedCluster.eventually { await log.count("attempt") == 2 })
        running.cancel()
        _ = try? await running.value
        await setup.finish()
    }

    @Test("a new object is reconciled before thousands of queued refreshes")
    func newObjectsGoFirst() async throws {
        let setup = try await Setup.start()
        let gate = Gate()
        let log = Log()
        let queue = WorkQueue<ObjectKey>(clock: setup.clock)
        let controller = Controller(primary: setup.informer(), queue: queue, workers: 1) { key, _ in
            if key.name.hasPrefix("refresh-") { await gate.wait() }
            await log.append(key.name)
            return .done
        }
        let running = Task { try await controller.run() }
        await controller.primary.store.waitUntilSynced()
        await queue.add(contentsOf: (0..<10_000).map { ObjectKey(namespace: "default", name: "refresh-\($0)") }, priority: .low)
        // The worker is now blocked in the first refresh; a new Secret arrives.
        #expect(await EmulatedCluster.eventually { await queue.processingCount == 1 })
        _ = try await setup.client.create(Self.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "new-one"]])
        #expect(await EmulatedCluster.eventually { await queue.depth(.high) == 1 })
        await gate.open()
        #expect(await EmulatedCluster.eventually { await log.entries.contains("new-one") })
        let position = await log.entries.firstIndex(of: "new-one")
        #expect(position == 1, "only the refresh already in progress ran before it")
        running.cancel()
        _ = try? await running.value
        await setup.finish()
    }

    @Test("objects a (re)start finds settled wait behind ones that need work")
    func settledObjectsGoLow() async throws {
        let setup = try await Setup.start()
        // Listed in name order: the settled one comes first, so FIFO alone would run it first.
        for (name, settled) in [("a-settled", "yes"), ("b-needs-work", "no")] {
            _ = try await setup.client.create(
                Self.secrets, namespace: "default",
                body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "labels": ["settled": .string(settled)]]])
        }
        let log = Log()
        let queue = WorkQueue<ObjectKey>(clock: setup.clock)
        var controller = Controller(
            primary: setup.informer(), queue: queue, workers: 1, settled: { $0.metadata.labels?["settled"] == "yes" }
        ) { key, _ in
            await log.append(key.name)
            return .done
        }
        // A related cache's first list (here: the same Secrets, each mapped to itself) must
        // not lift the settled object back to `.high`.
        controller.watches(setup.informer()) { [ObjectKey(of: $0)] }
        let running = Task { try await controller.run() }
        #expect(await EmulatedCluster.eventually { await log.entries.count == 2 })
        let order = await log.entries
        #expect(order == ["b-needs-work", "a-settled"])
        running.cancel()
        _ = try? await running.value
        await setup.finish()
    }
}

/// A one-shot gate reconciles can wait on.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}
