import Foundation
import JSONCore

/// Server-side Table output (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`),
/// which `kubectl get` prints.
enum Tables {
    enum IncludeObject: String { case none = "None", metadata = "Metadata", object = "Object" }

    static func columnDefinitions(_ resource: ResourceDescriptor) -> JSONValue {
        .array(columns(resource).map { column in
            ["name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
             "description": .string(column.description), "priority": .int(Int64(column.priority))]
        })
    }

    static func columns(_ resource: ResourceDescriptor) -> [TableColumn] {
        resource.columns.isEmpty ? [Columns.name, Columns.age] : resource.columns
    }

    static func row(_ object: JSONObject, resource: ResourceDescriptor, include: IncludeObject, now: Double) -> JSONValue {
        let context = ColumnContext(now: now)
        var row: JSONObject = ["cells": .array(columns(resource).map { $0.value(object, context) })]
        switch include {
        case .none: break
        case .object: row["object"] = .object(object)
        case .metadata:
            row["object"] = [
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                "metadata": object["metadata"] ?? .object([:]),
            ]
        }
        return .object(row)
    }

    static func table(
        _ items: [StoredObject], resource: ResourceDescriptor, include: IncludeObject, now: Double,
        listMeta: JSONObject, headers: Bool = true
    ) -> JSONValue {
        var table: JSONObject = [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(listMeta),
            "rows": .array(items.map { row($0.object, resource: resource, include: include, now: now) }),
        ]
        table["columnDefinitions"] = headers ? columnDefinitions(resource) : .null
        return .object(table)
    }
}
