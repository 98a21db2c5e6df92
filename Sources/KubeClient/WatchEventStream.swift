import JSONCore
import KubeAPI

/// The events of one watch call, in order, as they arrive.
///
/// Iterate it once. It ends when the server closes the watch (e.g. after
/// `timeoutSeconds`); it throws ``KubeAPIError`` for an `ERROR` event (kind
/// `.gone` when the resourceVersion is too old) or a broken connection, and
/// `CancellationError` when the consuming task is cancelled, which also closes
/// the connection.
///
/// The type erases where the events come from, so fakes of ``KubernetesClient``
/// can return one built from any sequence.
public struct WatchEventStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<JSONValue>

    private let makeIterator: @Sendable () -> AsyncIterator

    /// Wraps any sequence of watch events.
    public init<Events: AsyncSequence & Sendable>(_ events: Events) where Events.Element == WatchEvent<JSONValue> {
        makeIterator = { AsyncIterator(events.makeAsyncIterator()) }
    }

    public func makeAsyncIterator() -> AsyncIterator { makeIterator() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private let box: any IteratorBox

        init<Base: AsyncIteratorProtocol>(_ base: Base) where Base.Element == WatchEvent<JSONValue> {
            box = ConcreteIteratorBox(base)
        }

        public mutating func next() async throws -> WatchEvent<JSONValue>? {
            try await box.next()
        }
    }
}

/// A reference to an iterator, so the erased iterator can advance it.
private protocol IteratorBox: AnyObject {
    func next() async throws -> WatchEvent<JSONValue>?
}

private final class ConcreteIteratorBox<Base: AsyncIteratorProtocol>: IteratorBox where Base.Element == WatchEvent<JSONValue> {
    var base: Base
    init(_ base: Base) { self.base = base }
    func next() async throws -> WatchEvent<JSONValue>? { try await base.next() }
}
