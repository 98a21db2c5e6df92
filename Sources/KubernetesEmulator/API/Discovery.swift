import Crypto
import Foundation
import JSONCore
import KubeAPI

/// Discovery documents: the legacy ones (`/api`, `/apis`, `/api/v1`, `/apis/G/V`) and,
/// when the client asks for it, aggregated discovery of `/api` and `/apis` (below), which
/// kubectl 1.30+ asks for first.
enum Discovery {
    static let serverVersion: JSONValue = [
        "major": "1", "minor": "33", "emulationMajor": "1", "emulationMinor": "33",
        "minCompatibilityMajor": "1", "minCompatibilityMinor": "32", "gitVersion": "v1.33.0", "gitCommit": "rotor-emulator",
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
            if !d.isVirtual { entry["storageVersionHash"] = .string(storageVersionHash(d)) }
            resources.append(.object(entry))
            if d.id == ResourceRegistry.namespaces {
                resources.append([
                    "name": "namespaces/finalize", "singularName": "", "namespaced": false, "kind": "Namespace", "verbs": ["update"],
                ])
            }
            if d.hasScaleSubresource {
                resources.append([
                    "name": .string("\(d.plural)/scale"), "singularName": "", "namespaced": .bool(d.namespaced), "group": "autoscaling",
                    "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"],
                ])
            }
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

    /// kube-apiserver's `StorageVersionHash`: base64 of the first 8 bytes of the SHA-256 of
    /// `group/version/Kind` of the storage version (clients compare it to notice a change).
    static func storageVersionHash(_ d: ResourceDescriptor) -> String {
        let digest = SHA256.hash(data: Data("\(d.group)/\(d.type.version)/\(d.kind)".utf8))
        return Data(digest.prefix(8)).base64EncodedString()
    }
}

/// Aggregated discovery (`apidiscovery.k8s.io/v2`): every group, version and resource in
/// one document per root, which kubectl 1.30+ and client-go ask for first with
/// `Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`.
extension Discovery {
    /// The media type of the document, as kube-apiserver answers with it.
    static let aggregatedMediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// What an `Accept` header asks of a discovery root.
    enum Negotiated: Equatable {
        case aggregated
        case legacy
        /// Only aggregated discovery of a version not served, with no fallback: 406.
        case notAcceptable
    }

    static func negotiate(accept: String?) -> Negotiated {
        guard let accept, accept.contains("apidiscovery.k8s.io") else { return .legacy }
        var fallback = false
        for part in accept.split(separator: ",") {
            let parameters = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let isDiscovery = parameters.contains("g=apidiscovery.k8s.io")
            if isDiscovery && parameters.contains("v=v2") && parameters.contains("as=APIGroupDiscoveryList") { return .aggregated }
            if !isDiscovery { fallback = true }
        }
        return fallback ? .legacy : .notAcceptable
    }

    /// The 406 kube-apiserver answers when no acceptable media type is asked for.
    static var notAcceptable: APIError {
        APIError(
            code: 406, reason: "NotAcceptable",
            message: "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf")
    }

    /// The `APIGroupDiscoveryList` of `/api` (`core: true`: the core group) or `/apis`.
    static func aggregated(_ descriptors: [ResourceDescriptor], core: Bool) -> JSONValue {
        let items: [JSONValue]
        if core {
            items = [["metadata": [:], "versions": [version("v1", descriptors.filter { $0.group.isEmpty && $0.type.version == "v1" })]]]
        } else {
            items = groups(descriptors).map { group in
                let versions = group.versions.map { v in version(v, descriptors.filter { $0.group == group.group && $0.type.version == v }) }
                return ["metadata": ["name": .string(group.group)], "versions": .array(versions)]
            }
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": .array(items)]
    }

    private static func version(_ version: String, _ descriptors: [ResourceDescriptor]) -> JSONValue {
        ["version": .string(version), "resources": .array(descriptors.map(resource)), "freshness": "Current"]
    }

    private static func resource(_ d: ResourceDescriptor) -> JSONValue {
        // Built-in types leave the group and version to the document's; custom resources name them.
        let kind: JSONValue = d.definedByCRD == nil
            ? ["group": "", "version": "", "kind": .string(d.kind)]
            : ["group": .string(d.group), "version": .string(d.type.version), "kind": .string(d.kind)]
        var entry: JSONObject = [
            "resource": .string(d.plural), "responseKind": kind, "scope": d.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(d.singular), "verbs": .array(d.verbs.map(JSONValue.string)),
        ]
        if !d.shortNames.isEmpty { entry["shortNames"] = .array(d.shortNames.map(JSONValue.string)) }
        if !d.categories.isEmpty { entry["categories"] = .array(d.categories.map(JSONValue.string)) }
        var subresources: [JSONValue] = []
        if d.id == ResourceRegistry.namespaces {
            subresources.append(["subresource": "finalize", "responseKind": kind, "verbs": ["update"]])
        }
        if d.hasScaleSubresource {
            subresources.append([
                "subresource": "scale", "responseKind": ["group": "autoscaling", "version": "v1", "kind": "Scale"], "verbs": ["get", "patch", "update"],
            ])
        }
        if d.hasStatusSubresource {
            subresources.append(["subresource": "status", "responseKind": kind, "verbs": ["get", "patch", "update"]])
        }
        if d.id == ResourceRegistry.serviceAccounts {
            subresources.append([
                "subresource": "token", "responseKind": ["group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"], "verbs": ["create"],
            ])
        }
        if !subresources.isEmpty { entry["subresources"] = .array(subresources) }
        return .object(entry)
    }
}
