import Crypto
import Foundation
import JSONCore
import KubeAPI

/// OpenAPI v3 documents, one per group version, as kube-apiserver publishes them:
/// enough for `kubectl explain` (schemas tagged with their group-version-kind) and
/// for kubectl's check that the server validates fields itself (a `fieldValidation`
/// parameter on every PATCH), so kubectl never needs the protobuf `/openapi/v2`.
enum OpenAPI {
    static let objectMetaRef: JSONValue = ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]

    /// `/openapi/v3`: where each group version's document is, with a content hash so
    /// clients re-fetch after a CRD changes.
    static func root(_ descriptors: [ResourceDescriptor]) -> JSONValue {
        var paths: JSONObject = [:]
        for gv in groupVersions(descriptors) {
            let doc = document(descriptors, groupVersion: gv)
            let key = gv.group.isEmpty ? "api/\(gv.version)" : "apis/\(gv.group)/\(gv.version)"
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash(doc))")]
        }
        return ["paths": .object(paths)]
    }

    static func groupVersions(_ descriptors: [ResourceDescriptor]) -> [GroupVersion] {
        var seen: [GroupVersion] = []
        for d in descriptors where !seen.contains(d.type.groupVersion) { seen.append(d.type.groupVersion) }
        return seen
    }

    static func hash(_ doc: JSONValue) -> String {
        SHA512.hash(data: doc.serializedBytes()).prefix(32).map { String(format: "%02X", $0) }.joined()
    }

    /// The schema's name as kube-apiserver gives it: the Go package of a built-in type
    /// (`io.k8s.api.core.v1.ConfigMap`, `io.k8s.api.rbac.v1.Role`), the reversed group of a
    /// custom resource (`com.example.conf.v1.Widget`).
    static func schemaName(_ d: ResourceDescriptor) -> String {
        if d.definedByCRD != nil {
            return "\(d.group.split(separator: ".").reversed().joined(separator: ".")).\(d.type.version).\(d.kind)"
        }
        if d.group == "apiextensions.k8s.io" { return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.\(d.type.version).\(d.kind)" }
        let package = d.group.isEmpty ? "core" : String(d.group.split(separator: ".").first ?? "")
        return "io.k8s.api.\(package).\(d.type.version).\(d.kind)"
    }

    static func gvk(_ d: ResourceDescriptor) -> JSONValue {
        ["group": .string(d.group), "version": .string(d.type.version), "kind": .string(d.kind)]
    }

    /// A group version served by CRDs only is documented by the CRD handler, under its own title.
    static func title(_ descriptors: [ResourceDescriptor], groupVersion: GroupVersion) -> String {
        let served = descriptors.filter { $0.type.groupVersion == groupVersion }
        return !served.isEmpty && served.allSatisfy({ $0.definedByCRD != nil }) ? "Kubernetes CRD Swagger" : "Kubernetes"
    }

    static func document(_ descriptors: [ResourceDescriptor], groupVersion: GroupVersion) -> JSONValue {
        var paths: JSONObject = [:]
        var schemas: JSONObject = ["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": objectMetaSchema]
        for d in descriptors where d.type.groupVersion == groupVersion && !d.isVirtual {
            let ref: JSONValue = ["$ref": .string("#/components/schemas/\(schemaName(d))")]
            schemas[schemaName(d)] = objectSchema(d)
            let nameParam: JSONValue = ["name": "name", "in": "path", "required": true, "schema": ["type": "string"]]
            let nsParam: JSONValue = ["name": "namespace", "in": "path", "required": true, "schema": ["type": "string"]]
            let base = d.type.collectionPath(namespace: d.namespaced ? "{namespace}" : nil)
            let pathParams: [JSONValue] = d.namespaced ? [nsParam] : []
            paths[base] = [
                "get": operation(d, action: "list", body: nil),
                "post": operation(d, action: "post", body: ref),
                "parameters": .array(pathParams),
            ]
            paths["\(base)/{name}"] = [
                "get": operation(d, action: "get", body: nil),
                "put": operation(d, action: "put", body: ref),
                "patch": operation(d, action: "patch", body: nil),
                "delete": operation(d, action: "delete", body: nil),
                "parameters": .array(pathParams + [nameParam]),
            ]
            if d.hasStatusSubresource {
                paths["\(base)/{name}/status"] = [
                    "get": operation(d, action: "get", body: nil),
                    "put": operation(d, action: "put", body: ref),
                    "patch": operation(d, action: "patch", body: nil),
                    "parameters": .array(pathParams + [nameParam]),
                ]
            }
            if d.namespaced {
                paths[d.type.collectionPath(namespace: nil)] = ["get": operation(d, action: "list", body: nil)]
            }
        }
        // kube-apiserver's documents carry the minor version; the CRD handler's its own "v0.1.0".
        let title = Self.title(descriptors, groupVersion: groupVersion)
        return [
            "openapi": "3.0.0", "info": ["title": .string(title), "version": title == "Kubernetes" ? "1.33" : "v0.1.0"],
            "paths": .object(paths), "components": ["schemas": .object(schemas)],
        ]
    }

    private static func operation(_ d: ResourceDescriptor, action: String, body: JSONValue?) -> JSONValue {
        var op: JSONObject = [
            "x-kubernetes-group-version-kind": gvk(d), "x-kubernetes-action": .string(action),
            "operationId": .string("\(action)\(d.kind)"),
            "responses": ["200": ["description": "OK"]],
        ]
        var parameters: [JSONValue] = []
        if ["post", "put", "patch"].contains(action) {
            parameters.append(["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]])
            parameters.append(["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]])
            parameters.append(["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]])
        }
        if action == "patch" {
            op["requestBody"] = [
                "required": true,
                "content": [
                    "application/json-patch+json": ["schema": ["type": "object"]],
                    "application/merge-patch+json": ["schema": ["type": "object"]],
                ],
            ]
        } else if let body {
            op["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
        }
        if action == "list" {
            for name in ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "resourceVersionMatch", "watch", "allowWatchBookmarks", "timeoutSeconds"] {
                parameters.append(["name": .string(name), "in": "query", "schema": ["type": "string", "uniqueItems": true]])
            }
        }
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        return .object(op)
    }

    /// The object schema: the CRD's own for custom resources, a sketch for built-ins.
    static func objectSchema(_ d: ResourceDescriptor) -> JSONValue {
        var schema = (d.schema ?? builtinSchema(d)).objectValue ?? [:]
        var properties = schema["properties"]?.objectValue ?? [:]
        properties["apiVersion"] = properties["apiVersion"] ?? [
            "type": "string",
            "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
        ]
        properties["kind"] = properties["kind"] ?? [
            "type": "string",
            "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
        ]
        properties["metadata"] = ["allOf": [objectMetaRef], "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"]
        schema["type"] = "object"
        schema["properties"] = .object(properties)
        if schema["description"] == nil { schema["description"] = .string(d.description) }
        schema["x-kubernetes-group-version-kind"] = [gvk(d)]
        return .object(schema)
    }

    static func builtinSchema(_ d: ResourceDescriptor) -> JSONValue {
        let stringMap: JSONValue = ["type": "object", "additionalProperties": ["type": "string"]]
        switch d.id {
        case ResourceID(group: "", plural: "secrets"):
            return [
                "type": "object",
                "properties": [
                    "data": ["type": "object", "additionalProperties": ["type": "string", "format": "byte"], "description": "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here."],
                    "stringData": ["type": "object", "additionalProperties": ["type": "string"], "description": "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API."],
                    "type": ["type": "string", "description": "Used to facilitate programmatic handling of secret data."],
                    "immutable": ["type": "boolean", "description": "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified)."],
                ],
            ]
        case ResourceID(group: "", plural: "configmaps"):
            return [
                "type": "object",
                "properties": [
                    "data": stringMap, "binaryData": ["type": "object", "additionalProperties": ["type": "string", "format": "byte"]],
                    "immutable": ["type": "boolean"],
                ],
            ]
        case ResourceRegistry.namespaces:
            return [
                "type": "object",
                "properties": [
                    "spec": ["type": "object", "description": "Spec defines the behavior of the Namespace.", "properties": ["finalizers": ["type": "array", "items": ["type": "string"]]]],
                    "status": ["type": "object", "description": "Status describes the current status of a Namespace.", "properties": ["phase": ["type": "string", "description": "Phase is the current lifecycle phase of the namespace."]]],
                ],
            ]
        default:
            return [
                "type": "object",
                "properties": [
                    "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                ],
            ]
        }
    }

    static let objectMetaSchema: JSONValue = [
        "type": "object",
        "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        "properties": [
            "name": ["type": "string", "description": "Name must be unique within a namespace."],
            "namespace": ["type": "string", "description": "Namespace defines the space within which each name must be unique."],
            "labels": ["type": "object", "additionalProperties": ["type": "string"], "description": "Map of string keys and values that can be used to organize and categorize (scope and select) objects."],
            "annotations": ["type": "object", "additionalProperties": ["type": "string"], "description": "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata."],
            "uid": ["type": "string", "description": "UID is the unique in time and space value for this object."],
            "resourceVersion": ["type": "string", "description": "An opaque value that represents the internal version of this object."],
            "generation": ["type": "integer", "format": "int64", "description": "A sequence number representing a specific generation of the desired state."],
            "creationTimestamp": ["type": "string", "format": "date-time", "description": "CreationTimestamp is a timestamp representing the server time when this object was created."],
            "deletionTimestamp": ["type": "string", "format": "date-time", "description": "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."],
            "finalizers": ["type": "array", "items": ["type": "string"], "description": "Must be empty before the object is deleted from the registry."],
            "ownerReferences": ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true], "description": "List of objects depended by this object."],
            "generateName": ["type": "string", "description": "GenerateName is an optional prefix, used by the server, to generate a unique name."],
        ],
    ]
}
