import Foundation
import JSONCore
import SecretProviders

/// Vault's JWT auth method (`auth/MOUNT/login` with `role` and `jwt`): the JWT is a
/// short-lived ServiceAccount token from the TokenRequest API, or one kept in a Secret.
/// Exactly one of `serviceAccountRef` and `secretRef`.
public struct VaultJWTAuth: Codable, Sendable, Hashable {
    /// Where the JWT auth method is mounted.
    public var mountPath: String?
    /// The Vault role to log in as (`role_type: jwt`).
    public var role: String
    /// The service account whose short-lived token is the JWT (audience `vault` unless `audiences` says
    /// otherwise).
    public var serviceAccountRef: ServiceAccountSelector?
    /// A Secret key holding the JWT.
    public var secretRef: SecretKeySelector?
    public var unknownFields = UnknownFields()

    public init(mountPath: String? = nil, role: String, serviceAccountRef: ServiceAccountSelector? = nil, secretRef: SecretKeySelector? = nil) {
        self.mountPath = mountPath
        self.role = role
        self.serviceAccountRef = serviceAccountRef
        self.secretRef = secretRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case mountPath, role, serviceAccountRef, secretRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mountPath = try c.decodeIfPresent(.mountPath)
        role = try c.decode(.role, or: "")
        serviceAccountRef = try c.decodeIfPresent(.serviceAccountRef)
        secretRef = try c.decodeIfPresent(.secretRef)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(mountPath, forKey: .mountPath)
        try c.encode(role, forKey: .role)
        try c.encodeIfPresent(serviceAccountRef, forKey: .serviceAccountRef)
        try c.encodeIfPresent(secretRef, forKey: .secretRef)
    }
}

extension VaultJWTAuth: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Vault's JWT auth method (`auth/MOUNT/login` with `role` and `jwt`): the JWT is a short-lived ServiceAccount token from the TokenRequest API, or one kept in a Secret. Exactly one of `serviceAccountRef` and `secretRef`.",
            properties: [
                "mountPath": OpenAPISchema.string("Where the JWT auth method is mounted.", default: "jwt"),
                "role": OpenAPISchema.string("The Vault role to log in as (`role_type: jwt`).", minLength: 1),
                "serviceAccountRef": ServiceAccountSelector.openAPISchema.described(
                    "The service account whose short-lived token is the JWT (audience `vault` unless `audiences` says otherwise)."),
                "secretRef": SecretKeySelector.openAPISchema.described("A Secret key holding the JWT."),
            ],
            required: ["role"],
            validations: [OpenAPISchema.exactlyOne(of: ["serviceAccountRef", "secretRef"])])
    }
}

/// Vault's TLS certificate auth method: Rotor presents the client certificate of a
/// `kubernetes.io/tls` Secret (`tls.crt`, `tls.key`) to `auth/MOUNT/login`. The certificate is
/// presented on this store's connections only.
public struct VaultCertAuth: Codable, Sendable, Hashable {
    /// Where the cert auth method is mounted.
    public var mountPath: String?
    /// The certificate role to log in as; without it, Vault tries every role of the mount.
    public var name: String?
    /// The `kubernetes.io/tls` Secret holding the client certificate (`tls.crt`) and its key (`tls.key`).
    public var clientCertSecretRef: VaultTLSSecretRef
    public var unknownFields = UnknownFields()

    public init(mountPath: String? = nil, name: String? = nil, clientCertSecretRef: VaultTLSSecretRef) {
        self.mountPath = mountPath
        self.name = name
        self.clientCertSecretRef = clientCertSecretRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case mountPath, name, clientCertSecretRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mountPath = try c.decodeIfPresent(.mountPath)
        name = try c.decodeIfPresent(.name)
        clientCertSecretRef = try c.decode(.clientCertSecretRef, or: VaultTLSSecretRef(name: ""))
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(mountPath, forKey: .mountPath)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encode(clientCertSecretRef, forKey: .clientCertSecretRef)
    }
}

extension VaultCertAuth: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Vault's TLS certificate auth method: Rotor presents the client certificate of a `kubernetes.io/tls` Secret (`tls.crt`, `tls.key`) to `auth/MOUNT/login`. The certificate is presented on this store's connections only.",
            properties: [
                "mountPath": OpenAPISchema.string("Where the cert auth method is mounted.", default: "cert"),
                "name": OpenAPISchema.string("The certificate role to log in as; without it, Vault tries every role of the mount."),
                "clientCertSecretRef": VaultTLSSecretRef.openAPISchema.described(
                    "The `kubernetes.io/tls` Secret holding the client certificate (`tls.crt`) and its key (`tls.key`)."),
            ],
            required: ["clientCertSecretRef"])
    }
}

/// A `kubernetes.io/tls` Secret: its `tls.crt` and `tls.key`.
public struct VaultTLSSecretRef: Codable, Sendable, Hashable {
    /// The name of the Secret.
    public var name: String
    /// The Secret's namespace; only for a ClusterSecretStore (a SecretStore may only read Secrets of its own
    /// namespace).
    public var namespace: String?
    public var unknownFields = UnknownFields()

    public init(name: String, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, namespace }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, or: "")
        namespace = try c.decodeIfPresent(.namespace)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(namespace, forKey: .namespace)
    }
}

extension VaultTLSSecretRef: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A `kubernetes.io/tls` Secret: its `tls.crt` and `tls.key`.",
            properties: [
                "name": OpenAPISchema.string("The name of the Secret.", minLength: 1),
                "namespace": OpenAPISchema.string(
                    "The Secret's namespace; only for a ClusterSecretStore (a SecretStore may only read Secrets of its own namespace)."),
            ],
            required: ["name"])
    }
}
