import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import KubernetesEmulator
import KubeAPI
import RotorAPI
import Testing

@Suite("EventRecorder")
struct EventRecorderTests {
    static let object = ObjectReference(
        apiVersion: "rotor.dev/v1alpha1", kind: "ExternalSecret", namespace: "default", name: "db-credentials",
        uid: "0b6f3f9e-1f7a-4c1e-9a55-3d1f2b1c0a01")

    static func recorder(_ cluster: EmulatedCluster, clock: ManualClock, cacheCapacity: Int = 4096) -> EventRecorder {
        EventRecorder(
            client: cluster.client,
            configuration: .init(
                reportingComponent: "rotor.dev/controller", reportingInstance: "rotor-0", host: "node-1",
                cacheCapacity: cacheCapacity),
            clock: clock)
    }

    static func events(_ cluster: EmulatedCluster, namespace: String = "default", about name: String) async throws -> [Event] {
        try await cluster.client.list(Event.self, namespace: namespace).items
            .filter { $0.involvedObject.name == name }
            .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }

    @Test("repeated identical events produce one Event with count N")
    func identicalEventsAreAggregated() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let recorder = Self.recorder(cluster, clock: clock)
            let first = clock.now()
            var names: Set<String?> = []
            for _ in 0..<5 {
                names.insert(
                    await recorder.warning(reason: "ProviderError", message: "store vault: permission denied", about: Self.object))
                clock.advance(by: .seconds(1))
            }
            #expect(names.count == 1)
            let events = try await Self.events(cluster, about: "db-credentials")
            try #require(events.count == 1)
            let event = events[0]
            #expect(names.first == event.metadata.name)
            #expect(event.metadata.name?.hasPrefix("db-credentials.") == true)
            #expect(event.metadata.namespace == "default")
            #expect(event.count == 5)
            #expect(event.type == .warning)
            #expect(event.reason == "ProviderError")
            #expect(event.message == "store vault: permission denied")
            #expect(event.involvedObject == Self.object)
            #expect(event.firstTimestamp?.date == first)
            #expect(event.lastTimestamp?.date == first.addingTimeInterval(4))
            #expect(event.source == EventSource(component: "rotor.dev/controller", host: "node-1"))
            #expect(event.reportingComponent == "rotor.dev/controller")
            #expect(event.reportingInstance == "rotor-0")
        }
    }

    @Test("concurrent identical events are still aggregated into one Event")
    func concurrentIdenticalEventsAreAggregated() async throws {
        try await EmulatedCluster.with { cluster in
            let recorder = Self.recorder(cluster, clock: ManualClock())
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { await recorder.normal(reason: "Synced", message: "synced 3 keys", about: Self.object) }
                }
            }
            let events = try await Self.events(cluster, about: "db-credentials")
            #expect(events.count == 1)
            #expect(events.first?.count == 20)
        }
    }

    @Test("different messages, reasons, types or objects produce different Events")
    func differentEventsAreSeparate() async throws {
        try await EmulatedCluster.with { cluster in
            let clock = ManualClock()
            let recorder = Self.recorder(cluster, clock: clock)
            var other = Self.object
            other.name = "api-token"
            other.uid = "7c1d"
            // The clock does not move: names must still differ.
            await recorder.normal(reason: "Synced", message: "synced key password", about: Self.object)
            await recorder.normal(reason: "Synced", message: "synced key username", about: Self.object)
            await recorder.normal(reason: "Synced", message: "synced key password", about: Self.object)
            await recorder.normal(reason: "Rotated", message: "synced key password", about: Self.object)
            await recorder.warning(reason: "Synced", message: "synced key password", about: Self.object)
            await recorder.normal(reason: "Synced", message: "synced key password", about: other)

            let events = try await Self.events(cluster, about: "db-credentials")
            #expect(events.count == 4)
            #expect(Set(events.compactMap(\.metadata.name)).count == 4)
            let counts = Dictionary(
                uniqueKeysWithValues: events.map { ("\($0.type?.rawValue ?? "") \($0.reason ?? "") \($0.message ?? "")", $0.count ?? 0) })
            #expect(
                counts == [
                    "Normal Synced synced key password": 2, "Normal Synced synced key username": 1,
                    "Normal Rotated synced key password": 1, "Warning Synced synced key password": 1,
                ])
            #expect(try await Self.events(cluster, about: "api-token").map(\.count) == [1])
        }
    }

    @Test("a repeat of an event evicted from the bounded cache, or whose Event was deleted, creates a new Event")
    func evictedOrDeletedEventsStartOver() async throws {
        try await EmulatedCluster.with { cluster in
            let recorder = Self.recorder(cluster, clock: ManualClock(), cacheCapacity: 1)
            let first = await recorder.normal(reason: "Synced", message: "a", about: Self.object)
            await recorder.normal(reason: "Synced", message: "b", about: Self.object)  // evicts "a"
            let again = await recorder.normal(reason: "Synced", message: "a", about: Self.object)
            #expect(first != nil && again != nil && first != again)
            #expect(try await Self.events(cluster, about: "db-credentials").count == 3)

            let name = try #require(again)
            _ = try await cluster.client.delete(Event.self, namespace: "default", name: name)
            let recreated = await recorder.normal(reason: "Synced", message: "a", about: Self.object)
            #expect(recreated != nil && recreated != name)
            let events = try await Self.events(cluster, about: "db-credentials")
            #expect(events.count == 3)
            #expect(events.first { $0.metadata.name == recreated }?.count == 1)
        }
    }

    @Test("a failure to record is logged, not thrown, and later events still record")
    func failuresAreNotThrown() async throws {
        try await EmulatedCluster.with { cluster in
            let recorder = Self.recorder(cluster, clock: ManualClock())
            cluster.emulator.faults.failNext(1, matching: .init(verb: "create", resource: "events"), code: 500)
            let failed = await recorder.warning(reason: "ProviderError", message: "timeout", about: Self.object)
            #expect(failed == nil)
            let none = try await Self.events(cluster, about: "db-credentials")
            #expect(none.isEmpty)

            let recorded = await recorder.warning(reason: "ProviderError", message: "timeout", about: Self.object)
            #expect(recorded != nil)
            cluster.emulator.faults.failNext(1, matching: .init(verb: "patch", resource: "events"), code: 500)
            #expect(await recorder.warning(reason: "ProviderError", message: "timeout", about: Self.object) == nil)
            #expect(await recorder.warning(reason: "ProviderError", message: "timeout", about: Self.object) == recorded)
            let events = try await Self.events(cluster, about: "db-credentials")
            #expect(events.map(\.count) == [2])
        }
    }

    @Test("events about cluster-scoped objects go to the default namespace")
    func clusterScopedObjectsUseDefaultNamespace() async throws {
        try await EmulatedCluster.with { cluster in
            let recorder = Self.recorder(cluster, clock: ManualClock())
            let store = ObjectReference(apiVersion: "rotor.dev/v1alpha1", kind: "ClusterSecretStore", name: "vault", uid: "u1")
            let name = await recorder.warning(reason: "Unreachable", message: "vault unreachable", about: store)
            #expect(name?.hasPrefix("vault.") == true)
            let events = try await Self.events(cluster, about: "vault")
            #expect(events.first?.metadata.namespace == "default")
        }
    }

    @Test("messages are truncated to 1024 bytes at a character boundary")
    func messagesAreTruncated() async throws {
        #expect(EventRecorder.truncate("short", toBytes: 1024) == "short")
        let accented = String(repeating: "é", count: 600)  // 2 bytes each
        let cut = EventRecorder.truncate(accented, toBytes: 1023)
        #expect(cut.utf8.count == 1022)
        #expect(cut == String(repeating: "é", count: 511))

        try await EmulatedCluster.with { cluster in
            let recorder = Self.recorder(cluster, clock: ManualClock())
            let long = String(repeating: "x", count: 1023) + "€€"
            await recorder.warning(reason: "Invalid", message: long, about: Self.object)
            let event = try #require(try await Self.events(cluster, about: "db-credentials").first)
            #expect(event.message == String(repeating: "x", count: 1023))
            #expect((event.message?.utf8.count ?? 0) <= EventRecorder.maximumMessageBytes)
        }
    }
}
