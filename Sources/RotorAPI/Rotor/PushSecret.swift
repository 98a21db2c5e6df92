import Foundation
import JSONCore
import KubeAPI

/// A `PushSecret`: the reverse of an ExternalSecret. Keys of a Kubernetes Secret are
/// written to a provider (Vault KV, AWS Secrets Manager) as properties of JSON documents,
/// with conditional writes so a concurrent writer's properties are never lost.
///
/// It writes only through a SecretStore of its own namespace with `ReadWrite` capability:
/// a ClusterSecretStore is shared, and a tenant pushing through it could overwrite what
/// other namespaces read.
public struct PushSecret: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { RotorResourceTypes.pushSecrets }

    public var metadata: ObjectMeta
    public var spec: PushSecretSpec
    public var status: PushSecretStatus?
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PushSecretSpec = PushSecretSpec(), status: PushSecretStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: PushSecretSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }

    /// The finalizer a PushSecret with `deletionPolicy: Delete` carries until what it pushed is withdrawn.
    public static let cleanupFinalizer = "rotor.dev/push-secret-cleanup"
}

/// What to push, where, and how.
public struct PushSecretSpec: Codable, Sendable, Hashable {
    /// The SecretStore (of this namespace, `ReadWrite`) to write through.
    public var secretStoreRef: SecretStoreRef
    /// The Secret whose keys are pushed.
    public var selector: PushSecretSelector
    /// Which keys go to which remote document and property.
    public var data: [PushSecretData]?
    /// How often the Secret is read and pushed again, e.g. `1h`; `0` pushes once.
    public var refreshInterval: String?
    /// `Replace` (default): set the properties; `IfNotExists`: never touch a remote document that exists.
    public var updatePolicy: PushSecretUpdatePolicy?
    /// `None` (default): deleting the PushSecret leaves the remote as it is; `Delete`: the pushed properties are removed.
    public var deletionPolicy: PushSecretDeletionPolicy?
    public var unknownFields = UnknownFields()

    public init(
        secretStoreRef: SecretStoreRef = SecretStoreRef(name: ""), selector: PushSecretSelector = PushSecretSelector(),
        data: [PushSecretData]? = nil, refreshInterval: String? = nil, updatePolicy: PushSecretUpdatePolicy? = nil,
        deletionPolicy: PushSecretDeletionPolicy? = nil
    ) {
        self.secretStoreRef = secretStoreRef
        self.selector = selector
        self.data = data
        self.refreshInterval = refreshInterval
        self.updatePolicy = updatePolicy
        self.deletionPolicy = deletionPolicy
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case secretStoreRef, selector, data, refreshInterval, updatePolicy, deletionPolicy }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        secretStoreRef = try c.decode(.secretStoreRef, or: SecretStoreRef(name: ""))
        selector = try c.decode(.selector, or: PushSecretSelector())
        data = try c.decodeIfPresent(.data)
        refreshInterval = try c.decodeIfPresent(.refreshInterval)
        updatePolicy = try c.decodeIfPresent(.updatePolicy)
        deletionPolicy = try c.decodeIfPresent(.deletionPolicy)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(secretStoreRef, forKey: .secretStoreRef)
        try c.encode(selector, forKey: .selector)
        try c.encodeIfPresent(data, forKey: .data)
        try c.encodeIfPresent(refreshInterval, forKey: .refreshInterval)
        try c.encodeIfPresent(updatePolicy, forKey: .updatePolicy)
        try c.encodeIfPresent(deletionPolicy, forKey: .deletionPolicy)
    }

    /// `refreshInterval` parsed (default one hour); nil when it is not a duration.
    public var refreshIntervalDuration: KubeDuration? {
        refreshInterval.map { KubeDuration($0) } ?? ExternalSecretSpec.defaultRefreshInterval
    }
}

