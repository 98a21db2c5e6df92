import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import KubeAPI
import Synchronization
import Testing

/// A client whose first watch streams `events` ADDED Secrets, counting how many the
/// watcher pulled; later watches stay open with nothing in them.
final class CountingWatchClient: KubernetesClient {
    let events: Int
    private let state = Mutex((pulled: 0, watches: 0))

    init(events: Int) { self.events = events }

    var pulled: Int { state.withLock { $0.pulled } }

    func list(_ type: ResourceType, namespace: String?, options: ListOptions) async throws -> JSONValue {
        ["items": [], "metadata": ["resourceVersion": "1"]]
    }

    func watch(_ type: ResourceType, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        let first = state.withLock { state in
            state.watches += 1
            return state.watches == 1
        }
        guard first else {
            return WatchEventStream(AsyncStream<WatchEvent<JSONValue>> { _ in })
        }
        let total = events
        return WatchEventStream(AsyncStream<WatchEvent<JSONValue>>(unfolding: { [self] in
            let index: Int? = self.state.withLock { state in
                guard state.pulled < total else { return nil }
                state.pulled += 1
                return state.pulled
            }
            guard let index else {
                // The first watch stays open too once its events are out.
                try? await Task.sleep(for: .seconds(3600))
                return nil
            }
            return WatchEvent(type: .added, object: [
                "apiVersion": "v1", "kind": "Secret",
                "metadata": ["name": .string("s\(index)"), "namespace": "default", "resourceVersion": .string("\(index + 1)")],
            ])
        }))
    }

    func get(_ type: ResourceType, namespace: String?, name: String, subresource: String?) async throws -> JSONValue { throw CancellationError() }
    func create(_ type: ResourceType, namespace: String?, body: JSONValue, options: WriteOptions) async throws -> JSONValue { throw CancellationError() }
    func update(_ type: ResourceType, namespace: String?, name: String, body: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        throw CancellationError()
    }
    func patch(_ type: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String?, options: WriteOptions) async throws -> JSONValue {
        throw CancellationError()
    }
    func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue { throw CancellationError() }
    func createToken(serviceAccount: String, namespace: String, request: JSONValue) async throws -> JSONValue { throw CancellationError() }
}

@Suite("Watcher backpressure")
struct WatcherBackpressureTests {
    static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)

    @Test("a slow consumer: the watcher reads no further than its buffer allows, and every event arrives in order")
    func slowConsumerBoundsTheBuffer() async throws {
        let client = CountingWatchClient(events: 300)
        var configuration = WatcherConfiguration(scope: .one("default"))
        configuration.bufferLimit = 8
        let watcher = Watcher(client: client, resource: Self.secrets, configuration: configuration) { $0 }
        var iterator = watcher.makeAsyncIterator()
        var names: [String] = []
        var consumed = 0
        var worstAhead = 0
        while names.count < 300 {
            guard let event = try await iterator.next() else { break }
            consumed += 1
            if case .applied(let object) = event { names.append(object[path: ["metadata", "name"]]?.stringValue ?? "") }
            // Slow: give the producer every chance to run ahead before taking the next event.
            for _ in 0..<20 { await Task.yield() }
            try await Task.sleep(for: .milliseconds(1))
            // Events pulled from the watch but not yet taken: the buffer, plus one in the producer's hand.
            worstAhead = max(worstAhead, client.pulled - consumed)
        }
        #expect(names == (1...300).map { "s\($0)" }, "no event lost, none reordered")
        #expect(worstAhead <= 8 + 2, "the watcher ran \(worstAhead) events ahead of its consumer")
        #expect(iterator.buffered.peak <= 8)
    }
}
