import Foundation
import JSONCore

/// Kubernetes `v1.ObjectReference`: points at any object, e.g. the object an Event is about.
public struct ObjectReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    /// The version the reference was taken at, so a reader can tell a stale event from a current one.
    public var resourceVersion: String?
    /// A part of the object, e.g. `spec.containers{web}`.
    public var fieldPath: String?

    public init(
        apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil,
        uid: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }

    /// A reference to `object`, taken from its type and metadata.
    public init<Object: KubernetesResource>(to object: Object, fieldPath: String? = nil) {
        self.init(
            apiVersion: Object.apiVersion, kind: Object.kind, namespace: object.metadata.namespace,
            name: object.metadata.name, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion,
            fieldPath: fieldPath)
    }
}

/// Kubernetes `v1.LocalObjectReference`: names an object in the referrer's own namespace.
public struct LocalObjectReference: Codable, Sendable, Hashable {
    public var name: String?

    public init(name: String? = nil) { self.name = name }
}
