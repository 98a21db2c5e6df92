import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A small HTTP/1.1 server on SwiftNIO's async channels: it reads whole requests,
/// hands them to a handler and writes the response, streaming it when asked (watch).
/// TLS is optional; HTTP/2 is not offered (Go clients fall back to HTTP/1.1).
///
/// Shared by the in-process emulators (Kubernetes, Vault) and the operator's health
/// and metrics endpoint, which need nothing more than this.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPServerRequest) async -> HTTPServerResponse

    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    /// The port bound (the real one when 0 was asked).
    public let port: Int
    private let runTask: Task<Void, Never>
    /// Open connections, so that shutdown can close idle keep-alive ones too; `nil` once
    /// shutdown began (connections accepted after that are closed at once).
    private let connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]?>
    /// Connections being set up that have not reached the accept loop yet: shutdown waits
    /// for them, since one dropped unconsumed when the server channel closes traps in NIO.
    private let settingUp: NIOLockedValueBox<Int>

    /// Starts serving on `host:port` (port 0: any free port).
    ///
    /// - Parameters:
    ///   - maximumBodySize: larger request bodies get `payloadTooLarge` unread.
    ///   - payloadTooLarge: the answer to an oversized body (each API words it its own way).
    ///   - acceptsListMethod: take Vault's `LIST` method, as `GET` with `list=true`
    ///     (``ListMethodRewriter``; SwiftNIO's parser refuses unknown methods).
    ///   - requestsClientCertificates: with a context made by
    ///     ``ServingCertificates/makeServerContext(requestingClientCertificates:)``, accept any
    ///     client certificate in the handshake (none is fine too) and pass it on as
    ///     ``HTTPServerRequest/clientCertificateDER``: the handler decides what it is worth.
    public init(
        host: String, port: Int, tls: NIOSSLContext? = nil, group: any EventLoopGroup, logger: Logger, acceptsListMethod: Bool = false,
        requestsClientCertificates: Bool = false,
        maximumBodySize: Int = 3 * 1024 * 1024,
        payloadTooLarge: HTTPServerResponse = HTTPServerResponse(status: .payloadTooLarge, headers: [], body: .bytes([])),
        handler: @escaping Handler
    ) async throws {
        let settingUp = NIOLockedValueBox(0)
        self.settingUp = settingUp
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // TCP_NODELAY is an IPPROTO_TCP option: as a socket-level option its number is
            // SO_DEBUG, which an unprivileged process is refused (every connection dropped).
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                settingUp.withLockedValue { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture { () throws -> NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart> in
                    if let tls {
                        if requestsClientCertificates {
                            // Any certificate passes the handshake; the handler verifies it.
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLServerHandler(context: tls, customVerificationCallback: { _, promise in promise.succeed(.certificateVerified) }))
                        } else {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                        }
                    }
                    if acceptsListMethod {
                        try channel.pipeline.syncOperations.addHandler(ListMethodRewriter())
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Self.connectionChannel(channel)
                }.flatMapErrorThrowing { error -> NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart> in
                    // This one never reaches the accept loop.
                    settingUp.withLockedValue { $0 -= 1 }
                    throw error
                }
            }
        serverChannel = channel
        self.port = channel.channel.localAddress?.port ?? port
        let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]?>([:])
        self.connections = connections
        // Every accepted connection is consumed (served, or closed during shutdown): an
        // async channel dropped unconsumed is a programming error in NIO.
        runTask = Task {
            await withDiscardingTaskGroup { group in
                do {
                    try await channel.executeThenClose { inbound in
                        for try await connection in inbound {
                            settingUp.withLockedValue { $0 -= 1 }
                            let id = ObjectIdentifier(connection.channel)
                            let accepted = connections.withLockedValue { open -> Bool in
                                guard open != nil else { return false }
                                open![id] = connection.channel
                                return true
                            }
                            guard accepted else {
                                group.addTask { try? await connection.executeThenClose { _, _ in } }
                                continue
                            }
                            group.addTask {
                                await Self.serve(
                                    connection, maximumBodySize: maximumBodySize, payloadTooLarge: payloadTooLarge,
                                    readsClientCertificate: tls != nil && requestsClientCertificates, handler: handler, logger: logger)
                                _ = connections.withLockedValue { $0?.removeValue(forKey: id) }
                            }
                        }
                    }
                } catch {
                    logger.debug("server channel closed: \(error)")
                }
            }
        }
    }

    /// The async wrapper of an accepted connection, closed (not trapped on) if it is ever
    /// dropped unconsumed. NIO's recommended `init(wrappingChannelSynchronously:)` traps
    /// when a wrapper is released without `executeThenClose`, and the server's accept
    /// stream drops what it buffered when it closes (apple/swift-nio#2813): a connection
    /// accepted while a server shuts down crashed the whole test process in CI, even
    /// after the drain in ``shutdown()``. The deprecated initializer is the one that
    /// closes on deinit instead; every connection that reaches the accept loop is still
    /// closed explicitly by `executeThenClose`.
    private static func connectionChannel(_ channel: any Channel) throws -> NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart> {
        try NIOAsyncChannel(synchronouslyWrapping: channel)
    }

    /// Stops accepting connections and closes open ones, then waits for every
    /// connection's task to end. (The accept loop is not cancelled: it drains what was
    /// already accepted, closing it.)
    public func shutdown() async {
        // Stop accepting first and give connections already accepted time to reach the
        // accept loop: a connection whose async wrapper is dropped unconsumed, because the
        // server channel closed while it was being set up, traps in NIO (seen in CI).
        try? await serverChannel.channel.setOption(ChannelOptions.autoRead, value: false)
        try? await Task.sleep(for: .milliseconds(50))
        // Then wait (boundedly: a connection whose setup failed never arrives) until every
        // connection whose setup began has reached the accept loop, which closes it.
        let deadline = ContinuousClock.now + .seconds(2)
        while settingUp.withLockedValue({ $0 > 0 }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let open = connections.withLockedValue { open -> [any Channel] in
            defer { open = nil }
            return Array((open ?? [:]).values)
        }
        try? await serverChannel.channel.close()
        for connection in open { connection.close(promise: nil) }
        await runTask.value
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        maximumBodySize: Int, payloadTooLarge: HTTPServerResponse, readsClientCertificate: Bool, handler: Handler, logger: Logger
    ) async {
        let channel = connection.channel
        // The handshake is over once a request arrives; read the peer's certificate then, once.
        var clientCertificate: [UInt8]??
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                var tooLarge = false
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                        body.removeAll(keepingCapacity: true)
                        tooLarge = false
                    case .body(var buffer):
                        if body.count + buffer.readableBytes > maximumBodySize {
                            tooLarge = true
                        } else {
                            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
                        }
                    case .end:
                        guard let requestHead = head else { continue }
                        let keepAlive = requestHead.isKeepAlive
                        let response: HTTPServerResponse
                        if tooLarge {
                            response = payloadTooLarge
                        } else {
                            var request = HTTPServerRequest(method: requestHead.method, uri: requestHead.uri, headers: requestHead.headers, body: body)
                            if readsClientCertificate {
                                if clientCertificate == nil {
                                    let peer = try? await channel.nioSSL_peerCertificate().get()
                                    clientCertificate = .some(try? peer?.toDERBytes())
                                }
                                request.clientCertificateDER = clientCertificate ?? nil
                            }
                            response = await handler(request)
                        }
                        var headers = HTTPHeaders(response.headers)
                        switch response.body {
                        case .bytes(let bytes):
                            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
                            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
                            try await outbound.write(.head(HTTPResponseHead(version: requestHead.version, status: response.status, headers: headers)))
                            if !bytes.isEmpty {
                                try await outbound.write(.body(.byteBuffer(channel.allocator.buffer(bytes: bytes))))
                            }
                            try await outbound.write(.end(nil))
                            if !keepAlive { return }
                        case .stream(let produce):
                            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
                            headers.replaceOrAdd(name: "Connection", value: "close")
                            try await outbound.write(.head(HTTPResponseHead(version: requestHead.version, status: response.status, headers: headers)))
                            await streamBody(produce, to: outbound, channel: channel)
                            return
                        }
                        head = nil
                    }
                }
            }
        } catch {
            logger.trace("connection ended: \(error)")
        }
    }

    /// Streams until the producer ends or the client goes away, whichever is first.
    private static func streamBody(
        _ produce: @escaping @Sendable (ChunkWriter) async throws -> Void,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: any Channel
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await produce { bytes in
                        try await outbound.write(.body(.byteBuffer(channel.allocator.buffer(bytes: bytes))))
                    }
                    try await outbound.write(.end(nil))
                } catch {}
                try? await channel.close()
            }
            group.addTask {
                try? await channel.closeFuture.get()
            }
            _ = await group.next()
            group.cancelAll()
        }
    }
}
