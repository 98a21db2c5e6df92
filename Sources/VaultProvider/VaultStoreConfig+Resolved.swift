import Foundation
import JSONCore
import SecretProviders

extension VaultStoreConfig {
    /// A store's Vault configuration checked and resolved: defaults applied, the server
    /// normalised, exactly one auth method. What the transport and the authenticator use.
    struct Resolved: Sendable, Hashable {
        enum Auth: Sendable, Hashable {
            case token(SecretKeySelector)
            /// `serviceAccount` nil: the operator's own mounted token.
            case kubernetes(mountPath: String, role: String, serviceAccount: String?, serviceAccountNamespace: String?, audiences: [String])
            case appRole(mountPath: String, roleID: String, secretID: SecretKeySelector)
            case jwt(mountPath: String, role: String, source: JWTSource)
            /// `role` nil: Vault tries every certificate role of the mount.
            case cert(mountPath: String, role: String?, clientCertificate: TLSSecret)

            /// The client certificate the store's connections present (cert auth only).
            var clientCertificate: TLSSecret? {
                if case .cert(_, _, let secret) = self { return secret }
                return nil
            }
        }

        /// Where a JWT login's token comes from.
        enum JWTSource: Sendable, Hashable {
            case serviceAccount(name: String, namespace: String?, audiences: [String])
            case secret(SecretKeySelector)
        }

        /// A `kubernetes.io/tls` Secret: `tls.crt` and `tls.key`.
        struct TLSSecret: Sendable, Hashable {
            var name: String
            var namespace: String?
            static let certificateKey = "tls.crt"
            static let privateKeyKey = "tls.key"
        }

        enum CASource: Sendable, Hashable {
            case none
            case inline(pem: String)
            case secret(SecretKeySelector)
        }

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
    }

    /// The audience a `serviceAccountRef` token gets when the store names none: never the
    /// API server's own, so the token cannot be used against Kubernetes.
    static let defaultAudience = "vault"

    /// Decodes a store's `spec.provider.vault` block. Errors name fields, never values.
    public static func decode(_ config: JSONValue, store: String) throws(ProviderError) -> VaultStoreConfig {
        do {
            return try config.decodeStoreConfig(VaultStoreConfig.self, block: "spec.provider.vault")
        } catch {
            throw error.inStore(store)
        }
    }

    /// Checks the configuration and applies the defaults. Errors name fields, never values.
    func resolved(store: String) throws(ProviderError) -> Resolved {
        func invalid(_ detail: String) -> ProviderError { .invalidRequest(store: store, detail: "vault: \(detail)") }

        var server = self.server.trimmingCharacters(in: .whitespaces)
        while server.hasSuffix("/") { server.removeLast() }
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host != nil
        else { throw invalid("server must be an http(s) URL") }
        let insecureAllowHTTP = self.insecureAllowHTTP ?? false
        if scheme == "http", !insecureAllowHTTP {
            throw invalid(
                "spec.provider.vault.server is http:// (cleartext: tokens and secret values would cross the network unencrypted); use https://, or set spec.provider.vault.insecureAllowHTTP: true")
        }

        let mount = (path ?? "secret").trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        guard !mount.isEmpty else { throw invalid("path (the KV mount) must not be empty") }

        let kvVersion: Int
        switch version?.rawValue ?? "v2" {
        case "v2", "": kvVersion = 2
        case "v1": kvVersion = 1
        default: throw invalid("version must be v1 or v2")
        }

        let ca: Resolved.CASource
        switch (caBundle, caProvider) {
        case (let bundle?, nil) where !bundle.isEmpty:
            guard let pem = Self.decodeBundle(bundle) else { throw invalid("caBundle is not base64-encoded PEM") }
            ca = .inline(pem: pem)
        case (_, let provider?):
            guard caBundle?.isEmpty ?? true else {
                throw invalid("set at most one of \(Self.caSourceFields.joined(separator: " and "))")
            }
            guard provider.type == .secret else {
                throw invalid("caProvider type \(provider.type) is not supported; use Secret or caBundle")
            }
            ca = .secret(SecretKeySelector(name: provider.name, key: provider.key, namespace: provider.namespace))
        default:
            ca = .none
        }

        var methods: [Resolved.Auth] = []
        if let ref = auth.tokenSecretRef { methods.append(.token(ref)) }
        if let k = auth.kubernetes {
            guard !k.role.isEmpty else { throw invalid("auth.kubernetes.role must not be empty") }
            methods.append(
                .kubernetes(
                    mountPath: Self.trimmedMount(k.mountPath, default: "kubernetes"), role: k.role, serviceAccount: k.serviceAccountRef?.name,
                    serviceAccountNamespace: k.serviceAccountRef?.namespace,
                    audiences: (k.serviceAccountRef?.audiences).flatMap { $0.isEmpty ? nil : $0 } ?? [Self.defaultAudience]))
        }
        if let a = auth.appRole {
            guard !a.roleId.isEmpty else { throw invalid("auth.appRole.roleId must not be empty") }
            methods.append(.appRole(mountPath: Self.trimmedMount(a.path, default: "approle"), roleID: a.roleId, secretID: a.secretRef))
        }
        if let j = auth.jwt {
            guard !j.role.isEmpty else { throw invalid("auth.jwt.role must not be empty") }
            let source: Resolved.JWTSource
            switch (j.serviceAccountRef, j.secretRef) {
            case (let account?, nil):
                guard !account.name.isEmpty else { throw invalid("auth.jwt.serviceAccountRef.name must not be empty") }
                source = .serviceAccount(
                    name: account.name, namespace: account.namespace,
                    audiences: account.audiences.flatMap { $0.isEmpty ? nil : $0 } ?? [Self.defaultAudience])
            case (nil, let ref?):
                guard !ref.name.isEmpty, !ref.key.isEmpty else { throw invalid("auth.jwt.secretRef needs name and key") }
                source = .secret(ref)
            default:
                throw invalid("auth.jwt must set exactly one of serviceAccountRef, secretRef")
            }
            methods.append(.jwt(mountPath: Self.trimmedMount(j.mountPath, default: "jwt"), role: j.role, source: source))
        }
        if let c = auth.cert {
            guard !c.clientCertSecretRef.name.isEmpty else { throw invalid("auth.cert.clientCertSecretRef.name must not be empty") }
            methods.append(
                .cert(
                    mountPath: Self.trimmedMount(c.mountPath, default: "cert"), role: c.name.flatMap { $0.isEmpty ? nil : $0 },
                    clientCertificate: Resolved.TLSSecret(name: c.clientCertSecretRef.name, namespace: c.clientCertSecretRef.namespace)))
        }
        guard methods.count == 1 else {
            throw invalid("auth must set exactly one of \(VaultAuth.methodFields.joined(separator: ", ")) (found \(methods.count))")
        }
        let namespace = self.namespace.flatMap { $0.isEmpty ? nil : $0.trimmingCharacters(in: CharacterSet(charactersIn: "/")) }
        return Resolved(
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
