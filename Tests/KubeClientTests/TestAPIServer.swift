import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request as the test server received it.
struct RecordedRequest: Sendable {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Writes one response: whole, or streamed in chunks (for watches).
struct ResponseWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    func respond(_ status: HTTPResponseStatus, json: String, headers: [(String, String)] = []) async throws {
        var head = HTTPHeaders(headers)
        head.add(name: "Content-Type", value: "application/json")
        head.add(name: "Content-Length", value: String(json.utf8.count))
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: head)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: json))))
        try await outbound.write(.end(nil))
    }

    /// Starts a chunked response.
    func startStream() async throws {
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
    }

    func chunk(_ text: String) async throws {
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
    }

    func end() async throws { try await outbound.write(.end(nil)) }
}

/// An HTTP(S) server on 127.0.0.1 and a free port, answering with a closure, for
/// tests of the client's real HTTP path. Records every request and signals each
/// connection the client closes.
final class TestAPIServer: Sendable {
    typealias Handler = @Sendable (RecordedRequest, ResponseWriter) async throws -> Void

    let port: Int
    private let serverTask: Task<Void, Never>
    private let recorded = RequestLog()
    let closedConnections: AsyncStream<Void>

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [RecordedRequest] { recorded.all }

    init(tls: TLSConfiguration? = nil, handler: @escaping Handler) async throws {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    // Closed, not trapped on, if dropped unconsumed when the server closes
                    // (apple/swift-nio#2813; see HTTPServer.connectionChannel).
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(synchronouslyWrapping: child)
                }
            }
        port = channel.channel.localAddress?.port ?? 0
        let (closed, closedSink) = AsyncStream<Void>.makeStream()
        closedConnections = closed
        let log = recorded
        serverTask = Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask {
                            try? await Self.serve(connection, log: log, handler: handler)
                            closedSink.yield()
                        }
                    }
                }
            }
        }
    }

    /// Stops listening and drops all connections.
    func stop() async {
        serverTask.cancel()
        await serverTask.value
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, log: RequestLog, handler: @escaping Handler
    ) async throws {
        try await connection.executeThenClose { inbound, outbound in
            let writer = ResponseWriter(outbound: outbound)
            // Handlers run beside the reading loop, so the loop notices when the client hangs up mid-response.
            try await withThrowingTaskGroup(of: Void.self) { handlers in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body = []
                    case .body(let buffer):
                        body += buffer.readableBytesView
                    case .end:
                        guard let head else { continue }
                        let request = RecordedRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
                        log.append(request)
                        handlers.addTask { try await handler(request, writer) }
                    }
                }
                handlers.cancelAll()
            }
        }
    }
}

/// `@unchecked Sendable`: the array is only touched under `lock`.
private final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [RecordedRequest] = []
    func append(_ request: RecordedRequest) { lock.withLock { requests.append(request) } }
    var all: [RecordedRequest] { lock.withLock { requests } }
}
