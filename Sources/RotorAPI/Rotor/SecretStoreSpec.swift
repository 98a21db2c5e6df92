import Foundation
import JSONCore
import KubeAPI

/// The provider a store reads from: exactly one of `vault`, `aws` or `fake`.
///
/// Each block is kept as the JSON the store carries: its one Swift type belongs to the
/// provider that reads it (`VaultStoreConfig`, `AWSStoreConfig`, `FakeStoreConfig`), which
/// decodes and checks it, and whose schema the store CRDs carry (``openAPISchema(providers:)``).
public struct SecretStoreProvider: Codable, Sendable, Hashable {
    /// HashiCorp Vault (KV v1 or v2).
    public var vault: JSONValue?
    /// AWS Secrets Manager.
    public var aws: JSONValue?
    /// Static values, for demos and tests.
    public var fake: JSONValue?
    public var unknownFields = UnknownFields()

    public init(vault: JSONValue? = nil, aws: JSONValue? = nil, fake: JSONValue? = nil) {
        self.vault = vault
        self.aws = aws
        self.fake = fake
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case vault, aws, fake }

    /// The provider kinds a store may name, in the order the schema lists them.
    public static let kinds = CodingKeys.allCases.map(\.stringValue)

    /// What each kind's block is, as the schema describes the field.
    static let kindDescriptions = [
        "vault": "HashiCorp Vault (KV v1 or v2).", "aws": "AWS Secrets Manager.", "fake": "Static values, for demos and tests.",
    ]

    /// The blocks that are set, as `(kind, block)` in schema order; a valid store has exactly one.
    public var blocks: [(kind: String, config: JSONValue)] {
        [("vault", vault), ("aws", aws), ("fake", fake)].compactMap { kind, block in block.map { (kind, $0) } }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vault = try c.decodeIfPresent(.vault)
        aws = try c.decodeIfPresent(.aws)
        fake = try c.decodeIfPresent(.fake)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(vault, forKey: .vault)
        try c.encodeIfPresent(aws, forKey: .aws)
        try c.encodeIfPresent(fake, forKey: .fake)
    }
}

extension SecretStoreProvider {
    /// The schema of `spec.provider`, with each kind's block described by `providers[kind]`
    /// (the schema of the provider's config type). A kind missing from `providers` gets an
    /// object whose members are kept unchecked.
    public static func openAPISchema(providers: [String: JSONValue]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for kind in kinds {
            let schema = providers[kind] ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
            properties[kind] = schema.described(kindDescriptions[kind] ?? kind)
        }
        return OpenAPISchema.object(
            "The provider a store reads from: exactly one of `vault`, `aws` or `fake`.",
            properties: properties,
            validations: [OpenAPISchema.exactlyOne(of: kinds)])
    }
}

/// Where a namespace's ExternalSecrets read from, and with which credentials.
public struct SecretStoreSpec: Codable, Sendable, Hashable {
    /// The provider and how to authenticate to it.
    public var provider: SecretStoreProvider
    public var unknownFields = UnknownFields()

    public init(provider: SecretStoreProvider = SecretStoreProvider()) {
        self.provider = provider
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case provider }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        provider = try c.decode(.provider, or: SecretStoreProvider())
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(provider, forKey: .provider)
    }
}

extension SecretStoreSpec {
    /// The schema of the spec; `providers` as in ``SecretStoreProvider/openAPISchema(providers:)``.
    public static func openAPISchema(providers: [String: JSONValue]) -> JSONValue {
        OpenAPISchema.object(
            "Where a namespace's ExternalSecrets read from, and with which credentials.",
            properties: [
                "provider": SecretStoreProvider.openAPISchema(providers: providers).described("The provider and how to authenticate to it."),
            ],
            required: ["provider"])
    }
}

/// A store usable from several namespaces, limited by `conditions`.
public struct ClusterSecretStoreSpec: Codable, Sendable, Hashable {
    /// The provider and how to authenticate to it. Secret references must name their namespace.
    public var provider: SecretStoreProvider
    /// Which namespaces may use the store: a namespace is admitted when any condition admits it. Absent means
    /// every namespace.
    public var conditions: [ClusterSecretStoreCondition]?
    public var unknownFields = UnknownFields()

