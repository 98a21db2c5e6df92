import Foundation
import JSONCore

/// An `apiextensions.k8s.io/v1` `CustomResourceDefinition`: declares a resource type,
/// such as Rotor's own `ExternalSecret`, to the API server.
public struct CustomResourceDefinition: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.customResourceDefinitions }

    /// `metadata.name` must be `PLURAL.GROUP`.
    public var metadata: ObjectMeta
    public var spec: CustomResourceDefinitionSpec
    public var status: CustomResourceDefinitionStatus?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: CustomResourceDefinitionSpec = CustomResourceDefinitionSpec(),
        status: CustomResourceDefinitionStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The version objects are stored in; exactly one version has `storage: true`.
    public var storageVersion: CustomResourceDefinitionVersion? {
        spec.versions.first { $0.storage }
    }

    /// True once the API server serves the resource (`Established` is `True`); until then
    /// requests for it get 404.
    public var isEstablished: Bool {
        status?.conditions?.first(ofType: "Established")?.status == .true
    }

    /// The resource type of the custom objects at `version`, or `nil` when no such version
    /// is served.
    public func resourceType(version: String) -> ResourceType? {
        guard spec.versions.contains(where: { $0.name == version && $0.served }) else { return nil }
        return ResourceType(
            group: spec.group, version: version, plural: spec.names.plural, kind: spec.names.kind,
            namespaced: spec.scope == .namespaced)
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: CustomResourceDefinitionSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// Whether custom objects live in namespaces: `Namespaced` or `Cluster`.
public struct ResourceScope: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let namespaced: ResourceScope = "Namespaced"
    public static let cluster: ResourceScope = "Cluster"
}

/// What a CRD defines: the group, names, scope and versions of the resource.
public struct CustomResourceDefinitionSpec: Codable, Sendable, Hashable {
    /// e.g. `rotor.dev`.
    public var group: String
    public var names: CustomResourceDefinitionNames
    public var scope: ResourceScope
    public var versions: [CustomResourceDefinitionVersion]
    /// How objects are converted between versions (`{"strategy": "None"}` or a webhook), kept as JSON.
    public var conversion: JSONValue?
    /// Legacy (`apiextensions/v1beta1`) pruning switch; must be false or absent in v1.
    public var preserveUnknownFields: Bool?
    public var unknownFields = UnknownFields()

    public init(
        group: String = "", names: CustomResourceDefinitionNames = CustomResourceDefinitionNames(),
        scope: ResourceScope = .namespaced, versions: [CustomResourceDefinitionVersion] = [],
        conversion: JSONValue? = nil, preserveUnknownFields: Bool? = nil
    ) {
        self.group = group
        self.names = names
        self.scope = scope
        self.versions = versions
        self.conversion = conversion
        self.preserveUnknownFields = preserveUnknownFields
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case group, names, scope, versions, conversion, preserveUnknownFields
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        group = try c.decode(.group, or: "")
        names = try c.decode(.names, or: CustomResourceDefinitionNames())
        scope = try c.decode(.scope, or: .namespaced)
        versions = try c.decode(.versions, or: [])
        conversion = try c.decodeIfPresent(.conversion)
        preserveUnknownFields = try c.decodeIfPresent(.preserveUnknownFields)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group, forKey: .group)
        try c.encode(names, forKey: .names)
        try c.encode(scope, forKey: .scope)
        try c.encode(versions, forKey: .versions)
        try c.encodeIfPresent(conversion, forKey: .conversion)
        try c.encodeIfPresent(preserveUnknownFields, forKey: .preserveUnknownFields)
    }
}

/// The names of a custom resource, in URLs, in kubectl and in JSON.
public struct CustomResourceDefinitionNames: Codable, Sendable, Hashable {
    /// The URL segment, lower case: `externalsecrets`.
    public var plural: String
    /// Lower case; defaults to the lower-cased kind.
    public var singular: String?
    /// CamelCase: `ExternalSecret`.
    public var kind: String
    /// Defaults to `KIND` + `List`.
    public var listKind: String?
    /// kubectl abbreviations, e.g. `es`.
    public var shortNames: [String]?
    /// Groups kubectl can address at once, e.g. `all`.
    public var categories: [String]?
    public var unknownFields = UnknownFields()

