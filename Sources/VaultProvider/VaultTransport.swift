import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SecretProviders

/// One answer from Vault: status, `Retry-After`, and the body bytes (which may hold
/// secrets and tokens: it prints and dumps without them).
struct VaultHTTPResponse: Sendable, CustomStringConvertible, CustomReflectable {
    var status: Int
    var retryAfter: String?
    var body: [UInt8]

    var description: String { "VaultHTTPResponse(status: \(status), body: <\(body.count) bytes>)" }
    var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }
}

/// Sends requests to one Vault server: the `X-Vault-Token` and `X-Vault-Namespace`
/// headers, TLS trusting the system roots plus the store's CA bundle (never skipping
/// verification).
///
/// The HTTP client is made on first use (a CA bundle kept in a Secret must be read
/// first) and shut down when the provider goes away.
final class VaultTransport: Sendable {
    private let server: String
    private let namespace: String?
    private let clientBox: ClientBox
    private let store: String
    /// A request that has not answered within this long fails as transient.
    private let timeout: TimeAmount

    init(configuration: VaultStoreConfiguration, store: String, credentials: any CredentialResolver, timeout: TimeAmount = .seconds(30)) {
        server = configuration.server
        namespace = configuration.namespace
        self.store = store
        self.timeout = timeout
        clientBox = ClientBox(ca: configuration.ca, credentials: credentials, store: store)
    }

    /// Sends `method path` (`path` after `/v1/`, unescaped) with an optional JSON body.
    func send(
        _ method: HTTPMethod, _ path: String, query: String? = nil, body: [UInt8]? = nil, token: SecretValue?
    ) async throws(ProviderError) -> VaultHTTPResponse {
        let client = try await clientBox.client()
        let escaped = path.addingPercentEncoding(withAllowedCharacters: Self.pathAllowed) ?? path
        var request = HTTPClientRequest(url: server + "/v1/" + escaped + (query.map { "?" + $0 } ?? ""))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "rotor-vault-provider")
        if let token, let text = token.revealedString() { request.headers.add(name: "X-Vault-Token", value: text) }
        if let namespace { request.headers.add(name: "X-Vault-Namespace", value: namespace) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 16 << 20)
            return VaultHTTPResponse(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                body: Array(bytes.readableBytesView))
        } catch let error as NIOSSLError {
            throw ProviderError.transient(store: store, detail: "TLS to \(server) failed: \(Self.describe(error))")
        } catch let error as BoringSSLError {
            throw ProviderError.transient(store: store, detail: "TLS to \(server) failed: certificate not trusted (\(Self.describeBoring(error)))")
        } catch is CancellationError {
            throw ProviderError.transient(store: store, detail: "request to \(server) cancelled")
        } catch {
            throw ProviderError.transient(store: store, detail: "request to \(server) failed: \(Self.describe(error))")
        }
    }

    /// Path characters sent as is: unreserved ones and `/` between segments.
    private static let pathAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~/")
        return set
    }()

    /// A connection failure in words: the error's type and case, nothing from a body.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        if let error = error as? NIOSSLError {
            switch error {
            case .handshakeFailed(let inner): return "handshake failed: \(describeBoring(inner))"
            default: return "\(error)"
            }
        }
        if error is NIOConnectionError || error is ChannelError { return "\(error)" }
        return String(describing: type(of: error))
    }

    static func describeBoring(_ error: BoringSSLError) -> String {
        let text = "\(error)"
        return text.contains("CERTIFICATE_VERIFY_FAILED") ? "certificate verify failed" : "handshake failed"
    }

    /// Makes the client once, from the CA source; closes it when the transport goes.
    private actor ClientBox {
        private let ca: VaultStoreConfiguration.CASource
        private let credentials: any CredentialResolver
        private let store: String
        private var made: HTTPClient?

        init(ca: VaultStoreConfiguration.CASource, credentials: any CredentialResolver, store: String) {
            self.ca = ca
            self.credentials = credentials
            self.store = store
        }

        func client() async throws(ProviderError) -> HTTPClient {
            if let made { return made }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            let pem: String?
            switch ca {
            case .none: pem = nil
            case .inline(let text): pem = text
            case .secret(let ref):
                let value: SecretValue
                do {
                    value = try await credentials.credential(name: ref.name, key: ref.key, namespace: ref.namespace)
                } catch let error as ProviderError {
                    throw error.inStore(store)
                } catch {
                    throw ProviderError.transient(store: store, detail: "vault: reading caProvider Secret \(ref.name): \(type(of: error))")
                }
                pem = value.revealedString()
            }
            if let made { return made }
            if let pem {
                do {
                    let certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
                    guard !certificates.isEmpty else { throw ProviderError.invalidRequest(store: store, detail: "vault: the CA bundle holds no certificate") }
                    tls.additionalTrustRoots = [.certificates(certificates)]
                } catch let error as ProviderError {
                    throw error
                } catch {
                    throw ProviderError.invalidRequest(store: store, detail: "vault: the CA bundle is not valid PEM")
                }
            }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.timeout.connect = .seconds(10)
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
            configuration.tracing.tracer = nil  // no tracing is set up: skip the no-op tracer's span work
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            made = client
            return client
        }

        deinit {
            // The provider has no close call: the store's provider is dropped when the store
            // changes or goes. Shutting down in a task keeps the client alive until it closed.
            if let made { Task { try? await made.shutdown() } }
        }
    }
}
