import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import KubernetesEmulator
import MetricsTestKit
import JSONCore
import KubeAPI
import Testing

/// Watchers and informers against the emulator: no change missed or repeated across
/// a dropped connection, and a consistent relist after 410.
@Suite("Watcher and informer")
struct WatcherTests {
    static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)

    static func secret(_ name: String, labels: [String: String] = [:]) -> JSONValue {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "labels": .object(labels.mapValues(JSONValue.string))], "data": ["k": "dg=="]]
    }

    /// Collects watcher events in order.
    actor Recorder {
        var events: [String] = []
        var restarts: [[String]] = []
        func record(_ event: WatcherEvent<JSONValue>) {
            switch event {
            case .applied(let o): events.append("applied \(o[path: ["metadata", "name"]]?.stringValue ?? "")")
            case .deleted(let o): events.append("deleted \(o[path: ["metadata", "name"]]?.stringValue ?? "")")
            case .restarted(let list, _): restarts.append(list.compactMap { $0[path: ["metadata", "name"]]?.stringValue })
            case .undecodable(let key): events.append("undecodable \(key.name)")
            }
        }
    }

    @Test("a watch resumed after a dropped connection misses and repeats nothing")
    func resumeAfterDrop() async throws {
        let cluster = try await EmulatedCluster.start()
        let (emulator, client) = (cluster.emulator, cluster.client)
        let clock = ManualClock()
        let metrics = TestMetrics()
        let watcher = Watcher(
            client: client, resource: Self.secrets, configuration: WatcherConfiguration(scope: .one("default")), clock: clock,
            metricsFactory: metrics, metricPrefix: "widgets"
        ) { $0 }
        let recorder = Recorder()
        let consumer = Task { for try await event in watcher { await recorder.record(event) } }
        #expect(await EmulatedCluster.eventually { await recorder.restarts.count == 1 })
        _ = try await client.create(Self.secrets, namespace: "default", body: Self.secret("a"))
        _ = try await client.create(Self.secrets, namespace: "default", body: Self.secret("b"))
        #expect(await EmulatedCluster.eventually { await recorder.events.count == 2 })
        for round in 0..<3 {
            // Drop the watch once it is open again, so each round is one real resume.
            // (A watch that ends at once with no events backs off on the clock: move it along.)
            #expect(await EmulatedCluster.eventually {
                clock.advance(by: .seconds(5))
                return await emulator.openWatchCount() == 1
            })
            await emulator.dropWatches()
            _ = try await client.create(Self.secrets, namespace: "default", body: Self.secret("c\(round)"))
            _ = try await client.patch(Self.secrets, namespace: "default", name: "a", patch: .merge(["metadata": ["labels": ["round": .string("\(round)")]]]))
        }
        _ = try await client.delete(Self.secrets, namespace: "default", name: "b")
        #expect(await EmulatedCluster.eventually {
            clock.advance(by: .seconds(5))
            return await recorder.events.count == 9
        })
        #expect(await recorder.events == [
            "applied a", "applied b", "applied c0", "applied a", "applied c1", "applied a", "applied c2", "applied a", "deleted b",
        ])
        #expect(await recorder.restarts.count == 1, "a dropped watch resumes; it does not relist")
        let resumes = try metrics.expectCounter("widgets_watch_restarts_total", [("resource", "secrets"), ("reason", "resume")])
        #expect(resumes.totalValue == 3)
        consumer.cancel()
        await cluster.stop()
    }

    @Test("after 410 the informer relists and its cache matches the server, including missed deletions")
    func relistAfterGone() async throws {
        let cluster = try await EmulatedCluster.start()
        let (emulator, client) = (cluster.emulator, cluster.client)
        let clock = ManualClock()
        for name in ["a", "b", "c"] { _ = try await client.create(Self.secrets, namespace: "default", body: Self.secret(name)) }
        let informer = Informer<Secret>(client: client, configuration: WatcherConfiguration(scope: .one("default")), clock: clock)
        let running = Task { try await informer.run() }
        await informer.store.waitUntilSynced()
        #expect(await informer.store.keys.map(\.name) == ["a", "b", "c"])
        // Cut the informer off: its reconnects fail until the test lets them through.
        emulator.faults.failNext(1_000, matching: .init(verb: "watch", resource: "secrets"), code: 503)
        await emulator.dropWatches()
        #expect(await EmulatedCluster.eventually { clock.sleeperCount == 1 }, "the watcher backs off on the injected clock")
        _ = try await client.delete(Self.secrets, namespace: "default", name: "b")
        _ = try await client.create(Self.secrets, namespace: "default", body: Self.secret("d"))
        await emulator.compactHistory()
        emulator.faults.reset()
        clock.advance(by: .seconds(60))
        #expect(await EmulatedCluster.eventually { await informer.store.keys.map(\.name) == ["a", "c", "d"] })
        running.cancel()
        await cluster.stop()
    }

    @Test("an object that changes into something undecodable is dropped from the cache, not kept stale")
    func undecodableObjectsLeaveTheCache() async throws {
        let cluster = try await EmulatedCluster.start()
        let client = cluster.client
        _ = try await client.create(Self.secrets, namespace: "default", body: Self.secret("ok"))
        _ = try await client.create(Self.secrets, namespace: "default", body: Self.secret("soon-bad"))
        // Keep only objects whose label "shape" is not "broken" decodable.
        let informer = Informer<JSONValue>(
            client: client, resource: Self.secrets, configuration: WatcherConfiguration(scope: .one("default")),
            key: { ObjectKey(of: $0)! },
            project: { json in
                if json[path: ["metadata", "labels", "shape"]] == "broken" { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "test")) }
                return json
            })
        let running = Task { try await informer.run() }
        await informer.store.waitUntilSynced()
        #expect(await informer.store.keys.map(\.name) == ["ok", "soon-bad"])
        _ = try await client.patch(Self.secrets, namespace: "default", name: "soon-bad", patch: .merge(["metadata": ["labels": ["shape": "broken"]]]))
        #expect(await EmulatedCluster.eventually { await informer.store.keys.map(\.name) == ["ok"] })
        running.cancel()
        await cluster.stop()
    }

    @Test("a store index finds objects by a derived value and follows changes")
    func storeIndex() async throws {
        let store = Store<JSONValue>(key: { ObjectKey(of: $0)! })
        await store.addIndex("tier") { [$0[path: ["metadata", "labels", "tier"]]?.stringValue ?? ""] }
        await store.apply(.restarted([Self.secret("a", labels: ["tier": "web"]), Self.secret("b", labels: ["tier": "db"])], namespace: nil))
        #expect(await store.byIndex("tier", "web").compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["a"])
        await store.apply(.applied(Self.secret("b", labels: ["tier": "web"])))
        #expect(await store.byIndex("tier", "web").count == 2)
        #expect(await store.byIndex("tier", "db").isEmpty)
        #expect(await store.hasSynced)
        // An index given at creation sees the very first change.
        let indexed = Store<JSONValue>(key: { ObjectKey(of: $0)! }, indexes: ["tier": { [$0[path: ["metadata", "labels", "tier"]]?.stringValue ?? ""] }])
        await indexed.apply(.applied(Self.secret("c", labels: ["tier": "web"])))
        #expect(await indexed.byIndex("tier", "web").count == 1)
    }
}
