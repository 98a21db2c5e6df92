import JSONCore
import KubeAPI

/// Typed conveniences: the same calls with `KubernetesResource` types, encoded
/// and decoded with the `KubeJSON` coders. Fields a type does not model are
/// kept by the type itself (`UnknownFields`), not here.
extension KubernetesClient {
    public func get<Object: KubernetesResource>(
        _ type: Object.Type, namespace: String?, name: String, subresource: String? = nil
    ) async throws -> Object {
        let json = try await get(Object.resourceType, namespace: namespace, name: name, subresource: subresource)
        return try decode(json, as: Object.self, verb: "get", resource: Object.resourceType, namespace: namespace, name: name)
    }

    public func list<Object: KubernetesResource>(
        _ type: Object.Type, namespace: String?, options: ListOptions = ListOptions()
    ) async throws -> KubeList<Object> {
        let json = try await list(Object.resourceType, namespace: namespace, options: options)
        return try decode(json, as: KubeList<Object>.self, verb: "list", resource: Object.resourceType, namespace: namespace, name: nil)
    }

    public func watch<Object: KubernetesResource>(
        _ type: Object.Type, namespace: String?, options: WatchOptions = WatchOptions()
    ) async throws -> TypedWatchEventStream<Object> {
        TypedWatchEventStream(try await watch(Object.resourceType, namespace: namespace, options: options))
    }

