import JSONCore

/// The patch formats of the Kubernetes API, applied to a JSON document.
enum PatchType: String, Sendable {
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    init(contentType: String) throws {
        let base = contentType.split(separator: ";").first.map { $0.trimmingSpaces.lowercased() } ?? ""
        // The route itself refuses other types, with go-restful's terse wording.
        guard let t = PatchType(rawValue: base) else { throw APIError(code: 415, reason: "UnsupportedMediaType", message: "415: Unsupported Media Type") }
        self = t
    }
}

enum Patching {
    /// RFC 7386 JSON merge patch.
    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchObject {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = mergePatch(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }

    /// Strategic merge patch, as far as kubectl needs it for built-in types: a merge
    /// patch where lists with a known merge key (containers by name, ownerReferences
    /// by uid, …) merge element-wise, `$patch: delete|replace` directives and the
    /// `$setElementOrder/` and `$retainKeys` bookkeeping keys kubectl sends.
    static func strategicMergePatch(_ target: JSONValue, _ patch: JSONValue, field: String = "") throws -> JSONValue {
        guard case .object(var patchObject) = patch else { return patch }
        if let directive = patchObject.removeValue(forKey: "$patch")?.stringValue {
            switch directive {
            case "replace": return .object(patchObject)
            case "delete": return .null
            case "merge": break
            // kube-apiserver does not classify this error: a 500 quoting the map as Go prints it.
            default: throw APIError.internalError("unknown patch type: \(directive) in map: \(GoSyntax.printed(patch))")
            }
        }
        var result = target.objectValue ?? [:]
        var retainKeys: Set<String>?
        if let retain = patchObject.removeValue(forKey: "$retainKeys")?.arrayValue {
            retainKeys = Set(retain.compactMap(\.stringValue))
        }
        for (key, value) in patchObject {
            if key.hasPrefix("$setElementOrder/") || key.hasPrefix("$deleteFromPrimitiveList/") {
                if key.hasPrefix("$deleteFromPrimitiveList/") {
                    let name = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                    let remove = Set((value.arrayValue ?? []).map { $0.serializedString() })
                    if let list = result[name]?.arrayValue {
                        result[name] = .array(list.filter { !remove.contains($0.serializedString()) })
                    }
                }
                continue
            }
            if value.isNull {
                result[key] = nil
                continue
            }
            if case .array(let patchList) = value, key == "imagePullSecrets", field.isEmpty {
                // A ServiceAccount's imagePullSecrets (top level) has no merge key: replaced.
                result[key] = .array(patchList)
            } else if case .array(let patchList) = value, let mergeKey = strategicMergeKeys[key] {
                result[key] = .array(try mergeList(result[key]?.arrayValue ?? [], patchList, mergeKey: mergeKey, field: key))
            } else if case .array(let patchList) = value, primitiveMergeLists.contains(key) {
                // The patch's items first, then the others already there (as kube-apiserver merges them).
                var list: [JSONValue] = []
                for item in patchList where !list.contains(item) { list.append(item) }
                for item in result[key]?.arrayValue ?? [] where !list.contains(item) { list.append(item) }
                result[key] = .array(list)
            } else if case .object = value {
                let merged = try strategicMergePatch(result[key] ?? .null, value, field: key)
                // Not `merged.isNull ? nil : merged`: that ternary is a JSONValue, whose nil literal is `.null`.
                if merged.isNull { result[key] = nil } else { result[key] = merged }
            } else {
                result[key] = value
            }
        }
        if let retainKeys {
            result = result.filter { retainKeys.contains($0.key) }
        }
        return .object(result)
    }

    private static func mergeList(_ current: [JSONValue], _ patch: [JSONValue], mergeKey: String, field: String) throws -> [JSONValue] {
        // A `{"$patch": "replace"}` element replaces the whole list with the patch's other elements.
        let isReplaceDirective: (JSONValue) -> Bool = { $0.objectValue?.count == 1 && $0["$patch"]?.stringValue == "replace" }
        if patch.contains(where: isReplaceDirective) {
            return patch.filter { !isReplaceDirective($0) }
        }
        var list = current
        for item in patch {
            guard case .object(var itemObject) = item else {
                throw APIError.badRequest("unable to merge list \(field): element is not an object")
            }
            let directive = itemObject["$patch"]?.stringValue
            guard let keyValue = itemObject[mergeKey] else {
                throw APIError.badRequest("map: \(itemObject.keys.sorted()) does not contain declared merge key: \(mergeKey)")
            }
            let existing = list.firstIndex { $0[mergeKey] == keyValue }
            if directive == "delete" {
                if let existing { list.remove(at: existing) }
                continue
            }
            if directive == "replace" {
                itemObject["$patch"] = nil
                if let existing { list[existing] = .object(itemObject) } else { list.append(.object(itemObject)) }
                continue
            }
            if let existing {
                list[existing] = try strategicMergePatch(list[existing], item, field: field)
            } else {
                list.append(try strategicMergePatch(.object([:]), item, field: field))
            }
        }
        return list
    }

    /// Lists that built-in types merge by a key (from the Go types' `patchMergeKey` tags).
    static let strategicMergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
        "env": "name", "volumeMounts": "mountPath", "ports": "containerPort", "imagePullSecrets": "name",
        "ownerReferences": "uid", "conditions": "type", "tolerations": "key", "hostAliases": "ip",
        "volumeDevices": "devicePath", "secrets": "name",
    ]

