import Foundation
import JSONCore
import KubeAPI

/// Legacy discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/G/V`). kubectl asks
/// for aggregated discovery first and falls back to these when the response's
/// Content-Type is plain `application/json`.
enum Discovery {
    static let serverVersion: JSONValue = [
        "major": "1", "minor": "33", "gitVersion": "v1.33.0", "gitCommit": "rotor-emulator",
        "gitTreeState": "clean", "buildDate": "2026-11-01T00:00:00Z", "goVersion": "go1.24.0",
        "compiler": "gc", "platform": "linux/amd64",
    ]

    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// Groups with their versions, in registration order (the first version is preferred).
    static func groups(_ descriptors: [ResourceDescriptor]) -> [(group: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for d in descriptors where !d.group.isEmpty {
            if versions[d.group] == nil { order.append(d.group) }
            if !(versions[d.group]?.contains(d.type.version) ?? false) { versions[d.group, default: []].append(d.type.version) }
        }
        return order.map { ($0, versions[$0]!) }
    }

    static func group(_ name: String, versions: [String]) -> JSONValue {
        let list: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["name": .string(name), "versions": .array(list), "preferredVersion": list[0]]
    }

    static func groupList(_ descriptors: [ResourceDescriptor]) -> JSONValue {
        [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(groups(descriptors).map { group($0.group, versions: $0.versions) }),
        ]
    }

    static func resourceList(_ descriptors: [ResourceDescriptor], groupVersion: GroupVersion) -> JSONValue {
        var resources: [JSONValue] = []
        for d in descriptors where d.type.groupVersion == groupVersion {
            var entry: JSONObject = [
                "name": .string(d.plural), "singularName": .string(d.singular), "namespaced": .bool(d.namespaced),
                "kind": .string(d.kind), "verbs": .array(d.verbs.map(JSONValue.string)),
            ]
            if !d.shortNames.isEmpty { entry["shortNames"] = .array(d.shortNames.map(JSONValue.string)) }
            if !d.categories.isEmpty { entry["categories"] = .array(d.categories.map(JSONValue.string)) }
            resources.append(.object(entry))
            if d.hasStatusSubresource {
                resources.append([
                    "name": .string("\(d.plural)/status"), "singularName": "", "namespaced": .bool(d.namespaced),
                    "kind": .string(d.kind), "verbs": ["get", "patch", "update"],
                ])
            }
            if d.id == ResourceRegistry.serviceAccounts {
                resources.append([
                    "name": "serviceaccounts/token", "singularName": "", "namespaced": true, "group": "authentication.k8s.io",
                    "version": "v1", "kind": "TokenRequest", "verbs": ["create"],
                ])
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion.apiVersion), "resources": .array(resources)]
    }
}
