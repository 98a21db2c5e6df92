import Foundation
import NIOHTTP1
import JSONCore
import KubeAPI

/// The verbs on one resource path: list/watch/create on collections, and
/// get/update/patch/delete on objects and their `status` subresource.
struct ResourceEndpoints: Sendable {
    let server: APIServer
    let target: APIServer.Target
    let request: APIRequest
    /// Who sent the request (the access reviews answer about them).
    let user: UserInfo

    var store: ClusterStore { server.store }
    var resource: ResourceDescriptor { target.resource }

    var verb: String {
        switch (request.method, target.name) {
        case (.GET, nil): return request.flag("watch") ? "watch" : "list"
        case (.GET, _): return "get"
        case (.POST, _): return "create"
        case (.PUT, _): return "update"
        case (.PATCH, _): return "patch"
        case (.DELETE, nil): return "deletecollection"
        case (.DELETE, _): return "delete"
        default: return request.method.rawValue.lowercased()
        }
    }

    func serve() async throws -> APIResponse {
        // Under a throttle rule, name each request in its arrival log (a create's name is in its body).
        let name = server.faults.isThrottling
            ? target.name ?? (try? JSONValue(parsing: request.body))?[path: ["metadata", "name"]]?.stringValue : nil
        if let failure = await server.faults.intercept(verb: verb, resource: resource.plural, namespace: target.namespace, name: name) {
            throw failure
        }
        if let sub = target.subresource {
            switch (resource.id, sub, request.method) {
            case (ResourceRegistry.serviceAccounts, "token", .POST): return try await createToken()
            case (_, "scale", _) where resource.hasScaleSubresource: return try await serveScale()
            case (ResourceRegistry.namespaces, "finalize", .PUT): return try await updateObject()
            case (ResourceRegistry.namespaces, "finalize", _): throw APIError.methodNotAllowed()
            case (_, "status", .GET) where resource.hasStatusSubresource: return try await getObject()
            case (_, "status", .PUT) where resource.hasStatusSubresource: return try await updateObject()
            case (_, "status", .PATCH) where resource.hasStatusSubresource: return try await patchObject()
            case (_, "status", .POST) where resource.definedByCRD != nil:
                throw APIError(
                    code: 405, reason: "MethodNotAllowed", message: "create is not supported on resources of kind \"\(resource.qualifiedName)\"",
                    details: StatusDetails(group: resource.statusGroup, kind: resource.plural))
            case (_, "status", .POST) where resource.hasStatusSubresource: throw APIError.methodNotAllowed()
            // A custom resource without a status subresource: the CRD handler looks the object up first.
            case (_, "status", _) where resource.definedByCRD != nil: throw APIError.notFound(resource, target.name ?? "")
            default: throw APIError.pathNotFound()
            }
        }
        if resource.isVirtual {
            guard request.method == .POST, target.name == nil else { throw APIError.methodNotAllowed() }
            return try await review()
        }
        switch verb {
        case "list": return try await list()
        case "watch": return try await watch()
        case "get": return try await getObject()
        case "create":
            guard target.name == nil else { throw APIError.methodNotAllowed() }
            try validateOptions()
            return try await create()
        case "update", "patch":
            // PUT and PATCH address one object; on a collection they are not allowed.
            guard target.name != nil else { throw APIError.methodNotAllowed() }
            try validateOptions()
            return verb == "update" ? try await updateObject() : try await patchObject()
        case "delete":
            try validateOptions()
            return try await deleteObject()
        case "deletecollection":
            guard resource.verbs.contains("deletecollection") else { throw APIError.methodNotAllowed() }
            try validateOptions()
            return try await deleteCollection()
        default: throw APIError.methodNotAllowed()
        }
    }

    // MARK: Reads

    private var includeObject: Tables.IncludeObject {
        request.parameter("includeObject").flatMap(Tables.IncludeObject.init(rawValue:)) ?? .metadata
    }

