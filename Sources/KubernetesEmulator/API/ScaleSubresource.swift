import JSONCore
import KubeAPI

/// The `scale` subresource of Deployments and StatefulSets: an `autoscaling/v1` Scale
/// whose `spec.replicas` is the workload's. A PUT or PATCH of it changes only
/// `spec.replicas` (a `metadata.resourceVersion` in it is a precondition).
extension ResourceEndpoints {
    func serveScale() async throws -> APIResponse {
        let name = target.name!
        switch request.method {
        case .GET:
            return .json(Self.scale(of: try await store.get(resource, namespace: target.namespace, name: name)))
        case .PUT:
            let body = try parseBody(kind: "Scale")
            return try await setReplicas(from: body, name: name)
        case .PATCH:
            let type = try PatchType(contentType: request.headers.first(name: "content-type") ?? "")
            let patch: JSONValue
            do {
                patch = try JSONValue(parsing: request.body)
            } catch {
                throw APIError.badRequest("error decoding patch: \(GoJSONSyntax.firstError(Array(request.body)) ?? "unexpected end of JSON input")")
            }
            let current = Self.scale(of: try await store.get(resource, namespace: target.namespace, name: name))
            let patched: JSONValue
            do {
                switch type {
                case .merge: patched = Patching.mergePatch(current, patch)
                case .json: patched = try Patching.jsonPatch(current, patch)
                case .strategic: patched = try Patching.strategicMergePatch(current, patch)
                case .apply: throw APIError(code: 415, reason: "UnsupportedMediaType", message: "415: Unsupported Media Type")
                }
            } catch is JSONPatchFailure {
                throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request", details: StatusDetails())
            }
            return try await setReplicas(from: patched.objectValue ?? [:], name: name)
        default:
            throw APIError.methodNotAllowed()
        }
    }

    private func setReplicas(from scale: JSONObject, name: String) async throws -> APIResponse {
        let replicas = scale.value(at: ["spec", "replicas"])?.intValue ?? 0
        guard replicas >= 0 else {
            throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name, [
                StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0", field: "spec.replicas")
            ])
        }
        var change: JSONObject = ["spec": ["replicas": .int(replicas)]]
        if let version = scale.value(at: ["metadata", "resourceVersion"])?.stringValue, !version.isEmpty {
            change["metadata"] = ["resourceVersion": .string(version)]
        }
        let result = try await store.patch(
            resource, namespace: target.namespace, name: name, patchType: .merge, patch: .object(change), subresource: nil, options: writeOptions)
        return .json(Self.scale(of: result.object))
    }

    /// The Scale of a stored workload.
    static func scale(of stored: StoredObject) -> JSONValue {
        let object = stored.object
        var metadata: JSONObject = [:]
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            metadata[field] = object.value(at: ["metadata", field])
        }
        var spec: JSONObject = [:]
        if let replicas = object.value(at: ["spec", "replicas"])?.intValue, replicas != 0 { spec["replicas"] = .int(replicas) }
        var status: JSONObject = ["replicas": .int(object.value(at: ["status", "replicas"])?.intValue ?? 0)]
        if let selector = object.value(at: ["spec", "selector"]), let text = formatSelector(selector), !text.isEmpty { status["selector"] = .string(text) }
        return ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata), "spec": .object(spec), "status": .object(status)]
    }

    /// `metav1.FormatLabelSelector`: the requirements sorted by key, in selector syntax.
    static func formatSelector(_ selector: JSONValue) -> String? {
        var requirements: [(String, String)] = []
        for (key, value) in selector["matchLabels"]?.objectValue ?? [:] {
            requirements.append((key, "\(key)=\(value.stringValue ?? "")"))
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted().joined(separator: ",")
            switch expression["operator"]?.stringValue {
            case "In": requirements.append((key, "\(key) in (\(values))"))
            case "NotIn": requirements.append((key, "\(key) notin (\(values))"))
            case "Exists": requirements.append((key, key))
            case "DoesNotExist": requirements.append((key, "!\(key)"))
            default: return nil
            }
        }
        return requirements.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ",")
    }
}
