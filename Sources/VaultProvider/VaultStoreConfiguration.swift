import Foundation
import SecretProviders

/// A store's `spec.provider.vault` block as this provider reads it.
///
/// The provider target does not import the API types (it knows nothing of Kubernetes),
/// so it decodes the neutral ``ProviderConfigValue`` into this mirror of
/// `VaultProviderSpec`: the same field names and meaning.
struct VaultStoreConfiguration: Sendable, Hashable {
    /// A `{name, key, namespace?}` reference to a credential.
    struct CredentialRef: Sendable, Hashable, Decodable {
        var name: String
        var key: String
        var namespace: String?
    }

    enum Auth: Sendable, Hashable {
        case token(CredentialRef)
        /// `serviceAccount` nil: the operator's own mounted token.
        case kubernetes(mountPath: String, role: String, serviceAccount: String?, serviceAccountNamespace: String?, audiences: [String])
        case appRole(mountPath: String, roleID: String, secretID: CredentialRef)
    }

    enum CASource: Sendable, Hashable {
        case none
        case inline(pem: String)
        case secret(CredentialRef)
    }

    /// The audience a `serviceAccountRef` token gets when the store names none: never the
    /// API server's own, so the token cannot be used against Kubernetes.
    static let defaultAudience = "vault"

    /// `https://host:port` without a trailing slash (`http://` only with `insecureAllowHTTP`).
    var server: String
    /// Whether the store opted in to a cleartext `http://` server.
    var insecureAllowHTTP: Bool
    /// The KV mount, without slashes.
    var mount: String
    var kvVersion: Int
    var namespace: String?
    var ca: CASource
    var auth: Auth

    // MARK: Decoding

    private struct Raw: Decodable {
        struct CAProvider: Decodable {
            var type: String
            var name: String
            var key: String
            var namespace: String?
        }

        struct ServiceAccount: Decodable {
            var name: String
            var audiences: [String]?
            var namespace: String?
        }

        struct Kubernetes: Decodable {
            var mountPath: String?
            var role: String
            var serviceAccountRef: ServiceAccount?
        }

        struct AppRole: Decodable {
            var path: String?
            var roleId: String
            var secretRef: CredentialRef
        }

        struct AuthBlock: Decodable {
            var tokenSecretRef: CredentialRef?
            var kubernetes: Kubernetes?
            var appRole: AppRole?
        }

        var server: String
        var path: String?
        var version: String?
        var namespace: String?
        var caBundle: String?
        var caProvider: CAProvider?
        var insecureAllowHTTP: Bool?
        var auth: AuthBlock
    }

    /// Decodes and checks a store's provider block. Errors name fields, never values.
    static func decode(_ config: ProviderConfigValue, store: String) throws(ProviderError) -> VaultStoreConfiguration {
        let raw: Raw
        do {
            raw = try config.decode(Raw.self)
        } catch {
            throw error.inStore(store)
        }
        func invalid(_ detail: String) -> ProviderError { .invalidRequest(store: store, detail: "vault: \(detail)") }

        var server = raw.server.trimmingCharacters(in: .whitespaces)
        while server.hasSuffix("/") { server.removeLast() }
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host != nil
        else { throw invalid("server must be an http(s) URL") }
        let insecureAllowHTTP = raw.insecureAllowHTTP ?? false
        if scheme == "http", !insecureAllowHTTP {
            throw invalid(
                "spec.provider.vault.server is http:// (cleartext: tokens and secret values would cross the network unencrypted); use https://, or set spec.provider.vault.insecureAllowHTTP: true")
        }

        let mount = (raw.path ?? "secret").trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        guard !mount.isEmpty else { throw invalid("path (the KV mount) must not be empty") }

        let kvVersion: Int
        switch raw.version ?? "v2" {
        case "v2", "": kvVersion = 2
        case "v1": kvVersion = 1
        default: throw invalid("version must be v1 or v2")
        }

        let ca: CASource
        switch (raw.caBundle, raw.caProvider) {
        case (let bundle?, nil) where !bundle.isEmpty:
            guard let pem = decodeBundle(bundle) else { throw invalid("caBundle is not base64-encoded PEM") }
            ca = .inline(pem: pem)
        case (_, let provider?):
            guard raw.caBundle?.isEmpty ?? true else { throw invalid("set at most one of caBundle and caProvider") }
            guard provider.type == "Secret" else {
                throw invalid("caProvider type \(provider.type) is not supported; use Secret or caBundle")
            }
            ca = .secret(CredentialRef(name: provider.name, key: provider.key, namespace: provider.namespace))
        default:
            ca = .none
        }

        var methods: [Auth] = []
        if let ref = raw.auth.tokenSecretRef { methods.append(.token(ref)) }
        if let k = raw.auth.kubernetes {
            guard !k.role.isEmpty else { throw invalid("auth.kubernetes.role must not be empty") }
            methods.append(
                .kubernetes(
                    mountPath: trimmedMount(k.mountPath, default: "kubernetes"), role: k.role, serviceAccount: k.serviceAccountRef?.name,
                    serviceAccountNamespace: k.serviceAccountRef?.namespace,
                    audiences: (k.serviceAccountRef?.audiences).flatMap { $0.isEmpty ? nil : $0 } ?? [defaultAudience]))
        }
        if let a = raw.auth.appRole {
            guard !a.roleId.isEmpty else { throw invalid("auth.appRole.roleId must not be empty") }
            methods.append(.appRole(mountPath: trimmedMount(a.path, default: "approle"), roleID: a.roleId, secretID: a.secretRef))
        }
        guard methods.count == 1 else {
            throw invalid("auth must set exactly one of tokenSecretRef, kubernetes, appRole (found \(methods.count))")
        }
        let namespace = raw.namespace.flatMap { $0.isEmpty ? nil : $0.trimmingCharacters(in: CharacterSet(charactersIn: "/")) }
        return VaultStoreConfiguration(
            server: server, insecureAllowHTTP: insecureAllowHTTP, mount: mount, kvVersion: kvVersion, namespace: namespace, ca: ca, auth: methods[0])
    }

    private static func trimmedMount(_ path: String?, default fallback: String) -> String {
        let trimmed = (path ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        return trimmed.isEmpty ? fallback : trimmed
    }

    /// `caBundle` is base64 of PEM (the API's `format: byte`); plain PEM is accepted too.
    static func decodeBundle(_ bundle: String) -> String? {
        let trimmed = bundle.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-----BEGIN") { return trimmed }
        guard let data = Data(base64Encoded: trimmed, options: .ignoreUnknownCharacters),
            let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN")
        else { return nil }
        return text
    }
}
