import JSONCore
import KubeAPI
import Testing

@testable import KubeClient

@Suite("watch stream decoding")
struct WatchStreamTests {
    let request = KubeRequestDescription(verb: "watch", resource: "secrets")

    static let added = #"{"type":"ADDED","object":{"kind":"Secret","metadata":{"name":"a","resourceVersion":"10"}}}"#
    static let modified = #"{"type":"MODIFIED","object":{"kind":"Secret","metadata":{"name":"a","resourceVersion":"11"}}}"#
    static let bookmark = #"{"type":"BOOKMARK","object":{"kind":"Secret","metadata":{"resourceVersion":"12"}}}"#

    func lines(fromChunks chunks: [String]) throws -> [String] {
        var splitter = WatchLineSplitter()
        var lines: [String] = []
        for chunk in chunks {
            splitter.append(Array(chunk.utf8))
            while let line = try splitter.nextLine() { lines.append(String(decoding: line, as: UTF8.self)) }
        }
        if let rest = splitter.finish() { lines.append(String(decoding: rest, as: UTF8.self)) }
        return lines
    }

    @Test("an event split across several chunks is delivered once it is complete")
    func eventSplitAcrossChunks() throws {
        let text = Self.added + "\n"
        let chunks = [String(text.prefix(5)), String(text.dropFirst(5).prefix(30)), String(text.dropFirst(35))]
        #expect(try lines(fromChunks: chunks) == [Self.added])
    }

    @Test("several events in one chunk come out one by one, in order")
    func severalEventsPerChunk() throws {
        let chunk = [Self.added, Self.modified, Self.bookmark].joined(separator: "\n") + "\n"
        #expect(try lines(fromChunks: [chunk]) == [Self.added, Self.modified, Self.bookmark])
    }

    @Test("a chunk boundary right at the newline, blank lines, CRLF and a last line without newline are handled")
    func boundariesAndBlankLines() throws {
        let chunks = [Self.added, "\n", "\r\n\n" + Self.modified + "\r", "\n", Self.bookmark]
        let result = try lines(fromChunks: chunks)
        #expect(result.count == 3)
        #expect(result[0] == Self.added)
        #expect(try WatchEventDecoding.event(from: Array(result[1].utf8), request: request).type == .modified)
        #expect(result[2] == Self.bookmark)
    }

    @Test("byte-at-a-time delivery gives the same events as one big chunk")
    func byteAtATime() throws {
        let text = [Self.added, Self.modified, Self.bookmark].joined(separator: "\n") + "\n"
        let chunks = text.utf8.map { String(decoding: [$0], as: UTF8.self) }
        #expect(try lines(fromChunks: chunks) == [Self.added, Self.modified, Self.bookmark])
    }

    @Test("a line longer than the limit is refused instead of buffered without bound")
    func overlongLine() throws {
        var splitter = WatchLineSplitter(maximumLineLength: 16)
        splitter.append(Array(repeating: UInt8(ascii: "x"), count: 32))
        #expect(throws: WatchLineSplitter.LineTooLong.self) { try splitter.nextLine() }
    }

    @Test("a decoded line becomes a typed event; a bookmark keeps only its resourceVersion")
    func typedEvents() throws {
        let event = try WatchEventDecoding.event(from: Array(Self.bookmark.utf8), request: request)
        #expect(event.type == .bookmark)
        let typed = try TypedWatchEventStream<Widget>.typed(event)
        #expect(typed.resourceVersion == "12")

        let widgetLine = #"{"type":"ADDED","object":{"apiVersion":"test.rotor.dev/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns","resourceVersion":"13"},"spec":{"size":3}}}"#
        let added = try TypedWatchEventStream<Widget>.typed(WatchEventDecoding.event(from: Array(widgetLine.utf8), request: request))
        guard case .added(let widget) = added else {
            Issue.record("expected ADDED, got \(added)")
            return
        }
        #expect(widget.spec.size == 3)
    }

    @Test("garbage on the stream is a decoding error, not a crash")
    func garbage() {
        #expect(throws: KubeAPIError.self) { try WatchEventDecoding.event(from: Array("not json".utf8), request: request) }
        #expect(throws: KubeAPIError.self) { try WatchEventDecoding.event(from: Array(#"{"type":"WHAT","object":{}}"#.utf8), request: request) }
    }

    @Test("the erased stream passes through the events of any sequence")
    func erasedStream() async throws {
        let events = [WatchEvent(type: .added, object: JSONValue.object(["a": 1])), WatchEvent(type: .deleted, object: .object([:]))]
        let stream = WatchEventStream(AsyncThrowingStream { continuation in
            for event in events { continuation.yield(event) }
            continuation.finish()
        })
        var types: [WatchEventType] = []
        for try await event in stream { types.append(event.type) }
        #expect(types == [.added, .deleted])
    }
}