    public init(
        provider: SecretStoreProvider = SecretStoreProvider(), conditions: [ClusterSecretStoreCondition]? = nil
    ) {
        self.provider = provider
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case provider, conditions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        provider = try c.decode(.provider, or: SecretStoreProvider())
        conditions = try c.decodeIfPresent(.conditions)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(provider, forKey: .provider)
        try c.encodeIfPresent(conditions, forKey: .conditions)
    }
}

extension ClusterSecretStoreSpec {
    /// The schema of the spec; `providers` as in ``SecretStoreProvider/openAPISchema(providers:)``.
    public static func openAPISchema(providers: [String: JSONValue]) -> JSONValue {
        OpenAPISchema.object(
            "A store usable from several namespaces, limited by `conditions`.",
            properties: [
                "provider": SecretStoreProvider.openAPISchema(providers: providers).described(
                    "The provider and how to authenticate to it. Secret references must name their namespace."),
                "conditions": OpenAPISchema.array(
                    "Which namespaces may use the store: a namespace is admitted when any condition admits it. Absent means every namespace.", of: ClusterSecretStoreCondition.openAPISchema),
            ],
            required: ["provider"])
    }
}

/// One rule of which namespaces may use a ClusterSecretStore; a namespace matching either field is admitted.
public struct ClusterSecretStoreCondition: Codable, Sendable, Hashable {
    /// Namespaces admitted by name.
    public var namespaces: [String]?
    /// Namespaces admitted by their labels.
    public var namespaceSelector: LabelSelector?
    public var unknownFields = UnknownFields()

    public init(namespaces: [String]? = nil, namespaceSelector: LabelSelector? = nil) {
        self.namespaces = namespaces
        self.namespaceSelector = namespaceSelector
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case namespaces, namespaceSelector }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        namespaces = try c.decodeIfPresent(.namespaces)
        namespaceSelector = try c.decodeIfPresent(.namespaceSelector)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(namespaces, forKey: .namespaces)
        try c.encodeIfPresent(namespaceSelector, forKey: .namespaceSelector)
    }
}

extension ClusterSecretStoreCondition: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "One rule of which namespaces may use a ClusterSecretStore; a namespace matching either field is admitted.",
            properties: [
                "namespaces": OpenAPISchema.array("Namespaces admitted by name.", of: OpenAPISchema.string()),
                "namespaceSelector": OpenAPISchema.labelSelector("Namespaces admitted by their labels."),
            ])
    }
}

/// What the operator last found out about a store.
public struct SecretStoreStatus: Codable, Sendable, Hashable {
    /// The `Ready` condition: True once the configuration and credentials were checked with the provider.
    public var conditions: [Condition]?
    /// Whether the store can be written to.
    public var capabilities: SecretStoreCapabilities?
    /// The metadata.generation the status describes.
    public var observedGeneration: Int64?
    public var unknownFields = UnknownFields()

    public init(
        conditions: [Condition]? = nil, capabilities: SecretStoreCapabilities? = nil,
        observedGeneration: Int64? = nil
    ) {
        self.conditions = conditions
        self.capabilities = capabilities
        self.observedGeneration = observedGeneration
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case conditions, capabilities, observedGeneration }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conditions = try c.decodeIfPresent(.conditions)
        capabilities = try c.decodeIfPresent(.capabilities)
        observedGeneration = try c.decodeIfPresent(.observedGeneration)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(conditions, forKey: .conditions)
        try c.encodeIfPresent(capabilities, forKey: .capabilities)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
    }
}

extension SecretStoreStatus: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "What the operator last found out about a store.",
            properties: [
                "conditions": OpenAPISchema.conditions(
                    "The `Ready` condition: True once the configuration and credentials were checked with the provider."),
                "capabilities": OpenAPISchema.string(
                    "Whether the store can be written to.", of: SecretStoreCapabilities.self),
                "observedGeneration": OpenAPISchema.integer(
                    "The metadata.generation the status describes.", format: "int64"),
            ])
    }
}

/// What a store allows: `ReadOnly`, or `ReadWrite` (needed by scheduled rotation, which writes new values to
/// the provider).
public struct SecretStoreCapabilities: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let readOnly: SecretStoreCapabilities = "ReadOnly"
    public static let readWrite: SecretStoreCapabilities = "ReadWrite"

    public static let knownValues: [SecretStoreCapabilities] = [.readOnly, .readWrite]
}
