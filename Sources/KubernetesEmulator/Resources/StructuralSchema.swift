import Foundation
import JSONCore
import KubeAPI

/// Applies a CRD's structural OpenAPI v3 schema to a custom resource the way
/// kube-apiserver does: defaults first, then pruning of unknown fields, then
/// validation of types, required members, enums, patterns and bounds.
struct StructuralSchema: Sendable {
    let root: JSONValue
    /// Every `pattern` of the schema, compiled once when the CRD is registered rather than per
    /// validated value (compiling an ICU regex costs more than the rest of a validation).
    private let patterns: [String: CompiledPattern]

    init(_ root: JSONValue) {
        self.root = root
        var patterns: [String: CompiledPattern] = [:]
        Self.collectPatterns(root, into: &patterns)
        self.patterns = patterns
    }

    /// A compiled `pattern`; nil when the pattern is not a valid regular expression, which
    /// (as before) validates nothing.
    private struct CompiledPattern: @unchecked Sendable {
        // NSRegularExpression is immutable once made and safe to share between threads.
        let regex: NSRegularExpression?
    }

    private static func collectPatterns(_ schema: JSONValue, into patterns: inout [String: CompiledPattern]) {
        switch schema {
        case .object(let members):
            if let pattern = members["pattern"]?.stringValue, patterns[pattern] == nil {
                patterns[pattern] = CompiledPattern(regex: try? NSRegularExpression(pattern: pattern))
            }
            for member in members.values { collectPatterns(member, into: &patterns) }
        case .array(let items):
            for item in items { collectPatterns(item, into: &patterns) }
        default:
            return
        }
    }

    /// Fills in `default`s of absent members (recursively, for present parents).
    func applyDefaults(_ value: JSONValue) -> JSONValue { Self.defaulted(value, schema: root) }