    /// Creates `object` in `namespace`, or in its own `metadata.namespace` when nil.
    public func create<Object: KubernetesResource>(
        _ object: Object, namespace: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws -> Object {
        let (json, namespace) = try await createRaw(object, namespace: namespace, options: options)
        return try decode(json, as: Object.self, verb: "create", resource: Object.resourceType, namespace: namespace, name: object.metadata.name)
    }

    /// Replaces `object`, found by its metadata; its `resourceVersion` guards against lost updates.
    public func update<Object: KubernetesResource>(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await replace(object, subresource: nil, options: options)
    }

    /// Replaces the `status` of `object` (the main resource ignores status writes when the subresource exists).
    public func updateStatus<Object: KubernetesResource>(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await replace(object, subresource: "status", options: options)
    }

    public func patch<Object: KubernetesResource>(
        _ type: Object.Type, namespace: String?, name: String, patch: Patch, subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> Object {
        let json = try await self.patch(Object.resourceType, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options)
        return try decode(json, as: Object.self, verb: "patch", resource: Object.resourceType, namespace: namespace, name: name)
    }

    public func delete<Object: KubernetesResource>(
        _ type: Object.Type, namespace: String?, name: String, options: DeleteOptions = DeleteOptions()
    ) async throws -> DeleteResult<Object> {
        let json = try await delete(Object.resourceType, namespace: namespace, name: name, options: options)
        if json["kind"]?.stringValue == "Status" {
            return .status(try decode(json, as: Status.self, verb: "delete", resource: Object.resourceType, namespace: namespace, name: name))
        }
        return .object(try decode(json, as: Object.self, verb: "delete", resource: Object.resourceType, namespace: namespace, name: name))
    }

    // MARK: Writes whose answer is not needed whole

    /// Creates `object` like ``create(_:namespace:options:)`` but reads only where and at which
    /// version the server stored it: for writers that never look at the stored object again
    /// (Events, a Secret remembered by its version). Decoding a full answer costs as much CPU
    /// as encoding the request, on a controller's busiest path.
    @discardableResult
    public func createReturningReceipt<Object: KubernetesResource>(
        _ object: Object, namespace: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws -> WriteReceipt {
        let (json, namespace) = try await createRaw(object, namespace: namespace, options: options)
        return WriteReceipt(json, namespace: namespace, name: object.metadata.name)
    }

    private func createRaw<Object: KubernetesResource>(
        _ object: Object, namespace: String?, options: WriteOptions
    ) async throws -> (JSONValue, namespace: String?) {
        let namespace = namespace ?? object.metadata.namespace
        let body = try encode(object, verb: "create", namespace: namespace)
        return (try await create(Object.resourceType, namespace: namespace, body: body, options: options), namespace)
    }

    /// ``update(_:options:)``, reading only the receipt of the answer.
    @discardableResult
    public func updateReturningReceipt<Object: KubernetesResource>(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> WriteReceipt {
        let (json, name) = try await replaceRaw(object, subresource: nil, options: options)
        return WriteReceipt(json, namespace: object.metadata.namespace, name: name)
    }

    /// ``updateStatus(_:options:)``, reading only the receipt of the answer.
    @discardableResult
    public func updateStatusReturningReceipt<Object: KubernetesResource>(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> WriteReceipt {
        let (json, name) = try await replaceRaw(object, subresource: "status", options: options)
        return WriteReceipt(json, namespace: object.metadata.namespace, name: name)
    }

    private func replace<Object: KubernetesResource>(_ object: Object, subresource: String?, options: WriteOptions) async throws -> Object {
        let (json, name) = try await replaceRaw(object, subresource: subresource, options: options)
        return try decode(json, as: Object.self, verb: "update", resource: Object.resourceType, namespace: object.metadata.namespace, name: name)
    }

    private func replaceRaw<Object: KubernetesResource>(
        _ object: Object, subresource: String?, options: WriteOptions
    ) async throws -> (JSONValue, name: String) {
        let namespace = object.metadata.namespace
        guard let name = object.metadata.name, !name.isEmpty else {
            throw KubeAPIError.refused(
                "object has no metadata.name",
                request: KubeRequestDescription(verb: "update", resource: Object.resourceType.description, namespace: namespace, subresource: subresource))
        }
        let body = try encode(object, verb: "update", namespace: namespace)
        return (try await update(Object.resourceType, namespace: namespace, name: name, body: body, subresource: subresource, options: options), name)
    }

    private func encode<Object: KubernetesResource>(_ object: Object, verb: String, namespace: String?) throws -> JSONValue {
        var json: JSONValue
        do {
            json = try JSONValue(encoding: object)
        } catch {
            throw KubeAPIError.refused(
                "cannot encode \(Object.kind): \(codingErrorSummary(error))",
                request: KubeRequestDescription(verb: verb, resource: Object.resourceType.description, namespace: namespace, name: object.metadata.name))
        }
        // The server needs apiVersion and kind; types need not store them.
        if json["apiVersion"]?.stringValue == nil { json["apiVersion"] = .string(Object.apiVersion) }
        if json["kind"]?.stringValue == nil { json["kind"] = .string(Object.kind) }
        return json
    }

    private func decode<Value: Decodable>(
        _ json: JSONValue, as type: Value.Type, verb: String, resource: ResourceType, namespace: String?, name: String?
    ) throws -> Value {
        do {
            return try json.decode(as: Value.self)
        } catch {
            throw KubeAPIError.decoding(
                "cannot decode \(Value.self): \(codingErrorSummary(error))",
                request: KubeRequestDescription(verb: verb, resource: resource.description, namespace: namespace, name: name))
        }
    }
}

/// Where and at which version the server stored a write: what a writer needs when it will
/// not look at the stored object again (see ``KubernetesClient/createReturningReceipt(_:namespace:options:)``).
public struct WriteReceipt: Sendable, Hashable {
    public var namespace: String?
    public var name: String
    /// The stored object's `metadata.resourceVersion`.
    public var resourceVersion: String?
    /// The stored object's `metadata.uid`.
    public var uid: String?

    public init(namespace: String?, name: String, resourceVersion: String?, uid: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
        self.uid = uid
    }

    /// Reads the receipt from the server's answer; the request's names stand in for absent ones.
    init(_ stored: JSONValue, namespace: String?, name: String?) {
        let metadata = stored["metadata"]
        self.init(
            namespace: metadata?["namespace"]?.stringValue ?? namespace,
            name: metadata?["name"]?.stringValue ?? name ?? "",
            resourceVersion: metadata?["resourceVersion"]?.stringValue,
            uid: metadata?["uid"]?.stringValue)
    }
}