    /// Primitive lists with `patchStrategy:"merge"`.
    static let primitiveMergeLists: Set<String> = ["finalizers"]

    /// RFC 6902 JSON patch, as kube-apiserver's json-patch library applies it: a patch
    /// that is not a list is refused as it is decoded (400, worded for the field
    /// validation in force), an operation that cannot apply fails the patch (a 422), and
    /// `replace` of a missing object member adds it.
    static func jsonPatch(_ target: JSONValue, _ operations: JSONValue, strictDecoding: Bool = true) throws -> JSONValue {
        guard let ops = operations.arrayValue else {
            if strictDecoding {
                throw APIError.badRequest("error decoding patch: json: cannot unmarshal \(BodyDecoding.goTypeName(operations)) into Go value of type []handlers.jsonPatchOp")
            }
            throw APIError.badRequest("json: cannot unmarshal \(BodyDecoding.goTypeName(operations)) into Go value of type jsonpatch.Patch")
        }
        var document = target
        for op in ops {
            let name = op["op"]?.stringValue ?? "unknown"
            guard let path = op["path"]?.stringValue else { throw JSONPatchFailure("\(name) operation does not apply: doc is missing path") }
            let pointer = try JSONPointer(path)
            switch name {
            case "add": document = try pointer.adding(op["value"] ?? .null, to: document)
            case "remove": document = try pointer.removing(from: document)
            case "replace":
                document = try pointer.replacing(with: op["value"] ?? .null, in: document)
            case "move", "copy":
                guard let fromText = op["from"]?.stringValue else { throw JSONPatchFailure("missing from") }
                let from = try JSONPointer(fromText)
                let value = try from.get(document)
                if name == "move" { document = try from.removing(from: document) }
                document = try pointer.adding(value, to: document)
            case "test":
                let actual = try pointer.get(document)
                if actual != (op["value"] ?? .null) {
                    throw JSONPatchFailure("testing value \(path) failed: test failed")
                }
            default:
                throw JSONPatchFailure("Unexpected kind: \(name)")
            }
        }
        return document
    }
}

/// A JSON patch that could not be applied: a 422 on the wire, whose message is
/// kube-apiserver's generic one (it keeps the library's reason to itself).
struct JSONPatchFailure: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// RFC 6901 JSON pointer.
struct JSONPointer: Sendable {
    var tokens: [String]

    init(_ text: String) throws {
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { throw JSONPatchFailure("invalid JSON pointer \"\(text)\"") }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    func get(_ document: JSONValue) throws -> JSONValue {
        var current = document
        for token in tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else { throw JSONPatchFailure("path /\(tokens.joined(separator: "/")) not found") }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { throw JSONPatchFailure("index \(token) out of range") }
                current = a[i]
            default:
                throw JSONPatchFailure("path /\(tokens.joined(separator: "/")) not found")
            }
        }
        return current
    }

    func adding(_ value: JSONValue, to document: JSONValue) throws -> JSONValue {
        // RFC 6902 4.1: adding at the root replaces the whole document.
        if tokens.isEmpty { return value }
        return try modify(document, tokens[...]) { parent, last in
            switch parent {
            case .object(var o):
                o[last] = value
                return .object(o)
            case .array(var a):
                if last == "-" {
                    a.append(value)
                } else {
                    guard let i = Int(last), i >= 0, i <= a.count else { throw JSONPatchFailure("index \(last) out of range") }
                    a.insert(value, at: i)
                }
                return .array(a)
            default:
                throw JSONPatchFailure("cannot add to a \(parent.typeName)")
            }
        }
    }

    func removing(from document: JSONValue) throws -> JSONValue {
        try modify(document, tokens[...]) { parent, last in
            switch parent {
            case .object(var o):
                guard o.removeValue(forKey: last) != nil else { throw JSONPatchFailure("unable to remove nonexistent key: \(last)") }
                return .object(o)
            case .array(var a):
                guard let i = Int(last), a.indices.contains(i) else { throw JSONPatchFailure("index \(last) out of range") }
                a.remove(at: i)
                return .array(a)
            default:
                throw JSONPatchFailure("cannot remove from a \(parent.typeName)")
            }
        }
    }

    func replacing(with value: JSONValue, in document: JSONValue) throws -> JSONValue {
        if tokens.isEmpty { return value }
        return try modify(document, tokens[...]) { parent, last in
            switch parent {
            case .object(var o):
                o[last] = value
                return .object(o)
            case .array(var a):
                guard let i = Int(last), a.indices.contains(i) else { throw JSONPatchFailure("index \(last) out of range") }
                a[i] = value
                return .array(a)
            default:
                throw JSONPatchFailure("cannot replace in a \(parent.typeName)")
            }
        }
    }

    private func modify(_ node: JSONValue, _ rest: ArraySlice<String>, _ change: (JSONValue, String) throws -> JSONValue) throws -> JSONValue {
        guard let first = rest.first else { throw JSONPatchFailure("empty path") }
        if rest.count == 1 { return try change(node, first) }
        switch node {
        case .object(var o):
            guard let child = o[first] else { throw JSONPatchFailure("path not found: \(first)") }
            o[first] = try modify(child, rest.dropFirst(), change)
            return .object(o)
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw JSONPatchFailure("index \(first) out of range") }
            a[i] = try modify(a[i], rest.dropFirst(), change)
            return .array(a)
        default:
            throw JSONPatchFailure("path not found: \(first)")
        }
    }
}
