import Foundation
import HTTPServing
import JSONCore
import Logging
import MotoTestSupport
import NIOHTTP1
import NIOPosix
import SecretProviders
import Synchronization
import Testing

@testable import AWSProvider

/// A container credentials endpoint of our own (the EKS Pod Identity agent's role): records the
/// `Authorization` header of every request and answers with `answer`.
final class FakeContainerCredentialsEndpoint: Sendable {
    /// The headers seen (a class: a `Mutex` cannot be captured by the server's handler).
    final class Log: Sendable {
        let authorizations = Mutex<[String?]>([])
    }

    private let server: HTTPServer
    private let log: Log

    var url: String { "http://127.0.0.1:\(server.port)/v1/credentials" }
    /// The `Authorization` header of each request, in order.
    var authorizations: [String?] { log.authorizations.withLock { $0 } }

    private init(server: HTTPServer, log: Log) {
        self.server = server
        self.log = log
    }

    static func with<T>(
        answer: @escaping @Sendable () -> HTTPServerResponse, _ body: (FakeContainerCredentialsEndpoint) async throws -> T
    ) async throws -> T {
        let log = Log()
        let server = try await HTTPServer(
            host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "fake-pod-identity", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { request in
            log.authorizations.withLock { $0.append(request.headers.first(name: "Authorization")) }
            return answer()
        }
        let endpoint = FakeContainerCredentialsEndpoint(server: server, log: log)
        do {
            let result = try await body(endpoint)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// The agent's JSON answer for `credentials`, expiring in an hour.
    static func answer(_ credentials: AWSCredentials) -> HTTPServerResponse {
        var fields: [String: String] = [
            "AccessKeyId": credentials.accessKeyID.revealedString() ?? "", "SecretAccessKey": credentials.secretAccessKey.revealedString() ?? "",
            "Expiration": ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600)),
        ]
        if let token = credentials.sessionToken?.revealedString() { fields["Token"] = token }
        let body = try! JSONSerialization.data(withJSONObject: fields)
        return .bytes(Array(body), status: .ok, contentType: "application/json")
    }
}

/// EKS Pod Identity: the container credentials endpoint as part of the operator pod's own
/// identity (a store without `auth`, granted the pod's cloud identity).
@Suite("AWS: EKS Pod Identity (container credentials endpoint)", .serialized)
struct PodIdentityTests {
    static let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QtaWRlbnRpdHkifQ.pod-identity-token-one"
    static let rotatedToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QtaWRlbnRpdHkifQ.pod-identity-token-two"
    static let fixed = AWSCredentials(accessKeyID: "ASIAPODIDENTITY00000", secretAccessKey: "pod-identity-secret-key", sessionToken: "pod-identity-session")

    /// A token file holding `contents`, removed afterwards.
    static func withTokenFile<T>(_ contents: String, _ body: (URL) async throws -> T) async throws -> T {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-pod-identity-\(UUID().uuidString)")
        try Data(contents.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await body(file)
    }

    static func source(url: String, tokenFile: URL) throws -> ContainerCredentialSource {
        try #require(
            try ContainerCredentialSource.fromEnvironment(
                ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile.path],
                transport: ContainerCredentialSource.defaultTransport))
    }

    @Test("the Authorization header is the token file's content, re-read on every fetch (the kubelet rotates it)")
    func tokenFileReadOnEveryFetch() async throws {
        try await FakeContainerCredentialsEndpoint.with(answer: { FakeContainerCredentialsEndpoint.answer(Self.fixed) }) { endpoint in
            try await Self.withTokenFile(Self.token + "\n") { file in
                let source = try Self.source(url: endpoint.url, tokenFile: file)
                let first = try await source.credentials()
                #expect(first.accessKeyID == Self.fixed.accessKeyID)
                #expect(first.secretAccessKey == Self.fixed.secretAccessKey)
                #expect(first.sessionToken == Self.fixed.sessionToken)
                #expect(first.expiration != nil)
                try Data(Self.rotatedToken.utf8).write(to: file)
                _ = try await source.credentials()
                #expect(endpoint.authorizations == [Self.token, Self.rotatedToken])
            }
        }
    }