    public init(
        plural: String = "", singular: String? = nil, kind: String = "", listKind: String? = nil,
        shortNames: [String]? = nil, categories: [String]? = nil
    ) {
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.listKind = listKind
        self.shortNames = shortNames
        self.categories = categories
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case plural, singular, kind, listKind, shortNames, categories }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        plural = try c.decode(.plural, or: "")
        singular = try c.decodeIfPresent(.singular)
        kind = try c.decode(.kind, or: "")
        listKind = try c.decodeIfPresent(.listKind)
        shortNames = try c.decodeIfPresent(.shortNames)
        categories = try c.decodeIfPresent(.categories)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plural, forKey: .plural)
        try c.encodeIfPresent(singular, forKey: .singular)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(listKind, forKey: .listKind)
        try c.encodeIfPresent(shortNames, forKey: .shortNames)
        try c.encodeIfPresent(categories, forKey: .categories)
    }
}

/// One API version of a custom resource.
public struct CustomResourceDefinitionVersion: Codable, Sendable, Hashable {
    /// e.g. `v1alpha1`.
    public var name: String
    /// Whether the API server serves this version.
    public var served: Bool
    /// Whether objects are stored in this version; true for exactly one version.
    public var storage: Bool
    public var deprecated: Bool?
    /// Returned to clients as a warning header when `deprecated`.
    public var deprecationWarning: String?
    public var schema: CustomResourceValidation?
    public var subresources: CustomResourceSubresources?
    /// Extra columns of `kubectl get`.
    public var additionalPrinterColumns: [CustomResourceColumnDefinition]?
    public var unknownFields = UnknownFields()

    public init(
        name: String, served: Bool = true, storage: Bool = false, deprecated: Bool? = nil,
        deprecationWarning: String? = nil, schema: CustomResourceValidation? = nil,
        subresources: CustomResourceSubresources? = nil,
        additionalPrinterColumns: [CustomResourceColumnDefinition]? = nil
    ) {
        self.name = name
        self.served = served
        self.storage = storage
        self.deprecated = deprecated
        self.deprecationWarning = deprecationWarning
        self.schema = schema
        self.subresources = subresources
        self.additionalPrinterColumns = additionalPrinterColumns
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, served, storage, deprecated, deprecationWarning, schema, subresources, additionalPrinterColumns
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, or: "")
        served = try c.decode(.served, or: false)
        storage = try c.decode(.storage, or: false)
        deprecated = try c.decodeIfPresent(.deprecated)
        deprecationWarning = try c.decodeIfPresent(.deprecationWarning)
        schema = try c.decodeIfPresent(.schema)
        subresources = try c.decodeIfPresent(.subresources)
        additionalPrinterColumns = try c.decodeIfPresent(.additionalPrinterColumns)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(served, forKey: .served)
        try c.encode(storage, forKey: .storage)
        try c.encodeIfPresent(deprecated, forKey: .deprecated)
        try c.encodeIfPresent(deprecationWarning, forKey: .deprecationWarning)
        try c.encodeIfPresent(schema, forKey: .schema)
        try c.encodeIfPresent(subresources, forKey: .subresources)
        try c.encodeIfPresent(additionalPrinterColumns, forKey: .additionalPrinterColumns)
    }
}

/// The schema of a custom resource version.
public struct CustomResourceValidation: Codable, Sendable, Hashable {
    public var openAPIV3Schema: JSONSchemaProps?
    public var unknownFields = UnknownFields()

    public init(openAPIV3Schema: JSONSchemaProps? = nil) { self.openAPIV3Schema = openAPIV3Schema }

    enum CodingKeys: String, CodingKey, CaseIterable { case openAPIV3Schema }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        openAPIV3Schema = try c.decodeIfPresent(.openAPIV3Schema)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(openAPIV3Schema, forKey: .openAPIV3Schema)
    }
}

/// The subresources a custom resource version serves.
public struct CustomResourceSubresources: Codable, Sendable, Hashable {
    /// Present (as the empty object `[:]`) to enable `/status`: then writes to the main
    /// resource ignore `status`, and writes to `/status` ignore everything else.
    public var status: JSONValue?
    /// Enables `/scale`, for `kubectl scale` and autoscalers.
    public var scale: CustomResourceSubresourceScale?
    public var unknownFields = UnknownFields()

