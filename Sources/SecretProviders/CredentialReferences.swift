import Foundation
import JSONCore

/// A key of a Kubernetes Secret holding a credential (a Vault token, AWS keys, an AppRole secret-id).
///
/// Always in the store's own namespace for a SecretStore; a ClusterSecretStore must name the namespace.
public struct SecretKeySelector: Codable, Sendable, Hashable {
    /// The name of the Secret.
    public var name: String
    /// The key within the Secret's data.
    public var key: String
    /// The Secret's namespace; only for a ClusterSecretStore (a SecretStore may only read Secrets of its own
    /// namespace).
    public var namespace: String?
    public var unknownFields = UnknownFields()

    public init(name: String, key: String, namespace: String? = nil) {
        self.name = name
        self.key = key
        self.namespace = namespace
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, key, namespace }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, or: "")
        key = try c.decode(.key, or: "")
        namespace = try c.decodeIfPresent(.namespace)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(namespace, forKey: .namespace)
    }
}

extension SecretKeySelector: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A key of a Kubernetes Secret holding a credential (a Vault token, AWS keys, an AppRole secret-id).",
            properties: [
                "name": OpenAPISchema.string("The name of the Secret.", minLength: 1),
                "key": OpenAPISchema.string("The key within the Secret's data.", minLength: 1),
                "namespace": OpenAPISchema.string(
                    "The Secret's namespace; only for a ClusterSecretStore (a SecretStore may only read Secrets of its own namespace)."),
            ],
            required: ["name", "key"])
    }
}

/// A service account whose short-lived token (from the TokenRequest API, never a long-lived token Secret)
/// authenticates to a provider.
public struct ServiceAccountSelector: Codable, Sendable, Hashable {
    /// The name of the ServiceAccount.
    public var name: String
    /// The audiences of the requested token; the provider checks them. Default: `vault` for Vault,
    /// `sts.amazonaws.com` for AWS. An audience the Kubernetes API server accepts is refused.
    public var audiences: [String]?
    /// The ServiceAccount's namespace; only for a ClusterSecretStore.
    public var namespace: String?
    public var unknownFields = UnknownFields()

    public init(name: String, audiences: [String]? = nil, namespace: String? = nil) {
        self.name = name
        self.audiences = audiences
        self.namespace = namespace
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, audiences, namespace }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, or: "")
        audiences = try c.decodeIfPresent(.audiences)
        namespace = try c.decodeIfPresent(.namespace)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(audiences, forKey: .audiences)
        try c.encodeIfPresent(namespace, forKey: .namespace)
    }
}

extension ServiceAccountSelector: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A service account whose short-lived token (from the TokenRequest API, never a long-lived token Secret) authenticates to a provider.",
            properties: [
                "name": OpenAPISchema.string("The name of the ServiceAccount.", minLength: 1),
                "audiences": OpenAPISchema.array(
                    "The audiences of the requested token; the provider checks them. Default: `vault` for Vault, `sts.amazonaws.com` for AWS. An audience the Kubernetes API server accepts is refused.", of: OpenAPISchema.string()),
                "namespace": OpenAPISchema.string("The ServiceAccount's namespace; only for a ClusterSecretStore."),
            ],
            required: ["name"])
    }
}
