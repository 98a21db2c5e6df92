import Foundation
import JSONCore

/// The emulated server's state and its request handling: namespaces with their mounts,
/// auth methods and policies, and the tokens.
actor VaultCore {
    struct Mount: Sendable {
        var type: String
        var version: Int
        var accessor: String
        var description: String
        var kv = KVStore()
        /// `config.default_lease_ttl` / `config.max_lease_ttl` of `sys/mounts` (0: the system's 768h).
        var defaultLeaseTTL = 0
        var maxLeaseTTL = 0
        /// The state of a `database` mount.
        var database = DatabaseEngine()
        /// The state of a `pki` mount.
        var pki = PKIEngine()

        /// The longest lease (or certificate) this mount gives: its `max_lease_ttl`, else the system's.
        var effectiveMaxTTL: Int { maxLeaseTTL > 0 ? maxLeaseTTL : VaultCore.systemMaxTTL }
        /// The lease a secret gets when its role names none: `default_lease_ttl`, within the maximum.
        var effectiveDefaultTTL: Int { min(defaultLeaseTTL > 0 ? defaultLeaseTTL : VaultCore.systemMaxTTL, effectiveMaxTTL) }
    }

    struct KubernetesRole: Sendable {
        var boundNames: [String]
        var boundNamespaces: [String]
        var audience: String?
        var token: TokenSettings
    }

    struct KubernetesConfig: Sendable {
        var host: String
        var caCertificatePEM: String?
        var reviewerJWT: String?
    }

    struct AppRole: Sendable {
        var roleID: String
        var bindSecretID: Bool
        var secretIDTTL: Int
        var secretIDNumUses: Int
        var token: TokenSettings
    }

    struct SecretID: Sendable {
        var role: String
        var accessor: String
        var expires: Date?
        var usesLeft: Int
    }

    /// What an auth method's role gives the tokens it issues.
    struct TokenSettings: Sendable {
        var policies: [String] = []
        var ttl = 0
        var maxTTL = 0
        var period = 0
        var numUses = 0

        mutating func apply(_ body: JSONObject) {
            if let list = Self.strings(body["token_policies"] ?? body["policies"]) { policies = list }
            if let v = VaultDuration.seconds(body["token_ttl"] ?? body["ttl"]) { ttl = v }
            if let v = VaultDuration.seconds(body["token_max_ttl"] ?? body["max_ttl"]) { maxTTL = v }
            if let v = VaultDuration.seconds(body["token_period"] ?? body["period"]) { period = v }
            if let v = body["token_num_uses"]?.intValue { numUses = Int(v) }
        }

        var json: JSONObject {
            [
                "token_policies": .array(policies.map(JSONValue.string)), "policies": .array(policies.map(JSONValue.string)),
                "token_ttl": .int(Int64(ttl)), "token_max_ttl": .int(Int64(maxTTL)), "token_period": .int(Int64(period)),
                "token_num_uses": .int(Int64(numUses)), "token_type": "default",
            ]
        }

        /// A list given as a JSON array or a comma-separated string.
        static func strings(_ value: JSONValue?) -> [String]? {
            guard let value else { return nil }
            if let array = value.arrayValue { return array.compactMap(\.stringValue).filter { !$0.isEmpty } }
            if let text = value.stringValue {
                return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            return nil
        }
    }

    struct AuthMount: Sendable {
        var type: String
        var accessor: String
        var description: String
        var kubernetesConfig: KubernetesConfig?
        var kubernetesRoles: [String: KubernetesRole] = [:]
        var appRoles: [String: AppRole] = [:]
        var secretIDs: [String: SecretID] = [:]
        var jwtConfig: JWTConfig?
        var jwtRoles: [String: JWTRole] = [:]
        var certRoles: [String: CertRole] = [:]
    }

    struct Namespace: Sendable {
        var mounts: [String: Mount] = [:]
        var auths: [String: AuthMount] = [:]
        var policies: [String: ACLPolicy] = [:]
    }

    struct Token: Sendable {
        var id: String
        var accessor: String
        var namespace: String
        var policies: [String]
        var meta: [String: String]
        var displayName: String
        var path: String
        var created: Date
        var creationTTL: Int
        var expires: Date?
        var maxExpires: Date?
        var explicitMaxTTL: Int
        var period: Int
        var renewable: Bool
        var numUses: Int
        var orphan: Bool
    }

    /// The longest any token lives (Vault's default `max_lease_ttl`: 768h).
    static let systemMaxTTL = 768 * 3600
    /// The longest `max_lease_ttl` a mount may be given (100 years): dates stay within X.509's.
    static let mountTTLLimit = 100 * 365 * 86400

    var namespaces: [String: Namespace] = [:]
    var tokens: [String: Token] = [:]
    /// Leases of dynamic secrets, by lease id (Vault's expiration manager).
    var leases: [String: Lease] = [:]
    let now: @Sendable () -> Date
    let reviewer: TokenReviewer
    /// What `database/config` `plugin_name`s run, by name.
    let databasePlugins: [String: any DatabaseCredentialPlugin]
    let clusterID = UUID().uuidString.lowercased()

    init(
        rootToken: String, now: @escaping @Sendable () -> Date, reviewer: TokenReviewer,
        databasePlugins: [String: any DatabaseCredentialPlugin] = [:]
    ) {
        self.now = now
        self.reviewer = reviewer
        self.databasePlugins = databasePlugins
        namespaces[""] = Self.newNamespace()
        let time = now()
        tokens[rootToken] = Token(
            id: rootToken, accessor: Self.randomID(), namespace: "", policies: ["root"], meta: [:], displayName: "root",
            path: "auth/token/root", created: time, creationTTL: 0, expires: nil, maxExpires: nil, explicitMaxTTL: 0, period: 0,
            renewable: false, numUses: 0, orphan: true)
    }

    static func newNamespace() -> Namespace {
        var ns = Namespace()
        ns.auths["token/"] = AuthMount(type: "token", accessor: "auth_token_" + randomID().prefix(8), description: "token based credentials")
        ns.policies["default"] = try! ACLPolicy.parse(name: "default", text: ACLPolicy.defaultPolicyText)
        return ns
    }

    static func randomID() -> String { UUID().uuidString.lowercased() }

    static func newTokenID() -> String {
        "hvs." + (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").prefix(24)
    }

    // MARK: Dispatch

    func handle(_ request: VaultRequest) async -> VaultResponse {
        guard namespaces[request.namespace] != nil else {
            return .unsupportedPath(request.path)
        }
        let path = request.path
        // Leases past their time, or whose token or mount is gone, are revoked before any
        // request is served (the emulator has no timer: its clock may be a test's).
        await expireLeases()
        // Unauthenticated endpoints.
        if path == "sys/health" || path == "sys/seal-status" { return health(path) }
        if let answer = pkiUnauthenticated(request) { return answer }
        if path.hasPrefix("auth/"), path.hasSuffix("/login"), request.method == "POST" || request.method == "PUT" {
            return await login(request)
        }
        // Every other request carries a valid token from this namespace or an ancestor.
        guard let token = authenticate(request.token, namespace: request.namespace) else { return .permissionDenied }
        let acl = self.acl(for: token)
        let aclPath = Self.relative(namespace: request.namespace, to: token.namespace) + path
        var context = RequestContext(request: request, token: token, acl: acl, aclPath: aclPath)
        let response = await route(&context)
        consumeUse(of: token.id)
        // A token this request revoked (or used up) takes its leases with it now.
        await expireLeases()
        return response
    }

    struct RequestContext {
        var request: VaultRequest
        var token: Token
        var acl: ACL
        var aclPath: String

        var method: String { request.method }
        var path: String { request.path }
        var body: JSONObject { request.body }

        /// Whether the token has `capability` on `sub` (a path relative to the request's namespace).
        func allows(_ capability: Capability, _ sub: String? = nil) -> Bool {
            let full = sub.map { String(aclPath.dropLast(path.count)) + $0 } ?? aclPath
            return acl.allows(capability, on: full)
        }

        /// `read` for GET, `list` for LIST, `update` for writes, `delete` for DELETE.
        var plainCapability: Capability {
            switch method {
            case "GET", "HEAD": .read
            case "LIST": .list
            case "DELETE": .delete
            case "PATCH": .patch
            default: .update
            }
        }
    }

    private func route(_ context: inout RequestContext) async -> VaultResponse {
        let path = context.path
        if path.hasPrefix("sys/leases/") || path.hasPrefix("sys/renew") || path.hasPrefix("sys/revoke") {
            return await leasesEndpoint(&context)
        }
        if path.hasPrefix("sys/") { return sys(&context) }
        if path.hasPrefix("auth/token/") { return tokenEndpoint(&context) }
        if path.hasPrefix("auth/") { return authAdmin(&context) }
        if let (mountKey, mount) = secretMount(path, namespace: context.request.namespace) {
            let rest = String(path.dropFirst(min(path.count, mountKey.count)))
            switch mount.type {
            case "database": return await database(&context, mountKey: mountKey, rest: rest)
            case "pki": return pki(&context, mountKey: mountKey, rest: rest)
            default: break
            }
        }
        return kv(&context)
    }

    /// The secret engine mount `path` lies under, longest first.
    func secretMount(_ path: String, namespace: String) -> (String, Mount)? {
        guard let mounts = namespaces[namespace]?.mounts else { return nil }
        guard let key = mounts.keys.filter({ (path + "/").hasPrefix($0) }).max(by: { $0.count < $1.count }) else { return nil }
        return (key, mounts[key]!)
    }

    /// The path prefix that leads from namespace `base` to `namespace` (`""` when equal).
    static func relative(namespace: String, to base: String) -> String {
        if namespace == base { return "" }
        if base.isEmpty { return namespace + "/" }
        return String(namespace.dropFirst(base.count + 1)) + "/"
    }

    static func isWithin(_ namespace: String, _ base: String) -> Bool {
        base.isEmpty || namespace == base || namespace.hasPrefix(base + "/")
    }
}
