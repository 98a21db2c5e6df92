import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import RotorAPI
import Testing

@testable import KubeClient

/// The client's real HTTP path against a small local server: headers, bodies,
/// errors, token rotation, watch streaming and cancellation, TLS.
@Suite("HTTP client", .timeLimit(.minutes(1)))
struct HTTPKubernetesClientTests {
    static let widgetJSON = #"{"apiVersion":"test.rotor.dev/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns","resourceVersion":"5"},"spec":{"size":3}}"#

    /// Runs `body` with a client of `server`, then shuts both down.
    func withClient(
        _ server: TestAPIServer, configure: (inout ClientConfiguration) -> Void = { _ in },
        _ body: (HTTPKubernetesClient) async throws -> Void
    ) async throws {
        var configuration = ClientConfiguration(server: server.url, authentication: .bearerToken(Redacted("t0ken")))
        configure(&configuration)
        let client = try HTTPKubernetesClient(configuration: configuration)
        do {
            try await body(client)
        } catch {
            try await client.shutdown()
            await server.stop()
            throw error
        }
        try await client.shutdown()
        await server.stop()
    }

    @Test("a typed get sends the bearer token, user agent and Accept header, and decodes the object")
    func typedGet() async throws {
        let server = try await TestAPIServer { _, response in try await response.respond(.ok, json: Self.widgetJSON) }
        try await withClient(server, configure: { $0.userAgent = "widget-operator/1.2" }) { client in
            let widget = try await client.get(Widget.self, namespace: "ns", name: "w")
            #expect(widget.spec.size == 3)
            let request = try #require(server.requests.first)
            #expect(request.method == .GET)
            #expect(request.uri == "/apis/test.rotor.dev/v1/namespaces/ns/widgets/w")
            #expect(request.headers["Authorization"] == ["Bearer t0ken"])
            #expect(request.headers["Accept"] == ["application/json"])
            #expect(request.headers["User-Agent"] == ["widget-operator/1.2"])
        }
    }

