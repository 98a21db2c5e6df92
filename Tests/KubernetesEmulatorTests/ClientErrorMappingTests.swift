import EmulatorTestSupport
import Foundation
import KubeClient
import KubernetesEmulator
import KubeAPI
import Testing

/// Every error kind of `KubeAPIError`, produced by the emulator the way a real API
/// server produces it, and fault injection for the ones only an outage produces.
@Suite("Client error mapping and fault injection")
struct ClientErrorMappingTests {
    @Test("API failures map to notFound, alreadyExists, conflict, invalid, forbidden, badRequest and gone")
    func serverErrorsMapToKinds() async throws {
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            let missing = await apiError { try await client.get(.testSecrets, namespace: "default", name: "missing") }
            #expect(missing?.kind == .notFound)
            #expect(missing?.code == "kube.notFound")
            _ = try await client.create(.testSecrets, namespace: "default", body: secretBody("db"))
            let duplicate = await apiError { try await client.create(.testSecrets, namespace: "default", body: secretBody("db")) }
            #expect(duplicate?.kind == .alreadyExists)
            let stale = await apiError {
                try await client.patch(.testSecrets, namespace: "default", name: "db", patch: .merge(["metadata": ["resourceVersion": "1", "labels": ["a": "b"]]]))
            }
            #expect(stale?.kind == .conflict)
            let invalid = await apiError { try await client.create(.testSecrets, namespace: "default", body: secretBody("Bad_Name")) }
            #expect(invalid?.kind == .invalid)
            #expect(invalid?.causes.first?.field == "metadata.name")
            _ = try await client.create(.testNamespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "going"]])
            _ = try await client.create(.testSecrets, namespace: "going", body: secretBody("held", finalizers: ["test/hold"]))
            _ = try await client.delete(.testNamespaces, namespace: nil, name: "going")
            let forbidden = await apiError { try await client.create(.testSecrets, namespace: "going", body: secretBody("new")) }
            #expect(forbidden?.kind == .forbidden)
            let badSelector = await apiError { try await client.list(.testSecrets, namespace: "default", options: ListOptions(fieldSelector: "data.password=x")) }
            #expect(badSelector?.kind == .badRequest)
            let page = try await client.list(.testSecrets, namespace: nil, options: ListOptions(limit: 1))
            await cluster.emulator.compactHistory()
            let gone = await apiError { try await client.list(.testSecrets, namespace: nil, options: ListOptions(limit: 1, continue: page["metadata"]?["continue"]?.stringValue)) }
            #expect(gone?.kind == .gone)
        }
    }

    @Test("a wrong bearer token is unauthorized")
    func wrongTokenIsUnauthorized() async throws {
        try await EmulatedCluster.with { cluster in
            var configuration = try KubeConfig.parse(yaml: cluster.emulator.kubeconfig()).clientConfiguration()
            configuration.authentication = .bearerToken(Redacted("not-the-token"))
            let client = try HTTPKubernetesClient(configuration: configuration)
            let error = await apiError { try await client.list(.testSecrets, namespace: "default") }
            try await client.shutdown()
            #expect(error?.kind == .unauthorized)
            #expect(error?.description.contains("not-the-token") == false, "credentials never appear in errors")
        }
    }

    @Test("a 429 whose Retry-After is too long to wait in the client maps to tooManyRequests with the delay")
    func throttlingCarriesRetryAfter() async throws {
        try await EmulatedCluster.with { cluster in
            cluster.emulator.faults.failNext(1, matching: .init(verb: "list", resource: "secrets"), code: 429, retryAfterSeconds: 45)
            let error = await apiError { try await cluster.client.list(.testSecrets, namespace: "default") }
            #expect(error?.kind == .tooManyRequests)
            #expect(error?.retryAfter == .seconds(45))
            // Only the next request was failed. (A fresh client: this one's pacer holds lists for 45 s.)
            let fresh = try HTTPKubernetesClient(configuration: cluster.client.configuration)
            _ = try await fresh.list(.testSecrets, namespace: "default")
            try await fresh.shutdown()
        }
    }

    @Test("a 429 with a short Retry-After is retried by the client after it: the caller sees the answer")
    func shortThrottlingIsRetried() async throws {
        try await EmulatedCluster.with { cluster in
            cluster.emulator.faults.failNext(1, matching: .init(verb: "list", resource: "secrets"), code: 429, retryAfterSeconds: 1)
            let before = cluster.emulator.faults.requestCount(verb: "list", resource: "secrets")
            _ = try await cluster.client.list(.testSecrets, namespace: "default")
            #expect(cluster.emulator.faults.requestCount(verb: "list", resource: "secrets") == before + 2, "refused once, then answered")
        }
    }

    @Test("injected 5xx failures map to server errors for exactly the matching requests")
    func injectedServerErrors() async throws {
        try await EmulatedCluster.with { cluster in
            cluster.emulator.faults.failNext(2, matching: .init(verb: "create", resource: "secrets"), code: 500)
            let first = await apiError { try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a")) }
            #expect(first?.kind == .server)
            #expect(first?.isTransient == true)
            // A get is not matched by the rule.
            let kind = await errorKind { try await cluster.client.list(.testSecrets, namespace: "default") }
            #expect(kind == nil)
            let second = await apiError { try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a")) }
            #expect(second?.kind == .server)
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a"))
        }
    }

    @Test("a server that is gone is a transport error")
    func stoppedServerIsTransportError() async throws {
        let cluster = try await EmulatedCluster.start()
        var configuration = cluster.client.configuration
        configuration.connectTimeout = .seconds(2)
        await cluster.emulator.shutdown()
        let client = try HTTPKubernetesClient(configuration: configuration)
        let error = await apiError { try await client.list(.testSecrets, namespace: "default") }
        try await client.shutdown()
        try? await cluster.client.shutdown()
        #expect(error?.kind == .transport)
    }

    @Test("injected latency delays matching requests")
    func injectedLatency() async throws {
        try await EmulatedCluster.with { cluster in
            cluster.emulator.faults.addLatency(.milliseconds(300), matching: .init(verb: "get"))
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                _ = try await cluster.client.get(.testNamespaces, namespace: nil, name: "default")
            }
            #expect(elapsed >= .milliseconds(300))
            cluster.emulator.faults.reset()
        }
    }

    @Test("dropping watches ends open watch streams, and a client can resume from its last resourceVersion")
    func droppedWatchesEnd() async throws {
        try await EmulatedCluster.with { cluster in
            let rv = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a")).resourceVersion
            let stream = try await cluster.client.watch(.testSecrets, namespace: "default", options: WatchOptions(resourceVersion: rv, timeoutSeconds: 60))
            #expect(await EmulatedCluster.eventually { await cluster.emulator.openWatchCount() == 1 })
            let consumer = Task { () -> Int in
                var count = 0
                // Bookmarks come on a timer; only a change would be a delivery.
                for try await event in stream where event.type != .bookmark { count += 1 }
                return count
            }
            await cluster.emulator.dropWatches()
            let delivered = try await consumer.value
            #expect(delivered == 0)
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("b"))
            let resumed = try await cluster.client.watch(.testSecrets, namespace: "default", options: WatchOptions(resourceVersion: rv, timeoutSeconds: 60))
            let events = try await collect(resumed, count: 1)
            #expect(events.first?.object.name == "b")
        }
    }
}
