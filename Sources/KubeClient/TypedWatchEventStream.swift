import JSONCore
import KubeAPI

/// A ``WatchEventStream`` whose objects are decoded as `Object`.
public struct TypedWatchEventStream<Object: KubernetesResource>: AsyncSequence, Sendable {
    public typealias Element = TypedWatchEvent<Object>

    private let events: WatchEventStream

    public init(_ events: WatchEventStream) { self.events = events }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(events: events.makeAsyncIterator()) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var events: WatchEventStream.AsyncIterator

        public mutating func next() async throws -> TypedWatchEvent<Object>? {
            guard let event = try await events.next() else { return nil }
            return try TypedWatchEventStream.typed(event)
        }
    }

    static func typed(_ event: WatchEvent<JSONValue>) throws -> TypedWatchEvent<Object> {
        if event.type == .bookmark {
            return .bookmark(resourceVersion: event.object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")
        }
        let object: Object
        do {
            object = try event.object.decode(as: Object.self)
        } catch {
            throw KubeAPIError.decoding(
                "cannot decode \(Object.kind) in watch event: \(codingErrorSummary(error))",
                request: KubeRequestDescription(verb: "watch", resource: Object.resourceType.description))
        }
        switch event.type {
        case .added: return .added(object)
        case .modified: return .modified(object)
        case .deleted: return .deleted(object)
        case .bookmark, .error:
            // ERROR events are thrown by the untyped stream and bookmarks handled above.
            throw KubeAPIError.decoding("unexpected \(event.type.rawValue) watch event", request: nil)
        }
    }
}
