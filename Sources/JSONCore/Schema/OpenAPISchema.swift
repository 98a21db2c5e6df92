import Foundation

/// A type whose JSON form is described by an OpenAPI v3 schema, declared next to its fields
/// so that the CRDs cannot drift from the Swift types.
public protocol SchemaDescribed {
    /// A structural schema (every level has a `type`) as CRDs carry it.
    static var openAPISchema: JSONValue { get }
}

/// Builders for the structural OpenAPI v3 schemas of CRDs, as `JSONValue`.
///
/// Only what structural schemas allow is offered: every builder sets `type`, and there is
/// no `oneOf`; "exactly one of" rules are CEL `x-kubernetes-validations` (see `rule`).
public enum OpenAPISchema {
    public static func object(
        _ description: String? = nil, properties: [String: JSONValue], required: [String] = [],
        validations: [JSONValue] = []
    ) -> JSONValue {
        var schema: JSONObject = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        if !validations.isEmpty { schema["x-kubernetes-validations"] = .array(validations) }
        return with(schema, description)
    }

    public static func string(
        _ description: String? = nil, enum values: [String]? = nil, default defaultValue: String? = nil,
        pattern: String? = nil, format: String? = nil, minLength: Int? = nil
    ) -> JSONValue {
        var schema: JSONObject = ["type": "string"]
        if let values { schema["enum"] = .array(values.map(JSONValue.string)) }
        if let defaultValue { schema["default"] = .string(defaultValue) }
        if let pattern { schema["pattern"] = .string(pattern) }
        if let format { schema["format"] = .string(format) }
        if let minLength { schema["minLength"] = .int(Int64(minLength)) }
        return with(schema, description)
    }

    /// A string restricted to the known values of `type`.
    public static func string<Value: OpenStringEnum>(
        _ description: String? = nil, of type: Value.Type, default defaultValue: Value? = nil
    ) -> JSONValue {
        string(description, enum: Value.knownValues.map(\.rawValue), default: defaultValue?.rawValue)
    }

    /// A `metav1.Time`.
    public static func dateTime(_ description: String? = nil) -> JSONValue {
        string(description, format: "date-time")
    }

    public static func boolean(_ description: String? = nil, default defaultValue: Bool? = nil) -> JSONValue {
        var schema: JSONObject = ["type": "boolean"]
        if let defaultValue { schema["default"] = .bool(defaultValue) }
        return with(schema, description)
    }

    public static func integer(
        _ description: String? = nil, format: String? = nil, minimum: Int? = nil, maximum: Int? = nil,
        default defaultValue: Int? = nil
    ) -> JSONValue {
        var schema: JSONObject = ["type": "integer"]
        if let format { schema["format"] = .string(format) }
        if let minimum { schema["minimum"] = .int(Int64(minimum)) }
        if let maximum { schema["maximum"] = .int(Int64(maximum)) }
        if let defaultValue { schema["default"] = .int(Int64(defaultValue)) }
        return with(schema, description)
    }

    public static func array(_ description: String? = nil, of items: JSONValue, listType: String? = nil) -> JSONValue {
        var schema: JSONObject = ["type": "array", "items": items]
        if let listType { schema["x-kubernetes-list-type"] = .string(listType) }
        return with(schema, description)
    }

    /// A map with string values (labels, annotations, tags).
    public static func stringMap(_ description: String? = nil) -> JSONValue {
        with(["type": "object", "additionalProperties": ["type": "string"]], description)
    }

    /// An object whose members are not validated and not pruned (`metadata` of the root is
    /// validated by the API server itself).
    public static func opaqueObject(_ description: String? = nil) -> JSONValue {
        with(["type": "object"], description)
    }

    /// A CEL validation rule (`x-kubernetes-validations` entry).
    public static func rule(_ rule: String, message: String) -> JSONValue {
        ["rule": .string(rule), "message": .string(message)]
    }

    /// A CEL rule requiring exactly one of the optional `fields` of an object.
    public static func exactlyOne(of fields: [String]) -> JSONValue {
        let sum = fields.map { "(has(self.\($0)) ? 1 : 0)" }.joined(separator: " + ")
        return rule("\(sum) == 1", message: "exactly one of \(fields.joined(separator: ", ")) must be set")
    }

    /// A CEL rule allowing at most one of the optional `fields` of an object.
    public static func atMostOne(of fields: [String]) -> JSONValue {
        let sum = fields.map { "(has(self.\($0)) ? 1 : 0)" }.joined(separator: " + ")
        return rule("\(sum) <= 1", message: "at most one of \(fields.joined(separator: ", ")) may be set")
    }

    private static func with(_ schema: JSONObject, _ description: String?) -> JSONValue {
        var schema = schema
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }
}

extension JSONValue {
    /// This schema with its `description` replaced: a field describes what the value means
    /// there, which can say more than the type's own description.
    public func described(_ description: String) -> JSONValue {
        var copy = self
        copy["description"] = .string(description)
        return copy
    }
}
