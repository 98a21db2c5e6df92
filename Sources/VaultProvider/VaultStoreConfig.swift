import Foundation
import JSONCore
import SecretProviders

/// Reads (and for scheduled rotation writes) secrets in a HashiCorp Vault KV engine.
///
/// A store's `spec.provider.vault` block: the one type the provider decodes from the store's
/// JSON and the store CRDs' schema is generated from (``openAPISchema``).
public struct VaultStoreConfig: Codable, Sendable, Hashable {
    /// The Vault address, e.g. `https://vault.example:8200`.
    public var server: String
    /// The mount path of the KV engine, e.g. `secret`.
    public var path: String?
    /// The KV engine version.
    public var version: VaultKVVersion?
    /// The Vault Enterprise namespace, sent as the `X-Vault-Namespace` header.
    public var namespace: String?
    /// Base64-encoded PEM CA certificates to trust for the server, instead of the system roots.
    public var caBundle: String?
    /// CA certificates kept in a Secret or ConfigMap.
    public var caProvider: CAProvider?
    /// Allows an `http://` server: tokens and secret values then cross the network in cleartext. Off by
    /// default; the store carries a warning while on.
    public var insecureAllowHTTP: Bool?
    /// How to authenticate.
    public var auth: VaultAuth
    public var unknownFields = UnknownFields()

    public init(
        server: String, path: String? = nil, version: VaultKVVersion? = nil, namespace: String? = nil,
        caBundle: String? = nil, caProvider: CAProvider? = nil, insecureAllowHTTP: Bool? = nil, auth: VaultAuth = VaultAuth()
    ) {
        self.insecureAllowHTTP = insecureAllowHTTP
        self.server = server
        self.path = path
        self.version = version
        self.namespace = namespace
        self.caBundle = caBundle
        self.caProvider = caProvider
        self.auth = auth
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case server, path, version, namespace, caBundle, caProvider, insecureAllowHTTP, auth
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        server = try c.decode(.server, or: "")
        path = try c.decodeIfPresent(.path)
        version = try c.decodeIfPresent(.version)
        namespace = try c.decodeIfPresent(.namespace)
        caBundle = try c.decodeIfPresent(.caBundle)
        caProvider = try c.decodeIfPresent(.caProvider)
        insecureAllowHTTP = try c.decodeIfPresent(.insecureAllowHTTP)
        auth = try c.decode(.auth, or: VaultAuth())
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(server, forKey: .server)
        try c.encodeIfPresent(path, forKey: .path)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encodeIfPresent(namespace, forKey: .namespace)
        try c.encodeIfPresent(caBundle, forKey: .caBundle)
        try c.encodeIfPresent(caProvider, forKey: .caProvider)
        try c.encodeIfPresent(insecureAllowHTTP, forKey: .insecureAllowHTTP)
        try c.encode(auth, forKey: .auth)
    }
}

extension VaultStoreConfig: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Reads (and for scheduled rotation writes) secrets in a HashiCorp Vault KV engine.",
            properties: [
                "server": OpenAPISchema.string("The Vault address, e.g. `https://vault.example:8200`.", minLength: 1),
                "path": OpenAPISchema.string("The mount path of the KV engine, e.g. `secret`."),
                "version": OpenAPISchema.string("The KV engine version.", of: VaultKVVersion.self, default: .v2),
                "namespace": OpenAPISchema.string(
                    "The Vault Enterprise namespace, sent as the `X-Vault-Namespace` header."),
                "caBundle": OpenAPISchema.string(
                    "Base64-encoded PEM CA certificates to trust for the server, instead of the system roots.", format: "byte"),
                "caProvider": CAProvider.openAPISchema.described("CA certificates kept in a Secret or ConfigMap."),
                "insecureAllowHTTP": OpenAPISchema.boolean(
                    "Allows an `http://` server: tokens and secret values then cross the network in cleartext. Off by default; the store carries a warning while on.",
                    default: false),
                "auth": VaultAuth.openAPISchema.described("How to authenticate."),
            ],
            required: ["server", "auth"],
            validations: [OpenAPISchema.atMostOne(of: caSourceFields)])
    }

    /// The CA sources of which a store sets at most one: checked by the API server (the
    /// schema's rule) and again by the provider.
    static let caSourceFields = ["caBundle", "caProvider"]
}

extension VaultStoreConfig {
    /// `version`, or `v2` when unset.
    public var effectiveVersion: VaultKVVersion { version ?? .v2 }
}

