import JSONCore
import KubeAPI

extension HTTPKubernetesClient {
    public func get(_ type: ResourceType, namespace: String?, name: String, subresource: String?) async throws -> JSONValue {
        try await send(.get(type, namespace: namespace, name: name, subresource: subresource))
    }

    public func list(_ type: ResourceType, namespace: String?, options: ListOptions) async throws -> JSONValue {
        try await send(.list(type, namespace: namespace, options: options))
    }

    public func watch(_ type: ResourceType, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        try await openWatch(.watch(type, namespace: namespace, options: options))
    }

    public func create(_ type: ResourceType, namespace: String?, body: JSONValue, options: WriteOptions) async throws -> JSONValue {
        try await send(.create(type, namespace: namespace, body: body, options: options))
    }

    public func update(
        _ type: ResourceType, namespace: String?, name: String, body: JSONValue, subresource: String?, options: WriteOptions
    ) async throws -> JSONValue {
        try await send(.update(type, namespace: namespace, name: name, body: body, subresource: subresource, options: options))
    }

    public func patch(
        _ type: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String?, options: WriteOptions
    ) async throws -> JSONValue {
        try await send(.patch(type, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options))
    }

    public func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue {
        try await send(.delete(type, namespace: namespace, name: name, options: options))
    }

    public func createToken(serviceAccount: String, namespace: String, request: JSONValue) async throws -> JSONValue {
        try await send(.createToken(serviceAccount: serviceAccount, namespace: namespace, request: request))
    }
}
