import Foundation
import NIOHTTP1
import SecretProviders

/// Obtains, renews and checks client tokens with the store's auth method:
/// a token kept in a Secret, Kubernetes (a TokenRequest JWT posted to
/// `auth/MOUNT/login`), AppRole (role id + secret id posted to `auth/MOUNT/login`),
/// JWT (a TokenRequest or Secret-held JWT posted to `auth/MOUNT/login`) or TLS
/// certificate (the store's client certificate, presented by its transport).
struct VaultAuthenticator: Sendable {
    let auth: VaultStoreConfig.Resolved.Auth
    let transport: VaultTransport
    let credentials: any CredentialResolver
    let serviceAccountTokens: (any ServiceAccountTokenIssuer)?
    let store: String
    /// Whether the operator's own identity was granted to this store (only an allowed
    /// ClusterSecretStore): without it, the mounted token is never read.
    var ambientIdentity: AmbientIdentity = []
    /// Where a pod's own service-account token is mounted (kubernetes auth without `serviceAccountRef`).
    var mountedTokenPath = VaultProviderFactory.defaultMountedTokenPath

    var operations: VaultTokenManager.Operations {
        let canLogIn: Bool
        if case .token = auth { canLogIn = false } else { canLogIn = true }
        return VaultTokenManager.Operations(
            login: { () async throws(ProviderError) in try await login() },
            renew: { (token) async throws(ProviderError) in try await renew(token) },
            isAccepted: { (token) async throws(ProviderError) in try await lookup(token) != nil },
            canLogIn: canLogIn,
            revoke: { token in await revoke(token) })
    }

    /// `revoke-self` (Vault answers 204): a short timeout and one more try after a failure
    /// without an answer; any other outcome is left be (the token expires with its TTL).
    func revoke(_ token: SecretValue) async {
        for _ in 0..<2 {
            guard let response = try? await transport.send(.POST, "auth/token/revoke-self", body: Array("{}".utf8), token: token, timeout: .seconds(5))
            else { continue }
            _ = response
            return
        }
    }

    func login() async throws(ProviderError) -> VaultResponses.AuthGrant {
        switch auth {
        case .token(let ref):
            let token = try await credential(ref, what: "tokenSecretRef")
            guard let info = try await lookup(token) else {
                throw ProviderError.permissionDenied(store: store, detail: "vault: the token in Secret \(ref.name) was refused (lookup-self: 403)")
            }
            return VaultResponses.AuthGrant(token: token, leaseDuration: info.ttl, renewable: info.renewable)
        case .kubernetes(let mount, let role, let serviceAccount, let namespace, let audiences):
            let jwt = try await serviceAccountJWT(serviceAccount, namespace: namespace, audiences: audiences)
            guard let jwtText = jwt.revealedString() else {
                throw ProviderError.invalidResponse(store: store, detail: "vault: the service-account token is not text")
            }
            let body = ProviderJSON.body(["role": role, "jwt": jwtText])
            do {
                return try await post(login: "auth/\(mount)/login", body: body)
            } catch where error.class == .permissionDenied {
                // Vault's TokenReview checks the role's `audience` (or, without one, the API
                // server's): a role that does not name the token's audience refuses every login.
                let refused = "vault: Vault refused the kubernetes login for role \(role) (\(error.detail ?? error.code))"
                guard serviceAccount != nil, let audience = audiences.first else {
                    throw ProviderError.permissionDenied(
                        store: store,
                        detail: "\(refused); the operator's mounted token carries the API server's audience: check the role's audience and its bound ServiceAccount names and namespaces")
                }
                throw ProviderError.permissionDenied(
                    store: store,
                    detail: "\(refused); the token's audience is \(audiences.joined(separator: ", ")): if the role checks audiences, set its audience to \(audience) (vault write auth/\(mount)/role/\(role) audience=\(audience)), and check its bound ServiceAccount names and namespaces")
            }
        case .appRole(let mount, let roleID, let ref):
            let secretID = try await credential(ref, what: "appRole.secretRef")
            guard let secretText = secretID.revealedString() else {
                throw ProviderError.invalidRequest(store: store, detail: "vault: the AppRole secret id in Secret \(ref.name) is not text")
            }
            let body = ProviderJSON.body(["role_id": roleID, "secret_id": secretText.trimmingCharacters(in: .whitespacesAndNewlines)])
            return try await post(login: "auth/\(mount)/login", body: body)
        case .jwt(let mount, let role, let source):
            return try await jwtLogin(mount: mount, role: role, source: source)
        case .cert(let mount, let role, _):
            return try await certLogin(mount: mount, role: role)
        }
    }