    @Test("no auth, Pod Identity in the environment: its credentials read a Secrets Manager secret from moto (signature checking on)")
    func readsFromMoto() async throws {
        try await withMoto { moto in
            var admin = MotoAdmin(server: moto)
            admin.credentials = try await admin.createUser("admin", policy: MotoAdmin.policy(allow: ["*"]))
            let pod = try await admin.createUser("pod", policy: MotoAdmin.policy(allow: ["secretsmanager:*"]))
            try await admin.createSecret("pod/value", string: "from-pod-identity")
            try await moto.enableAuthentication()
            try await FakeContainerCredentialsEndpoint.with(answer: { FakeContainerCredentialsEndpoint.answer(pod) }) { endpoint in
                try await Self.withTokenFile(Self.token) { file in
                    let provider = try makeProvider(
                        endpoint: moto.endpoint,
                        environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": file.path])
                    let first = try await provider.read(RemoteSecretID(key: "pod/value")).value
                    _ = try await provider.read(RemoteSecretID(key: "pod/value"))
                    #expect(first == SecretValue(utf8: "from-pod-identity"))
                    // Fetched once, then cached until shortly before Expiration.
                    #expect(endpoint.authorizations == [Self.token])
                }
            }
        }
    }

    @Test("static environment keys come before Pod Identity, as in the AWS SDKs: the agent is not asked")
    func environmentKeysFirst() async throws {
        try await FakeContainerCredentialsEndpoint.with(answer: { FakeContainerCredentialsEndpoint.answer(Self.fixed) }) { endpoint in
            try await Self.withTokenFile(Self.token) { file in
                let source = EnvironmentCredentialSource(
                    environment: [
                        "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00000", "AWS_SECRET_ACCESS_KEY": "env-secret",
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": file.path,
                    ],
                    sts: STSClient(
                        client: AWSServiceClient(
                            endpoint: try AWSEndpoint(url: "https://sts.example"), signer: SigV4Signer(region: "us-east-1", service: "sts"),
                            transport: AsyncHTTPClientTransport(), policy: AWSCallPolicy())),
                    sessionName: "rotor")
                let credentials = try await source.credentials()
                #expect(credentials.accessKeyID == SecretValue(utf8: "AKIAENVIRONMENT00000"))
                #expect(endpoint.authorizations.isEmpty)
            }
        }
    }

    @Test("an http:// FULL_URI must name loopback or the EKS / ECS agent; https:// may name any host", arguments: [
        ("http://169.254.170.23/v1/credentials", true), ("http://[fd00:ec2::23]/v1/credentials", true), ("http://127.0.0.1:2703/creds", true),
        ("http://127.10.0.1/creds", true), ("http://[::1]:80/creds", true), ("http://localhost/creds", true), ("http://169.254.170.2/creds", true),
        ("https://credentials.example.com/v1", true),
        ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", false), ("http://credentials.example.com/v1", false),
        ("http://10.0.0.7/creds", false), ("http://127.0.0.1.nip.io/creds", false), ("http://2130706433/creds", false),
        ("http://0x7f.0.0.1/creds", false), ("http://[fd00:ec2::24]/creds", false), ("http://169.254.170.230/creds", false),
        ("ftp://127.0.0.1/creds", false), ("not a url", false),
    ])
    func allowedHosts(url: String, allowed: Bool) throws {
        let result = Result { () throws(ProviderError) in
            try ContainerCredentialSource.fromEnvironment(
                ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.token], transport: AsyncHTTPClientTransport())
        }
        switch result {
        case .success(let source):
            #expect(allowed, "\(url) was accepted")
            #expect(source?.url == url)
        case .failure(let error):
            #expect(!allowed, "\(url) was refused: \(error)")
            #expect("\(error)".contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
            #expect(!"\(error)".contains(Self.token))
        }
    }

