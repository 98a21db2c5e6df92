import JSONCore

/// A PATCH body and the patch format it is written in.
public enum Patch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch: objects merge, `null` deletes, lists are replaced.
    case merge(JSONValue)
    /// RFC 6902 JSON patch: a list of operations (`add`, `remove`, `replace`, `test`, …).
    case json([JSONValue])
    /// Kubernetes strategic merge patch (built-in types only: merges lists by key).
    case strategicMerge(JSONValue)
    /// Server-side apply of a partial object owned by `fieldManager`; `force` takes
    /// over fields owned by other managers instead of failing with a conflict.
    case apply(JSONValue, fieldManager: String, force: Bool = false)

    /// The `Content-Type` the API server selects the patch strategy by.
    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        // JSON is valid YAML, so the body is sent as JSON under the apply media type.
        case .apply: return "application/apply-patch+yaml"
        }
    }

    var body: JSONValue {
        switch self {
        case .merge(let value), .strategicMerge(let value), .apply(let value, _, _): return value
        case .json(let operations): return .array(operations)
        }
    }

    var queryItems: [(String, String)] {
        guard case .apply(_, let fieldManager, let force) = self else { return [] }
        var items = [("fieldManager", fieldManager)]
        if force { items.append(("force", "true")) }
        return items
    }
}
