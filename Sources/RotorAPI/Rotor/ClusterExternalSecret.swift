import Foundation
import JSONCore
import KubeAPI

/// A `ClusterExternalSecret`: one cluster-scoped object that creates, keeps and removes an
/// ExternalSecret in every namespace it selects, so a platform team ships one secret (a
/// registry credential, a CA bundle) to many teams. With a ClusterSecretStore the provider is
/// read once per refresh for all of them (the ExternalSecrets share the store's reads).
public struct ClusterExternalSecret: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { RotorResourceTypes.clusterExternalSecrets }

    public var metadata: ObjectMeta
    public var spec: ClusterExternalSecretSpec
    public var status: ClusterExternalSecretStatus?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: ClusterExternalSecretSpec = ClusterExternalSecretSpec(),
        status: ClusterExternalSecretStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The name of the ExternalSecrets it creates: `spec.externalSecretName`, or its own name.
    public var externalSecretName: String {
        if let name = spec.externalSecretName, !name.isEmpty { return name }
        return name
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: ClusterExternalSecretSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// Which namespaces get an ExternalSecret, and what it is.
public struct ClusterExternalSecretSpec: Codable, Sendable, Hashable {
    /// Namespaces selected by their labels; a namespace matching any selector is selected.
    public var namespaceSelectors: [LabelSelector]?
    /// Namespaces selected by name (added to those the selectors select).
    public var namespaces: [String]?
    /// The name of each ExternalSecret; default: the ClusterExternalSecret's name.
    public var externalSecretName: String?
    /// Labels and annotations given to each ExternalSecret.
    public var externalSecretMetadata: ExternalSecretMetadata?
    /// The spec of each ExternalSecret.
    public var externalSecretSpec: ExternalSecretSpec
    /// How often the selection is evaluated again besides on every Namespace change, e.g. `1m`.
    public var refreshTime: String?
    public var unknownFields = UnknownFields()

    public init(
        namespaceSelectors: [LabelSelector]? = nil, namespaces: [String]? = nil, externalSecretName: String? = nil,
        externalSecretMetadata: ExternalSecretMetadata? = nil, externalSecretSpec: ExternalSecretSpec = ExternalSecretSpec(),
        refreshTime: String? = nil
    ) {
        self.namespaceSelectors = namespaceSelectors
        self.namespaces = namespaces
        self.externalSecretName = externalSecretName
        self.externalSecretMetadata = externalSecretMetadata
        self.externalSecretSpec = externalSecretSpec
        self.refreshTime = refreshTime
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case namespaceSelectors, namespaces, externalSecretName, externalSecretMetadata, externalSecretSpec, refreshTime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        namespaceSelectors = try c.decodeIfPresent(.namespaceSelectors)
        namespaces = try c.decodeIfPresent(.namespaces)
        externalSecretName = try c.decodeIfPresent(.externalSecretName)
        externalSecretMetadata = try c.decodeIfPresent(.externalSecretMetadata)
        externalSecretSpec = try c.decode(.externalSecretSpec, or: ExternalSecretSpec())
        refreshTime = try c.decodeIfPresent(.refreshTime)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(namespaceSelectors, forKey: .namespaceSelectors)
        try c.encodeIfPresent(namespaces, forKey: .namespaces)
        try c.encodeIfPresent(externalSecretName, forKey: .externalSecretName)
        try c.encodeIfPresent(externalSecretMetadata, forKey: .externalSecretMetadata)
        try c.encode(externalSecretSpec, forKey: .externalSecretSpec)
        try c.encodeIfPresent(refreshTime, forKey: .refreshTime)
    }

    /// The default of `refreshTime`.
    public static let defaultRefreshTime = KubeDuration.minutes(1)

    /// `refreshTime` parsed (default one minute); nil when it is not a duration.
    public var refreshTimeDuration: KubeDuration? {
        refreshTime.map { KubeDuration($0) } ?? Self.defaultRefreshTime
    }
}

extension ClusterExternalSecretSpec: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Which namespaces get an ExternalSecret, and what it is.",
            properties: [
                "namespaceSelectors": OpenAPISchema.array(
                    "Namespaces selected by their labels; a namespace matching any selector is selected.", of: OpenAPISchema.labelSelector()),
                "namespaces": OpenAPISchema.array("Namespaces selected by name (added to those the selectors select).", of: OpenAPISchema.string()),
                "externalSecretName": OpenAPISchema.string("The name of each ExternalSecret; default: the ClusterExternalSecret's name."),
                "externalSecretMetadata": ExternalSecretMetadata.openAPISchema.described("Labels and annotations given to each ExternalSecret."),
                "externalSecretSpec": ExternalSecretSpec.openAPISchema.described("The spec of each ExternalSecret."),
                "refreshTime": OpenAPISchema.duration(
                    "How often the selection is evaluated again besides on every Namespace change, e.g. `1m`.", default: "1m"),
            ],
            required: ["externalSecretSpec"])
    }
}

