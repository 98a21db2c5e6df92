import Foundation
import JSONCore

/// Tokens: authentication and ACLs of a request, issuing, lookup, renewal, use counts,
/// and the `auth/token/*` endpoints.
extension VaultCore {
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

    func consumeUse(of id: String) {
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

    func tokenEndpoint(_ context: inout RequestContext) -> VaultResponse {
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
