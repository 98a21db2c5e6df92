import AWSProvider
import AsyncHTTPClient
import Foundation
import HTTPServing
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SecretProviders
import Synchronization
import Testing

/// A TLS server on 127.0.0.1 answering every request with `bodyBytes` of filler (a hostile
/// Secrets Manager endpoint), counting the operations asked and the answers sent whole.
final class HostileAWSEndpoint: Sendable {
    let server: HTTPServer
    let certificates: ServingCertificates
    let client: HTTPClient
    private final class State: Sendable {
        let value = Mutex((operations: [String](), completed: 0))
        func withLock<T>(_ body: (inout (operations: [String], completed: Int)) -> T) -> T { value.withLock { body(&$0) } }
    }
    private let state = State()

    var url: String { "https://127.0.0.1:\(server.port)" }
    var operations: [String] { state.withLock { $0.operations } }
    var completedAnswers: Int { state.withLock { $0.completed } }

    init(bodyBytes: Int) async throws {
        let certificates = try ServingCertificates.generate(serverName: "secretsmanager")
        self.certificates = certificates
        let state = self.state
        server = try await HTTPServer(
            host: "127.0.0.1", port: 0, tls: try certificates.makeServerContext(), group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "hostile-aws", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { request in
            let target = request.headers.first(name: "X-Amz-Target") ?? "?"
            state.withLock { $0.operations.append(String(target.split(separator: ".").last ?? "?")) }
            return HTTPServerResponse(status: .ok, headers: [("Content-Type", "application/x-amz-json-1.1")], body: .stream { write in
                let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
                var sent = 0
                while sent < bodyBytes {
                    try await write(filler)
                    sent += filler.count
                }
                state.withLock { $0.completed += 1 }
            })
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificates.caCertificatePEM.utf8)))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
    }

    func stop() async {
        try? await client.shutdown()
        await server.shutdown()
    }
}

@Suite("AWS provider: bounded answers")
struct AWSMemoryBoundsTests {
    static func provider(_ endpoint: HostileAWSEndpoint, batchWindow: Duration = .milliseconds(1)) throws -> AWSSecretsManagerProvider {
        try makeProvider(
            endpoint: endpoint.url, auth: secretRefAuth, secrets: ["aws/access-key-id": "AKIATEST", "aws/secret-access-key": "x"]
        ) { options in
            options.transport = AsyncHTTPClientTransport(client: endpoint.client)
            options.batchWindow = batchWindow
        }
    }

    @Test("a 20 MiB GetSecretValue answer is refused unread: an invalidResponse naming the store and the key, not retried")
    func oversizeGetSecretValue() async throws {
        let endpoint = try await HostileAWSEndpoint(bodyBytes: 20 << 20)
        let provider = try Self.provider(endpoint)
        let id = RemoteSecretID(key: "shop/db", version: "AWSCURRENT")
        let outcome = try await provider.read([id])[id]
        await endpoint.stop()
        let error = try #require(outcome.flatMap { if case .failure(let e) = $0 { e } else { nil } })
        #expect(error.class == .invalidResponse)
        #expect(error.isAnswerTooLarge)
        #expect(error.store == "SecretStore/test/aws")
        #expect(error.key == "shop/db")
        #expect(!error.description.contains("aaaa"))
        #expect(endpoint.operations == ["GetSecretValue"], "an oversize answer is not retried")
    }

    @Test("an oversize BatchGetSecretValue answer: each key is read alone and its own error names it")
    func oversizeBatch() async throws {
        let endpoint = try await HostileAWSEndpoint(bodyBytes: 20 << 20)
        let provider = try Self.provider(endpoint, batchWindow: .milliseconds(300))
        let ids = [RemoteSecretID(key: "a"), RemoteSecretID(key: "b")]
        let outcomes = try await provider.read(ids)
        await endpoint.stop()
        for id in ids {
            let error = try #require(outcomes[id].flatMap { if case .failure(let e) = $0 { e } else { nil } })
            #expect(error.isAnswerTooLarge)
            #expect(error.key == id.key)
            #expect(error.store == "SecretStore/test/aws")
        }
        #expect(endpoint.operations.sorted() == ["BatchGetSecretValue", "GetSecretValue", "GetSecretValue"])
    }
}
