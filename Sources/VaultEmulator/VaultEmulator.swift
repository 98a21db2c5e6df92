import Foundation
import HTTPServing
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import JSONCore

/// An in-process emulator of HashiCorp Vault's HTTP API, for tests, benchmarks and
/// `rotor dev`.
///
/// It follows the documented API: the response envelope (`request_id`, `lease_id`,
/// `renewable`, `lease_duration`, `data`, `wrap_info`, `warnings`, `auth`), errors as
/// `{"errors": […]}` with Vault's status codes, `X-Vault-Token` (or a bearer token),
/// `X-Vault-Namespace` and namespace path prefixes, `LIST` (and `?list=true`).
/// Implemented: `sys/health`, `sys/seal-status`, `sys/mounts`, `sys/auth`,
/// `sys/policies/acl` (and legacy `sys/policy`), `sys/capabilities-self`,
/// `sys/namespaces`; KV v1 and v2 (data, metadata, delete, undelete, destroy, config,
/// `cas`, `max_versions`, list); token auth (create, lookup, renew, revoke, TTLs);
/// kubernetes auth (config, roles, login checked with the Kubernetes TokenReview API);
/// approle auth (roles, role-id, secret-id, login); jwt auth (config with
/// `jwt_validation_pubkeys` and `bound_issuer`, roles, login checking RS256/ES256
/// signatures, times, audiences and bound claims); cert auth (roles with a CA, login with
/// the TLS client certificate, which the server requests but does not require); ACL
/// policies with `*` and `+`; dynamic secrets: leases (`sys/leases/lookup`, `renew`,
/// `revoke`, `revoke-prefix`; a revoked or expired token takes its leases with it), the
/// database engine (`config`, `roles`, `creds`, with a ``DatabaseCredentialPlugin``) and
/// the PKI engine (`root/generate`, `roles`, `issue`, `ca`, `ca/pem`, `cert/ca`).
///
/// Like `vault server -dev` it starts unsealed with a KV v2 engine at `secret/` and a
/// root token.
public final class VaultEmulator: Sendable {
    /// The version reported by `sys/health`.
    public static let version = "1.17.0+rotor-emulator"

    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port.
        public var port = 0
        /// Serve HTTPS with a freshly generated CA (`caCertificatePEM`).
        public var tls = true
        /// The root token, as `vault server -dev-root-token-id`.
        public var rootToken = "hvs.root-" + UUID().uuidString.lowercased().prefix(18)
        /// KV v2 mounted at `secret/` from the start, as in dev mode.
        public var mountDefaultKV = true
        /// The clock token, secret-id and lease TTLs and certificate validity are measured
        /// with; tests inject one. Leases are checked against it at every request (there is
        /// no timer), and by ``VaultEmulator/expireLeases()``.
        public var now: @Sendable () -> Date = { Date() }
        /// The database plugins `database/config/<name>` may name in `plugin_name`. By
        /// default `postgresql-database-plugin` records calls and touches no database.
        public var databasePlugins: [String: any DatabaseCredentialPlugin] = [
            "postgresql-database-plugin": RecordingDatabasePlugin()
        ]
        public var logger = Logger(label: "rotor.vault-emulator")

