import Foundation
import JSONCore

/// An OpenAPI v3 schema as CustomResourceDefinitions carry it (`apiextensions/v1.JSONSchemaProps`),
/// with the Kubernetes `x-kubernetes-*` extensions.
///
/// Models the fields structural schemas use; the rest (`$ref`, `externalDocs`,
/// `patternProperties`, …) stay in `unknownFields`, so a schema survives a round trip.
/// A recursive value type: `properties`, `oneOf`, … hold schemas in collections, and
/// `items` and `not` keep theirs in an immutable box.
public struct JSONSchemaProps: Codable, Sendable, Hashable {
    /// `object`, `array`, `string`, `integer`, `number` or `boolean`.
    public var type: String?
    /// e.g. `date-time`, `int32`, `byte`, `duration`.
    public var format: String?
    public var title: String?
    public var description: String?
    public var properties: [String: JSONSchemaProps]?
    public var required: [String]?
    /// The schema of array elements. (The array-of-schemas form, which structural schemas
    /// forbid, is kept verbatim in `unknownFields["items"]`.)
    public var items: JSONSchemaProps? {
        get { itemsBox?.value }
        set { itemsBox = newValue.map(JSONSchemaPropsBox.init) }
    }
    /// For maps: a schema for every value, or whether other keys are allowed at all.
    public var additionalProperties: JSONSchemaPropsOrBool?
    /// The only allowed values.
    public var `enum`: [JSONValue]?
    /// What the API server fills in when the field is absent.
    public var `default`: JSONValue?
    public var example: JSONValue?
    /// An ECMA 262 regular expression strings must match.
    public var pattern: String?
    public var minimum: Double?
    public var maximum: Double?
    public var exclusiveMinimum: Bool?
    public var exclusiveMaximum: Bool?
    public var multipleOf: Double?
    public var minLength: Int64?
    public var maxLength: Int64?
    public var minItems: Int64?
    public var maxItems: Int64?
    public var uniqueItems: Bool?
    public var minProperties: Int64?
    public var maxProperties: Int64?
    /// Whether `null` is accepted (and kept rather than pruned).
    public var nullable: Bool?
    public var oneOf: [JSONSchemaProps]?
    public var anyOf: [JSONSchemaProps]?
    public var allOf: [JSONSchemaProps]?
    public var not: JSONSchemaProps? {
        get { notBox?.value }
        set { notBox = newValue.map(JSONSchemaPropsBox.init) }
    }
    /// Keep fields the schema does not declare instead of pruning them.
    public var xKubernetesPreserveUnknownFields: Bool?
    /// The value is a whole Kubernetes object (apiVersion, kind, metadata are validated).
    public var xKubernetesEmbeddedResource: Bool?
    /// The value is an integer or a string (e.g. `maxUnavailable: 25%`).
    public var xKubernetesIntOrString: Bool?
    /// How server-side apply merges the list: `atomic`, `set` or `map`.
    public var xKubernetesListType: String?
    /// With list type `map`: the fields identifying an element.
    public var xKubernetesListMapKeys: [String]?
    /// How server-side apply merges the object: `granular` or `atomic`.
    public var xKubernetesMapType: String?
    /// CEL validation rules (`[{rule, message, …}]`), kept as JSON.
    public var xKubernetesValidations: JSONValue?
    public var unknownFields = UnknownFields()

    private var itemsBox: JSONSchemaPropsBox?
    private var notBox: JSONSchemaPropsBox?

