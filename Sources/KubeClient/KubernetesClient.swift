import JSONCore
import KubeAPI

/// The Kubernetes API as a controller uses it: the core verbs on any resource type,
/// with objects as raw JSON so that nothing the server sends is lost.
///
/// `namespace` is ignored for cluster-scoped types; for namespaced types it is
/// required by object calls and create, and nil means "all namespaces" in
/// `list` and `watch`. `subresource` addresses e.g. `status`. Every call throws
/// ``KubeAPIError``. Typed conveniences over ``KubernetesResource`` types live
/// in an extension.
public protocol KubernetesClient: Sendable {
    /// `GET` one object (or its subresource).
    func get(_ type: ResourceType, namespace: String?, name: String, subresource: String?) async throws -> JSONValue

    /// `GET` a collection: a `…List` object with `metadata.resourceVersion`, and
    /// `metadata.continue` when a `limit` left more.
    func list(_ type: ResourceType, namespace: String?, options: ListOptions) async throws -> JSONValue

    /// Opens a watch and returns its events once the server has accepted it
    /// (an error response is thrown here, not from the stream).
    func watch(_ type: ResourceType, namespace: String?, options: WatchOptions) async throws -> WatchEventStream

    /// `POST` a new object to its collection.
    func create(_ type: ResourceType, namespace: String?, body: JSONValue, options: WriteOptions) async throws -> JSONValue

    /// `PUT` a whole object (or subresource). The body's `metadata.resourceVersion`
    /// is the optimistic-concurrency precondition: a stale one fails with `.conflict`.
    func update(_ type: ResourceType, namespace: String?, name: String, body: JSONValue, subresource: String?, options: WriteOptions) async throws -> JSONValue

    /// `PATCH` an object (or subresource).
    func patch(_ type: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String?, options: WriteOptions) async throws -> JSONValue

    /// `DELETE` an object. Returns the object (still present while finalizers or
    /// graceful deletion run, or as it was) or a `Status`, as the server chooses.
    func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue

    /// `POST serviceaccounts/NAME/token`: issues a bound token for a service account.
    /// `request` is an `authentication.k8s.io/v1` TokenRequest; so is the answer.
    func createToken(serviceAccount: String, namespace: String, request: JSONValue) async throws -> JSONValue
}

extension KubernetesClient {
    public func get(_ type: ResourceType, namespace: String?, name: String) async throws -> JSONValue {
        try await get(type, namespace: namespace, name: name, subresource: nil)
    }

    public func list(_ type: ResourceType, namespace: String?) async throws -> JSONValue {
        try await list(type, namespace: namespace, options: ListOptions())
    }

    public func create(_ type: ResourceType, namespace: String?, body: JSONValue) async throws -> JSONValue {
        try await create(type, namespace: namespace, body: body, options: WriteOptions())
    }

    public func update(_ type: ResourceType, namespace: String?, name: String, body: JSONValue, subresource: String? = nil) async throws -> JSONValue {
        try await update(type, namespace: namespace, name: name, body: body, subresource: subresource, options: WriteOptions())
    }

    public func patch(_ type: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String? = nil) async throws -> JSONValue {
        try await self.patch(type, namespace: namespace, name: name, patch: patch, subresource: subresource, options: WriteOptions())
    }

    public func delete(_ type: ResourceType, namespace: String?, name: String) async throws -> JSONValue {
        try await delete(type, namespace: namespace, name: name, options: DeleteOptions())
    }
}
