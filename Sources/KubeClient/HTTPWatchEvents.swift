import AsyncHTTPClient
import NIOCore
import JSONCore
import KubeAPI

/// The events of a watch response body, decoded line by line as chunks arrive.
///
/// The body is read by a task of its own, one event ahead of demand (so a slow
/// consumer holds the server back instead of filling memory). That task is what
/// async-http-client cancels the request for: when the consumer stops (its task
/// is cancelled or it drops the iterator) or the watch outlives its deadline,
/// the task is cancelled and the connection closed.
struct HTTPWatchEvents: AsyncSequence, Sendable {
    typealias Element = WatchEvent<JSONValue>

    let body: HTTPClientResponse.Body
    let request: KubeRequestDescription
    /// When the server should long have closed the watch (`timeoutSeconds` plus slack).
    let deadline: ContinuousClock.Instant?

    func makeAsyncIterator() -> AsyncIterator {
        let (events, eventSink) = AsyncThrowingStream<Element, any Error>.makeStream()
        let (demand, demandSink) = AsyncStream<Void>.makeStream()
        let reader = Task { [body, request, deadline] in
            await Self.read(body, request: request, deadline: deadline, demand: demand, into: eventSink)
        }
        eventSink.onTermination = { _ in
            reader.cancel()
            demandSink.finish()
        }
        return AsyncIterator(events: events.makeAsyncIterator(), demand: demandSink)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var events: AsyncThrowingStream<Element, any Error>.AsyncIterator
        let demand: AsyncStream<Void>.Continuation

        mutating func next() async throws -> Element? {
            demand.yield(())
            guard let event = try await events.next() else {
                // The stream also ends quietly when the consumer is cancelled; say so.
                try Task.checkCancellation()
                return nil
            }
            return event
        }
    }

    private static func read(
        _ body: HTTPClientResponse.Body, request: KubeRequestDescription, deadline: ContinuousClock.Instant?,
        demand: AsyncStream<Void>, into sink: AsyncThrowingStream<Element, any Error>.Continuation
    ) async {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await decodeEvents(body, request: request, demand: demand, into: sink) }
                if let deadline {
                    group.addTask {
                        try await Task.sleep(until: deadline, clock: .continuous)
                        throw KubeAPIError.transport("the server did not end the watch by its timeoutSeconds", request: request)
                    }
                }
                try await group.next()
                group.cancelAll()
            }
            sink.finish()
        } catch {
            sink.finish(throwing: error)
        }
    }

    private static func decodeEvents(
        _ body: HTTPClientResponse.Body, request: KubeRequestDescription, demand: AsyncStream<Void>,
        into sink: AsyncThrowingStream<Element, any Error>.Continuation
    ) async throws {
        var chunks = body.makeAsyncIterator()
        var splitter = WatchLineSplitter()
        var wanted = demand.makeAsyncIterator()
        while await wanted.next() != nil {
            guard let event = try await nextEvent(&chunks, &splitter, request) else { return }
            sink.yield(event)
        }
    }

    private static func nextEvent(
        _ chunks: inout HTTPClientResponse.Body.AsyncIterator, _ splitter: inout WatchLineSplitter, _ request: KubeRequestDescription
    ) async throws -> Element? {
        while true {
            let line: ArraySlice<UInt8>?
            do {
                line = try splitter.nextLine()
            } catch {
                throw KubeAPIError.decoding("watch event longer than \(splitter.maximumLineLength) bytes", request: request)
            }
            if let line { return try WatchEventDecoding.event(from: line, request: request) }
            let chunk: ByteBuffer?
            do {
                chunk = try await chunks.next()
            } catch {
                try Task.checkCancellation()
                throw KubeAPIError.transport("watch stream broke: \(error)", underlying: error, request: request)
            }
            guard let chunk else {
                return try splitter.finish().map { try WatchEventDecoding.event(from: $0, request: request) }
            }
            splitter.append(chunk.readableBytesView)
        }
    }
}