    public init(
        type: String? = nil, format: String? = nil, title: String? = nil, description: String? = nil,
        properties: [String: JSONSchemaProps]? = nil, required: [String]? = nil, items: JSONSchemaProps? = nil,
        additionalProperties: JSONSchemaPropsOrBool? = nil, enum: [JSONValue]? = nil, default: JSONValue? = nil,
        example: JSONValue? = nil, pattern: String? = nil, minimum: Double? = nil, maximum: Double? = nil,
        exclusiveMinimum: Bool? = nil, exclusiveMaximum: Bool? = nil, multipleOf: Double? = nil,
        minLength: Int64? = nil, maxLength: Int64? = nil, minItems: Int64? = nil, maxItems: Int64? = nil,
        uniqueItems: Bool? = nil, minProperties: Int64? = nil, maxProperties: Int64? = nil, nullable: Bool? = nil,
        oneOf: [JSONSchemaProps]? = nil, anyOf: [JSONSchemaProps]? = nil, allOf: [JSONSchemaProps]? = nil,
        not: JSONSchemaProps? = nil, xKubernetesPreserveUnknownFields: Bool? = nil,
        xKubernetesEmbeddedResource: Bool? = nil, xKubernetesIntOrString: Bool? = nil,
        xKubernetesListType: String? = nil, xKubernetesListMapKeys: [String]? = nil,
        xKubernetesMapType: String? = nil, xKubernetesValidations: JSONValue? = nil
    ) {
        self.type = type
        self.format = format
        self.title = title
        self.description = description
        self.properties = properties
        self.required = required
        self.itemsBox = items.map(JSONSchemaPropsBox.init)
        self.additionalProperties = additionalProperties
        self.enum = `enum`
        self.default = `default`
        self.example = example
        self.pattern = pattern
        self.minimum = minimum
        self.maximum = maximum
        self.exclusiveMinimum = exclusiveMinimum
        self.exclusiveMaximum = exclusiveMaximum
        self.multipleOf = multipleOf
        self.minLength = minLength
        self.maxLength = maxLength
        self.minItems = minItems
        self.maxItems = maxItems
        self.uniqueItems = uniqueItems
        self.minProperties = minProperties
        self.maxProperties = maxProperties
        self.nullable = nullable
        self.oneOf = oneOf
        self.anyOf = anyOf
        self.allOf = allOf
        self.notBox = not.map(JSONSchemaPropsBox.init)
        self.xKubernetesPreserveUnknownFields = xKubernetesPreserveUnknownFields
        self.xKubernetesEmbeddedResource = xKubernetesEmbeddedResource
        self.xKubernetesIntOrString = xKubernetesIntOrString
        self.xKubernetesListType = xKubernetesListType
        self.xKubernetesListMapKeys = xKubernetesListMapKeys
        self.xKubernetesMapType = xKubernetesMapType
        self.xKubernetesValidations = xKubernetesValidations
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, format, title, description, properties, required, items, additionalProperties
        case `enum`, `default`, example, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf
        case minLength, maxLength, minItems, maxItems, uniqueItems, minProperties, maxProperties, nullable
        case oneOf, anyOf, allOf, not
        case xKubernetesPreserveUnknownFields = "x-kubernetes-preserve-unknown-fields"
        case xKubernetesEmbeddedResource = "x-kubernetes-embedded-resource"
        case xKubernetesIntOrString = "x-kubernetes-int-or-string"
        case xKubernetesListType = "x-kubernetes-list-type"
        case xKubernetesListMapKeys = "x-kubernetes-list-map-keys"
        case xKubernetesMapType = "x-kubernetes-map-type"
        case xKubernetesValidations = "x-kubernetes-validations"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(.type)
        format = try c.decodeIfPresent(.format)
        title = try c.decodeIfPresent(.title)
        description = try c.decodeIfPresent(.description)
        properties = try c.decodeIfPresent(.properties)
        required = try c.decodeIfPresent(.required)
        additionalProperties = try c.decodeIfPresent(.additionalProperties)
        `enum` = try c.decodeIfPresent(.enum)
        `default` = try c.decodeIfPresent(.default)
        example = try c.decodeIfPresent(.example)
        pattern = try c.decodeIfPresent(.pattern)
        minimum = try c.decodeIfPresent(.minimum)
        maximum = try c.decodeIfPresent(.maximum)
        exclusiveMinimum = try c.decodeIfPresent(.exclusiveMinimum)
        exclusiveMaximum = try c.decodeIfPresent(.exclusiveMaximum)
        multipleOf = try c.decodeIfPresent(.multipleOf)
        minLength = try c.decodeIfPresent(.minLength)
        maxLength = try c.decodeIfPresent(.maxLength)
        minItems = try c.decodeIfPresent(.minItems)
        maxItems = try c.decodeIfPresent(.maxItems)
        uniqueItems = try c.decodeIfPresent(.uniqueItems)
        minProperties = try c.decodeIfPresent(.minProperties)
        maxProperties = try c.decodeIfPresent(.maxProperties)
        nullable = try c.decodeIfPresent(.nullable)
        oneOf = try c.decodeIfPresent(.oneOf)
        anyOf = try c.decodeIfPresent(.anyOf)
        allOf = try c.decodeIfPresent(.allOf)
        notBox = try (c.decodeIfPresent(.not) as JSONSchemaProps?).map(JSONSchemaPropsBox.init)
        xKubernetesPreserveUnknownFields = try c.decodeIfPresent(.xKubernetesPreserveUnknownFields)
        xKubernetesEmbeddedResource = try c.decodeIfPresent(.xKubernetesEmbeddedResource)
        xKubernetesIntOrString = try c.decodeIfPresent(.xKubernetesIntOrString)
        xKubernetesListType = try c.decodeIfPresent(.xKubernetesListType)
        xKubernetesListMapKeys = try c.decodeIfPresent(.xKubernetesListMapKeys)
        xKubernetesMapType = try c.decodeIfPresent(.xKubernetesMapType)
        xKubernetesValidations = try c.decodeIfPresent(.xKubernetesValidations)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
        if let tuple = try? c.decodeIfPresent([JSONValue].self, forKey: .items) {
            unknownFields["items"] = .array(tuple)
        } else {
            itemsBox = try (c.decodeIfPresent(.items) as JSONSchemaProps?).map(JSONSchemaPropsBox.init)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(format, forKey: .format)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(properties, forKey: .properties)
        try c.encodeIfPresent(required, forKey: .required)
        try c.encodeIfPresent(items, forKey: .items)
        try c.encodeIfPresent(additionalProperties, forKey: .additionalProperties)
        try c.encodeIfPresent(`enum`, forKey: .enum)
        try c.encodeIfPresent(`default`, forKey: .default)
        try c.encodeIfPresent(example, forKey: .example)
        try c.encodeIfPresent(pattern, forKey: .pattern)
        try c.encodeIfPresent(minimum, forKey: .minimum)
        try c.encodeIfPresent(maximum, forKey: .maximum)
        try c.encodeIfPresent(exclusiveMinimum, forKey: .exclusiveMinimum)
        try c.encodeIfPresent(exclusiveMaximum, forKey: .exclusiveMaximum)
        try c.encodeIfPresent(multipleOf, forKey: .multipleOf)
        try c.encodeIfPresent(minLength, forKey: .minLength)
        try c.encodeIfPresent(maxLength, forKey: .maxLength)
        try c.encodeIfPresent(minItems, forKey: .minItems)
        try c.encodeIfPresent(maxItems, forKey: .maxItems)
        try c.encodeIfPresent(uniqueItems, forKey: .uniqueItems)
        try c.encodeIfPresent(minProperties, forKey: .minProperties)
        try c.encodeIfPresent(maxProperties, forKey: .maxProperties)
        try c.encodeIfPresent(nullable, forKey: .nullable)
        try c.encodeIfPresent(oneOf, forKey: .oneOf)
        try c.encodeIfPresent(anyOf, forKey: .anyOf)
        try c.encodeIfPresent(allOf, forKey: .allOf)
        try c.encodeIfPresent(not, forKey: .not)
        try c.encodeIfPresent(xKubernetesPreserveUnknownFields, forKey: .xKubernetesPreserveUnknownFields)
        try c.encodeIfPresent(xKubernetesEmbeddedResource, forKey: .xKubernetesEmbeddedResource)
        try c.encodeIfPresent(xKubernetesIntOrString, forKey: .xKubernetesIntOrString)
        try c.encodeIfPresent(xKubernetesListType, forKey: .xKubernetesListType)
        try c.encodeIfPresent(xKubernetesListMapKeys, forKey: .xKubernetesListMapKeys)
        try c.encodeIfPresent(xKubernetesMapType, forKey: .xKubernetesMapType)
        try c.encodeIfPresent(xKubernetesValidations, forKey: .xKubernetesValidations)
    }
}

/// `additionalProperties`: either a schema every extra value must match, or whether
/// extra keys are allowed at all.
public indirect enum JSONSchemaPropsOrBool: Codable, Sendable, Hashable {
    case allowed(Bool)
    case schema(JSONSchemaProps)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let allowed = try? container.decode(Bool.self) {
            self = .allowed(allowed)
        } else {
            self = .schema(try container.decode(JSONSchemaProps.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .allowed(let allowed): try container.encode(allowed)
        case .schema(let schema): try container.encode(schema)
        }
    }
}

/// Heap storage that lets a schema hold a schema. Immutable (a new box is made on every
/// write), so the struct keeps value semantics; its only stored property is a `let` of a
/// Sendable type, so it is Sendable without `@unchecked`.
private final class JSONSchemaPropsBox: Sendable, Hashable {
    let value: JSONSchemaProps

    init(_ value: JSONSchemaProps) { self.value = value }

    static func == (lhs: JSONSchemaPropsBox, rhs: JSONSchemaPropsBox) -> Bool { lhs.value == rhs.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