    private func selectors() throws -> (LabelSelectorQuery?, FieldSelectorQuery?) {
        let labels = try request.parameter("labelSelector").flatMap { $0.isEmpty ? nil : try LabelSelectorQuery(parsing: $0) }
        let fields = try request.parameter("fieldSelector").flatMap { $0.isEmpty ? nil : try FieldSelectorQuery(parsing: $0, resource: resource) }
        return (labels, fields)
    }

    private func getObject() async throws -> APIResponse {
        let stored = try await store.get(resource, namespace: target.namespace, name: target.name!)
        if request.wantsTable {
            let table = Tables.table([stored], resource: resource, include: includeObject, now: server.now().timeIntervalSince1970,
                listMeta: ["resourceVersion": .string(String(stored.resourceVersion))])
            return .json(table)
        }
        if request.wantsPartialObjectMetadata { return .json(stored.partialObjectMetadata) }
        return .rawJSON(stored.bytes)
    }

    private func list() async throws -> APIResponse {
        let (labels, fields) = try selectors()
        let limit = request.parameter("limit").flatMap { Int($0) }
        let page = try await store.list(
            resource, namespace: target.namespace, labelSelector: labels, fieldSelector: fields, limit: limit,
            continueToken: request.parameter("continue"), resourceVersion: request.parameter("resourceVersion"),
            resourceVersionMatch: request.parameter("resourceVersionMatch"))
        var listMeta: JSONObject = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { listMeta["continue"] = .string(token) }
        // The custom resource handler always writes `continue` out.
        if resource.definedByCRD != nil && listMeta["continue"] == nil { listMeta["continue"] = "" }
        if let remaining = page.remainingItemCount { listMeta["remainingItemCount"] = .int(remaining) }
        if request.wantsTable {
            return .json(Tables.table(page.items, resource: resource, include: includeObject, now: server.now().timeIntervalSince1970, listMeta: listMeta))
        }
        if request.wantsPartialObjectMetadata {
            return .json([
                "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": .object(listMeta),
                "items": .array(page.items.map(\.partialObjectMetadata)),
            ])
        }
        // Items are concatenated from their stored encodings; nothing is re-encoded.
        var out: [UInt8] = []
        out.reserveCapacity(page.items.reduce(128) { $0 + $1.bytes.count + 1 })
        out.append(contentsOf: "{\"apiVersion\":\"\(resource.type.apiVersion)\",\"items\":[".utf8)
        for (i, item) in page.items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item.bytes)
        }
        out.append(contentsOf: "],\"kind\":\"\(resource.kind)List\",\"metadata\":".utf8)
        JSONValue.object(listMeta).serialize(into: &out)
        out.append(UInt8(ascii: "}"))
        return .rawJSON(out)
    }

    private func watch() async throws -> APIResponse {
        let (labels, fields) = try selectors()
        let bookmarks = request.flag("allowWatchBookmarks")
        let (id, stream) = try await store.watch(
            resource, namespace: target.namespace, labelSelector: labels, fieldSelector: fields,
            resourceVersion: request.parameter("resourceVersion"), bookmarks: bookmarks,
            sendInitialEvents: request.flag("sendInitialEvents"))
        let timeout = request.parameter("timeoutSeconds").flatMap { Int($0) }.map { max(0, $0) }
        let table = request.wantsTable
        let include = includeObject
        let resource = self.resource
        let store = self.store
        let now = server.now
        return APIResponse(status: .ok, headers: [("Content-Type", "application/json")], body: .stream { write in
            let timer: Task<Void, Never>? = timeout.map { seconds in
                Task {
                    try? await Task.sleep(for: .seconds(seconds))
                    await store.stopWatch(id)
                }
            }
            defer { timer?.cancel() }
            var sentColumns = false
            do {
                for await item in stream {
                    var line: [UInt8] = []
                    switch item {
                    case .event(let type, let stored):
                        line.append(contentsOf: "{\"type\":\"\(type.rawValue)\",\"object\":".utf8)
                        if table {
                            let t = Tables.table([stored], resource: resource, include: include, now: now().timeIntervalSince1970,
                                listMeta: ["resourceVersion": .string(String(stored.resourceVersion))], headers: !sentColumns)
                            sentColumns = true
                            t.serialize(into: &line)
                        } else {
                            line.append(contentsOf: stored.bytes)
                        }
                        line.append(contentsOf: "}\n".utf8)
                    case .bookmark(let rv):
                        let object: JSONValue = [
                            "kind": .string(resource.kind), "apiVersion": .string(resource.type.apiVersion),
                            "metadata": ["resourceVersion": .string(String(rv)), "creationTimestamp": nil],
                        ]
                        line.append(contentsOf: "{\"type\":\"BOOKMARK\",\"object\":".utf8)
                        object.serialize(into: &line)
                        line.append(contentsOf: "}\n".utf8)
                    case .error(let status):
                        line.append(contentsOf: "{\"type\":\"ERROR\",\"object\":".utf8)
                        ((try? JSONValue(encoding: status)) ?? .null).serialize(into: &line)
                        line.append(contentsOf: "}\n".utf8)
                    }
                    try await write(line)
                }
            } catch {
                await store.stopWatch(id)
                throw error
            }
            await store.stopWatch(id)
        })
    }

    // MARK: Writes

    /// The `dryRun` values other than `All` are refused as the options' validation words it.
    /// The options' validation (ValidateCreateOptions and its kin): `fieldManager`, then
    /// `dryRun`, then `fieldValidation`, every finding one cause of a 422 naming the options.
    private func validateOptions() throws {
        var causes: [StatusCause] = []
        let writes = verb != "delete" && verb != "deletecollection"
        if writes, let manager = request.parameter("fieldManager"), manager.utf8.count > 128 {
            causes.append(StatusCause(reason: "FieldValueTooLong", message: "Too long: may not be more than 128 bytes", field: "fieldManager"))
        }
        let values = request.query["dryRun"] ?? []
        if values.contains(where: { $0 != "All" }) {
            let list = values.map { "\"\($0)\"" }.joined(separator: ", ")
            causes.append(StatusCause(reason: "FieldValueNotSupported", message: "Unsupported value: []string{\(list)}: supported values: \"All\"", field: "dryRun"))
        }
        if writes, let validation = request.parameter("fieldValidation"), !["", "Ignore", "Strict", "Warn"].contains(validation) {
            causes.append(StatusCause(
                reason: "FieldValueNotSupported", message: "Unsupported value: \"\(validation)\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
                field: "fieldValidation"))
        }
        if !causes.isEmpty { throw APIError.invalid(kind: optionsKind, group: "meta.k8s.io", name: "", causes) }
    }

    /// The options' kind, as their validation errors name it.
    private var optionsKind: String {
        switch verb {
        case "create": return "CreateOptions"
        case "update": return "UpdateOptions"
        case "patch": return "PatchOptions"
        default: return "DeleteOptions"
        }
    }

    var writeOptions: WriteOptions {
        var options = WriteOptions()
        options.fieldManager = request.parameter("fieldManager")
        options.force = request.parameter("force") == "true"
        let agent = request.headers.first(name: "user-agent") ?? ""
        let prefix = agent.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        options.defaultManager = prefix.isEmpty ? "unknown" : prefix
        options.dryRun = request.query["dryRun"]?.contains("All") ?? false
        if let v = request.parameter("fieldValidation"), let fv = WriteOptions.FieldValidation(rawValue: v) {
            options.fieldValidation = fv
        }
        return options
    }

    /// The request body as an object of `kind` (the endpoint's, unless given), refused as
    /// kube-apiserver's decoder refuses it.
    func parseBody(kind: String? = nil) throws -> JSONObject {
        var duplicates: [String] = []
        return try parseBody(kind: kind, duplicates: &duplicates)
    }

    /// As above, noting the paths of repeated member names (the last value is kept).
    func parseBody(kind: String? = nil, duplicates: inout [String]) throws -> JSONObject {
        let contentType = request.headers.first(name: "content-type") ?? "application/json"
        if contentType.hasPrefix(ProtobufBodies.contentType) {
            return try ProtobufBodies.decode(request.body)
        }
        if contentType.hasPrefix("application/yaml") {
            return try BodyDecoding.yamlObject(Array(request.body), kind: kind ?? resource.kind)
        }
        if !contentType.hasPrefix("application/json") && !contentType.contains("*/*") {
            throw APIError.unsupportedBodyMediaType
        }
        return try BodyDecoding.object(Array(request.body), kind: kind ?? resource.kind, duplicates: &duplicates)
    }

    func respond(_ result: WriteResult, status: HTTPResponseStatus) -> APIResponse {
        let warnings = result.warnings.map { ("Warning", "299 - \"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"") }
        return .rawJSON(result.object.bytes, status: status, headers: warnings)
    }

    private func create() async throws -> APIResponse {
        var options = writeOptions
        let body = try parseBody(duplicates: &options.duplicateFields)
        try await admit(body, replacing: nil)
        let result = try await store.create(resource, namespace: target.namespace, body: body, options: options)
        return respond(result, status: .created)
    }

    private func updateObject() async throws -> APIResponse {
        var options = writeOptions
        let body = try parseBody(duplicates: &options.duplicateFields)
        // A status update keeps the stored metadata: its owner references cannot change.
        try await admit(body, replacing: target.subresource == nil ? try await currentObject() : nil, checksOwners: target.subresource == nil)
        let result = try await store.update(resource, namespace: target.namespace, name: target.name!, body: body, subresource: target.subresource, options: options)
        return respond(result, status: .ok)
    }

    private func patchObject() async throws -> APIResponse {
        let type = try PatchType(contentType: request.headers.first(name: "content-type") ?? "")
        let patch: JSONValue
        let body = Array(request.body)
        if type == .apply {
            // Apply configurations are YAML (JSON among it); the emulator reads a subset of YAML.
            do {
                patch = try YAMLSubset.parse(body)
            } catch let failure as YAMLSubset.Failure {
                throw APIError.badRequest("error decoding YAML: error converting YAML to JSON: \(failure.message)")
            }
        } else {
            do {
                patch = try JSONValue(parsing: body)
            } catch let error as JSONParseError {
                throw APIError.badRequest("error decoding patch: \(GoJSONSyntax.firstError(body) ?? error.description)")
            }
        }
        if type == .apply {
            if target.subresource == "status" && !resource.hasStatusSubresource { throw APIError.pathNotFound() }
            if needsPreview {
                // As for other patches: the applied object is what admission looks at.
                let old = try await currentObject()
                var preview = writeOptions
                preview.dryRun = true
                let planned = try await store.apply(
                    resource, namespace: target.namespace, name: target.name!, config: patch, subresource: target.subresource, options: preview)
                try await admit(planned.result.object.object, replacing: old)
            }
            let (result, created) = try await store.apply(
                resource, namespace: target.namespace, name: target.name!, config: patch, subresource: target.subresource, options: writeOptions)
            return respond(result, status: created ? .created : .ok)
        }
        if needsPreview {
            // The patched object is what admission looks at: computed first without being stored.
            let old = try await currentObject()
            var preview = writeOptions
            preview.dryRun = true
            let planned = try await store.patch(resource, namespace: target.namespace, name: target.name!, patchType: type, patch: patch, subresource: target.subresource, options: preview)
            try await admit(planned.object.object, replacing: old)
        }
        let result = try await store.patch(resource, namespace: target.namespace, name: target.name!, patchType: type, patch: patch, subresource: target.subresource, options: writeOptions)
        return respond(result, status: .ok)
    }

    // MARK: Admission

    /// Whether a patch must be computed before it is stored, for admission to see its result.
    private var needsPreview: Bool {
        server.authorization.checksEscalation(by: user, writing: resource) || server.authorization.checksOwnerReferences(by: user)
    }

    /// The stored object a write addresses, nil when there is none (a patch or apply that creates).
    private func currentObject() async throws -> JSONObject? {
        guard let name = target.name else { return nil }
        do {
            return try await store.get(resource, namespace: target.namespace, name: name).object
        } catch let error as APIError where error.httpCode == 404 {
            return nil
        }
    }

    /// The validating admission the emulator runs on a write of `object` (replacing `old`):
    /// RBAC escalation prevention, then the owner-references plugin when it is on.
    private func admit(_ object: JSONObject, replacing old: JSONObject?, checksOwners: Bool = true) async throws {
        try await server.authorization.checkEscalation(by: user, writing: resource, namespace: target.namespace, body: object)
        if checksOwners {
            try await server.authorization.checkOwnerReferences(
                by: user, writing: resource, subresource: target.subresource, namespace: target.namespace, new: object, old: old)
        }
    }

    private func deleteOptions() throws -> DeleteOptions {
        var options = DeleteOptions()
        // The policy is read as text first: an unknown one is refused by option validation
        // (422), not by decoding.
        var policy = request.parameter("propagationPolicy")
        if !request.body.isEmpty {
            do {
                guard var body = try JSONValue(parsing: request.body).objectValue else { throw APIError.badRequest("") }
                if policy == nil { policy = body["propagationPolicy"]?.stringValue }
                body["propagationPolicy"] = nil
                options = try KubeJSON.decoder.decode(DeleteOptions.self, from: Data(JSONValue.object(body).serializedBytes()))
            } catch {
                throw APIError.badRequest("the request body is not valid DeleteOptions")
            }
        }
        if let policy {
            guard let known = PropagationPolicy(rawValue: policy) else {
                throw APIError.invalidOption("DeleteOptions", field: "propagationPolicy", value: policy, supported: ["Foreground", "Background", "Orphan", "nil"])
            }
            options.propagationPolicy = known
        }
        if let grace = request.parameter("gracePeriodSeconds").flatMap({ Int64($0) }) { options.gracePeriodSeconds = grace }
        return options
    }

    private func deleteObject() async throws -> APIResponse {
        let options = try deleteOptions()
        let outcome = try await store.delete(resource, namespace: target.namespace, name: target.name!, options: options, dryRun: writeOptions.dryRun)
        switch outcome {
        case .deleted(let stored) where resource.returnsDeletedObject:
            return .rawJSON(stored.bytes)
        case .deleted(let stored):
            let status = Status(
                status: "Success",
                details: StatusDetails(name: stored.name, group: resource.statusGroup, kind: resource.plural, uid: stored.uid))
            return .json(try JSONValue(encoding: status))
        case .pending(let stored):
            // The object stays (finalizers, a foreground or orphan deletion): kube-apiserver
            // answers 200 with it as it now is.
            return .rawJSON(stored.bytes, status: .ok)
        }
    }

    private func deleteCollection() async throws -> APIResponse {
        let (labels, fields) = try selectors()
        let options = try deleteOptions()
        let page = try await store.list(
            resource, namespace: target.namespace, labelSelector: labels, fieldSelector: fields, limit: nil,
            continueToken: nil, resourceVersion: nil, resourceVersionMatch: nil)
        var deleted: [StoredObject] = []
        for item in page.items {
            if case .deleted(let s)? = try? await store.delete(resource, namespace: item.namespace, name: item.name, options: options, dryRun: writeOptions.dryRun) {
                deleted.append(s)
            } else {
                deleted.append(item)
            }
        }
        var out: [UInt8] = Array("{\"apiVersion\":\"\(resource.type.apiVersion)\",\"items\":[".utf8)
        for (i, item) in deleted.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item.bytes)
        }
        out.append(contentsOf: "],\"kind\":\"\(resource.kind)List\",\"metadata\":{}}".utf8)
        return .rawJSON(out)
    }

    // MARK: Authentication APIs

    private func createToken() async throws -> APIResponse {
        let body = try parseBody(kind: "TokenRequest")
        let registry = await store.registry
        try BodyDecoding.checkKind(body, of: "TokenRequest", apiVersion: "authentication.k8s.io/v1") { apiVersion, kind in
            registry.all.contains { $0.definedByCRD == nil && $0.type.apiVersion == apiVersion && $0.kind == kind }
        }
        let sa = try await store.get(resource, namespace: target.namespace, name: target.name!)
        let spec = body["spec"]?.objectValue ?? [:]
        let expiration = spec["expirationSeconds"]?.intValue ?? 3600
        // Validation names the body's object (usually unnamed), not the ServiceAccount.
        let requestName = body.value(at: ["metadata", "name"])?.stringValue ?? ""
        func invalid(_ why: String) -> APIError {
            APIError.invalid(kind: "TokenRequest", group: "authentication.k8s.io", name: requestName, [
                StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(expiration): \(why)", field: "spec.expirationSeconds")
            ])
        }
        if expiration < 600 { throw invalid("may not specify a duration less than 10 minutes") }
        if expiration > 1 << 32 { throw invalid("may not specify a duration larger than 2^32 seconds") }
        var audiences = spec["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if audiences.isEmpty { audiences = [ServiceAccountTokens.issuer] }
        let now = server.now()
        let expires = now.addingTimeInterval(Double(expiration))
        let token = try server.tokens.issue(
            .init(namespace: sa.namespace, serviceAccountName: sa.name, serviceAccountUID: sa.uid, audiences: audiences, expires: expires),
            now: now)
        var response: JSONObject = [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(sa.name), "namespace": .string(sa.namespace), "creationTimestamp": nil],
            "spec": ["audiences": .array(audiences.map(JSONValue.string)), "expirationSeconds": .int(expiration), "boundObjectRef": spec["boundObjectRef"] ?? .null],
        ]
        response["status"] = ["token": .string(token), "expirationTimestamp": .string(KubeTime(expires).rfc3339)]
        return .json(.object(response), status: .created)
    }

    /// TokenReview, worded as kube-apiserver's authenticator: an unauthenticated review
    /// leaves `authenticated` out (Go omits false) and names why in `error`.
    func reviewToken() async throws -> APIResponse {
        let body = try parseBody()
        let token = body.value(at: ["spec", "token"])?.stringValue ?? ""
        guard !token.isEmpty else { throw APIError.badRequest("token is required for TokenReview in authentication") }
        let wanted = body.value(at: ["spec", "audiences"])?.arrayValue?.compactMap(\.stringValue) ?? [ServiceAccountTokens.issuer]
        func quotedList(_ items: [String]) -> String { "[" + items.map(GoSyntax.quoted).joined(separator: " ") + "]" }
        var status: JSONObject = [:]
        switch server.tokens.verify(token, now: server.now()) {
        case .failure(let error):
            status = ["error": .string(error.message), "user": [:]]
        case .success(let claims):
            let matched = claims.audiences.filter(wanted.contains)
            let sa = await store.descriptor(group: "", version: "v1", plural: "serviceaccounts")
            let current = try? await store.get(sa!, namespace: claims.namespace, name: claims.serviceAccountName)
            if matched.isEmpty {
                status = [
                    "error": .string("[invalid bearer token, token audiences \(quotedList(claims.audiences)) is invalid for the target audiences \(quotedList(wanted))]"),
                    "user": [:],
                ]
            } else if current == nil {
                status = ["error": .string("[invalid bearer token, serviceaccounts \(GoSyntax.quoted(claims.serviceAccountName)) not found]"), "user": [:]]
            } else if current?.uid != claims.serviceAccountUID {
                status = ["error": .string("[invalid bearer token, service account \(claims.namespace)/\(claims.serviceAccountName) has been deleted]"), "user": [:]]
            } else {
                var user: JSONObject = [
                    "username": .string("system:serviceaccount:\(claims.namespace):\(claims.serviceAccountName)"),
                    "uid": .string(claims.serviceAccountUID),
                    "groups": ["system:serviceaccounts", .string("system:serviceaccounts:\(claims.namespace)"), "system:authenticated"],
                ]
                if !claims.tokenID.isEmpty {
                    user["extra"] = ["authentication.kubernetes.io/credential-id": [.string("JTI=\(claims.tokenID)")]]
                }
                status = ["authenticated": true, "audiences": .array(matched.map(JSONValue.string)), "user": .object(user)]
            }
        }
        var response = body
        response["kind"] = "TokenReview"
        response["apiVersion"] = "authentication.k8s.io/v1"
        response["metadata"] = ["creationTimestamp": nil]
        response["status"] = .object(status)
        return .json(.object(response), status: .created)
    }
}