extension PushSecretSpec: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "What to push, where, and how.",
            properties: [
                "secretStoreRef": SecretStoreRef.openAPISchema.described("The SecretStore (of this namespace, `ReadWrite`) to write through."),
                "selector": PushSecretSelector.openAPISchema.described("The Secret whose keys are pushed."),
                "data": OpenAPISchema.array("Which keys go to which remote document and property.", of: PushSecretData.openAPISchema),
                "refreshInterval": OpenAPISchema.duration("How often the Secret is read and pushed again, e.g. `1h`; `0` pushes once.", default: "1h"),
                "updatePolicy": OpenAPISchema.string(
                    "`Replace` (default): set the properties; `IfNotExists`: never touch a remote document that exists.",
                    of: PushSecretUpdatePolicy.self, default: .replace),
                "deletionPolicy": OpenAPISchema.string(
                    "`None` (default): deleting the PushSecret leaves the remote as it is; `Delete`: the pushed properties are removed.",
                    of: PushSecretDeletionPolicy.self, default: PushSecretDeletionPolicy.none),
            ],
            required: ["secretStoreRef", "selector", "data"])
    }
}

/// `Replace` or `IfNotExists`.
public struct PushSecretUpdatePolicy: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let replace: PushSecretUpdatePolicy = "Replace"
    public static let ifNotExists: PushSecretUpdatePolicy = "IfNotExists"
    public static let knownValues: [PushSecretUpdatePolicy] = [.replace, .ifNotExists]
}

/// `None` or `Delete`.
public struct PushSecretDeletionPolicy: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none: PushSecretDeletionPolicy = "None"
    public static let delete: PushSecretDeletionPolicy = "Delete"
    public static let knownValues: [PushSecretDeletionPolicy] = [.none, .delete]
}

/// Which Secret is pushed.
public struct PushSecretSelector: Codable, Sendable, Hashable {
    /// The Secret, in the PushSecret's namespace.
    public var secret: PushSecretSourceRef
    public var unknownFields = UnknownFields()

    public init(secret: PushSecretSourceRef = PushSecretSourceRef()) { self.secret = secret }

    enum CodingKeys: String, CodingKey, CaseIterable { case secret }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        secret = try c.decode(.secret, or: PushSecretSourceRef())
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(secret, forKey: .secret)
    }
}

extension PushSecretSelector: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Which Secret is pushed.",
            properties: ["secret": PushSecretSourceRef.openAPISchema.described("The Secret, in the PushSecret's namespace.")],
            required: ["secret"])
    }
}

/// A Secret of the PushSecret's namespace, by name.
public struct PushSecretSourceRef: Codable, Sendable, Hashable {
    /// The Secret's name.
    public var name: String
    public var unknownFields = UnknownFields()

    public init(name: String = "") { self.name = name }

    enum CodingKeys: String, CodingKey, CaseIterable { case name }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, or: "")
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
    }
}

extension PushSecretSourceRef: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object("A Secret of the PushSecret's namespace, by name.", properties: ["name": OpenAPISchema.string("The Secret's name.")], required: ["name"])
    }
}

/// One entry of `spec.data`.
public struct PushSecretData: Codable, Sendable, Hashable {
    /// Which key goes where.
    public var match: PushSecretMatch
    public var unknownFields = UnknownFields()

    public init(match: PushSecretMatch) { self.match = match }

    enum CodingKeys: String, CodingKey, CaseIterable { case match }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        match = try c.decode(.match, or: PushSecretMatch())
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(match, forKey: .match)
    }
}

extension PushSecretData: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object("One entry of `spec.data`.", properties: ["match": PushSecretMatch.openAPISchema.described("Which key goes where.")], required: ["match"])
    }
}

/// A key of the Secret (or all of them) and the remote document it goes to.
public struct PushSecretMatch: Codable, Sendable, Hashable {
    /// The Secret's key; absent: every key, each as the property of its name.
    public var secretKey: String?
    /// The remote document and property.
    public var remoteRef: PushSecretRemoteRef
    public var unknownFields = UnknownFields()

    public init(secretKey: String? = nil, remoteRef: PushSecretRemoteRef = PushSecretRemoteRef()) {
        self.secretKey = secretKey
        self.remoteRef = remoteRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case secretKey, remoteRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        secretKey = try c.decodeIfPresent(.secretKey)
        remoteRef = try c.decode(.remoteRef, or: PushSecretRemoteRef())
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(secretKey, forKey: .secretKey)
        try c.encode(remoteRef, forKey: .remoteRef)
    }
}

