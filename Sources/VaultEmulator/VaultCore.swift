import Foundation
import JSONCore

/// A request as the emulator's core sees it: namespace resolved, `/v1/` and any
/// namespace prefix removed, `LIST` as its own method.
struct VaultRequest: Sendable {
    var method: String
    /// E.g. `secret/data/shop/db`.
    var path: String
    /// `""` for the root namespace, else e.g. `team-a` or `team-a/dev`.
    var namespace: String
    var token: String?
    var body: JSONObject
    var query: [String: String]
}

/// A status and an optional JSON body.
struct VaultResponse: Sendable {
    var status: Int
    var body: JSONValue?
    var headers: [(String, String)] = []

    static func ok(data: JSONValue?, warnings: [String]? = nil, leaseDuration: Int = 0, auth: JSONValue? = nil) -> VaultResponse {
        VaultResponse(status: 200, body: envelope(data: data, warnings: warnings, leaseDuration: leaseDuration, auth: auth))
    }

    static let noContent = VaultResponse(status: 204, body: nil)

    static func envelope(data: JSONValue?, warnings: [String]? = nil, leaseDuration: Int = 0, auth: JSONValue? = nil) -> JSONValue {
        [
            "request_id": .string(UUID().uuidString.lowercased()), "lease_id": "", "renewable": false,
            "lease_duration": .int(Int64(leaseDuration)), "data": data ?? .null, "wrap_info": nil,
            "warnings": warnings.map { .array($0.map(JSONValue.string)) } ?? .null, "auth": auth ?? .null, "mount_type": "",
        ]
    }

    static func error(_ status: Int, _ messages: [String], warnings: [String]? = nil) -> VaultResponse {
        var body: JSONObject = ["errors": .array(messages.map(JSONValue.string))]
        if let warnings { body["warnings"] = .array(warnings.map(JSONValue.string)) }
        return VaultResponse(status: status, body: .object(body))
    }

    /// Vault's wording for a refused token or capability.
    static let permissionDenied = error(403, ["1 error occurred:\n\t* permission denied\n\n"])
    static let notFound = error(404, [])
    static func badRequest(_ message: String) -> VaultResponse { error(400, [message]) }
    static func unsupportedPath(_ path: String) -> VaultResponse {
        error(404, ["no handler for route \"\(path)\". route entry not found."])
    }
    static let unsupportedOperation = error(405, ["1 error occurred:\n\t* unsupported operation\n\n"])
}

