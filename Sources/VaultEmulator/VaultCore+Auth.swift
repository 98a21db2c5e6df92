import Foundation
import JSONCore

/// The kubernetes and approle auth methods: configuration, roles, and login (and the
/// dispatch to the jwt and cert methods).
extension VaultCore {
    /// `auth/MOUNT/…` for a kubernetes, approle, jwt or cert mount (not `login`).
    func authAdmin(_ context: inout RequestContext) -> VaultResponse {
        let ns = context.request.namespace
        let afterAuth = String(context.path.dropFirst("auth/".count))
        guard let (mountKey, auth) = authMount(afterAuth, namespace: ns) else { return .unsupportedPath(context.path) }
        let sub = String(afterAuth.dropFirst(mountKey.count))
        guard context.allows(context.plainCapability) else { return .permissionDenied }
        let parts = sub.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let body = context.body
        switch (auth.type, parts.first ?? "") {
        case ("kubernetes", "config"):
            switch context.method {
            case "GET":
                guard let config = auth.kubernetesConfig else { return .ok(data: nil) }
                return .ok(data: [
                    "kubernetes_host": .string(config.host), "kubernetes_ca_cert": .string(config.caCertificatePEM ?? ""),
                    "token_reviewer_jwt_set": .bool(config.reviewerJWT != nil), "disable_local_ca_jwt": true, "issuer": "",
                    "disable_iss_validation": true, "pem_keys": [],
                ])
            case "POST", "PUT":
                guard let host = body["kubernetes_host"]?.stringValue, !host.isEmpty else { return .badRequest("no host provided") }
                let ca = body["kubernetes_ca_cert"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
                let jwt = body["token_reviewer_jwt"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
                namespaces[ns]!.auths[mountKey]!.kubernetesConfig = KubernetesConfig(host: host, caCertificatePEM: ca, reviewerJWT: jwt)
                return .noContent
            default:
                return .unsupportedOperation
            }
        case ("kubernetes", "role"):
            return kubernetesRole(context.method, name: parts.dropFirst().joined(separator: "/"), mountKey: mountKey, namespace: ns, body: body)
        case ("approle", "role"):
            return appRole(context.method, parts: Array(parts.dropFirst()), mountKey: mountKey, namespace: ns, body: body)
        case ("jwt", "config"):
            return jwtConfig(context.method, mountKey: mountKey, namespace: ns, body: body)
        case ("jwt", "role"):
            return jwtRole(context.method, name: parts.dropFirst().joined(separator: "/"), mountKey: mountKey, namespace: ns, body: body)
        case ("cert", "certs"):
            return certRole(context.method, name: parts.dropFirst().joined(separator: "/"), mountKey: mountKey, namespace: ns, body: body)
        default:
            return .unsupportedPath(context.path)
        }
    }

    /// The auth mount a path after `auth/` starts with, longest first.
    private func authMount(_ afterAuth: String, namespace ns: String) -> (String, AuthMount)? {
        let auths = namespaces[ns]?.auths ?? [:]
        let candidates = auths.keys.filter { (afterAuth + "/").hasPrefix($0) }.sorted { $0.count > $1.count }
        guard let key = candidates.first else { return nil }
        return (key, auths[key]!)
    }

    private func kubernetesRole(_ method: String, name: String, mountKey: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        if name.isEmpty {
            guard method == "LIST" else { return .unsupportedOperation }
            let keys = namespaces[ns]!.auths[mountKey]!.kubernetesRoles.keys.sorted()
            return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
        }
        switch method {
        case "GET":
            guard let role = namespaces[ns]!.auths[mountKey]!.kubernetesRoles[name] else { return .notFound }
            var data = role.token.json
            data["bound_service_account_names"] = .array(role.boundNames.map(JSONValue.string))
            data["bound_service_account_namespaces"] = .array(role.boundNamespaces.map(JSONValue.string))
            data["audience"] = .string(role.audience ?? "")
            data["alias_name_source"] = "serviceaccount_uid"
            return .ok(data: .object(data))
        case "POST", "PUT":
            var role = namespaces[ns]!.auths[mountKey]!.kubernetesRoles[name]
                ?? KubernetesRole(boundNames: [], boundNamespaces: [], audience: nil, token: TokenSettings())
            if let names = TokenSettings.strings(body["bound_service_account_names"]) { role.boundNames = names }
            if let namespaces = TokenSettings.strings(body["bound_service_account_namespaces"]) { role.boundNamespaces = namespaces }
            if let audience = body["audience"]?.stringValue { role.audience = audience.isEmpty ? nil : audience }
            role.token.apply(body)
            guard !role.boundNames.isEmpty else { return .badRequest("\"bound_service_account_names\" can not be empty") }
            guard !role.boundNamespaces.isEmpty else {
                return .badRequest("\"bound_service_account_namespaces\" can not be empty")
            }
            namespaces[ns]!.auths[mountKey]!.kubernetesRoles[name] = role
            return .noContent
        case "DELETE":
            namespaces[ns]!.auths[mountKey]!.kubernetesRoles[name] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    private func appRole(_ method: String, parts: [String], mountKey: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        guard let name = parts.first, !name.isEmpty else {
            guard method == "LIST" else { return .unsupportedOperation }
            let keys = namespaces[ns]!.auths[mountKey]!.appRoles.keys.sorted()
            return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
        }
        let action = parts.dropFirst().joined(separator: "/")
        let existing = namespaces[ns]!.auths[mountKey]!.appRoles[name]
        switch (method, action) {
        case ("GET", ""):
            guard let role = existing else { return .notFound }
            var data = role.token.json
            data["bind_secret_id"] = .bool(role.bindSecretID)
            data["secret_id_ttl"] = .int(Int64(role.secretIDTTL))
            data["secret_id_num_uses"] = .int(Int64(role.secretIDNumUses))
            return .ok(data: .object(data))
        case ("POST", ""), ("PUT", ""):
            var role = existing ?? AppRole(roleID: Self.randomID(), bindSecretID: true, secretIDTTL: 0, secretIDNumUses: 0, token: TokenSettings())
            if let bind = body["bind_secret_id"]?.boolValue { role.bindSecretID = bind }
            if let ttl = VaultDuration.seconds(body["secret_id_ttl"]) { role.secretIDTTL = ttl }
            if let uses = body["secret_id_num_uses"]?.intValue { role.secretIDNumUses = Int(uses) }
            role.token.apply(body)
            namespaces[ns]!.auths[mountKey]!.appRoles[name] = role
            return .noContent
        case ("DELETE", ""):
            namespaces[ns]!.auths[mountKey]!.appRoles[name] = nil
            namespaces[ns]!.auths[mountKey]!.secretIDs = namespaces[ns]!.auths[mountKey]!.secretIDs.filter { $0.value.role != name }
            return .noContent
        case ("GET", "role-id"):
            guard let role = existing else { return .badRequest("role \(name) does not exist") }
            return .ok(data: ["role_id": .string(role.roleID)])
        case ("POST", "role-id"), ("PUT", "role-id"):
            guard var role = existing else { return .badRequest("role \(name) does not exist") }
            guard let id = body["role_id"]?.stringValue, !id.isEmpty else { return .badRequest("missing role_id") }
            role.roleID = id
            namespaces[ns]!.auths[mountKey]!.appRoles[name] = role
            return .noContent
        case ("POST", "secret-id"), ("PUT", "secret-id"), ("POST", "custom-secret-id"), ("PUT", "custom-secret-id"):
            guard let role = existing else { return .badRequest("role \"\(name)\" does not exist") }
            let secret = action == "custom-secret-id" ? (body["secret_id"]?.stringValue ?? Self.randomID()) : Self.randomID()
            let accessor = Self.randomID()
            let ttl = VaultDuration.seconds(body["ttl"]) ?? role.secretIDTTL
            let uses = Int(body["num_uses"]?.intValue ?? Int64(role.secretIDNumUses))
            namespaces[ns]!.auths[mountKey]!.secretIDs[secret] = SecretID(
                role: name, accessor: accessor, expires: ttl > 0 ? now().addingTimeInterval(TimeInterval(ttl)) : nil, usesLeft: uses)
            return .ok(data: [
                "secret_id": .string(secret), "secret_id_accessor": .string(accessor), "secret_id_ttl": .int(Int64(ttl)),
                "secret_id_num_uses": .int(Int64(uses)),
            ])
        case ("LIST", "secret-id"):
            let accessors = namespaces[ns]!.auths[mountKey]!.secretIDs.values.filter { $0.role == name }.map(\.accessor).sorted()
            return accessors.isEmpty ? .notFound : .ok(data: ["keys": .array(accessors.map(JSONValue.string))])
        default:
            return .unsupportedOperation
        }
    }

    // MARK: Login

    /// `POST auth/MOUNT/login` for kubernetes, approle, jwt and cert mounts.
    func login(_ request: VaultRequest) async -> VaultResponse {
        let ns = request.namespace
        let afterAuth = String(request.path.dropFirst("auth/".count))
        guard let (mountKey, auth) = authMount(afterAuth, namespace: ns), afterAuth == mountKey + "login" else {
            return .unsupportedPath(request.path)
        }
        switch auth.type {
        case "kubernetes": return await kubernetesLogin(request.body, mountKey: mountKey, auth: auth, namespace: ns)
        case "approle": return appRoleLogin(request.body, mountKey: mountKey, auth: auth, namespace: ns)
        case "jwt": return jwtLogin(request.body, mountKey: mountKey, auth: auth, namespace: ns)
        case "cert":
            return await certLogin(request.body, clientCertificateDER: request.clientCertificateDER, mountKey: mountKey, auth: auth, namespace: ns)
        default: return .unsupportedPath(request.path)
        }
    }

    private func kubernetesLogin(_ body: JSONObject, mountKey: String, auth: AuthMount, namespace ns: String) async -> VaultResponse {
        guard let roleName = body["role"]?.stringValue, !roleName.isEmpty else { return .badRequest("missing role") }
        guard let jwt = body["jwt"]?.stringValue, !jwt.isEmpty else { return .badRequest("missing jwt") }
        guard let role = auth.kubernetesRoles[roleName] else { return .badRequest("invalid role name \"\(roleName)\"") }
        guard let config = auth.kubernetesConfig else { return .badRequest("could not load backend configuration") }
        let review: TokenReviewer.Review
        do {
            review = try await reviewer.review(
                host: config.host, caCertificatePEM: config.caCertificatePEM, reviewerJWT: config.reviewerJWT, jwt: jwt,
                audiences: role.audience.map { [$0] } ?? [])
        } catch {
            // The kubernetes auth plugin answers any failed lookup (the TokenReview refused,
            // unreachable or not authenticated) with permission denied, not a server error.
            return .loginDenied
        }
        guard review.authenticated, let saName = review.serviceAccountName, let saNamespace = review.namespace else {
            return .loginDenied
        }
        guard role.boundNames.contains("*") || role.boundNames.contains(saName) else {
            return .error(403, ["service account name not authorized"])
        }
        guard role.boundNamespaces.contains("*") || role.boundNamespaces.contains(saNamespace) else {
            return .error(403, ["namespace not authorized"])
        }
        // The mount may have been changed while the review was in flight.
        guard namespaces[ns]?.auths[mountKey] != nil else { return .permissionDenied }
        let token = issueToken(
            namespace: ns, policies: role.token.policies, settings: role.token,
            meta: [
                "role": roleName, "service_account_name": saName, "service_account_namespace": saNamespace,
                "service_account_uid": review.serviceAccountUID ?? "", "service_account_secret_name": "",
            ],
            displayName: "\(mountKey.dropLast())-\(saNamespace)-\(saName)", path: "auth/\(mountKey)login")
        return .ok(data: nil, auth: authBlock(token))
    }

    private func appRoleLogin(_ body: JSONObject, mountKey: String, auth: AuthMount, namespace ns: String) -> VaultResponse {
        guard let roleID = body["role_id"]?.stringValue, !roleID.isEmpty else { return .badRequest("missing role_id") }
        guard let (name, role) = auth.appRoles.first(where: { $0.value.roleID == roleID }) else {
            return .badRequest("invalid role ID")
        }
        if role.bindSecretID {
            guard let secret = body["secret_id"]?.stringValue, !secret.isEmpty else { return .badRequest("missing secret_id") }
            guard var entry = auth.secretIDs[secret], entry.role == name else { return .badRequest("invalid secret id") }
            if let expires = entry.expires, now() >= expires {
                namespaces[ns]!.auths[mountKey]!.secretIDs[secret] = nil
                return .badRequest("invalid secret id")
            }
            if entry.usesLeft > 0 {
                entry.usesLeft -= 1
                namespaces[ns]!.auths[mountKey]!.secretIDs[secret] = entry.usesLeft == 0 ? nil : entry
            }
        }
        let token = issueToken(
            namespace: ns, policies: role.token.policies, settings: role.token, meta: ["role_name": name],
            displayName: String(mountKey.dropLast()), path: "auth/\(mountKey)login")
        return .ok(data: nil, auth: authBlock(token))
    }
}