    public init(status: JSONValue? = nil, scale: CustomResourceSubresourceScale? = nil) {
        self.status = status
        self.scale = scale
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case status, scale }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decodeIfPresent(.status)
        scale = try c.decodeIfPresent(.scale)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(scale, forKey: .scale)
    }
}

/// Where the `/scale` subresource finds replica counts in a custom object.
public struct CustomResourceSubresourceScale: Codable, Sendable, Hashable {
    /// e.g. `.spec.replicas`.
    public var specReplicasPath: String
    /// e.g. `.status.replicas`.
    public var statusReplicasPath: String
    /// e.g. `.status.selector`, a label selector in query-string form.
    public var labelSelectorPath: String?
    public var unknownFields = UnknownFields()

    public init(specReplicasPath: String, statusReplicasPath: String, labelSelectorPath: String? = nil) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case specReplicasPath, statusReplicasPath, labelSelectorPath }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        specReplicasPath = try c.decode(.specReplicasPath, or: "")
        statusReplicasPath = try c.decode(.statusReplicasPath, or: "")
        labelSelectorPath = try c.decodeIfPresent(.labelSelectorPath)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(specReplicasPath, forKey: .specReplicasPath)
        try c.encode(statusReplicasPath, forKey: .statusReplicasPath)
        try c.encodeIfPresent(labelSelectorPath, forKey: .labelSelectorPath)
    }
}

/// An extra column of `kubectl get` for a custom resource.
public struct CustomResourceColumnDefinition: Codable, Sendable, Hashable {
    /// The column header.
    public var name: String
    /// `string`, `integer`, `number`, `boolean` or `date`.
    public var type: String
    public var format: String?
    public var description: String?
    /// 0 shows the column by default; higher only with `-o wide`.
    public var priority: Int32?
    /// A JSONPath into the object, e.g. `.status.conditions[?(@.type=="Ready")].status`.
    public var jsonPath: String
    public var unknownFields = UnknownFields()

    public init(
        name: String, type: String, jsonPath: String, format: String? = nil, description: String? = nil,
        priority: Int32? = nil
    ) {
        self.name = name
        self.type = type
        self.jsonPath = jsonPath
        self.format = format
        self.description = description
        self.priority = priority
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, type, format, description, priority, jsonPath }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, or: "")
        type = try c.decode(.type, or: "")
        format = try c.decodeIfPresent(.format)
        description = try c.decodeIfPresent(.description)
        priority = try c.decodeIfPresent(.priority)
        jsonPath = try c.decode(.jsonPath, or: "")
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(format, forKey: .format)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(priority, forKey: .priority)
        try c.encode(jsonPath, forKey: .jsonPath)
    }
}

/// The API server's view of a CRD.
public struct CustomResourceDefinitionStatus: Codable, Sendable, Hashable {
    /// `NamesAccepted`, `Established`, `Terminating`, …
    public var conditions: [Condition]?
    /// The names actually in use; they differ from `spec.names` when another CRD holds them.
    public var acceptedNames: CustomResourceDefinitionNames?
    /// Every version objects have ever been stored in; a version may be dropped only
    /// after migrating objects and removing it from this list.
    public var storedVersions: [String]?
    public var unknownFields = UnknownFields()

    public init(
        conditions: [Condition]? = nil, acceptedNames: CustomResourceDefinitionNames? = nil,
        storedVersions: [String]? = nil
    ) {
        self.conditions = conditions
        self.acceptedNames = acceptedNames
        self.storedVersions = storedVersions
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case conditions, acceptedNames, storedVersions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conditions = try c.decodeIfPresent(.conditions)
        acceptedNames = try c.decodeIfPresent(.acceptedNames)
        storedVersions = try c.decodeIfPresent(.storedVersions)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(conditions, forKey: .conditions)
        try c.encodeIfPresent(acceptedNames, forKey: .acceptedNames)
        try c.encodeIfPresent(storedVersions, forKey: .storedVersions)
    }
}