/// Labels and annotations for the ExternalSecrets a ClusterExternalSecret creates.
public struct ExternalSecretMetadata: Codable, Sendable, Hashable {
    /// Labels added to each ExternalSecret (`rotor.dev/` keys are Rotor's and refused).
    public var labels: [String: String]?
    /// Annotations added to each ExternalSecret (`rotor.dev/` keys are Rotor's and refused).
    public var annotations: [String: String]?
    public var unknownFields = UnknownFields()

    public init(labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.labels = labels
        self.annotations = annotations
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case labels, annotations }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        labels = try c.decodeIfPresent(.labels)
        annotations = try c.decodeIfPresent(.annotations)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(labels, forKey: .labels)
        try c.encodeIfPresent(annotations, forKey: .annotations)
    }
}

extension ExternalSecretMetadata: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Labels and annotations for the ExternalSecrets a ClusterExternalSecret creates.",
            properties: [
                "labels": OpenAPISchema.stringMap("Labels added to each ExternalSecret (`rotor.dev/` keys are Rotor's and refused)."),
                "annotations": OpenAPISchema.stringMap("Annotations added to each ExternalSecret (`rotor.dev/` keys are Rotor's and refused)."),
            ])
    }
}

/// Where the ExternalSecrets are, and where they could not be made.
public struct ClusterExternalSecretStatus: Codable, Sendable, Hashable {
    /// `Ready`: True when every selected namespace has its ExternalSecret.
    public var conditions: [Condition]?
    /// The name of the ExternalSecrets.
    public var externalSecretName: String?
    /// The namespaces that have their ExternalSecret, sorted.
    public var provisionedNamespaces: [String]?
    /// The namespaces where it could not be made, and why.
    public var failedNamespaces: [ClusterExternalSecretNamespaceFailure]?
    /// The metadata.generation the status describes.
    public var observedGeneration: Int64?
    public var unknownFields = UnknownFields()

    public init(
        conditions: [Condition]? = nil, externalSecretName: String? = nil, provisionedNamespaces: [String]? = nil,
        failedNamespaces: [ClusterExternalSecretNamespaceFailure]? = nil, observedGeneration: Int64? = nil
    ) {
        self.conditions = conditions
        self.externalSecretName = externalSecretName
        self.provisionedNamespaces = provisionedNamespaces
        self.failedNamespaces = failedNamespaces
        self.observedGeneration = observedGeneration
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case conditions, externalSecretName, provisionedNamespaces, failedNamespaces, observedGeneration
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conditions = try c.decodeIfPresent(.conditions)
        externalSecretName = try c.decodeIfPresent(.externalSecretName)
        provisionedNamespaces = try c.decodeIfPresent(.provisionedNamespaces)
        failedNamespaces = try c.decodeIfPresent(.failedNamespaces)
        observedGeneration = try c.decodeIfPresent(.observedGeneration)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(conditions, forKey: .conditions)
        try c.encodeIfPresent(externalSecretName, forKey: .externalSecretName)
        try c.encodeIfPresent(provisionedNamespaces, forKey: .provisionedNamespaces)
        try c.encodeIfPresent(failedNamespaces, forKey: .failedNamespaces)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
    }
}

extension ClusterExternalSecretStatus: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Where the ExternalSecrets are, and where they could not be made.",
            properties: [
                "conditions": OpenAPISchema.conditions("`Ready`: True when every selected namespace has its ExternalSecret."),
                "externalSecretName": OpenAPISchema.string("The name of the ExternalSecrets."),
                "provisionedNamespaces": OpenAPISchema.array("The namespaces that have their ExternalSecret, sorted.", of: OpenAPISchema.string()),
                "failedNamespaces": OpenAPISchema.array(
                    "The namespaces where it could not be made, and why.", of: ClusterExternalSecretNamespaceFailure.openAPISchema),
                "observedGeneration": OpenAPISchema.integer("The metadata.generation the status describes.", format: "int64"),
            ])
    }
}

/// A namespace where a ClusterExternalSecret's ExternalSecret could not be made.
public struct ClusterExternalSecretNamespaceFailure: Codable, Sendable, Hashable {
    /// The namespace.
    public var namespace: String
    /// Why, e.g. another ExternalSecret of that name that this one does not manage.
    public var reason: String?
    public var unknownFields = UnknownFields()

    public init(namespace: String, reason: String? = nil) {
        self.namespace = namespace
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case namespace, reason }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        namespace = try c.decode(.namespace, or: "")
        reason = try c.decodeIfPresent(.reason)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(namespace, forKey: .namespace)
        try c.encodeIfPresent(reason, forKey: .reason)
    }
}

extension ClusterExternalSecretNamespaceFailure: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A namespace where a ClusterExternalSecret's ExternalSecret could not be made.",
            properties: [
                "namespace": OpenAPISchema.string("The namespace."),
                "reason": OpenAPISchema.string("Why, e.g. another ExternalSecret of that name that this one does not manage."),
            ],
            required: ["namespace"])
    }
}
