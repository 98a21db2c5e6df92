import CHeapStats
import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI

/// Bytes of heap in use (glibc), for memory per cached object.
func heapInUse() -> Int { Int(rotor_heap_in_use()) }

/// What a Secret controller needs of a managed Secret: no data, no managed fields.
struct SecretProjection: Sendable {
    var namespace: String?
    var name: String
    var resourceVersion: String
    var ownerUID: String?
    var fingerprint: String?

    init(_ json: JSONValue) {
        namespace = json[path: ["metadata", "namespace"]]?.stringValue
        name = json[path: ["metadata", "name"]]?.stringValue ?? ""
        resourceVersion = json[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        ownerUID = json[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["uid"]?.stringValue
        fingerprint = json[path: ["metadata", "annotations", "rotor.dev/fingerprint"]]?.stringValue
    }
}

/// A managed Secret as Rotor writes it (labels, annotations, owner, three keys).
func managedSecret(_ name: String, ownerUID: String) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "Secret",
        "metadata": [
            "name": .string(name),
            "labels": ["rotor.dev/managed": "true", "app.kubernetes.io/managed-by": "rotor"],
            "annotations": [
                "rotor.dev/fingerprint": .string("hmac-sha256:" + String(repeating: "ab", count: 32)),
                "rotor.dev/rotated-at": "2026-11-29T10:00:00Z",
            ],
            "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "bench-owner", "uid": .string(ownerUID), "controller": true]],
        ],
        "data": ["username": "YmVuY2g=", "password": .string(Data(name.utf8).base64EncodedString()), "url": "cG9zdGdyZXM6Ly9kYjo1NDMyL3Nob3A="],
    ]
}

func runtimeBenchmark(objects: Int) async throws {
    let emulator = try await EmulatorProcess.start()
    defer { emulator.stop() }
    let client = try emulator.client(connections: 16)
    let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    let names = (0..<objects).map { String(format: "managed-%05d", $0) }
    // The emulator collects garbage as Kubernetes does: a dependent whose owner does not exist
    // is deleted. So the Secrets' controller reference names a real object (one ConfigMap).
    let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    let owner = try await client.create(configMaps, namespace: "default", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "bench-owner"]])
    guard let ownerUID = owner["metadata"]?["uid"]?.stringValue else { fatalError("the owner ConfigMap has no uid") }
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<8 {
            group.addTask {
                for i in stride(from: worker, to: names.count, by: 8) {
                    _ = try await client.create(secrets, namespace: "default", body: managedSecret(names[i], ownerUID: ownerUID))
                }
            }
        }
        try await group.waitForAll()
    }

    // Informer sync: list (pages of 500) + watch start, until the store has every object.
    func sync<Object: Sendable>(_ informer: Informer<Object>) async throws -> (Duration, Task<Void, Error>) {
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task { try await informer.run() }
        await informer.store.waitUntilSynced()
        return (start.duration(to: clock.now), task)
    }

    let before = heapInUse()
    let full = Informer<Secret>(client: client, configuration: WatcherConfiguration(scope: .one("default")))
    let (fullTime, fullTask) = try await sync(full)
    let fullCount = await full.store.count
    let afterFull = heapInUse()
    fullTask.cancel()
    _ = try? await fullTask.value

    let beforeProjection = heapInUse()
    let projected = Informer<SecretProjection>(
        client: client, resource: secrets, configuration: WatcherConfiguration(scope: .one("default")),
        key: { ObjectKey(namespace: $0.namespace, name: $0.name) }, project: { SecretProjection($0) })
    let (projectionTime, projectionTask) = try await sync(projected)
    let projectedCount = await projected.store.count
    let afterProjection = heapInUse()
    projectionTask.cancel()
    _ = try? await projectionTask.value
    try await client.shutdown()
    precondition(fullCount == objects && projectedCount == objects, "informers synced \(fullCount) and \(projectedCount) of \(objects)")

    // Work queue: 10,000 keys through add → next → done, from a task (not the main actor).
    let queueRounds = 20
    let queueTime = try await Task.detached {
        let queue = WorkQueue<ObjectKey>()
        let keys = (0..<10_000).map { ObjectKey(namespace: "default", name: "key-\($0)") }
        return try await ContinuousClock().measure {
            for _ in 0..<queueRounds {
                for key in keys { await queue.add(key, priority: .low) }
                for _ in keys {
                    guard let item = await queue.next() else { throw CancellationError() }
                    await queue.done(item.key)
                }
            }
        }
    }.value
    let cycles = Double(10_000 * queueRounds) / seconds(queueTime)

    func kib(_ bytes: Int) -> String { String(format: "%.2f KiB", Double(bytes) / 1024 / Double(objects)) }
    print("""
        | measure | result |
        | --- | --- |
        | informer sync of \(objects) Secrets (typed `Secret`) | \(String(format: "%.0f", seconds(fullTime) * 1000)) ms |
        | informer sync of \(objects) Secrets (projection) | \(String(format: "%.0f", seconds(projectionTime) * 1000)) ms |
        | heap per cached object, typed `Secret` | \(kib(afterFull - before)) |
        | heap per cached object, projection | \(kib(afterProjection - beforeProjection)) |
        | work queue, 10,000 keys × \(queueRounds) rounds | **\(Int(cycles)) add+next+done per second** |
        """)
}