    func post(login path: String, body: [UInt8]) async throws(ProviderError) -> VaultResponses.AuthGrant {
        let response = try await transport.send(.POST, path, body: body, token: nil)
        guard response.status == 200 else {
            throw VaultResponses.error(response, store: store, operation: "login (\(path))", requestCarriedSecrets: true)
        }
        return try VaultResponses.authGrant(response.body, store: store, operation: "login (\(path))")
    }

    func renew(_ token: SecretValue) async throws(ProviderError) -> VaultResponses.AuthGrant {
        let response = try await transport.send(.POST, "auth/token/renew-self", body: Array("{}".utf8), token: token)
        guard response.status == 200 else {
            throw VaultResponses.error(response, store: store, operation: "renew-self")
        }
        var grant = try VaultResponses.authGrant(response.body, store: store, operation: "renew-self")
        grant.token = token
        return grant
    }

    /// `lookup-self`: `nil` when Vault refuses the token (403), its TTL otherwise.
    func lookup(_ token: SecretValue) async throws(ProviderError) -> (ttl: Int, renewable: Bool)? {
        let response = try await transport.send(.GET, "auth/token/lookup-self", token: token)
        if response.status == 403 { return nil }
        guard response.status == 200 else {
            throw VaultResponses.error(response, store: store, operation: "lookup-self")
        }
        return VaultResponses.lookup(response.body) ?? (0, false)
    }

    func credential(_ ref: SecretKeySelector, what: String) async throws(ProviderError) -> SecretValue {
        do {
            let value = try await credentials.credential(name: ref.name, key: ref.key, namespace: ref.namespace)
            guard !value.isEmpty else {
                throw ProviderError.invalidRequest(store: store, detail: "vault: \(what) Secret \(ref.name) key \(ref.key) is empty")
            }
            return value
        } catch let error as ProviderError {
            throw error.store == nil ? error.inStore(store) : error
        } catch {
            throw ProviderError.transient(store: store, detail: "vault: reading \(what) Secret \(ref.name): \(type(of: error))")
        }
    }

    func serviceAccountJWT(_ name: String?, namespace: String?, audiences: [String]) async throws(ProviderError) -> SecretValue {
        guard let name else {
            // Without serviceAccountRef: the operator's own token, as mounted in its pod —
            // only for a store the operator granted it (never a tenant's SecretStore).
            guard ambientIdentity.contains(.serviceAccountToken) else {
                throw ProviderError.permissionDenied(
                    store: store,
                    detail: "vault: spec.provider.vault.auth.kubernetes.serviceAccountRef is required: the operator's own ServiceAccount token is not granted to this store")
            }
            guard let data = FileManager.default.contents(atPath: mountedTokenPath), !data.isEmpty else {
                throw ProviderError.invalidRequest(
                    store: store, detail: "vault: kubernetes auth without serviceAccountRef needs the pod's mounted token at \(mountedTokenPath)")
            }
            return SecretValue(bytes: Array(data).filter { $0 != 0x0A && $0 != 0x0D })
        }
        guard let serviceAccountTokens else {
            throw ProviderError.invalidRequest(store: store, detail: "vault: no service-account token issuer for kubernetes auth")
        }
        do {
            return try await serviceAccountTokens.token(serviceAccount: name, namespace: namespace, audiences: audiences)
        } catch let error as ProviderError {
            throw error.store == nil ? error.inStore(store) : error
        } catch {
            throw ProviderError.transient(store: store, detail: "vault: requesting a token for ServiceAccount \(name): \(type(of: error))")
        }
    }
}