    private static func defaulted(_ value: JSONValue, schema: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            if let properties = schema["properties"]?.objectValue {
                for (name, propertySchema) in properties {
                    if object[name] == nil, let def = propertySchema["default"] { object[name] = def }
                    if let child = object[name] { object[name] = defaulted(child, schema: propertySchema) }
                }
            } else if let additional = schema["additionalProperties"], additional.objectValue != nil {
                for (name, child) in object { object[name] = defaulted(child, schema: additional) }
            }
            return .object(object)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.map { defaulted($0, schema: itemSchema) })
        default:
            return value
        }
    }

    /// Drops members the schema does not declare; returns their paths.
    func prune(_ value: inout JSONValue) -> [String] {
        var dropped: [String] = []
        Self.prune(&value, schema: root, path: "", isRoot: true, dropped: &dropped)
        return dropped
    }

    private static func prune(_ value: inout JSONValue, schema: JSONValue, path: String, isRoot: Bool, dropped: inout [String]) {
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true && schema["properties"] == nil
            && schema["additionalProperties"] == nil && schema["items"] == nil
        {
            return
        }
        switch value {
        case .object(var object):
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            for name in object.keys.sorted() {
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if isRoot && ["apiVersion", "kind", "metadata"].contains(name) { continue }
                if let childSchema = properties?[name] {
                    prune(&object[name]!, schema: childSchema, path: childPath, isRoot: false, dropped: &dropped)
                } else if let additional, additional.objectValue != nil {
                    prune(&object[name]!, schema: additional, path: childPath, isRoot: false, dropped: &dropped)
                } else if additional?.boolValue == true || preserve {
                    continue
                } else {
                    object[name] = nil
                    dropped.append(childPath)
                }
            }
            value = .object(object)
        case .array(var items):
            guard let itemSchema = schema["items"] else { return }
            for i in items.indices {
                prune(&items[i], schema: itemSchema, path: "\(path)[\(i)]", isRoot: false, dropped: &dropped)
            }
            value = .array(items)
        default:
            return
        }
    }

    /// Field errors of the value against the schema.
    func validate(_ value: JSONValue) -> [StatusCause] {
        var causes: [StatusCause] = []
        validate(value, schema: root, path: "", isRoot: true, causes: &causes)
        return causes
    }

    private func describe(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "\"\(s)\""
        default: return v.serializedString()
        }
    }

    private func validate(_ value: JSONValue, schema: JSONValue, path: String, isRoot: Bool, causes: inout [StatusCause]) {
        let field = path
        if value.isNull {
            if schema["nullable"]?.boolValue == true || isRoot { return }
            causes.append(StatusCause(reason: "FieldValueTypeInvalid", message: "Invalid value: \"null\": \(field) in body must be of type \(schema["type"]?.stringValue ?? "object"): \"null\"", field: field))
            return
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .int, .string: break
            default:
                causes.append(StatusCause(reason: "FieldValueTypeInvalid", message: "Invalid value: \"\(value.typeName)\": \(field) in body must be of type integer,string: \"\(value.typeName)\"", field: field))
                return
            }
        } else if let type = schema["type"]?.stringValue {
            let ok: Bool
            switch (type, value) {
            case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int): ok = true
            case ("number", .int), ("number", .double): ok = true
            case ("integer", .double(let d)): ok = d.rounded() == d
            default: ok = false
            }
            if !ok {
                causes.append(StatusCause(reason: "FieldValueTypeInvalid", message: "Invalid value: \"\(value.typeName)\": \(field) in body must be of type \(type): \"\(value.typeName)\"", field: field))
                return
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            let supported = options.map(describe).joined(separator: ", ")
            causes.append(StatusCause(reason: "FieldValueNotSupported", message: "Unsupported value: \(describe(value)): supported values: \(supported)", field: field))
        }
        switch value {
        case .string(let s):
            if let pattern = schema["pattern"]?.stringValue,
                let regex = patterns[pattern]?.regex ?? (try? NSRegularExpression(pattern: pattern)),
                regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil
            {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(s)\": \(field) in body should match '\(pattern)'", field: field))
            }
            let length = s.count
            if let min = schema["minLength"]?.intValue, length < min {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(s)\": \(field) in body should be at least \(min) chars long", field: field))
            }
            if let max = schema["maxLength"]?.intValue, length > max {
                causes.append(StatusCause(reason: "FieldValueTooLong", message: "Too long: may not be more than \(max) bytes", field: field))
            }
        case .int, .double:
            let number = value.doubleValue!
            if let min = schema["minimum"]?.doubleValue {
                let exclusive = schema["exclusiveMinimum"]?.boolValue == true
                if exclusive ? number <= min : number < min {
                    causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(describe(value)): \(field) in body should be greater than \(exclusive ? "" : "or equal to ")\(describe(schema["minimum"]!))", field: field))
                }
            }
            if let max = schema["maximum"]?.doubleValue {
                let exclusive = schema["exclusiveMaximum"]?.boolValue == true
                if exclusive ? number >= max : number > max {
                    causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(describe(value)): \(field) in body should be less than \(exclusive ? "" : "or equal to ")\(describe(schema["maximum"]!))", field: field))
                }
            }
        case .array(let items):
            if let min = schema["minItems"]?.intValue, items.count < min {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(items.count): \(field) in body should have at least \(min) items", field: field))
            }
            if let max = schema["maxItems"]?.intValue, items.count > max {
                causes.append(StatusCause(reason: "FieldValueTooMany", message: "Too many: \(items.count): must have at most \(max) items", field: field))
            }
            if let itemSchema = schema["items"] {
                for (i, item) in items.enumerated() {
                    validate(item, schema: itemSchema, path: "\(path)[\(i)]", isRoot: false, causes: &causes)
                }
            }
        case .object(let object):
            for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[required] == nil {
                let childPath = path.isEmpty ? required : "\(path).\(required)"
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: childPath))
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for name in object.keys.sorted() {
                if isRoot && ["apiVersion", "kind", "metadata"].contains(name) { continue }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if let childSchema = properties[name] {
                    validate(object[name]!, schema: childSchema, path: childPath, isRoot: false, causes: &causes)
                } else if let additional = schema["additionalProperties"], additional.objectValue != nil {
                    validate(object[name]!, schema: additional, path: childPath, isRoot: false, causes: &causes)
                }
            }
        default:
            break
        }
    }
}

/// Custom resources of one CRD version: structural-schema defaulting, pruning and validation.
struct CustomResourceStrategy: ResourceStrategy {
    var schema: StructuralSchema?
    var supportsStrategicMerge: Bool { false }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        guard let schema else { return [] }
        var value = schema.applyDefaults(.object(object))
        unknownFields += schema.prune(&value)
        object = value.objectValue ?? object
        var causes = schema.validate(value)
        if schema.hasValidationRules && causes.contains(where: { StructuralSchema.blockingReasons.contains($0.reason ?? "") }) {
            causes.append(StructuralSchema.rulesNotChecked)
        }
        return causes + schema.listDuplicates(value)
    }
}
