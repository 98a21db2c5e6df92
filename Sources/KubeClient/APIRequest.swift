import NIOHTTP1
import JSONCore
import KubeAPI

/// One API call, fully described but not yet sent: method, escaped path, query,
/// body. Building it is pure, so URL construction is tested without a server.
struct APIRequest: Sendable {
    var method: HTTPMethod
    /// Absolute path below the server URL, already percent-encoded.
    var path: String
    var query: [(String, String)] = []
    var body: [UInt8]?
    var contentType: String?
    var description: KubeRequestDescription
    /// Watches stream for minutes; they bypass the pacing and the request timeout.
    var isWatch = false
    /// The server-side timeout of a watch, which bounds the client-side deadline.
    var watchTimeoutSeconds: Int?

    /// How the request is paced and over which connections it goes: watches and Lease
    /// requests (leader election) unpaced over the control pool; Events at low priority.
    var pacing: RequestPacing {
        if isWatch || description.resource == "leases.coordination.k8s.io" { return .control }
        let requestClass: RequestClass = description.verb == "get" || description.verb == "list" ? .read : .write
        let isEvent = description.resource == "events" || description.resource == "events.events.k8s.io"
        return .paced(requestClass, isEvent ? .low : .normal)
    }

    /// The path and query, e.g. `/api/v1/namespaces/shop/secrets?limit=50`.
    var pathAndQuery: String {
        query.isEmpty ? path : "\(path)?\(PercentEncoding.query(query))"
    }

    /// The full URL below `server` (which may carry a path prefix, as behind a proxy).
    func url(server: String) -> String {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        return base + pathAndQuery
    }
}

/// See ``APIRequest/pacing``.
enum RequestPacing: Equatable {
    case control
    case paced(RequestClass, RequestPriority)
}

extension APIRequest {
    static func get(_ type: ResourceType, namespace: String?, name: String, subresource: String?) throws -> APIRequest {
        let description = KubeRequestDescription(verb: "get", resource: type.description, namespace: scoped(type, namespace), name: name, subresource: subresource)
        return APIRequest(method: .GET, path: try objectPath(type, namespace, name, subresource, description), description: description)
    }

    static func list(_ type: ResourceType, namespace: String?, options: ListOptions) throws -> APIRequest {
        let description = KubeRequestDescription(verb: "list", resource: type.description, namespace: scoped(type, namespace))
        return APIRequest(method: .GET, path: try collectionPath(type, namespace, description, required: false), query: options.queryItems, description: description)
    }

    static func watch(_ type: ResourceType, namespace: String?, options: WatchOptions) throws -> APIRequest {
        let description = KubeRequestDescription(verb: "watch", resource: type.description, namespace: scoped(type, namespace))
        var request = APIRequest(method: .GET, path: try collectionPath(type, namespace, description, required: false), query: options.queryItems, description: description)
        request.isWatch = true
        request.watchTimeoutSeconds = options.timeoutSeconds
        return request
    }

    static func create(_ type: ResourceType, namespace: String?, body: JSONValue, options: WriteOptions) throws -> APIRequest {
        let name = body[path: ["metadata", "name"]]?.stringValue
        let description = KubeRequestDescription(verb: "create", resource: type.description, namespace: scoped(type, namespace), name: name)
        return APIRequest(
            method: .POST, path: try collectionPath(type, namespace, description, required: true), query: options.queryItems,
            body: body.serializedBytes(), contentType: "application/json", description: description)
    }

    static func update(_ type: ResourceType, namespace: String?, name: String, body: JSONValue, subresource: String?, options: WriteOptions) throws -> APIRequest {
        let description = KubeRequestDescription(verb: "update", resource: type.description, namespace: scoped(type, namespace), name: name, subresource: subresource)
        return APIRequest(
            method: .PUT, path: try objectPath(type, namespace, name, subresource, description), query: options.queryItems,
            body: body.serializedBytes(), contentType: "application/json", description: description)
    }

    static func patch(_ type: ResourceType, namespace: String?, name: String, patch: Patch, subresource: String?, options: WriteOptions) throws -> APIRequest {
        let description = KubeRequestDescription(verb: "patch", resource: type.description, namespace: scoped(type, namespace), name: name, subresource: subresource)
        var query = options.queryItems
        if case .apply = patch { query.removeAll { $0.0 == "fieldManager" } }
        query += patch.queryItems
        return APIRequest(
            method: .PATCH, path: try objectPath(type, namespace, name, subresource, description), query: query,
            body: patch.body.serializedBytes(), contentType: patch.contentType, description: description)
    }

    static func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions) throws -> APIRequest {
        let description = KubeRequestDescription(verb: "delete", resource: type.description, namespace: scoped(type, namespace), name: name)
        let body: [UInt8]
        do {
            body = try JSONValue(encoding: options).serializedBytes()
        } catch {
            throw KubeAPIError.refused("cannot encode DeleteOptions", request: description)
        }
        return APIRequest(
            method: .DELETE, path: try objectPath(type, namespace, name, nil, description), body: body,
            contentType: "application/json", description: description)
    }

    /// `POST …/serviceaccounts/NAME/token` with a TokenRequest.
    static func createToken(serviceAccount: String, namespace: String, request tokenRequest: JSONValue) throws -> APIRequest {
        let type = serviceAccountsType
        let description = KubeRequestDescription(verb: "create", resource: type.description, namespace: namespace, name: serviceAccount, subresource: "token")
        return APIRequest(
            method: .POST, path: try objectPath(type, namespace, serviceAccount, "token", description),
            body: tokenRequest.serializedBytes(), contentType: "application/json", description: description)
    }
}

extension APIRequest {
    /// The namespace as it applies to the type: cluster-scoped types have none.
    private static func scoped(_ type: ResourceType, _ namespace: String?) -> String? {
        type.namespaced ? namespace : nil
    }

    private static func collectionPath(_ type: ResourceType, _ namespace: String?, _ description: KubeRequestDescription, required: Bool) throws -> String {
        guard type.namespaced, let namespace else {
            if type.namespaced, required {
                throw KubeAPIError.refused("a namespace is required for \(type.description)", request: description)
            }
            return type.collectionPath(namespace: nil)
        }
        return type.collectionPath(namespace: try segment(namespace, "namespace", description))
    }

    private static func objectPath(_ type: ResourceType, _ namespace: String?, _ name: String, _ subresource: String?, _ description: KubeRequestDescription) throws -> String {
        let collection = try collectionPath(type, namespace, description, required: true)
        var path = "\(collection)/\(try segment(name, "name", description))"
        if let subresource {
            path += "/\(try segment(subresource, "subresource", description))"
        }
        return path
    }

    /// Refuses what would change the path's meaning (as client-go's
    /// `IsValidPathSegmentName` does), then escapes the rest.
    private static func segment(_ text: String, _ what: String, _ description: KubeRequestDescription) throws -> String {
        guard !text.isEmpty, text != ".", text != "..", !text.contains("/"), !text.contains("%") else {
            throw KubeAPIError.refused("invalid \(what) \"\(text)\"", request: description)
        }
        return PercentEncoding.encodePathSegment(text)
    }
}

private let serviceAccountsType = ResourceType(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
