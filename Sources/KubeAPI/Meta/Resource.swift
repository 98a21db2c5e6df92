import Foundation
import JSONCore

/// An API group and version, e.g. `apps/v1`, or `v1` for the core group.
public struct GroupVersion: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core ("legacy") group.
    public var group: String
    public var version: String

    public init(group: String, version: String) {
        self.group = group
        self.version = version
    }

    /// Parses an `apiVersion` string (`v1`, `apps/v1`).
    public init(apiVersion: String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
    }

    /// The `apiVersion` string of objects of this group version.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { apiVersion }

    /// The URL path prefix: `/api/v1` or `/apis/GROUP/VERSION`.
    public var pathPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }
}

/// Identifies a resource type on the API server: its group version, its plural
/// resource name (the URL segment) and whether its objects live in namespaces.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    public var groupVersion: GroupVersion
    /// Plural, lower case: `secrets`, `externalsecrets`.
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.groupVersion = GroupVersion(group: group, version: version)
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    public var group: String { groupVersion.group }
    public var version: String { groupVersion.version }
    public var apiVersion: String { groupVersion.apiVersion }
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The collection path, e.g. `/api/v1/namespaces/shop/secrets`; `namespace` is
    /// ignored for cluster-scoped resources and `nil` means all namespaces.
    public func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace {
            return "\(groupVersion.pathPrefix)/namespaces/\(namespace)/\(plural)"
        }
        return "\(groupVersion.pathPrefix)/\(plural)"
    }

    /// The path of one object, optionally of a subresource (`status`, `token`).
    public func objectPath(namespace: String?, name: String, subresource: String? = nil) -> String {
        let base = "\(collectionPath(namespace: namespaced ? namespace : nil))/\(name)"
        return subresource.map { "\(base)/\($0)" } ?? base
    }
}

/// A typed Kubernetes object: knows its resource type and carries metadata.
public protocol KubernetesResource: Codable, Sendable {
    static var resourceType: ResourceType { get }
    var metadata: ObjectMeta { get set }
}

extension KubernetesResource {
    public static var apiVersion: String { resourceType.apiVersion }
    public static var kind: String { resourceType.kind }
    public var name: String { metadata.name ?? "" }
    public var namespace: String? { metadata.namespace }
}
