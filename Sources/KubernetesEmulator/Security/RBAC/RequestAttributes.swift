/// What the authorizer decides on, as kube-apiserver's RequestInfo describes a request:
/// either a resource request (verb, group, resource, subresource, namespace, name) or a
/// non-resource one (verb and path).
struct RequestAttributes: Sendable, Equatable {
    var user: UserInfo
    var verb: String
    var isResourceRequest: Bool
    var apiGroup: String = ""
    var apiVersion: String = ""
    var resource: String = ""
    var subresource: String = ""
    var namespace: String = ""
    var name: String = ""
    var path: String = ""

    /// `resource` or `resource/subresource`, as rules and messages name it.
    var resourceAndSubresource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }

    /// The reason part of kube-apiserver's 403 message (`User "u" cannot list resource …`).
    var forbiddenReason: String {
        guard isResourceRequest else { return "User \"\(user.name)\" cannot \(verb) path \"\(path)\"" }
        let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
        return "User \"\(user.name)\" cannot \(verb) resource \"\(resourceAndSubresource)\" in API group \"\(apiGroup)\" \(scope)"
    }
}

extension RequestAttributes {
    /// Reads a request's attributes from its method, path and query, as kube-apiserver's
    /// RequestInfoFactory does: `/api/v1/...` and `/apis/GROUP/VERSION/...` with at least a
    /// resource are resource requests; everything else (discovery, /version, /healthz,
    /// /openapi) is a non-resource request whose verb is the lowercased HTTP method.
    init(user: UserInfo, method: String, path: String, query: [String: [String]]) {
        self.init(user: user, verb: "", isResourceRequest: false, path: path)
        let lower = method.lowercased()
        verb = lower == "head" ? "get" : lower
        var parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api" || parts[0] == "apis" else { return }
        let prefix = parts.removeFirst()
        if prefix == "apis" {
            guard parts.count >= 3 else { return }
            apiGroup = parts.removeFirst()
        }
        isResourceRequest = true
        apiVersion = parts.removeFirst()
        if parts.first == "namespaces", parts.count >= 2 {
            namespace = parts[1]
            // /namespaces/NAME and /namespaces/NAME/status|finalize address the namespace itself.
            if parts.count > 2 && !["status", "finalize"].contains(parts[2]) { parts.removeFirst(2) }
        }
        resource = parts[0]
        if parts.count > 1 { name = parts[1] }
        if parts.count > 2 { subresource = parts[2...].joined(separator: "/") }
        switch method {
        case "POST": verb = "create"
        case "GET", "HEAD":
            let watching = query["watch"]?.first.map { $0 == "true" || $0 == "1" } ?? false
            verb = name.isEmpty ? (watching ? "watch" : "list") : "get"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name.isEmpty ? "deletecollection" : "delete"
        default: verb = lower
        }
        // A list or watch narrowed to one name by `metadata.name=` is authorized for that name.
        if (verb == "list" || verb == "watch"), name.isEmpty, let selector = query["fieldSelector"]?.first {
            for term in selector.split(separator: ",") {
                let pair = term.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2, pair[0] == "metadata.name" { name = pair[1] }
            }
        }
    }
}
