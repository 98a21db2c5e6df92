import Foundation
import JSONCore
import KubeAPI

/// The Secret an ExternalSecret writes, and how.
public struct ExternalSecretTarget: Codable, Sendable, Hashable {
    /// The Secret's name; defaults to the ExternalSecret's name.
    public var name: String?
    /// Whether the ExternalSecret owns the Secret, merges into an existing one, or leaves it orphaned.
    public var creationPolicy: CreationPolicy?
    /// What to do with synced keys when the remote secret is gone.
    public var deletionPolicy: DeletionPolicy?
    /// Create the Secret immutable: its data can then only change by replacing it.
    public var immutable: Bool?
    /// Renders the Secret from templates over the fetched values.
    public var template: ExternalSecretTemplate?
    public var unknownFields = UnknownFields()

    public init(
        name: String? = nil, creationPolicy: CreationPolicy? = nil, deletionPolicy: DeletionPolicy? = nil,
        immutable: Bool? = nil, template: ExternalSecretTemplate? = nil
    ) {
        self.name = name
        self.creationPolicy = creationPolicy
        self.deletionPolicy = deletionPolicy
        self.immutable = immutable
        self.template = template
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, creationPolicy, deletionPolicy, immutable, template
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(.name)
        creationPolicy = try c.decodeIfPresent(.creationPolicy)
        deletionPolicy = try c.decodeIfPresent(.deletionPolicy)
        immutable = try c.decodeIfPresent(.immutable)
        template = try c.decodeIfPresent(.template)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(creationPolicy, forKey: .creationPolicy)
        try c.encodeIfPresent(deletionPolicy, forKey: .deletionPolicy)
        try c.encodeIfPresent(immutable, forKey: .immutable)
        try c.encodeIfPresent(template, forKey: .template)
    }
}

extension ExternalSecretTarget: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "The Secret an ExternalSecret writes, and how.",
            properties: [
                "name": OpenAPISchema.string("The Secret's name; defaults to the ExternalSecret's name."),
                "creationPolicy": OpenAPISchema.string(
                    "Whether the ExternalSecret owns the Secret, merges into an existing one, or leaves it orphaned.", of: CreationPolicy.self, default: .owner),
                "deletionPolicy": OpenAPISchema.string(
                    "What to do with synced keys when the remote secret is gone.", of: DeletionPolicy.self, default: .retain),
                "immutable": OpenAPISchema.boolean(
                    "Create the Secret immutable: its data can then only change by replacing it.", default: false),
                "template": ExternalSecretTemplate.openAPISchema.described(
                    "Renders the Secret from templates over the fetched values."),
            ])
    }
}

extension ExternalSecretTarget {
    /// `creationPolicy`, or `Owner` when unset.
    public var effectiveCreationPolicy: CreationPolicy { creationPolicy ?? .owner }
    /// `deletionPolicy`, or `Retain` when unset.
    public var effectiveDeletionPolicy: DeletionPolicy { deletionPolicy ?? .retain }
}

/// How the target Secret is owned.
public struct CreationPolicy: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Rotor creates the Secret with a controller ownerReference; deleting the ExternalSecret deletes it.
    public static let owner: CreationPolicy = "Owner"
    /// Rotor writes its keys into an existing Secret it did not create and leaves its other keys alone.
    public static let merge: CreationPolicy = "Merge"
    /// Rotor creates the Secret without an ownerReference; it outlives the ExternalSecret.
    public static let orphan: CreationPolicy = "Orphan"

    public static let knownValues: [CreationPolicy] = [.owner, .merge, .orphan]
}

/// What happens to synced keys when the remote secret is gone.
public struct DeletionPolicy: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Keep the last synced values and report `SecretNotFound`.
    public static let retain: DeletionPolicy = "Retain"
    /// Remove the keys (and an Owner Secret left empty).
    public static let delete: DeletionPolicy = "Delete"

    public static let knownValues: [DeletionPolicy] = [.retain, .delete]
}

/// Renders the target Secret from the fetched values instead of copying them key by key.
public struct ExternalSecretTemplate: Codable, Sendable, Hashable {
    /// The Secret `type`, e.g. `Opaque` or `kubernetes.io/dockerconfigjson`; the keys the type
    /// requires (e.g. `tls.crt` and `tls.key`) are checked before writing, and the type of an
    /// existing Secret is never changed.
    public var type: String?
    /// Labels and annotations of the Secret.
    public var metadata: ExternalSecretTemplateMetadata?
    /// Secret keys and their Mustache templates over the fetched values, e.g.
    /// `postgres://{{user}}:{{password}}@db:5432/shop`, with functions such as
    /// `{{b64enc(x)}}`, `{{pemPrivateKey(bundle)}}`, `{{dockerconfigjson(.)}}`. Rendered values
    /// are never logged.
    public var data: [String: String]?
    public var unknownFields = UnknownFields()

    public init(type: String? = nil, metadata: ExternalSecretTemplateMetadata? = nil, data: [String: String]? = nil) {
        self.type = type
        self.metadata = metadata
        self.data = data
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case type, metadata, data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(.type)
        metadata = try c.decodeIfPresent(.metadata)
        data = try c.decodeIfPresent(.data)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(metadata, forKey: .metadata)
        try c.encodeIfPresent(data, forKey: .data)
    }
}

extension ExternalSecretTemplate: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Renders the target Secret from the fetched values instead of copying them key by key.",
            properties: [
                "type": OpenAPISchema.string(
                    "The Secret `type`, e.g. `Opaque` or `kubernetes.io/dockerconfigjson`; the keys the type requires (e.g. `tls.crt` and `tls.key`) are checked before writing, and the type of an existing Secret is never changed."),
                "metadata": ExternalSecretTemplateMetadata.openAPISchema.described(
                    "Labels and annotations of the Secret."),
                "data": OpenAPISchema.stringMap(
                    "Secret keys and their Mustache templates over the fetched values, e.g. `postgres://{{user}}:{{password}}@db:5432/shop`, with functions such as `{{b64enc(x)}}`, `{{pemPrivateKey(bundle)}}`, `{{dockerconfigjson(.)}}`. Rendered values are never logged."),
            ])
    }
}

/// Labels and annotations added to the target Secret.
public struct ExternalSecretTemplateMetadata: Codable, Sendable, Hashable {
    /// Labels added to the Secret.
    public var labels: [String: String]?
    /// Annotations added to the Secret.
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

extension ExternalSecretTemplateMetadata: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Labels and annotations added to the target Secret.",
            properties: [
                "labels": OpenAPISchema.stringMap("Labels added to the Secret."),
                "annotations": OpenAPISchema.stringMap("Annotations added to the Secret."),
            ])
    }
}