        public init() {}
    }

    /// The base address, e.g. `https://127.0.0.1:8200` (what `VAULT_ADDR` holds).
    public let url: String
    public let rootToken: String
    /// The PEM CA certificate clients must trust (nil without TLS).
    public let caCertificatePEM: String?
    /// Failure injection and request counters for tests.
    public let faults: VaultFaults
    let core: VaultCore
    private let reviewer: TokenReviewer
    private let server: HTTPServer

    private init(url: String, rootToken: String, ca: String?, faults: VaultFaults, core: VaultCore, reviewer: TokenReviewer, server: HTTPServer) {
        self.url = url
        self.rootToken = rootToken
        self.caCertificatePEM = ca
        self.faults = faults
        self.core = core
        self.reviewer = reviewer
        self.server = server
    }

    /// Starts an emulator and returns once it accepts connections.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> VaultEmulator {
        let reviewer = TokenReviewer()
        let core = VaultCore(
            rootToken: configuration.rootToken, now: configuration.now, reviewer: reviewer, databasePlugins: configuration.databasePlugins)
        if configuration.mountDefaultKV { await core.ensureMount(namespace: "", path: "secret", version: 2) }
        let faults = VaultFaults()
        let certificates = configuration.tls
            ? try ServingCertificates.generate(authorityName: "rotor-vault-emulator-ca", serverName: "vault", extraDNSNames: ["vault"])
            : nil
        let server = try await HTTPServer(
            host: configuration.host, port: configuration.port, tls: try certificates?.makeServerContext(requestingClientCertificates: true),
            group: MultiThreadedEventLoopGroup.singleton, logger: configuration.logger, acceptsListMethod: true,
            requestsClientCertificates: true,
            payloadTooLarge: Self.response(VaultResponse.error(413, ["http: request body too large"]))
        ) { request in
            await Self.serve(request, core: core, faults: faults)
        }
        let scheme = configuration.tls ? "https" : "http"
        return VaultEmulator(
            url: "\(scheme)://\(configuration.host):\(server.port)", rootToken: configuration.rootToken,
            ca: certificates?.caCertificatePEM, faults: faults, core: core, reviewer: reviewer, server: server)
    }

    /// Stops serving and closes the clients used for TokenReview.
    public func shutdown() async {
        await server.shutdown()
        await reviewer.shutdown()
    }

    // MARK: Direct controls (no HTTP; for seeding demos and test fixtures)

    /// Writes `data` to `path` of the KV engine at `mount`; returns the new version (KV v2).
    @discardableResult
    public func write(_ data: [String: String], to path: String, mount: String = "secret", namespace: String = "") async -> Int? {
        await core.seed(namespace: namespace, mount: mount, path: path, data: data.mapValues(JSONValue.string))
    }

    /// Creates a token with `policies`; returns its id.
    public func createToken(policies: [String], ttl: Duration = .seconds(3600), renewable: Bool = true, maxTTL: Duration = .zero, namespace: String = "") async -> String {
        await core.createToken(
            namespace: namespace, policies: policies, ttl: Int(ttl.components.seconds), renewable: renewable,
            maxTTL: Int(maxTTL.components.seconds)
        ).id
    }

    /// Revokes the leases that are past their time on the emulator's clock, or whose token
    /// is gone, now rather than at the next request.
    public func expireLeases() async {
        await core.expireLeases()
    }

    /// One API call without the network, as if sent to `/v1/PATH` (`LIST` as a method):
    /// for seeding a sandbox or a benchmark the way a user would configure Vault.
    /// Not counted and not subject to injected faults. Returns the status and JSON body.
    @discardableResult
    public func request(
        _ method: String, _ path: String, body: JSONValue? = nil, token: String? = nil, namespace: String = ""
    ) async -> (status: Int, body: JSONValue?) {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        let request = VaultRequest(
            method: method, path: trimmed, namespace: namespace, token: token ?? rootToken, body: body?.objectValue ?? [:], query: [:])
        let answer = await core.handle(request)
        return (answer.status, answer.body)
    }

    // MARK: HTTP

    private static func serve(_ request: HTTPServerRequest, core: VaultCore, faults: VaultFaults) async -> HTTPServerResponse {
        var method = request.method.rawValue
        if method == "GET", request.flag("list") { method = "LIST" }
        guard request.path.hasPrefix("/v1/") else {
            return response(.unsupportedPath(request.path))
        }
        var path = String(request.path.dropFirst(4))
        // LIST keeps its trailing slash: ACL rules such as `secret/metadata/*` match
        // `secret/metadata/` as in Vault.
        while path.hasSuffix("/") && method != "LIST" { path.removeLast() }
        var namespace = (request.headers.first(name: "X-Vault-Namespace") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        // A namespace may also lead the path (`/v1/team-a/secret/…`).
        let knownNamespaces = await core.namespaces.keys
        while let slash = path.firstIndex(of: "/") {
            let candidate = (namespace.isEmpty ? "" : namespace + "/") + path[..<slash]
            guard knownNamespaces.contains(candidate) else { break }
            namespace = candidate
            path = String(path[path.index(after: slash)...])
        }
        faults.record(method: method, path: path, namespace: namespace)
        if let delay = faults.latency { try? await Task.sleep(for: delay) }
        let isHealth = path == "sys/health"
        let state = faults.state
        if state.sealed {
            if isHealth { return response(VaultResponse(status: 503, body: await core.healthBody(sealed: true, standby: false))) }
            return response(.error(503, ["Vault is sealed"]))
        }
        if state.standby {
            if isHealth { return response(VaultResponse(status: 429, body: await core.healthBody(sealed: false, standby: true))) }
            return response(.error(503, ["local node not active but active cluster node not found"]))
        }
        if let fault = faults.takeFault(path: path, method: method) {
            switch fault {
            case .throttle(let retryAfter):
                var throttled = VaultResponse.error(429, ["request path \"\(path)\": rate limit quota exceeded"])
                if let retryAfter { throttled.headers.append(("Retry-After", String(retryAfter))) }
                return response(throttled)
            case .malformedBody:
                return HTTPServerResponse.bytes(Array(#"{"request_id":"5d1c","data":{"data":"#.utf8), status: .ok, contentType: "application/json")
            case .status(let code, let messages):
                return response(.error(code, messages))
            case .concurrentWrite(let kvPath, let data):
                _ = await core.seed(namespace: namespace, mount: "secret", path: kvPath, data: data.mapValues(JSONValue.string))
            }
        }
        if path == "sys/metrics", method == "GET" {
            // Telemetry in Vault's JSON format (`sys/metrics`), from the request counters;
            // authenticated like any other endpoint.
            guard await core.authenticate(request.headers.first(name: "X-Vault-Token") ?? request.bearerToken, namespace: namespace) != nil else {
                return response(.permissionDenied)
            }
            return response(VaultResponse(status: 200, body: faults.metrics()))
        }
        var body: JSONObject = [:]
        if !request.body.isEmpty {
            guard let parsed = try? JSONValue(parsing: request.body), let object = parsed.objectValue else {
                return response(.badRequest("failed to parse JSON input: invalid character"))
            }
            body = object
        }
        var query: [String: String] = [:]
        for (name, values) in request.query { query[name] = values.first }
        let token = request.headers.first(name: "X-Vault-Token") ?? request.bearerToken
        if request.method == .HEAD { method = "GET" }
        let vaultRequest = VaultRequest(
            method: method, path: path, namespace: namespace, token: token, body: body, query: query,
            clientCertificateDER: request.clientCertificateDER)
        let answer = await core.handle(vaultRequest)
        faults.recordStatus(answer.status, path: path)
        return response(answer)
    }

    private static func response(_ answer: VaultResponse) -> HTTPServerResponse {
        if let raw = answer.raw {
            return HTTPServerResponse(
                status: HTTPResponseStatus(statusCode: answer.status),
                headers: [("Cache-Control", "no-store"), ("Content-Type", raw.contentType)] + answer.headers, body: .bytes(raw.bytes))
        }
        let bytes = answer.body.map { $0.serializedBytes() } ?? []
        var headers: [(String, String)] = [("Cache-Control", "no-store")]
        if answer.body != nil { headers.append(("Content-Type", "application/json")) }
        headers += answer.headers
        return HTTPServerResponse(status: HTTPResponseStatus(statusCode: answer.status), headers: headers, body: .bytes(bytes))
    }
}