    @Test("RotorAPI's Secret works with the typed calls, its data decoded from base64")
    func typedSecret() async throws {
        let server = try await TestAPIServer { _, response in
            try await response.respond(
                .ok, json: #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},"type":"Opaque","data":{"password":"aHVudGVyMg=="}}"#)
        }
        try await withClient(server) { client in
            let secret = try await client.get(Secret.self, namespace: "shop", name: "db")
            #expect(secret.data?["password"] == Data("hunter2".utf8))
            #expect(server.requests.first?.uri == "/api/v1/namespaces/shop/secrets/db")
        }
    }

    @Test("a typed create posts JSON with apiVersion and kind filled in, and connections are reused")
    func typedCreate() async throws {
        let server = try await TestAPIServer { request, response in
            try await response.respond(.created, json: request.bodyText)
        }
        try await withClient(server) { client in
            let created = try await client.create(Widget(namespace: "ns", name: "w", size: 7))
            #expect(created.spec.size == 7)
            _ = try await client.create(Widget(namespace: "ns", name: "w2", size: 8))
            let request = try #require(server.requests.first)
            #expect(request.method == .POST)
            #expect(request.uri == "/apis/test.rotor.dev/v1/namespaces/ns/widgets")
            #expect(request.headers["Content-Type"] == ["application/json"])
            let body = try JSONValue(parsing: request.body)
            #expect(body["apiVersion"] == "test.rotor.dev/v1")
            #expect(body["kind"] == "Widget")
        }
    }

    @Test("a refused request is thrown as KubeAPIError with the server's Status and Retry-After")
    func errorResponse() async throws {
        let server = try await TestAPIServer { _, response in
            try await response.respond(
                .tooManyRequests, json: #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"slow down","reason":"TooManyRequests","code":429}"#,
                headers: [("Retry-After", "3")])
        }
        try await withClient(server) { client in
            do {
                _ = try await client.get(TestTypes.secrets, namespace: "shop", name: "db")
                Issue.record("expected an error")
            } catch let error as KubeAPIError {
                #expect(error.kind == .tooManyRequests)
                #expect(error.retryAfter == .seconds(3))
                #expect(error.description.contains("get secrets shop/db"))
            }
        }
    }

    @Test("a typed delete returns the Status when the server answers with one")
    func deleteReturnsStatus() async throws {
        let server = try await TestAPIServer { _, response in
            try await response.respond(.ok, json: #"{"kind":"Status","apiVersion":"v1","status":"Success","details":{"name":"w","kind":"widgets"}}"#)
        }
        try await withClient(server) { client in
            let result = try await client.delete(Widget.self, namespace: "ns", name: "w", options: DeleteOptions(propagationPolicy: .background))
            guard case .status(let status) = result else {
                Issue.record("expected a Status, got \(result)")
                return
            }
            #expect(status.status == "Success")
            let request = try #require(server.requests.first)
            #expect(request.method == .DELETE)
            #expect(try JSONValue(parsing: request.body)["propagationPolicy"] == "Background")
        }
    }

    @Test("after a 401 the client re-reads the rotated token file and retries once")
    func tokenRotationOn401() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenPath = try directory.write("token", "token-1\n")
        let accepted = AcceptedToken("token-1")
        let server = try await TestAPIServer { request, response in
            if request.headers["Authorization"].first == "Bearer \(accepted.value)" {
                try await response.respond(.ok, json: Self.widgetJSON)
            } else {
                try await response.respond(.unauthorized, json: #"{"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#)
            }
        }
        try await withClient(server, configure: { $0.authentication = .bearerTokenFile(path: tokenPath) }) { client in
            _ = try await client.get(Widget.self, namespace: "ns", name: "w")
            // The kubelet rotates the token; the server stops accepting the old one.
            try directory.write("token", "token-2\n")
            accepted.value = "token-2"
            _ = try await client.get(Widget.self, namespace: "ns", name: "w")
            #expect(server.requests.map { $0.headers["Authorization"].first } == ["Bearer token-1", "Bearer token-1", "Bearer token-2"])
        }
    }

    @Test("watch events arrive as the server streams them, and an ERROR 410 ends the stream as .gone")
    func watchStreamsEvents() async throws {
        let added = #"{"type":"ADDED","object":{"apiVersion":"test.rotor.dev/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns","resourceVersion":"6"},"spec":{"size":1}}}"#
        let bookmark = #"{"type":"BOOKMARK","object":{"kind":"Widget","metadata":{"resourceVersion":"7"}}}"#
        let expired = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 6 (9)","reason":"Expired","code":410}}"#
        let server = try await TestAPIServer { _, response in
            try await response.startStream()
            try await response.chunk(String(added.prefix(20)))
            try await response.chunk(String(added.dropFirst(20)) + "\n" + bookmark + "\n")
            try await response.chunk(expired + "\n")
            try await response.end()
        }
        try await withClient(server) { client in
            let stream = try await client.watch(Widget.self, namespace: "ns", options: WatchOptions(resourceVersion: "5"))
            var seen: [String] = []
            do {
                for try await event in stream { seen.append(event.resourceVersion ?? "") }
                Issue.record("expected the stream to throw")
            } catch let error as KubeAPIError {
                #expect(error.kind == .gone)
            }
            #expect(seen == ["6", "7"])
            #expect(server.requests.first?.uri == "/apis/test.rotor.dev/v1/namespaces/ns/widgets?watch=true&resourceVersion=5&allowWatchBookmarks=true")
        }
    }

    @Test("cancelling the task that consumes a watch closes its connection")
    func cancellingWatchClosesConnection() async throws {
        let server = try await TestAPIServer { _, response in
            try await response.startStream()
            try await response.chunk(#"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}"# + "\n")
            // Hold the watch open until the client goes away.
            try await Task.sleep(for: .seconds(3600))
        }
        try await withClient(server) { client in
            let stream = try await client.watch(TestTypes.secrets, namespace: nil, options: WatchOptions())
            let (firstEvent, firstEventSink) = AsyncStream<Void>.makeStream()
            let consumer = Task {
                for try await _ in stream { firstEventSink.yield() }
            }
            var events = firstEvent.makeAsyncIterator()
            _ = await events.next()
            consumer.cancel()
            await #expect(throws: CancellationError.self) { try await consumer.value }
            var closed = server.closedConnections.makeAsyncIterator()
            _ = await closed.next()
        }
    }

    @Test("a watch the server keeps open past timeoutSeconds is ended by the client after the slack")
    func watchDeadline() async throws {
        let server = try await TestAPIServer { _, response in
            try await response.startStream()
            try await Task.sleep(for: .seconds(3600))
        }
        try await withClient(server, configure: { $0.watchTimeoutSlack = .milliseconds(100) }) { client in
            let stream = try await client.watch(TestTypes.secrets, namespace: nil, options: WatchOptions(timeoutSeconds: 1))
            do {
                for try await _ in stream {}
                Issue.record("expected the watch to fail")
            } catch let error as KubeAPIError {
                #expect(error.kind == .transport)
            }
        }
    }

    @Test("over TLS the client trusts only the configured CA, checks tls-server-name, and presents its certificate")
    func mutualTLS() async throws {
        var serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(TestCertificates.serverCertificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(TestCertificates.serverKey.utf8), format: .pem)))
        serverTLS.certificateVerification = .noHostnameVerification
        serverTLS.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(TestCertificates.caCertificate.utf8)))
        let server = try await TestAPIServer(tls: serverTLS) { _, response in try await response.respond(.ok, json: Self.widgetJSON) }
        let https = "https://127.0.0.1:\(server.port)"
        let tls = TLSOptions(
            certificateAuthorityPEM: Array(TestCertificates.caCertificate.utf8),
            clientCertificatePEM: Array(TestCertificates.ecClientCertificate.utf8),
            clientKeyPEM: Array(TestCertificates.ecClientKey.utf8), serverName: "kube.test")

