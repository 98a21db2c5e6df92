import AsyncHTTPClient
import Foundation
import KubeClient
import NIOCore
import NIOSSL
import JSONCore
import KubeAPI
import RotorAPI
import SecretProviders
import Synchronization
import VaultEmulator
import VaultProvider

/// One clock for the emulator (token TTLs) and the provider (renewal): tests move both,
/// or only the emulator's to make a token expire behind the provider's back. The
/// emulator's time stands still between moves, so TTLs it reports are exact on a loaded
/// machine too (the provider's runs on, a little ahead, which only renews earlier).
final class TestClock: Sendable {
    private let offsets = Mutex<(server: Duration, client: Duration)>((.zero, .zero))
    private let serverStart = Date()

    func advance(_ by: Duration, clientToo: Bool = true) {
        offsets.withLock { offsets in
            offsets.server += by
            if clientToo { offsets.client += by }
        }
    }

    var serverNow: @Sendable () -> Date {
        { [self] in serverStart.addingTimeInterval(self.seconds(self.offsets.withLock { $0.server })) }
    }

    var clientNow: @Sendable () -> ContinuousClock.Instant {
        { [self] in ContinuousClock.now + self.offsets.withLock { $0.client } }
    }

    private func seconds(_ d: Duration) -> TimeInterval {
        TimeInterval(d.components.seconds) + TimeInterval(d.components.attoseconds) / 1e18
    }
}

/// Credentials a store refers to, held in memory: `name/key` → value.
struct StaticCredentials: CredentialResolver {
    var values: [String: SecretValue]

    func credential(name: String, key: String, namespace: String?) async throws -> SecretValue {
        guard let value = values["\(name)/\(key)"] else {
            throw ProviderError.invalidRequest(detail: "no credential \(name)/\(key)")
        }
        return value
    }
}

/// Issues service-account tokens with a cluster's TokenRequest API, as the operator does.
struct ClusterTokenIssuer: ServiceAccountTokenIssuer {
    let client: any KubernetesClient
    let defaultNamespace: String

    func token(serviceAccount: String, namespace: String?, audiences: [String]) async throws -> SecretValue {
        let request = TokenRequest(spec: TokenRequestSpec(audiences: audiences, expirationSeconds: 600))
        let answer = try await client.createToken(
            serviceAccount: serviceAccount, namespace: namespace ?? defaultNamespace, request: try JSONValue(encoding: request))
        let token = try answer.decode(as: TokenRequest.self).status?.token ?? ""
        return SecretValue(utf8: token)
    }
}

/// A started Vault emulator, its clock, and an admin HTTP client with the root token.
struct VaultFixture: Sendable {
    let vault: VaultEmulator
    let clock: TestClock
    let http: HTTPClient