    @Test("a refused FULL_URI fails the store's credentials with nothing sent")
    func refusedHostSendsNothing() async throws {
        try await FakeContainerCredentialsEndpoint.with(answer: { FakeContainerCredentialsEndpoint.answer(Self.fixed) }) { endpoint in
            try await Self.withTokenFile(Self.token) { file in
                // Same listener, reached through a name that is not loopback by the SDK rules.
                let url = endpoint.url.replacingOccurrences(of: "127.0.0.1", with: "127.0.0.1.nip.io")
                let provider = try makeProvider(
                    endpoint: "http://127.0.0.1:1",
                    environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": file.path])
                await #expect(throws: ProviderError.self) { try await provider.credentials.credentials() }
                #expect(endpoint.authorizations.isEmpty)
            }
        }
    }

    @Test("an answer over 16 KiB is refused unread, and the error holds neither the token nor a key")
    func oversizedAnswer() async throws {
        let huge: HTTPServerResponse = .bytes(
            Array(#"{"AccessKeyId":"ASIAHUGE","SecretAccessKey":"huge-secret-\#(String(repeating: "a", count: 1 << 20))"}"#.utf8), status: .ok,
            contentType: "application/json")
        try await FakeContainerCredentialsEndpoint.with(answer: { huge }) { endpoint in
            try await Self.withTokenFile(Self.token) { file in
                let source = try Self.source(url: endpoint.url, tokenFile: file)
                do {
                    _ = try await source.credentials()
                    Issue.record("a 1 MiB answer was accepted")
                } catch let error as ProviderError {
                    #expect(error.class == .invalidResponse)
                    #expect("\(error)".contains("larger than"))
                    #expect(!"\(error)".contains(Self.token) && !"\(error)".contains("huge-secret"))
                }
                #expect(endpoint.authorizations.count == 1, "not retried")
            }
        }
    }

    /// Answers holding the token or keys: status, body, the error class expected. Passed to the
    /// test by index, so the test run's output never shows them.
    static let leakyAnswers: [(Int, String, ProviderError.Class)] = [
        (403, #"{"message":"token pod-identity-token-one refused"}"#, .permissionDenied),
        (200, #"{"AccessKeyId":"ASIALEAK","SecretAccessKey":"leaked-secret-key","Expiration":"tomorrow"}"#, .invalidResponse),
        (200, #"{"SecretAccessKey":"leaked-secret-key"}"#, .invalidResponse),
        (200, #"leaked-secret-key pod-identity-token-one"#, .invalidResponse),
        (404, #"<html>pod-identity-token-one</html>"#, .invalidResponse),
    ]

    @Test("a refusal, a malformed answer or a bad Expiration: errors name the status or the field, never the token or the keys",
          arguments: 0..<leakyAnswers.count)
    func errorsHoldNoSecrets(index: Int) async throws {
        let (status, body, expected) = Self.leakyAnswers[index]
        let response: HTTPServerResponse = .bytes(Array(body.utf8), status: HTTPResponseStatus(statusCode: status), contentType: "application/json")
        try await FakeContainerCredentialsEndpoint.with(answer: { response }) { endpoint in
            try await Self.withTokenFile(Self.token) { file in
                let source = try Self.source(url: endpoint.url, tokenFile: file)
                do {
                    _ = try await source.credentials()
                    Issue.record("accepted")
                } catch let error as ProviderError {
                    #expect(error.class == expected)
                    let text = "\(error) \(String(reflecting: error)) \(String(describing: source)) \(String(reflecting: source))"
                    for secret in [Self.token, "pod-identity-token-one", "leaked-secret-key", "ASIALEAK"] {
                        #expect(!text.contains(secret), "the error or the source shows \(secret)")
                    }
                }
            }
        }
    }

    @Test("a token holding a line break is refused before any request (it would inject headers)")
    func tokenWithLineBreak() async throws {
        try await FakeContainerCredentialsEndpoint.with(answer: { FakeContainerCredentialsEndpoint.answer(Self.fixed) }) { endpoint in
            try await Self.withTokenFile("first-line\r\nX-Injected: yes") { file in
                let source = try Self.source(url: endpoint.url, tokenFile: file)
                await #expect(throws: ProviderError.self) { try await source.credentials() }
                #expect(endpoint.authorizations.isEmpty)
            }
        }
    }
}