/// The version of a Vault KV secrets engine: `v1` or `v2` (versioned, the default).
public struct VaultKVVersion: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// KV version 1: unversioned, paths read as `MOUNT/KEY`.
    public static let v1: VaultKVVersion = "v1"
    /// KV version 2: versioned, paths read as `MOUNT/data/KEY`.
    public static let v2: VaultKVVersion = "v2"

    public static let knownValues: [VaultKVVersion] = [.v1, .v2]
}

/// How Rotor authenticates to Vault: exactly one method. Tokens are cached per store and renewed before
/// expiry.
public struct VaultAuth: Codable, Sendable, Hashable {
    /// A Vault token kept in a Secret.
    public var tokenSecretRef: SecretKeySelector?
    /// Kubernetes auth with a short-lived service-account token.
    public var kubernetes: VaultKubernetesAuth?
    /// AppRole auth.
    public var appRole: VaultAppRoleAuth?
    /// JWT auth with a ServiceAccount token or a JWT kept in a Secret.
    public var jwt: VaultJWTAuth?
    /// TLS certificate auth with the client certificate of a `kubernetes.io/tls` Secret.
    public var cert: VaultCertAuth?
    public var unknownFields = UnknownFields()

    public init(
        tokenSecretRef: SecretKeySelector? = nil, kubernetes: VaultKubernetesAuth? = nil,
        appRole: VaultAppRoleAuth? = nil, jwt: VaultJWTAuth? = nil, cert: VaultCertAuth? = nil
    ) {
        self.tokenSecretRef = tokenSecretRef
        self.kubernetes = kubernetes
        self.appRole = appRole
        self.jwt = jwt
        self.cert = cert
    }

    /// The auth methods, of which a store sets exactly one.
    static let methodFields = ["tokenSecretRef", "kubernetes", "appRole", "jwt", "cert"]

    enum CodingKeys: String, CodingKey, CaseIterable { case tokenSecretRef, kubernetes, appRole, jwt, cert }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tokenSecretRef = try c.decodeIfPresent(.tokenSecretRef)
        kubernetes = try c.decodeIfPresent(.kubernetes)
        appRole = try c.decodeIfPresent(.appRole)
        jwt = try c.decodeIfPresent(.jwt)
        cert = try c.decodeIfPresent(.cert)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(tokenSecretRef, forKey: .tokenSecretRef)
        try c.encodeIfPresent(kubernetes, forKey: .kubernetes)
        try c.encodeIfPresent(appRole, forKey: .appRole)
        try c.encodeIfPresent(jwt, forKey: .jwt)
        try c.encodeIfPresent(cert, forKey: .cert)
    }
}

extension VaultAuth: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "How Rotor authenticates to Vault: exactly one method. Tokens are cached per store and renewed before expiry.",
            properties: [
                "tokenSecretRef": SecretKeySelector.openAPISchema.described("A Vault token kept in a Secret."),
                "kubernetes": VaultKubernetesAuth.openAPISchema.described(
                    "Kubernetes auth with a short-lived service-account token."),
                "appRole": VaultAppRoleAuth.openAPISchema.described("AppRole auth."),
                "jwt": VaultJWTAuth.openAPISchema.described("JWT auth with a ServiceAccount token or a JWT kept in a Secret."),
                "cert": VaultCertAuth.openAPISchema.described(
                    "TLS certificate auth with the client certificate of a `kubernetes.io/tls` Secret."),
            ],
            validations: [OpenAPISchema.exactlyOne(of: methodFields)])
    }
}

/// Vault's Kubernetes auth method: Rotor requests a short-lived token for the service account and logs in
/// with it.
public struct VaultKubernetesAuth: Codable, Sendable, Hashable {
    /// Where the auth method is mounted.
    public var mountPath: String?
    /// The Vault role to log in as.
    public var role: String
    /// The service account whose token is presented (audience `vault` unless `audiences` says otherwise).
    /// Without it, the operator's own mounted token: only for a ClusterSecretStore, and only when the operator
    /// runs with `--allow-operator-service-account-token`.
    public var serviceAccountRef: ServiceAccountSelector?
    public var unknownFields = UnknownFields()