extension PushSecretMatch: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A key of the Secret (or all of them) and the remote document it goes to.",
            properties: [
                "secretKey": OpenAPISchema.string("The Secret's key; absent: every key, each as the property of its name."),
                "remoteRef": PushSecretRemoteRef.openAPISchema.described("The remote document and property."),
            ],
            required: ["remoteRef"])
    }
}

/// Where a key is written: the document (Vault KV path, AWS secret name) and its property.
public struct PushSecretRemoteRef: Codable, Sendable, Hashable {
    /// The remote document.
    public var remoteKey: String
    /// The property of the document; default: the Secret's key.
    public var property: String?
    public var unknownFields = UnknownFields()

    public init(remoteKey: String = "", property: String? = nil) {
        self.remoteKey = remoteKey
        self.property = property
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case remoteKey, property }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        remoteKey = try c.decode(.remoteKey, or: "")
        property = try c.decodeIfPresent(.property)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(remoteKey, forKey: .remoteKey)
        try c.encodeIfPresent(property, forKey: .property)
    }
}

extension PushSecretRemoteRef: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Where a key is written: the document (Vault KV path, AWS secret name) and its property.",
            properties: [
                "remoteKey": OpenAPISchema.string("The remote document."),
                "property": OpenAPISchema.string("The property of the document; default: the Secret's key."),
            ],
            required: ["remoteKey"])
    }
}

/// What was pushed.
public struct PushSecretStatus: Codable, Sendable, Hashable {
    /// `Ready`: True when every document holds the Secret's values.
    public var conditions: [Condition]?
    /// Each remote document and the version that holds the pushed properties.
    public var syncedPushSecrets: [PushedDocument]?
    /// The metadata.generation the status describes.
    public var observedGeneration: Int64?
    public var unknownFields = UnknownFields()

    public init(conditions: [Condition]? = nil, syncedPushSecrets: [PushedDocument]? = nil, observedGeneration: Int64? = nil) {
        self.conditions = conditions
        self.syncedPushSecrets = syncedPushSecrets
        self.observedGeneration = observedGeneration
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case conditions, syncedPushSecrets, observedGeneration }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conditions = try c.decodeIfPresent(.conditions)
        syncedPushSecrets = try c.decodeIfPresent(.syncedPushSecrets)
        observedGeneration = try c.decodeIfPresent(.observedGeneration)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(conditions, forKey: .conditions)
        try c.encodeIfPresent(syncedPushSecrets, forKey: .syncedPushSecrets)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
    }
}

extension PushSecretStatus: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "What was pushed.",
            properties: [
                "conditions": OpenAPISchema.conditions("`Ready`: True when every document holds the Secret's values."),
                "syncedPushSecrets": OpenAPISchema.array(
                    "Each remote document and the version that holds the pushed properties.", of: PushedDocument.openAPISchema),
                "observedGeneration": OpenAPISchema.integer("The metadata.generation the status describes.", format: "int64"),
            ])
    }
}

/// One remote document a PushSecret wrote (or found as wanted).
public struct PushedDocument: Codable, Sendable, Hashable {
    /// The remote document.
    public var remoteKey: String
    /// Its version holding the pushed properties (Vault KV version, AWS version id).
    public var version: String?
    /// The properties pushed, sorted (names only).
    public var properties: [String]?
    public var unknownFields = UnknownFields()

    public init(remoteKey: String, version: String? = nil, properties: [String]? = nil) {
        self.remoteKey = remoteKey
        self.version = version
        self.properties = properties
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case remoteKey, version, properties }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        remoteKey = try c.decode(.remoteKey, or: "")
        version = try c.decodeIfPresent(.version)
        properties = try c.decodeIfPresent(.properties)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(remoteKey, forKey: .remoteKey)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encodeIfPresent(properties, forKey: .properties)
    }
}

extension PushedDocument: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "One remote document a PushSecret wrote (or found as wanted).",
            properties: [
                "remoteKey": OpenAPISchema.string("The remote document."),
                "version": OpenAPISchema.string("Its version holding the pushed properties (Vault KV version, AWS version id)."),
                "properties": OpenAPISchema.array("The properties pushed, sorted (names only).", of: OpenAPISchema.string()),
            ],
            required: ["remoteKey"])
    }
}
