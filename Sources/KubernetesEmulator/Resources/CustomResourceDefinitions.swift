import Foundation
import JSONCore
import KubeAPI

/// CustomResourceDefinitions: validated like kube-apiserver's apiextensions
/// strategy, and turned into served resource types.
struct CRDStrategy: ResourceStrategy {
    static let cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"
    var supportsStrategicMerge: Bool { false }

    func prepareForCreate(_ object: inout JSONObject, now: KubeTime) throws {
        var finalizers = object.value(at: ["metadata", "finalizers"])?.arrayValue ?? []
        if !finalizers.contains(.string(Self.cleanupFinalizer)) { finalizers.append(.string(Self.cleanupFinalizer)) }
        object.set(.array(finalizers), at: ["metadata", "finalizers"])
        // What kube-apiserver's defaulting and create strategy write before any controller
        // looks at the CRD: no conversion webhook, no names accepted yet, and the storage
        // version recorded as stored.
        if object.value(at: ["spec", "conversion"]) == nil { object.set(["strategy": "None"], at: ["spec", "conversion"]) }
        let storage = (object.value(at: ["spec", "versions"])?.arrayValue ?? []).first { $0["storage"]?.boolValue == true }?["name"]
        var status: JSONObject = ["acceptedNames": ["kind": "", "plural": ""]]
        status["storedVersions"] = storage.map { .array([$0]) } ?? []
        object["status"] = .object(status)
    }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        var causes: [StatusCause] = []
        func require(_ condition: Bool, _ field: String, _ message: String, reason: String = "FieldValueInvalid") {
            if !condition { causes.append(StatusCause(reason: reason, message: message, field: field)) }
        }
        let spec = object["spec"]?.objectValue ?? [:]
        let group = spec["group"]?.stringValue ?? ""
        let names = spec["names"]?.objectValue ?? [:]
        let plural = names["plural"]?.stringValue ?? ""
        let kind = names["kind"]?.stringValue ?? ""
        let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        require(!group.isEmpty, "spec.group", "Required value", reason: "FieldValueRequired")
        require(group.isEmpty || group.contains("."), "spec.group", "Invalid value: \"\(group)\": should be a domain with at least one dot")
        require(!plural.isEmpty, "spec.names.plural", "Required value", reason: "FieldValueRequired")
        require(!kind.isEmpty, "spec.names.kind", "Required value", reason: "FieldValueRequired")
        require(plural == plural.lowercased() && ObjectValidation.dnsLabelProblem(plural) == nil || plural.isEmpty, "spec.names.plural", "Invalid value: \"\(plural)\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'")
        require(name == "\(plural).\(group)", "metadata.name", "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group")
        let scope = spec["scope"]?.stringValue ?? ""
        require(scope == "Namespaced" || scope == "Cluster", "spec.scope", "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\"", reason: "FieldValueNotSupported")
        let versions = spec["versions"]?.arrayValue ?? []
        require(!versions.isEmpty, "spec.versions", "Invalid value: null: must have exactly one version marked as storage version")
        require(versions.filter { $0["storage"]?.boolValue == true }.count == 1 || versions.isEmpty, "spec.versions", "Invalid value: must have exactly one version marked as storage version")
        for (i, version) in versions.enumerated() {
            let schema = version[path: ["schema", "openAPIV3Schema"]]
            require(schema != nil, "spec.versions[\(i)].schema.openAPIV3Schema", "Required value: schemas are required", reason: "FieldValueRequired")
            if let schema {
                require(schema["type"]?.stringValue == "object", "spec.versions[\(i)].schema.openAPIV3Schema.type", "Unsupported value: \"\(schema["type"]?.stringValue ?? "")\": supported values: \"object\"", reason: "FieldValueNotSupported")
            }
            for (j, column) in (version["additionalPrinterColumns"]?.arrayValue ?? []).enumerated() {
                let path = column["jsonPath"]?.stringValue ?? ""
                require((try? SimpleJSONPath(path)) != nil && !path.isEmpty, "spec.versions[\(i)].additionalPrinterColumns[\(j)].jsonPath", "Invalid value: \"\(path)\": must be a simple json path starting with .")
            }
        }
        if let old {
            let oldScope = old.value(at: ["spec", "scope"])?.stringValue
            require(oldScope == scope, "spec.scope", "Invalid value: \"\(scope)\": field is immutable")
        }
        return causes
    }

    /// The resource type a CRD serves (its storage version), or nil when it defines none.
    static func descriptor(for crd: JSONObject) -> (ResourceDescriptor, CustomResourceStrategy)? {
        guard let spec = crd["spec"]?.objectValue, let group = spec["group"]?.stringValue,
            let names = spec["names"]?.objectValue, let plural = names["plural"]?.stringValue,
            let kind = names["kind"]?.stringValue,
            let version = (spec["versions"]?.arrayValue ?? []).first(where: { $0["storage"]?.boolValue == true })
                ?? spec["versions"]?.arrayValue?.first,
            let versionName = version["name"]?.stringValue
        else { return nil }
        let schema = version[path: ["schema", "openAPIV3Schema"]]
        var columns: [TableColumn] = [Columns.name]
        let printerColumns = version["additionalPrinterColumns"]?.arrayValue ?? []
        for column in printerColumns {
            guard let name = column["name"]?.stringValue, let pathText = column["jsonPath"]?.stringValue,
                let path = try? SimpleJSONPath(pathText)
            else { continue }
            let type = column["type"]?.stringValue ?? "string"
            columns.append(
                TableColumn(
                    name: name, type: type, format: column["format"]?.stringValue ?? "",
                    description: column["description"]?.stringValue ?? "", priority: Int(column["priority"]?.intValue ?? 0)
                ) { object, context in
                    let values = path.evaluate(.object(object))
                    guard let first = values.first else { return .null }
                    if type == "date", let text = first.stringValue, let date = RFC3339.parse(text) {
                        return .string(HumanDuration.format(context.now - date.timeIntervalSince1970))
                    }
                    if values.count > 1 { return .string(values.map { $0.stringValue ?? $0.serializedString() }.joined(separator: ",")) }
                    return first
                })
        }
        if printerColumns.isEmpty { columns.append(Columns.age) }
        let hasStatus = version[path: ["subresources", "status"]] != nil
        let descriptor = ResourceDescriptor(
            type: ResourceType(group: group, version: versionName, plural: plural, kind: kind, namespaced: spec["scope"]?.stringValue != "Cluster"),
            singular: names["singular"]?.stringValue ?? kind.lowercased(),
            shortNames: names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            categories: names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            hasStatusSubresource: hasStatus, tracksGeneration: true,
            nonSpecMembers: hasStatus ? ["apiVersion", "kind", "metadata", "status"] : ["apiVersion", "kind", "metadata"],
            columns: columns, schema: schema, enforcesSchema: schema != nil,
            definedByCRD: crd.value(at: ["metadata", "name"])?.stringValue,
            description: schema?["description"]?.stringValue ?? "")
        return (descriptor, CustomResourceStrategy(schema: schema.map(StructuralSchema.init)))
    }
}
