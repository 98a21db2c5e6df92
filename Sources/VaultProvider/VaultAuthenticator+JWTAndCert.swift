import Foundation
import SecretProviders

/// Vault's JWT and TLS certificate auth methods.
extension VaultAuthenticator {
    /// `POST auth/MOUNT/login {role, jwt}` with a TokenRequest token or a Secret's JWT.
    ///
    /// A refusal (Vault answers 400 `error validating token: …` or 403) is
    /// ``ProviderError/Class/permissionDenied``; Vault's words are quoted only when they do
    /// not contain the JWT or any of its parts.
    func jwtLogin(mount: String, role: String, source: VaultStoreConfig.Resolved.JWTSource) async throws(ProviderError) -> VaultResponses.AuthGrant {
        let jwt: SecretValue
        let origin: String
        switch source {
        case .serviceAccount(let name, let namespace, let audiences):
            jwt = try await serviceAccountJWT(name, namespace: namespace, audiences: audiences)
            origin = "the token of ServiceAccount \(name) (audiences \(audiences.joined(separator: ", ")))"
        case .secret(let ref):
            jwt = try await credential(ref, what: "auth.jwt.secretRef")
            origin = "the JWT in Secret \(ref.name) key \(ref.key)"
        }
        guard let text = jwt.revealedString()?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty,
            text.utf8.count <= Self.maximumJWTBytes
        else {
            throw ProviderError.invalidRequest(store: store, detail: "vault: \(origin) is not a JWT of at most \(Self.maximumJWTBytes) bytes")
        }
        let path = "auth/\(mount)/login"
        let response = try await transport.send(.POST, path, body: ProviderJSON.body(["role": role, "jwt": text]), token: nil)
        guard response.status == 200 else {
            let said = VaultResponses.messages(response.body).flatMap { Self.quotable($0, secret: text) }
            let detail = "vault: Vault refused the jwt login for role \(role) with \(origin) (HTTP \(response.status)\(said.map { ": \($0)" } ?? ""))"
            switch response.status {
            case 400, 401, 403:
                throw ProviderError.permissionDenied(
                    store: store, detail: "\(detail); check the role's bound_audiences, bound_subject, bound_claims and the mount's keys and bound_issuer")
            default:
                throw VaultResponses.error(response, store: store, operation: "login (\(path))", requestCarriedSecrets: true)
            }
        }
        return try VaultResponses.authGrant(response.body, store: store, operation: "login (\(path))")
    }

    /// `POST auth/MOUNT/login {name}`: the transport presents the store's client certificate,
    /// re-read from its Secret before every login after the first.
    /// A refusal (400 `invalid certificate or no client certificate supplied`, 403) is
    /// ``ProviderError/Class/permissionDenied``.
    func certLogin(mount: String, role: String?) async throws(ProviderError) -> VaultResponses.AuthGrant {
        try await transport.reloadClientIdentity()
        let path = "auth/\(mount)/login"
        let body = ProviderJSON.body(role.map { ["name": $0] } ?? [:])
        let response = try await transport.send(.POST, path, body: body, token: nil)
        guard response.status == 200 else {
            let said = VaultResponses.messages(response.body)
            switch response.status {
            case 400, 401, 403:
                throw ProviderError.permissionDenied(
                    store: store,
                    detail: "vault: Vault refused the cert login\(role.map { " for role \($0)" } ?? "") (HTTP \(response.status)\(said.map { ": \($0)" } ?? "")); check that the role's certificate (CA) signed the client certificate in auth.cert.clientCertSecretRef and its allowed names")
            default:
                throw VaultResponses.error(response, store: store, operation: "login (\(path))")
            }
        }
        return try VaultResponses.authGrant(response.body, store: store, operation: "login (\(path))")
    }

    /// The largest JWT sent (a TokenRequest token is about 1 KiB).
    static let maximumJWTBytes = 16 * 1024

    /// Vault's message, unless it quotes the JWT or a part of it.
    static func quotable(_ message: String, secret: String) -> String? {
        let parts = secret.split(separator: ".").filter { $0.count >= 8 }
        if message.contains(secret) || parts.contains(where: { message.contains($0) }) { return nil }
        return message
    }
}