    static func with<T>(
        _ configure: (inout VaultEmulator.Configuration) -> Void = { _ in }, _ body: (VaultFixture) async throws -> T
    ) async throws -> T {
        let clock = TestClock()
        var configuration = VaultEmulator.Configuration()
        configuration.now = clock.serverNow
        configure(&configuration)
        let vault = try await VaultEmulator.start(configuration)
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = vault.caCertificatePEM {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        let fixture = VaultFixture(vault: vault, clock: clock, http: http)
        do {
            let result = try await body(fixture)
            await fixture.stop()
            return result
        } catch {
            await fixture.stop()
            throw error
        }
    }

    func stop() async {
        try? await http.shutdown()
        await vault.shutdown()
    }

    /// One API call as a user would make it with curl: `path` after `/v1/`. `LIST` is sent
    /// as `GET …?list=true`, `LIST-METHOD` with the `LIST` HTTP method itself.
    @discardableResult
    func call(
        _ method: String, _ path: String, _ body: JSONValue? = nil, token: String? = nil, namespace: String? = nil
    ) async throws -> (status: Int, json: JSONValue?) {
        var request = HTTPClientRequest(url: vault.url + "/v1/" + path)
        switch method {
        case "POST": request.method = .POST
        case "PUT": request.method = .PUT
        case "DELETE": request.method = .DELETE
        case "LIST-METHOD": request.method = .RAW(value: "LIST")
        default: request.method = .GET
        }
        if method == "LIST" { request.url += (path.contains("?") ? "&" : "?") + "list=true" }
        request.headers.add(name: "X-Vault-Token", value: token ?? vault.rootToken)
        if let namespace { request.headers.add(name: "X-Vault-Namespace", value: namespace) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body.serializedBytes())) }
        // Generous: the admin calls of the test's own set-up, not what is under test; at
        // start-up every suite begins at once and two cores are shared by all of them.
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 22)
        let json = bytes.readableBytes == 0 ? nil : try? JSONValue(parsing: Array(bytes.readableBytesView))
        return (Int(response.status.code), json)
    }

    /// A GET without a token, the body as text: the raw (non-JSON) answers such as `pki/ca/pem`.
    func rawGet(_ path: String) async throws -> (status: Int, contentType: String?, text: String) {
        let request = HTTPClientRequest(url: vault.url + "/v1/" + path)
        let response = try await http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 22)
        return (Int(response.status.code), response.headers.first(name: "Content-Type"), String(buffer: bytes))
    }

    /// Puts an ACL policy (HCL) under `name`.
    func putPolicy(_ name: String, _ hcl: String, namespace: String? = nil) async throws {
        try await call("PUT", "sys/policies/acl/\(name)", ["policy": .string(hcl)], namespace: namespace)
    }

    /// Enables AppRole at `approle/` with a role `name` and returns `(roleID, secretID)`.
    func appRole(_ name: String = "rotor", policies: [String], ttl: String = "1h", maxTTL: String = "24h", namespace: String? = nil) async throws
        -> (roleID: String, secretID: String)
    {
        try await call("POST", "sys/auth/approle", ["type": "approle"], namespace: namespace)
        try await call(
            "POST", "auth/approle/role/\(name)",
            ["token_policies": .array(policies.map(JSONValue.string)), "token_ttl": .string(ttl), "token_max_ttl": .string(maxTTL)],
            namespace: namespace)
        let roleID = try await call("GET", "auth/approle/role/\(name)/role-id", namespace: namespace).json?[path: ["data", "role_id"]]?.stringValue ?? ""
        let secretID = try await call("POST", "auth/approle/role/\(name)/secret-id", namespace: namespace).json?[path: ["data", "secret_id"]]?.stringValue ?? ""
        return (roleID, secretID)
    }

    /// The store's `spec.provider.vault` block, encoded as the operator does.
    func config(
        auth: VaultAuth, path: String = "secret", version: VaultKVVersion = .v2, namespace: String? = nil, caPEM: String?? = .none
    ) throws -> JSONValue {
        let ca: String? = caPEM ?? vault.caCertificatePEM
        let spec = VaultStoreConfig(
            server: vault.url, path: path, version: version, namespace: namespace,
            caBundle: ca.map { Data($0.utf8).base64EncodedString() }, auth: auth)
        return try JSONValue(encoding: spec)
    }

    /// A provider on the fixture's clock.
    func provider(
        _ config: JSONValue, credentials: [String: SecretValue] = [:], tokens: (any ServiceAccountTokenIssuer)? = nil,
        findLimits: VaultProvider.FindLimits = .init()
    ) throws -> VaultProvider {
        let context = ProviderContext(
            storeName: "SecretStore/shop/vault", config: config, secrets: StaticCredentials(values: credentials),
            serviceAccountTokens: tokens)
        return try VaultProvider(context: context, now: clock.clientNow, findLimits: findLimits)
    }

    /// A provider logging in with AppRole, with a policy `reader` granting `capabilities` on `paths`.
    /// An AppRole provider (token `ttl`, `maxTTL`) that has read `shop/db` once, so it is
    /// logged in: the start of the token-lifecycle and error tests.
    func loggedInProvider(ttl: String = "1h", maxTTL: String = "24h") async throws -> VaultProvider {
        await vault.write(["v": "1"], to: "shop/db")
        let provider = try await appRoleProvider(ttl: ttl, maxTTL: maxTTL)
        _ = try await provider.read(RemoteSecretID(key: "shop/db"))
        return provider
    }

    func appRoleProvider(
        capabilities: [String] = ["read", "list"], paths: [String] = ["secret/data/*", "secret/metadata/*"], ttl: String = "1h",
        maxTTL: String = "24h", path: String = "secret", version: VaultKVVersion = .v2, namespace: String? = nil
    ) async throws -> VaultProvider {
        let caps = capabilities.map { "\"\($0)\"" }.joined(separator: ", ")
        let hcl = paths.map { "path \"\($0)\" {\n  capabilities = [\(caps)]\n}\n" }.joined()
        try await putPolicy("reader", hcl, namespace: namespace)
        let (roleID, secretID) = try await appRole(policies: ["reader"], ttl: ttl, maxTTL: maxTTL, namespace: namespace)
        let auth = VaultAuth(appRole: VaultAppRoleAuth(roleId: roleID, secretRef: SecretKeySelector(name: "approle", key: "secret-id")))
        return try provider(
            config(auth: auth, path: path, version: version, namespace: namespace),
            credentials: ["approle/secret-id": SecretValue(utf8: secretID)])
    }
}

/// The provider error a call throws, or nil.
func providerError<T>(_ call: () async throws -> T) async -> ProviderError? {
    do {
        _ = try await call()
        return nil
    } catch let error as ProviderError {
        return error
    } catch {
        return nil
    }
}

/// The failure of one read outcome, or nil when it succeeded.
func failure(_ outcome: Result<RemoteSecret, ProviderError>?) -> ProviderError? {
    if case .failure(let error) = outcome { return error }
    return nil
}
