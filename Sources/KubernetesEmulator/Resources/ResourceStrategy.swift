import Foundation
import JSONCore
import KubeAPI

/// Type-specific rules of a resource, like a kube-apiserver registry strategy:
/// normalisation on create and update, and validation.
protocol ResourceStrategy: Sendable {
    /// Whether `application/strategic-merge-patch+json` is accepted (built-in types only).
    var supportsStrategicMerge: Bool { get }
    func prepareForCreate(_ object: inout JSONObject, now: KubeTime) throws
    func prepareForUpdate(_ object: inout JSONObject, old: JSONObject) throws
    /// Returns field errors (422); appends the paths of unknown fields (dropped, and
    /// rejected under `fieldValidation=Strict`).
    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause]
}

extension ResourceStrategy {
    func prepareForCreate(_ object: inout JSONObject, now: KubeTime) throws {}
    func prepareForUpdate(_ object: inout JSONObject, old: JSONObject) throws {}
}

/// A built-in type whose body we do not check beyond its top-level members.
struct BuiltinStrategy: ResourceStrategy {
    /// Top-level members of the type; others are unknown fields. `nil` accepts anything.
    var knownMembers: Set<String>?
    var supportsStrategicMerge: Bool { true }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        if let knownMembers {
            for key in object.keys.sorted() where !knownMembers.contains(key) && !["apiVersion", "kind", "metadata"].contains(key) {
                unknownFields.append(key)
                object[key] = nil
            }
        }
        return []
    }
}

/// Secrets: `stringData` is merged into `data` (write-only), data keys and size are
/// checked, the keys a `type` requires are checked (``SecretTypeValidation``), `type`
/// cannot change, and `immutable` Secrets cannot change at all.
struct SecretStrategy: ResourceStrategy {
    var supportsStrategicMerge: Bool { true }
    static let maximumSize = 1024 * 1024

    func prepareForCreate(_ object: inout JSONObject, now: KubeTime) throws {
        try mergeStringData(&object)
        if (object["type"]?.stringValue ?? "").isEmpty { object["type"] = "Opaque" }
    }

    func prepareForUpdate(_ object: inout JSONObject, old: JSONObject) throws {
        try mergeStringData(&object)
        if (object["type"]?.stringValue ?? "").isEmpty { object["type"] = old["type"] ?? "Opaque" }
    }

    private func mergeStringData(_ object: inout JSONObject) throws {
        guard let stringData = object.removeValue(forKey: "stringData")?.objectValue, !stringData.isEmpty else { return }
        var data = object["data"]?.objectValue ?? [:]
        for (key, value) in stringData {
            guard let text = value.stringValue else { throw APIError.badRequest("stringData.\(key): must be a string") }
            data[key] = .string(Data(text.utf8).base64EncodedString())
        }
        object["data"] = .object(data)
    }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        for key in object.keys.sorted() where !["apiVersion", "kind", "metadata", "data", "stringData", "type", "immutable"].contains(key) {
            unknownFields.append(key)
            object[key] = nil
        }
        // kube-apiserver's order: the update's own checks, then those of any Secret.
        let type = object["type"]?.stringValue ?? "Opaque"
        var causes: [StatusCause] = []
        if let old {
            if (old["type"]?.stringValue ?? "Opaque") != type {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(type)\": field is immutable", field: "type"))
            }
            if old["immutable"]?.boolValue == true {
                if object["immutable"]?.boolValue != true {
                    causes.append(StatusCause(reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "immutable"))
                }
                if (old["data"] ?? .object([:])) != (object["data"] ?? .object([:])) {
                    causes.append(StatusCause(reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "data"))
                }
            }
        }
        var total = 0
        var canonical: JSONObject = [:]
        for (key, value) in (object["data"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            for problem in NameRules.configMapKey(key) {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(problem)", field: "data[\(key)]"))
            }
            // Decoded as Go decodes []byte, worded as Go words it (the value itself never
            // appears in a message: it is secret), and stored re-encoded, as Go stores bytes.
            guard let text = value.stringValue else {
                throw APIError.badRequest("Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data in data[\(key)]")
            }
            switch GoBase64.decode(text) {
            case .failure(let error):
                throw APIError.badRequest("Secret in version \"v1\" cannot be handled as a Secret: " + error.message)
            case .success(let bytes):
                total += bytes.count
                canonical[key] = .string(Data(bytes).base64EncodedString())
            }
        }
        if object["data"]?.objectValue != nil { object["data"] = .object(canonical) }
        if total > Self.maximumSize {
            causes.append(StatusCause(reason: "FieldValueTooLong", message: "Too long: must have at most \(Self.maximumSize) bytes", field: "data"))
        }
        causes += SecretTypeValidation.causes(
            type: type, data: object["data"]?.objectValue ?? [:], annotations: object.value(at: ["metadata", "annotations"])?.objectValue ?? [:])
        return causes
    }
}

