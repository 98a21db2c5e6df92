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
/// The HTTP client is taken on first use (a CA bundle kept in a Secret must be read
/// first) from ``VaultClientPool``: stores naming the same server with the same CA share
/// one client and its connections. It is given back when the provider goes away.
///
/// Answers are read up to a cap (``ResponseLimits``) and refused past it unread.
final class VaultTransport: Sendable {
    private let server: String
    private let namespace: String?
    private let clientBox: ClientBox
    private let store: String
    /// A request that has not answered within this long fails as transient.
    private let timeout: TimeAmount

    init(configuration: VaultStoreConfig.Resolved, store: String, credentials: any CredentialResolver, timeout: TimeAmount = .seconds(30)) {
        server = configuration.server
        namespace = configuration.namespace
        self.store = store
        self.timeout = timeout
        clientBox = ClientBox(
            server: configuration.server, ca: configuration.ca, clientCertificate: configuration.auth.clientCertificate, credentials: credentials,
            store: store)
    }

    /// Sends `method path` (`path` after `/v1/`, unescaped) with an optional JSON body.
    ///
    /// - Parameters:
    ///   - limit: the largest answer read; a larger one throws
    ///     ``ProviderError/answerTooLarge(store:key:version:limit:what:)`` without being read further.
    ///   - timeout: overrides the transport's request timeout (revocations are short).
    func send(
        _ method: HTTPMethod, _ path: String, query: String? = nil, body: [UInt8]? = nil, token: SecretValue?,
        limit: Int = ResponseLimits.secretAnswerBytes, timeout: TimeAmount? = nil
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
            let response = try await client.execute(request, timeout: timeout ?? self.timeout)
            let bytes = try await ResponseLimits.collect(
                response.body.map(\.readableBytesView), limit: limit,
                declaredLength: response.headers.first(name: "Content-Length").flatMap { Int($0) })
            return VaultHTTPResponse(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), body: bytes)
        } catch let error as ResponseTooLarge {
            throw ProviderError.answerTooLarge(store: store, limit: error.limit, what: "vault \(method) \(path)")
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

    /// Cert auth: see ``ClientBox/reloadClientIdentity()``.
    func reloadClientIdentity() async throws(ProviderError) {
        try await clientBox.reloadClientIdentity()
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

    /// Takes the client once, from the pool, for the server and CA source; gives it back
    /// when the transport goes.
    private actor ClientBox {
        private let server: String
        private let ca: VaultStoreConfig.Resolved.CASource
        private let clientCertificate: VaultStoreConfig.Resolved.TLSSecret?
        private let credentials: any CredentialResolver
        private let store: String
        private var made: (client: HTTPClient, key: VaultClientPool.Key)?

        init(
            server: String, ca: VaultStoreConfig.Resolved.CASource, clientCertificate: VaultStoreConfig.Resolved.TLSSecret?,
            credentials: any CredentialResolver, store: String
        ) {
            self.server = server
            self.ca = ca
            self.clientCertificate = clientCertificate
            self.credentials = credentials
            self.store = store
        }

        func client() async throws(ProviderError) -> HTTPClient {
            if let made { return made.client }
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
            var identity: VaultClientIdentity?
            if let clientCertificate {
                identity = try await VaultClientIdentity.read(clientCertificate, credentials: credentials, store: store)
            }
            if let made { return made.client }
            let key = VaultClientPool.Key(server: server, caPEM: pem, clientIdentity: identity?.digest)
            let client = try await VaultClientPool.shared.acquire(key, identity: identity, store: store)
            if let made {
                // Another caller took one meanwhile: keep that one, give this back.
                await VaultClientPool.shared.release(key)
                return made.client
            }
            made = (client, key)
            return client
        }

        /// Cert auth: re-reads the client certificate Secret before a login after the first,
        /// so a rotated certificate (cert-manager renewing it) is presented from the next
        /// login on; a changed one gets its own pooled client and the old one is given back.
        func reloadClientIdentity() async throws(ProviderError) {
            guard let clientCertificate, let current = made else { return }
            let identity = try await VaultClientIdentity.read(clientCertificate, credentials: credentials, store: store)
            guard let now = made, now.key == current.key, identity.digest != current.key.clientIdentity else { return }
            let key = VaultClientPool.Key(server: server, caPEM: current.key.caPEM, clientIdentity: identity.digest)
            let client = try await VaultClientPool.shared.acquire(key, identity: identity, store: store)
            made = (client, key)
            await VaultClientPool.shared.release(current.key)
        }

        deinit {
            // The provider has no close call: the store's provider is dropped when the store
            // changes or goes. The pool shuts the client down once no store uses it.
            if let key = made?.key { Task { await VaultClientPool.shared.release(key) } }
        }
    }
}

/// The HTTP clients of every Vault store of the process, one per server (scheme, host,
/// port), CA bundle and client certificate (cert auth), counted by use: a thousand stores
/// naming one Vault share one client (one connection pool), not a thousand. A client
/// certificate is presented only by the client made for it, so only on the connections
/// of stores holding that very certificate and key. A client is shut down when the last
/// store using it goes.
public actor VaultClientPool {
    /// The one pool of the process.
    public static let shared = VaultClientPool()

    struct Key: Hashable, Sendable {
        var scheme: String
        var host: String
        var port: Int?
        var caPEM: String?
        /// SHA-256 of the client certificate and key (cert auth), never the key itself.
        var clientIdentity: String?

        init(server: String, caPEM: String?, clientIdentity: String? = nil) {
            let url = URL(string: server)
            scheme = url?.scheme?.lowercased() ?? ""
            host = url?.host?.lowercased() ?? server
            port = url?.port
            self.caPEM = caPEM
            self.clientIdentity = clientIdentity
        }
    }

    private var clients: [Key: (client: HTTPClient, users: Int)] = [:]

    /// Clients alive now (for tests and metrics).
    public var clientCount: Int { clients.count }

    /// Clients alive now for `server` (any CA).
    public func clientCount(server: String) -> Int {
        let key = Key(server: server, caPEM: nil)
        return clients.keys.filter { $0.scheme == key.scheme && $0.host == key.host && $0.port == key.port }.count
    }

    /// Stores using a client for `server` now.
    public func users(server: String) -> Int {
        let key = Key(server: server, caPEM: nil)
        return clients.filter { $0.key.scheme == key.scheme && $0.key.host == key.host && $0.key.port == key.port }.reduce(0) { $0 + $1.value.users }
    }

    func acquire(_ key: Key, identity: VaultClientIdentity? = nil, store: String) throws(ProviderError) -> HTTPClient {
        if let entry = clients[key] {
            clients[key]?.users = entry.users + 1
            return entry.client
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        // A request given up (an answer over its cap) closes its connection; TLS then reads
        // and discards until the peer's close_notify: not for the default 5 s.
        tls.shutdownTimeout = .milliseconds(500)
        if let pem = key.caPEM {
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
        if let identity {
            tls.certificateChain = identity.certificates.map { .certificate($0) }
            tls.privateKey = .privateKey(identity.privateKey)
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        configuration.tracing.tracer = nil  // no tracing is set up: skip the no-op tracer's span work
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        clients[key] = (client, 1)
        return client
    }

    func release(_ key: Key) {
        guard let entry = clients[key] else { return }
        if entry.users > 1 {
            clients[key]?.users = entry.users - 1
            return
        }
        clients[key] = nil
        Task { try? await entry.client.shutdown() }
    }
}