        /// - Parameter connectTimeout: async-http-client retries failed handshakes until the
        ///   connect timeout, so the refused cases use a short one; the accepted case a long
        ///   one (a handshake on a busy machine can take longer than the short one).
        func get(_ tls: TLSOptions, connectTimeout: Duration = .milliseconds(300)) async throws -> Widget {
            var configuration = ClientConfiguration(server: https, tls: tls)
            configuration.connectTimeout = connectTimeout
            let client = try HTTPKubernetesClient(configuration: configuration)
            do {
                let widget = try await client.get(Widget.self, namespace: "ns", name: "w")
                try await client.shutdown()
                return widget
            } catch {
                try await client.shutdown()
                throw error
            }
        }

        #expect(try await get(tls, connectTimeout: .seconds(10)).spec.size == 3)
        var otherName = tls
        otherName.serverName = "other.test"
        await #expect(throws: KubeAPIError.self) { try await get(otherName) }
        var noServerName = tls
        noServerName.serverName = nil
        await #expect(throws: KubeAPIError.self) { try await get(noServerName) }
        var systemRoots = tls
        systemRoots.certificateAuthorityPEM = nil
        await #expect(throws: KubeAPIError.self) { try await get(systemRoots) }
        var noClientCertificate = tls
        noClientCertificate.clientCertificatePEM = nil
        noClientCertificate.clientKeyPEM = nil
        await #expect(throws: KubeAPIError.self) { try await get(noClientCertificate) }
        await server.stop()
    }
}

/// The token the fake server currently accepts.
///
/// `@unchecked Sendable`: `value` is only touched under `lock`.
private final class AcceptedToken: @unchecked Sendable {
    private let lock = NSLock()
    private var token: String
    init(_ token: String) { self.token = token }
    var value: String {
        get { lock.withLock { token } }
        set { lock.withLock { token = newValue } }
    }
}