    public init(mountPath: String? = nil, role: String, serviceAccountRef: ServiceAccountSelector? = nil) {
        self.mountPath = mountPath
        self.role = role
        self.serviceAccountRef = serviceAccountRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case mountPath, role, serviceAccountRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mountPath = try c.decodeIfPresent(.mountPath)
        role = try c.decode(.role, or: "")
        serviceAccountRef = try c.decodeIfPresent(.serviceAccountRef)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(mountPath, forKey: .mountPath)
        try c.encode(role, forKey: .role)
        try c.encodeIfPresent(serviceAccountRef, forKey: .serviceAccountRef)
    }
}

extension VaultKubernetesAuth: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Vault's Kubernetes auth method: Rotor requests a short-lived token for the service account and logs in with it.",
            properties: [
                "mountPath": OpenAPISchema.string("Where the auth method is mounted.", default: "kubernetes"),
                "role": OpenAPISchema.string("The Vault role to log in as.", minLength: 1),
                "serviceAccountRef": ServiceAccountSelector.openAPISchema.described(
                    "The service account whose token is presented (audience `vault` unless `audiences` says otherwise). Without it, the operator's own mounted token: only for a ClusterSecretStore, and only when the operator runs with `--allow-operator-service-account-token`."),
            ],
            required: ["role"])
    }
}

/// Vault's AppRole auth method: a role ID plus a secret ID read from a Kubernetes Secret.
public struct VaultAppRoleAuth: Codable, Sendable, Hashable {
    /// Where the AppRole auth method is mounted.
    public var path: String?
    /// The role ID (not a secret).
    public var roleId: String
    /// The Secret key holding the secret ID.
    public var secretRef: SecretKeySelector
    public var unknownFields = UnknownFields()

    public init(path: String? = nil, roleId: String, secretRef: SecretKeySelector) {
        self.path = path
        self.roleId = roleId
        self.secretRef = secretRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case path, roleId, secretRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(.path)
        roleId = try c.decode(.roleId, or: "")
        secretRef = try c.decode(.secretRef, or: SecretKeySelector(name: "", key: ""))
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(path, forKey: .path)
        try c.encode(roleId, forKey: .roleId)
        try c.encode(secretRef, forKey: .secretRef)
    }
}

extension VaultAppRoleAuth: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Vault's AppRole auth method: a role ID plus a secret ID read from a Kubernetes Secret.",
            properties: [
                "path": OpenAPISchema.string("Where the AppRole auth method is mounted.", default: "approle"),
                "roleId": OpenAPISchema.string("The role ID (not a secret).", minLength: 1),
                "secretRef": SecretKeySelector.openAPISchema.described("The Secret key holding the secret ID."),
            ],
            required: ["roleId", "secretRef"])
    }
}

/// A CA bundle kept in a Secret or ConfigMap, instead of inline in `caBundle`; re-read when it changes, so
/// the CA can be rotated without editing the store.
public struct CAProvider: Codable, Sendable, Hashable {
    /// Whether the bundle is in a Secret or a ConfigMap.
    public var type: CAProviderType
    /// The name of the Secret or ConfigMap.
    public var name: String
    /// The key holding the PEM bundle.
    public var key: String
    /// Its namespace; only for a ClusterSecretStore.
    public var namespace: String?
    public var unknownFields = UnknownFields()

    public init(type: CAProviderType, name: String, key: String, namespace: String? = nil) {
        self.type = type
        self.name = name
        self.key = key
        self.namespace = namespace
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case type, name, key, namespace }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(.type, or: "")
        name = try c.decode(.name, or: "")
        key = try c.decode(.key, or: "")
        namespace = try c.decodeIfPresent(.namespace)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(name, forKey: .name)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(namespace, forKey: .namespace)
    }
}

extension CAProvider: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A CA bundle kept in a Secret or ConfigMap, instead of inline in `caBundle`; re-read when it changes, so the CA can be rotated without editing the store.",
            properties: [
                "type": OpenAPISchema.string(
                    "Whether the bundle is in a Secret or a ConfigMap.", of: CAProviderType.self),
                "name": OpenAPISchema.string("The name of the Secret or ConfigMap.", minLength: 1),
                "key": OpenAPISchema.string("The key holding the PEM bundle.", minLength: 1),
                "namespace": OpenAPISchema.string("Its namespace; only for a ClusterSecretStore."),
            ],
            required: ["type", "name", "key"])
    }
}

/// Where a CA bundle is kept: a `Secret` or a `ConfigMap`.
public struct CAProviderType: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let secret: CAProviderType = "Secret"
    public static let configMap: CAProviderType = "ConfigMap"

    public static let knownValues: [CAProviderType] = [.secret, .configMap]
}