/// The emulated server's state and its request handling: namespaces with their mounts,
/// auth methods and policies, and the tokens.
actor VaultCore {
    struct Mount: Sendable {
        var type: String
        var version: Int
        var accessor: String
        var description: String
        var kv = KVStore()
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

    var namespaces: [String: Namespace] = [:]
    var tokens: [String: Token] = [:]
    let now: @Sendable () -> Date
    let reviewer: TokenReviewer
    let clusterID = UUID().uuidString.lowercased()

    init(rootToken: String, now: @escaping @Sendable () -> Date, reviewer: TokenReviewer) {
        self.now = now
        self.reviewer = reviewer
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
        // Unauthenticated endpoints.
        if path == "sys/health" || path == "sys/seal-status" { return health(path) }
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
        if path.hasPrefix("sys/") { return sys(&context) }
        if path.hasPrefix("auth/token/") { return tokenEndpoint(&context) }
        if path.hasPrefix("auth/") { return authAdmin(&context) }
        return kv(&context)
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

    // MARK: Tokens

    func authenticate(_ id: String?, namespace: String) -> Token? {
        guard let id, !id.isEmpty, let token = tokens[id] else { return nil }
        if let expires = token.expires, now() >= expires {
            tokens[id] = nil
            return nil
        }
        guard Self.isWithin(namespace, token.namespace) else { return nil }
        return token
    }

    func acl(for token: Token) -> ACL {
        let policies = namespaces[token.namespace]?.policies ?? [:]
        return ACL(policies: token.policies.compactMap { policies[$0] }, root: token.policies.contains("root"))
    }

    private func consumeUse(of id: String) {
        guard var token = tokens[id], token.numUses > 0 else { return }
        token.numUses -= 1
        tokens[id] = token.numUses == 0 ? nil : token
        if token.numUses == 0 { tokens[id] = nil }
    }

    /// Issues a token; `ttl` 0 means the default (`maxTTL` or the system maximum).
    func issueToken(
        namespace: String, policies: [String], settings: TokenSettings, meta: [String: String], displayName: String, path: String,
        renewable: Bool = true, explicitMaxTTL: Int = 0, orphan: Bool = true, noDefaultPolicy: Bool = false
    ) -> Token {
        let time = now()
        var maxTTL = Self.systemMaxTTL
        if settings.maxTTL > 0 { maxTTL = min(maxTTL, settings.maxTTL) }
        if explicitMaxTTL > 0 { maxTTL = min(maxTTL, explicitMaxTTL) }
        var ttl = settings.period > 0 ? settings.period : (settings.ttl > 0 ? settings.ttl : maxTTL)
        ttl = min(ttl, maxTTL)
        var allPolicies = policies
        if !noDefaultPolicy && !allPolicies.contains("root") && !allPolicies.contains("default") { allPolicies.append("default") }
        allPolicies = Array(Set(allPolicies)).sorted()
        let token = Token(
            id: Self.newTokenID(), accessor: Self.randomID(), namespace: namespace, policies: allPolicies, meta: meta,
            displayName: displayName, path: path, created: time, creationTTL: ttl,
            expires: time.addingTimeInterval(TimeInterval(ttl)),
            maxExpires: settings.period > 0 && explicitMaxTTL == 0 ? nil : time.addingTimeInterval(TimeInterval(maxTTL)),
            explicitMaxTTL: explicitMaxTTL, period: settings.period, renewable: renewable, numUses: settings.numUses, orphan: orphan)
        tokens[token.id] = token
        return token
    }

    /// The `auth` block of a login or token creation.
    func authBlock(_ token: Token) -> JSONValue {
        let ttl = token.expires.map { max(0, Int($0.timeIntervalSince(now()).rounded())) } ?? 0
        let tokenPolicies = token.policies
        return [
            "client_token": .string(token.id), "accessor": .string(token.accessor),
            "policies": .array(tokenPolicies.map(JSONValue.string)), "token_policies": .array(tokenPolicies.map(JSONValue.string)),
            "identity_policies": nil,
            "metadata": token.meta.isEmpty ? .null : .object(token.meta.mapValues(JSONValue.string)),
            "lease_duration": .int(Int64(ttl)), "renewable": .bool(token.renewable), "entity_id": "",
            "token_type": "service", "orphan": .bool(token.orphan), "mfa_requirement": nil, "num_uses": .int(Int64(token.numUses)),
        ]
    }

    func lookupData(_ token: Token) -> JSONValue {
        let time = now()
        let ttl = token.expires.map { max(0, Int($0.timeIntervalSince(time).rounded())) } ?? 0
        return [
            "accessor": .string(token.accessor), "creation_time": .int(Int64(token.created.timeIntervalSince1970)),
            "creation_ttl": .int(Int64(token.creationTTL)), "display_name": .string(token.displayName), "entity_id": "",
            "expire_time": token.expires.map { .string(VaultTime.format($0)) } ?? .null,
            "explicit_max_ttl": .int(Int64(token.explicitMaxTTL)), "id": .string(token.id),
            "issue_time": .string(VaultTime.format(token.created)),
            "meta": token.meta.isEmpty ? .null : .object(token.meta.mapValues(JSONValue.string)),
            "num_uses": .int(Int64(token.numUses)), "orphan": .bool(token.orphan), "path": .string(token.path),
            "policies": .array(token.policies.map(JSONValue.string)), "renewable": .bool(token.renewable),
            "ttl": .int(Int64(ttl)), "type": "service", "namespace_path": .string(token.namespace.isEmpty ? "" : token.namespace + "/"),
            "period": token.period > 0 ? .int(Int64(token.period)) : .null,
        ]
    }

    /// `renew-self` / `renew`: extends the TTL up to the token's maximum.
    func renew(_ id: String, increment: Int?) -> VaultResponse {
        guard var token = tokens[id] else { return .permissionDenied }
        guard token.renewable else { return .badRequest("lease is not renewable") }
        let time = now()
        var ttl = token.period > 0 ? token.period : (increment ?? token.creationTTL)
        var warnings: [String]?
        if let maxExpires = token.maxExpires {
            let remaining = Int(maxExpires.timeIntervalSince(time).rounded())
            if ttl > remaining {
                warnings = ["TTL of \"\(ttl)s\" exceeded the effective max_ttl of \"\(max(0, remaining))s\"; TTL value is capped accordingly"]
                ttl = max(0, remaining)
            }
        }
        token.expires = time.addingTimeInterval(TimeInterval(ttl))
        tokens[id] = token
        return .ok(data: nil, warnings: warnings, auth: authBlock(token))
    }

    private func tokenEndpoint(_ context: inout RequestContext) -> VaultResponse {
        let op = String(context.path.dropFirst("auth/token/".count))
        let body = context.body
        switch (context.method, op) {
        case ("GET", "lookup-self"), ("POST", "lookup-self"):
            guard context.allows(.read, "auth/token/lookup-self") else { return .permissionDenied }
            return .ok(data: lookupData(context.token))
        case ("POST", "lookup"), ("PUT", "lookup"):
            guard context.allows(.update) else { return .permissionDenied }
            guard let id = body["token"]?.stringValue, let token = authenticate(id, namespace: context.token.namespace) else {
                return .badRequest("bad token")
            }
            return .ok(data: lookupData(token))
        case ("POST", "renew-self"), ("PUT", "renew-self"):
            guard context.allows(.update) else { return .permissionDenied }
            return renew(context.token.id, increment: VaultDuration.seconds(body["increment"]))
        case ("POST", "renew"), ("PUT", "renew"):
            guard context.allows(.update) else { return .permissionDenied }
            guard let id = body["token"]?.stringValue, authenticate(id, namespace: context.token.namespace) != nil else {
                return .badRequest("invalid token")
            }
            return renew(id, increment: VaultDuration.seconds(body["increment"]))
        case ("POST", "revoke-self"), ("PUT", "revoke-self"):
            guard context.allows(.update) else { return .permissionDenied }
            tokens[context.token.id] = nil
            return .noContent
        case ("POST", "revoke"), ("PUT", "revoke"), ("POST", "revoke-orphan"), ("PUT", "revoke-orphan"):
            guard context.allows(.update) else { return .permissionDenied }
            guard let id = body["token"]?.stringValue else { return .badRequest("missing token") }
            tokens[id] = nil
            return .noContent
        case ("POST", "revoke-accessor"), ("PUT", "revoke-accessor"):
            guard context.allows(.update) else { return .permissionDenied }
            guard let accessor = body["accessor"]?.stringValue else { return .badRequest("missing accessor") }
            tokens = tokens.filter { $0.value.accessor != accessor }
            return .noContent
        case ("POST", "create"), ("PUT", "create"), ("POST", "create-orphan"), ("PUT", "create-orphan"):
            guard context.allows(.update) else { return .permissionDenied }
            return createToken(&context)
        default:
            return .unsupportedPath(context.path)
        }
    }

    private func createToken(_ context: inout RequestContext) -> VaultResponse {
        let body = context.body
        let parent = context.token
        let isRoot = parent.policies.contains("root")
        var policies = TokenSettings.strings(body["policies"]) ?? parent.policies.filter { $0 != "default" }
        let noDefault = body["no_default_policy"]?.boolValue ?? false
        if !isRoot {
            let allowed = Set(parent.policies)
            if !Set(policies).subtracting(["default"]).isSubset(of: allowed) {
                return .badRequest("child policies must be subset of parent")
            }
        }
        if policies.isEmpty && noDefault { policies = [] }
        var settings = TokenSettings()
        settings.ttl = VaultDuration.seconds(body["ttl"]) ?? 0
        settings.period = VaultDuration.seconds(body["period"]) ?? 0
        settings.numUses = Int(body["num_uses"]?.intValue ?? 0)
        if let ttl = parent.expires.map({ Int($0.timeIntervalSince(now())) }), !isRoot, settings.ttl == 0 || settings.ttl > ttl {
            // A child never outlives a non-root parent.
            settings.ttl = ttl
        }
        var meta: [String: String] = [:]
        for (k, v) in body["meta"]?.objectValue ?? [:] { meta[k] = v.stringValue ?? "" }
        let token = issueToken(
            namespace: context.request.namespace, policies: policies, settings: settings, meta: meta,
            displayName: "token" + (body["display_name"]?.stringValue.map { "-" + $0 } ?? ""), path: "auth/token/create",
            renewable: body["renewable"]?.boolValue ?? true, explicitMaxTTL: VaultDuration.seconds(body["explicit_max_ttl"]) ?? 0,
            orphan: context.path.hasSuffix("create-orphan") || (body["no_parent"]?.boolValue ?? false), noDefaultPolicy: noDefault)
        return .ok(data: nil, auth: authBlock(token))
    }

    /// Creates a token directly (tests and `rotor dev`).
    func createToken(namespace: String, policies: [String], ttl: Int, renewable: Bool, maxTTL: Int) -> Token {
        var settings = TokenSettings()
        settings.ttl = ttl
        settings.maxTTL = maxTTL
        return issueToken(
            namespace: namespace, policies: policies, settings: settings, meta: [:], displayName: "token",
            path: "auth/token/create", renewable: renewable)
    }
}
