import Foundation
import NIOHTTP1
import JSONCore
import KubeAPI

/// Routes kube-apiserver's HTTP API onto the cluster store: discovery, OpenAPI,
/// resource CRUD and watch, the `status` subresource, TokenRequest and TokenReview, after
/// authenticating the caller and authorizing the request (RBAC).
struct APIServer: Sendable {
    let store: ClusterStore
    let faults: FaultInjector
    let tokens: ServiceAccountTokens
    let adminToken: String
    let now: @Sendable () -> Date

    let authorization: RequestAuthorization

    func handle(_ request: APIRequest) async -> APIResponse {
        var attributes: RequestAttributes?
        do {
            let user = try await authenticate(request)
            let requested = RequestAttributes(user: user, method: request.method.rawValue, path: request.path, query: request.query)
            attributes = requested
            try await authorization.check(requested)
            return try await route(request, user: user)
        } catch let error as APIError {
            // The record of refusals a least-privilege test reads (RBAC, admission, escalation).
            if error.httpCode == 403, let attributes, authorization.enabled, !attributes.user.isPrivileged {
                authorization.log.recordDenial(attributes, message: error.status.message ?? "")
            }
            return .error(error)
        } catch {
            return .error(APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(type(of: error))"))
        }
    }

    /// Who sent the request: the admin token's identity, a ServiceAccount, or (without a
    /// bearer token) `system:anonymous`. A token that is neither is 401, on every path.
    func authenticate(_ request: APIRequest) async throws -> UserInfo {
        var caller = UserInfo.anonymous
        if let token = request.bearerToken { caller = try await authenticate(token: token) }
        // `kubectl --as`: the caller must be allowed to impersonate; the request then runs as that user.
        guard let (checks, impersonated) = try Impersonation.plan(caller: caller, headers: request.headers) else { return caller }
        for check in checks { try await authorization.check(check) }
        return impersonated
    }

    func authenticate(token: String) async throws -> UserInfo {
        if token == adminToken { return .admin }
        guard case .success(let claims) = tokens.verify(token, now: now()),
            claims.audiences.contains(ServiceAccountTokens.issuer),
            await serviceAccountUID(namespace: claims.namespace, name: claims.serviceAccountName) == claims.serviceAccountUID
        else { throw APIError.unauthorized() }
        return .serviceAccount(namespace: claims.namespace, name: claims.serviceAccountName, uid: claims.serviceAccountUID)
    }

    private func serviceAccountUID(namespace: String, name: String) async -> String? {
        guard let sa = await store.descriptor(group: "", version: "v1", plural: "serviceaccounts"),
            let stored = try? await store.get(sa, namespace: namespace, name: name)
        else { return nil }
        return stored.uid
    }

    private func route(_ request: APIRequest, user: UserInfo) async throws -> APIResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        // The discovery roots are served with a trailing slash too, as kube-apiserver does
        // (the official Python client asks for `/api/` and `/apis/`).
        let root = ["/api/", "/apis/"].contains(request.path) ? String(request.path.dropLast()) : request.path
        switch root {
        case "/healthz", "/livez", "/readyz":
            return APIResponse(status: .ok, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array("ok".utf8)))
        case "/version":
            return .json(Discovery.serverVersion)
        case "/api", "/apis":
            switch Discovery.negotiate(accept: request.headers.first(name: "accept")) {
            case .notAcceptable:
                throw Discovery.notAcceptable
            case .aggregated:
                let document = Discovery.aggregated(await store.allDescriptors(), core: root == "/api")
                return APIResponse(status: .ok, headers: [("Content-Type", Discovery.aggregatedMediaType)], body: .bytes(document.serializedBytes()))
            case .legacy:
                if root == "/api" { return .json(Discovery.coreVersions(serverAddress: request.headers.first(name: "host") ?? "127.0.0.1")) }
                return .json(Discovery.groupList(await store.allDescriptors()))
            }
        case "/openapi/v2":
            // kubectl 1.27 insists on fetching it as protobuf, then uses v3: an empty document.
            // Asked for as JSON, a Swagger 2.0 document without definitions.
            if request.headers.first(name: "accept")?.contains("protobuf") == true {
                return APIResponse(status: .ok, headers: [("Content-Type", "application/octet-stream")], body: .bytes([]))
            }
            return .json(["swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.33.0"], "paths": [:], "definitions": [:]])
        case "/openapi/v3":
            // kube-apiserver labels this JSON document text/plain.
            let document = OpenAPI.root(await store.allDescriptors())
            return APIResponse(status: .ok, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(document.serializedBytes()))
        default:
            break
        }
        if segments.count >= 3, segments[0] == "openapi", segments[1] == "v3" {
            let gv = segments[2] == "api" && segments.count == 4
                ? GroupVersion(group: "", version: segments[3])
                : segments.count == 5 ? GroupVersion(group: segments[3], version: segments[4]) : nil
            let descriptors = await store.allDescriptors()
            guard let gv, OpenAPI.groupVersions(descriptors).contains(gv) else { throw APIError.pageNotFound("") }
            return .json(OpenAPI.document(descriptors, groupVersion: gv))
        }
        let groupVersion: GroupVersion
        let rest: ArraySlice<String>
        if segments.first == "api", segments.count >= 2 {
            groupVersion = GroupVersion(group: "", version: segments[1])
            rest = segments[2...]
        } else if segments.first == "apis", segments.count >= 2 {
            if segments.count == 2 {
                guard request.method == .GET else { throw APIError.methodNotAllowed() }
                let descriptors = await store.allDescriptors()
                guard let group = Discovery.groups(descriptors).first(where: { $0.group == segments[1] }) else { throw APIError.pageNotFound() }
                return .json(JSONValue(["kind": "APIGroup", "apiVersion": "v1"]).merging(Discovery.group(group.group, versions: group.versions)))
            }
            groupVersion = GroupVersion(group: segments[1], version: segments[2])
            rest = segments[3...]
        } else {
            throw APIError.pageNotFound()
        }
        if rest.isEmpty {
            guard request.method == .GET else { throw APIError.methodNotAllowed() }
            let descriptors = await store.allDescriptors()
            guard descriptors.contains(where: { $0.type.groupVersion == groupVersion }) else {
                throw groupVersion.group.isEmpty ? APIError.pathNotFound() : APIError.pageNotFound()
            }
            return .json(Discovery.resourceList(descriptors, groupVersion: groupVersion))
        }
        let target = try await resolve(groupVersion: groupVersion, rest)
        let representation = try ContentNegotiation.representation(accept: request.headers.first(name: "accept"))
        let response = try await ResourceEndpoints(server: self, target: target, request: request, user: user).serve()
        return representation == .yaml ? ContentNegotiation.yaml(response) : response
    }

    /// What a resource path addresses.
    struct Target: Sendable {
        var resource: ResourceDescriptor
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    private func resolve(groupVersion: GroupVersion, _ rest: ArraySlice<String>) async throws -> Target {
        let parts = Array(rest)
        // Paths of a group version served by no built-in type (unknown, or a CRD's) that
        // match no resource are answered by Go's mux: plain text.
        // (Looked up only on the way to a 404, not for every request.)
        func notFound() async -> APIError {
            let builtIn = await store.allDescriptors().contains { $0.type.groupVersion == groupVersion && $0.definedByCRD == nil }
            return builtIn ? APIError.pathNotFound() : APIError.pageNotFound()
        }
        func descriptor(_ plural: String) async throws -> ResourceDescriptor {
            guard let d = await store.descriptor(group: groupVersion.group, version: groupVersion.version, plural: plural) else {
                throw await notFound()
            }
            return d
        }
        if parts[0] == "namespaces", parts.count >= 3, !(parts.count == 3 && ["status", "finalize"].contains(parts[2])) {
            let resource = try await descriptor(parts[2])
            guard resource.namespaced else { throw await notFound() }
            guard parts.count <= 5 else { throw APIError.pathNotFound() }
            return Target(resource: resource, namespace: parts[1], name: parts.count > 3 ? parts[3] : nil, subresource: parts.count > 4 ? parts[4] : nil)
        }
        let resource = try await descriptor(parts[0])
        guard parts.count <= 3 else { throw APIError.pathNotFound() }
        if resource.namespaced && parts.count > 1 { throw await notFound() }
        return Target(resource: resource, namespace: nil, name: parts.count > 1 ? parts[1] : nil, subresource: parts.count > 2 ? parts[2] : nil)
    }
}

extension JSONValue {
    init(_ object: JSONObject) { self = .object(object) }

    func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(var a) = self, case .object(let b) = other else { return other }
        for (k, v) in b { a[k] = v }
        return .object(a)
    }
}
