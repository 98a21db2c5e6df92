import Foundation
import JSONCore

/// The JWT auth method as Vault documents it, kept to validation with configured public
/// keys: `auth/MOUNT/config` (`jwt_validation_pubkeys`, `bound_issuer`),
/// `auth/MOUNT/role/NAME` (`role_type: jwt`, `bound_audiences`, `user_claim`,
/// `bound_subject`, `bound_claims`, token settings) and `auth/MOUNT/login`.
extension VaultCore {
    struct JWTConfig: Sendable {
        var validationPublicKeys: [String]
        var boundIssuer: String?
        var defaultRole: String?
    }

    struct JWTRole: Sendable {
        var roleType = "jwt"
        var boundAudiences: [String] = []
        var userClaim = ""
        var boundSubject = ""
        /// Claim name to the values any of which it may have.
        var boundClaims: [String: [String]] = [:]
        var leeways = JWTValidation.Leeways()
        var token = TokenSettings()
    }

    /// `auth/MOUNT/config`.
    func jwtConfig(_ method: String, mountKey: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        switch method {
        case "GET":
            guard let config = namespaces[ns]!.auths[mountKey]!.jwtConfig else { return .ok(data: nil) }
            return .ok(data: [
                "jwt_validation_pubkeys": .array(config.validationPublicKeys.map(JSONValue.string)),
                "bound_issuer": .string(config.boundIssuer ?? ""), "default_role": .string(config.defaultRole ?? ""),
                "jwks_url": "", "oidc_discovery_url": "", "jwt_supported_algs": ["RS256", "ES256"],
            ])
        case "POST", "PUT":
            let keys = TokenSettings.strings(body["jwt_validation_pubkeys"]) ?? []
            let others = ["jwks_url", "oidc_discovery_url", "jwks_pairs"].filter { body[$0].map { !$0.isNull && $0 != "" } ?? false }
            guard !others.isEmpty || !keys.isEmpty else {
                return .badRequest("exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set")
            }
            guard others.isEmpty else {
                // Simplification (README): keys are only taken as PEM in the config.
                return .badRequest("the emulator supports only jwt_validation_pubkeys, not \(others.joined(separator: ", "))")
            }
            guard keys.allSatisfy(JWTValidation.isSupportedKey) else { return .badRequest("error parsing public key") }
            namespaces[ns]!.auths[mountKey]!.jwtConfig = JWTConfig(
                validationPublicKeys: keys, boundIssuer: body["bound_issuer"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                defaultRole: body["default_role"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    /// `auth/MOUNT/role[/NAME]`.
    func jwtRole(_ method: String, name: String, mountKey: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        if name.isEmpty {
            guard method == "LIST" else { return .unsupportedOperation }
            let keys = namespaces[ns]!.auths[mountKey]!.jwtRoles.keys.sorted()
            return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
        }
        switch method {
        case "GET":
            guard let role = namespaces[ns]!.auths[mountKey]!.jwtRoles[name] else { return .notFound }
            var data = role.token.json
            data["role_type"] = .string(role.roleType)
            data["bound_audiences"] = .array(role.boundAudiences.map(JSONValue.string))
            data["user_claim"] = .string(role.userClaim)
            data["bound_subject"] = .string(role.boundSubject)
            data["bound_claims"] = .object(role.boundClaims.mapValues { .array($0.map(JSONValue.string)) })
            data["clock_skew_leeway"] = .int(Int64(role.leeways.clockSkew))
            data["expiration_leeway"] = .int(Int64(role.leeways.expiration))
            data["not_before_leeway"] = .int(Int64(role.leeways.notBefore))
            return .ok(data: .object(data))
        case "POST", "PUT":
            var role = namespaces[ns]!.auths[mountKey]!.jwtRoles[name] ?? JWTRole()
            if let type = body["role_type"]?.stringValue, !type.isEmpty { role.roleType = type }
            guard role.roleType == "jwt" || role.roleType == "oidc" else { return .badRequest("invalid 'role_type': \(role.roleType)") }
            if let list = TokenSettings.strings(body["bound_audiences"]) { role.boundAudiences = list }
            if let claim = body["user_claim"]?.stringValue { role.userClaim = claim }
            if let subject = body["bound_subject"]?.stringValue { role.boundSubject = subject }
            if let claims = body["bound_claims"]?.objectValue {
                role.boundClaims = claims.compactMapValues { TokenSettings.strings($0) ?? ($0.intValue.map { [String($0)] }) }
            }
            if let v = VaultDuration.seconds(body["clock_skew_leeway"]) { role.leeways.clockSkew = v }
            if let v = VaultDuration.seconds(body["expiration_leeway"]) { role.leeways.expiration = v }
            if let v = VaultDuration.seconds(body["not_before_leeway"]) { role.leeways.notBefore = v }
            role.token.apply(body)
            guard !role.userClaim.isEmpty else { return .badRequest("a user claim must be defined on the role") }
            guard role.roleType == "oidc" || !role.boundAudiences.isEmpty || !role.boundSubject.isEmpty || !role.boundClaims.isEmpty else {
                return .badRequest("must have at least one bound constraint when creating/updating a role")
            }
            namespaces[ns]!.auths[mountKey]!.jwtRoles[name] = role
            return .noContent
        case "DELETE":
            namespaces[ns]!.auths[mountKey]!.jwtRoles[name] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    /// `POST auth/MOUNT/login {role, jwt}`: Vault answers every refusal with 400 and its reason.
    func jwtLogin(_ body: JSONObject, mountKey: String, auth: AuthMount, namespace ns: String) -> VaultResponse {
        guard let config = auth.jwtConfig else { return .badRequest("could not load configuration") }
        guard let roleName = body["role"]?.stringValue.flatMap({ $0.isEmpty ? nil : $0 }) ?? config.defaultRole else {
            return .badRequest("missing role")
        }
        guard let role = auth.jwtRoles[roleName] else { return .badRequest("role \"\(roleName)\" could not be found") }
        guard role.roleType == "jwt" else { return .badRequest("role with oidc role_type is not allowed") }
        guard let jwt = body["jwt"]?.stringValue, !jwt.isEmpty else { return .badRequest("missing token") }
        let claims: JSONObject
        switch JWTValidation.claims(of: jwt, keys: config.validationPublicKeys, boundIssuer: config.boundIssuer, leeways: role.leeways, now: now()) {
        case .failure(let failure): return .badRequest(failure.message)
        case .success(let verified): claims = verified
        }
        if !role.boundAudiences.isEmpty {
            guard JWTValidation.audiences(claims).contains(where: role.boundAudiences.contains) else {
                return .badRequest("error validating token: invalid audience (aud) claim: audience claim does not match any expected audience")
            }
        } else if !JWTValidation.audiences(claims).isEmpty {
            return .badRequest("error validating token: invalid audience (aud) claim: audience claim found in JWT but no audiences bound to the role")
        }
        if !role.boundSubject.isEmpty, claims["sub"]?.stringValue != role.boundSubject {
            return .badRequest("sub claim does not match bound subject")
        }
        for (claim, allowed) in role.boundClaims.sorted(by: { $0.key < $1.key }) {
            let value = Self.claim(claims, named: claim)
            let values = value?.arrayValue?.compactMap(Self.claimText) ?? value.flatMap(Self.claimText).map { [$0] } ?? []
            guard values.contains(where: allowed.contains) else {
                return .badRequest("error validating claims: claim \"\(claim)\" does not match any associated bound claim values")
            }
        }
        guard let user = Self.claim(claims, named: role.userClaim).flatMap(Self.claimText), !user.isEmpty else {
            return .badRequest("claim \"\(role.userClaim)\" not found in token")
        }
        let token = issueToken(
            namespace: ns, policies: role.token.policies, settings: role.token, meta: ["role": roleName],
            displayName: "\(mountKey.dropLast())-\(user)", path: "auth/\(mountKey)login")
        return .ok(data: nil, auth: authBlock(token))
    }

    /// A claim by name, or by JSON pointer (`/kubernetes.io/namespace`) as Vault allows.
    private static func claim(_ claims: JSONObject, named name: String) -> JSONValue? {
        guard name.hasPrefix("/") else { return claims[name] }
        return JSONValue.object(claims)[path: name.split(separator: "/").map(String.init)]
    }

    private static func claimText(_ value: JSONValue) -> String? {
        value.stringValue ?? value.intValue.map { String($0) } ?? value.boolValue.map { String($0) }
    }
}