/// ConfigMaps: keys checked, `immutable` enforced.
struct ConfigMapStrategy: ResourceStrategy {
    var supportsStrategicMerge: Bool { true }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        for key in object.keys.sorted() where !["apiVersion", "kind", "metadata", "data", "binaryData", "immutable"].contains(key) {
            unknownFields.append(key)
            object[key] = nil
        }
        var causes: [StatusCause] = []
        let dataKeys = Set((object["data"]?.objectValue ?? [:]).keys)
        let binaryKeys = Set((object["binaryData"]?.objectValue ?? [:]).keys)
        for key in (Array(dataKeys) + Array(binaryKeys)).sorted() {
            for problem in NameRules.configMapKey(key) {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(problem)", field: "data[\(key)]"))
            }
        }
        for key in dataKeys.intersection(binaryKeys).sorted() {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(key)\": duplicate of key present in binaryData", field: "data[\(key)]"))
        }
        if let old, old["immutable"]?.boolValue == true {
            if old["data"] != object["data"] || old["binaryData"] != object["binaryData"] || object["immutable"]?.boolValue != true {
                causes.append(StatusCause(reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "data"))
            }
        }
        return causes
    }
}

/// Namespaces: `spec.finalizers` holds `kubernetes` so deletion waits for the
/// namespace to be emptied; `status.phase` is Active or Terminating.
struct NamespaceStrategy: ResourceStrategy {
    var supportsStrategicMerge: Bool { true }

    func prepareForCreate(_ object: inout JSONObject, now: KubeTime) throws {
        object["spec"] = ["finalizers": ["kubernetes"]]
        object["status"] = ["phase": "Active"]
        var labels = object.value(at: ["metadata", "labels"])?.objectValue ?? [:]
        if let name = object.value(at: ["metadata", "name"])?.stringValue {
            labels["kubernetes.io/metadata.name"] = .string(name)
        }
        object.set(.object(labels), at: ["metadata", "labels"])
    }

    func prepareForUpdate(_ object: inout JSONObject, old: JSONObject) throws {
        object["spec"] = old["spec"]
        object["status"] = old["status"]
        if let name = old.value(at: ["metadata", "name"])?.stringValue {
            object.set(.string(name), at: ["metadata", "labels", "kubernetes.io/metadata.name"])
        }
    }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        for key in object.keys.sorted() where !["apiVersion", "kind", "metadata", "spec", "status"].contains(key) {
            unknownFields.append(key)
            object[key] = nil
        }
        return []
    }
}

/// Leases: a duration, when given, must be positive (coordination validation).
struct LeaseStrategy: ResourceStrategy {
    var supportsStrategicMerge: Bool { true }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        var causes = try BuiltinStrategy(knownMembers: ["spec"]).validate(&object, old: old, unknownFields: &unknownFields)
        if let duration = object.value(at: ["spec", "leaseDurationSeconds"])?.intValue, duration <= 0 {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(duration): must be greater than 0", field: "spec.leaseDurationSeconds"))
        }
        return causes
    }
}
