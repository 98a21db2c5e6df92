import Foundation
import JSONCore

/// Field management as kube-apiserver's server-side apply does it: which manager owns
/// which fields of an object (`metadata.managedFields`, `FieldsV1`), what an apply of a
/// manager's configuration makes of the object, and when it conflicts with another manager.
///
/// Pure: objects, managers and the time come in, the new object and its managed fields
/// (or the conflicts) go out. `ClusterStore` calls it for applies (`apply(...)`) and for
/// every other write (`update(...)`, kube-apiserver's `Update` operations).
///
/// Fields are paths of `FieldsV1` elements: `f:name` (a member of an object), `k:{"name":"x"}`
/// (an item of a list keyed by some of its fields), `v:"a"` (an item of a set) and `.`
/// (the node itself, for an object or item created by an update, and for keyed items).
/// Lists are atomic (owned whole) unless a schema says `x-kubernetes-list-type: map` or
/// `set`, and for the built-in types `metadata.finalizers` (a set) and
/// `metadata.ownerReferences` (keyed by `uid`).
enum ManagedFields {
    typealias FieldPath = [String]

    /// How a list merges and is owned.
    enum ListKind: Equatable {
        case atomic
        case set
        case map(keys: [String])
    }

    /// The list kind at a place in the object, by the names of the object members leading
    /// there (list items are not named).
    typealias ListKinds = @Sendable ([String]) -> ListKind

    /// One entry of `metadata.managedFields`.
    struct Entry: Equatable {
        var manager: String
        var operation: String
        var apiVersion: String
        var time: String?
        var subresource: String?
        var fields: Set<FieldPath>

        var json: JSONValue {
            var object: JSONObject = [
                "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
                "fieldsType": "FieldsV1", "fieldsV1": .object(ManagedFields.tree(fields)),
            ]
            if let time { object["time"] = .string(time) }
            if let subresource { object["subresource"] = .string(subresource) }
            return .object(object)
        }

        init(manager: String, operation: String, apiVersion: String, time: String?, subresource: String?, fields: Set<FieldPath>) {
            self.manager = manager
            self.operation = operation
            self.apiVersion = apiVersion
            self.time = time
            self.subresource = subresource
            self.fields = fields
        }

        init?(_ value: JSONValue) {
            guard let manager = value["manager"]?.stringValue, let operation = value["operation"]?.stringValue else { return nil }
            self.manager = manager
            self.operation = operation
            apiVersion = value["apiVersion"]?.stringValue ?? ""
            time = value["time"]?.stringValue
            subresource = value["subresource"]?.stringValue
            fields = ManagedFields.paths(value["fieldsV1"]?.objectValue ?? [:])
        }

        /// Applies by one manager are one entry; updates by one manager, one per apiVersion.
        func isSameSlot(as other: Entry) -> Bool {
            manager == other.manager && operation == other.operation && subresource == other.subresource
                && (operation == "Apply" || apiVersion == other.apiVersion)
        }

        /// How a conflict names this manager: `"alice"`, or `"carol" using v1` for an update.
        var conflictName: String {
            let quoted = "\"\(manager)\""
            return operation == "Apply" ? quoted : "\(quoted) using \(apiVersion)"
        }
    }

    /// A field owned by another manager whose value an apply would change.
    struct Conflict: Equatable {
        var manager: String
        var path: String
    }

    /// What an apply makes of the object, or why it cannot.
    enum ApplyOutcome {
        case applied(object: JSONObject, entries: [Entry])
        case conflicts([Conflict])
    }

    /// Members of the object that are never managed (identity and server-set metadata).
    static let ignoredMetadata: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink",
        "deletionTimestamp", "deletionGracePeriodSeconds",
    ]

    // MARK: Apply

    /// Applies `config` as `manager` to `live` (nil: the object does not exist yet).
    ///
    /// - Parameters:
    ///   - scope: which top-level members this write may change (`status` only for the
    ///     status subresource, everything but `status` otherwise when there is one).
    static func apply(
        config: JSONObject, to live: JSONObject?, entries: [Entry], manager: String, apiVersion: String, subresource: String?,
        force: Bool, scope: (String) -> Bool, kinds: ListKinds, time: String
    ) -> ApplyOutcome {
        let configured = managedPart(config, scope: scope)
        let applied = Set(members(of: .object(configured), kinds: kinds, intermediate: false))
        let base = live ?? [:]
        let mine = Entry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: time, subresource: subresource, fields: applied)
        var others = entries.filter { !$0.isSameSlot(as: mine) }
        let previous = entries.first { $0.isSameSlot(as: mine) }?.fields ?? []

        var conflicts: [Conflict] = []
        var forced: [Int: Set<FieldPath>] = [:]
        for path in applied where path.last != "." {
            let wanted = value(at: path, in: .object(configured), kinds: kinds)
            let current = value(at: path, in: .object(base), kinds: kinds)
            guard wanted != current else { continue }
            for (index, other) in others.enumerated() where other.fields.contains(path) {
                if force {
                    forced[index, default: []].insert(path)
                } else {
                    conflicts.append(Conflict(manager: other.conflictName, path: describe(path)))
                }
            }
        }
        if !conflicts.isEmpty { return .conflicts(conflicts.sorted { ($0.manager, $0.path) < ($1.manager, $1.path) }) }
        for (index, paths) in forced { others[index].fields.subtract(paths) }
        others.removeAll { $0.fields.isEmpty }

        // The whole configuration within scope is merged (identity metadata included); only
        // the managed part is owned.
        let scoped = config.filter { ["apiVersion", "kind", "metadata"].contains($0.key) || scope($0.key) }
        var object = merge(live: .object(base), config: .object(scoped), names: [], kinds: kinds).objectValue ?? [:]
        let ownedByOthers = others.reduce(into: Set<FieldPath>()) { $0.formUnion($1.fields) }
        let dropped = previous.subtracting(applied).filter { path in
            !ownedByOthers.contains(path) && !ownedByOthers.contains { $0.starts(with: path.dropLast()) && path.last == "." }
        }
        // Whole items first (a member of an item already gone is not looked for), then
        // leaves, deepest first so that emptied objects go too.
        let order = dropped.sorted { a, b in
            (a.last == "." ? 0 : 1, a.last == "." ? a.count : -a.count) < (b.last == "." ? 0 : 1, b.last == "." ? b.count : -b.count)
        }
        for path in order { remove(path, from: &object, kinds: kinds) }
        return .applied(object: object, entries: others + [mine])
    }

    // MARK: Update

    /// The managed fields after a write that is not an apply: `manager` owns what it added
    /// or changed (objects and keyed items it created included, as `.`), every manager loses
    /// what the write removed or changed. nil when no manager owns anything any more.
    static func update(
        old: JSONObject?, new: JSONObject, entries: [Entry], manager: String, apiVersion: String, subresource: String?,
        scope: (String) -> Bool, kinds: ListKinds, time: String
    ) -> [Entry] {
        let before = Set(members(of: .object(managedPart(old ?? [:], scope: scope)), kinds: kinds, intermediate: true))
        let after = Set(members(of: .object(managedPart(new, scope: scope)), kinds: kinds, intermediate: true))
        var changed = after.subtracting(before)
        for path in after.intersection(before) where path.last != "." {
            if value(at: path, in: .object(old ?? [:]), kinds: kinds) != value(at: path, in: .object(new), kinds: kinds) { changed.insert(path) }
        }
        let removed = before.subtracting(after)
        guard !changed.isEmpty || !removed.isEmpty else { return entries }
        var result: [Entry] = []
        var mine = Entry(manager: manager, operation: "Update", apiVersion: apiVersion, time: time, subresource: subresource, fields: [])
        for var entry in entries {
            entry.fields.subtract(removed)
            if entry.isSameSlot(as: mine) {
                mine.fields = entry.fields
                continue
            }
            entry.fields.subtract(changed)
            if !entry.fields.isEmpty { result.append(entry) }
        }
        mine.fields.formUnion(changed)
        if !mine.fields.isEmpty { result.append(mine) }
        return result
    }

    // MARK: Fields of an object

    /// `object` without what no manager owns: identity metadata, `apiVersion`/`kind`, and
    /// the top-level members outside `scope`.
    static func managedPart(_ object: JSONObject, scope: (String) -> Bool) -> JSONObject {
        var out: JSONObject = [:]
        for (key, value) in object where key != "apiVersion" && key != "kind" && scope(key) {
            if key == "metadata", var metadata = value.objectValue {
                for field in ignoredMetadata { metadata[field] = nil }
                if !metadata.isEmpty { out[key] = .object(metadata) }
            } else {
                out[key] = value
            }
        }
        return out
    }

    /// Every field of `value`: its leaves (scalars, atomic lists, empty objects, set items)
    /// and keyed list items (`.`); with `intermediate`, also every object below the root
    /// (`.`), as an update owns the objects it creates.
    static func members(of value: JSONValue, kinds: ListKinds, intermediate: Bool) -> [FieldPath] {
        var out: [FieldPath] = []
        collect(value, names: [], path: [], kinds: kinds, intermediate: intermediate, into: &out)
        return out
    }

    private static func collect(_ value: JSONValue, names: [String], path: FieldPath, kinds: ListKinds, intermediate: Bool, into out: inout [FieldPath]) {
        switch value {
        case .object(let object):
            if object.isEmpty {
                if !path.isEmpty { out.append(path) }
                return
            }
            // Every object has metadata: it is never created by a write.
            if intermediate && !path.isEmpty && path != ["f:metadata"] { out.append(path + ["."]) }
            for (key, member) in object {
                collect(member, names: names + [key], path: path + ["f:" + key], kinds: kinds, intermediate: intermediate, into: &out)
            }
        case .array(let items):
            switch kinds(names) {
            case .atomic:
                out.append(path)
            case .set:
                for item in items { out.append(path + ["v:" + compact(item)]) }
            case .map(let keys):
                for item in items {
                    guard let element = keyElement(item, keys: keys) else { continue }
                    let itemPath = path + [element]
                    out.append(itemPath + ["."])
                    for (key, member) in item.objectValue ?? [:] {
                        collect(member, names: names + [key], path: itemPath + ["f:" + key], kinds: kinds, intermediate: intermediate, into: &out)
                    }
                }
            }
        default:
            out.append(path)
        }
    }

    /// The value at `path` in `root` (nil: absent). `.` is the node itself.
    static func value(at path: FieldPath, in root: JSONValue, kinds: ListKinds) -> JSONValue? {
        var node: JSONValue? = root
        var names: [String] = []
        for element in path {
            guard let current = node else { return nil }
            if element == "." { continue }
            if element.hasPrefix("f:") {
                let name = String(element.dropFirst(2))
                names.append(name)
                node = current.objectValue?[name]
            } else if element.hasPrefix("k:") || element.hasPrefix("v:") {
                node = current.arrayValue?.first { item in itemElement(item, kinds: kinds(names)) == element }
            } else {
                return nil
            }
        }
        return node
    }

    // MARK: Merging and removing

    /// `config` merged into `live`: objects member by member, keyed lists item by item,
    /// sets by union (live order, then new items), atomic lists and scalars replaced.
    static func merge(live: JSONValue?, config: JSONValue, names: [String], kinds: ListKinds) -> JSONValue {
        switch config {
        case .object(let wanted):
            var result = live?.objectValue ?? [:]
            for (key, value) in wanted { result[key] = merge(live: result[key], config: value, names: names + [key], kinds: kinds) }
            return .object(result)
        case .array(let wanted):
            let kind = kinds(names)
            guard kind != .atomic, let current = live?.arrayValue else { return config }
            var result = current
            for item in wanted {
                let element = itemElement(item, kinds: kind)
                if let index = result.firstIndex(where: { itemElement($0, kinds: kind) == element }) {
                    if case .map = kind { result[index] = merge(live: result[index], config: item, names: names, kinds: kinds) }
                } else {
                    result.append(item)
                }
            }
            return .array(result)
        default:
            return config
        }
    }

    /// Removes the field at `path` (a leaf, or a keyed or set item), then the objects left
    /// empty on the way up.
    static func remove(_ path: FieldPath, from object: inout JSONObject, kinds: ListKinds) {
        let elements = path.last == "." ? Array(path.dropLast()) : path
        guard !elements.isEmpty else { return }
        var root = JSONValue.object(object)
        removeElement(elements[...], in: &root, names: [], kinds: kinds)
        object = root.objectValue ?? [:]
    }

    @discardableResult
    private static func removeElement(_ elements: ArraySlice<String>, in node: inout JSONValue, names: [String], kinds: ListKinds) -> Bool {
        guard let element = elements.first else { return false }
        let last = elements.count == 1
        if element.hasPrefix("f:"), var object = node.objectValue {
            let name = String(element.dropFirst(2))
            if last {
                object[name] = nil
            } else if var child = object[name] {
                removeElement(elements.dropFirst(), in: &child, names: names + [name], kinds: kinds)
                if case .object(let emptied) = child, emptied.isEmpty { object[name] = nil } else { object[name] = child }
                if case .array(let items) = child, items.isEmpty { object[name] = nil }
            }
            node = .object(object)
            return true
        }
        if element.hasPrefix("k:") || element.hasPrefix("v:"), var items = node.arrayValue {
            let kind = kinds(names)
            guard let index = items.firstIndex(where: { itemElement($0, kinds: kind) == element }) else { return false }
            if last {
                items.remove(at: index)
            } else {
                removeElement(elements.dropFirst(), in: &items[index], names: names, kinds: kinds)
            }
            node = .array(items)
            return true
        }
        return false
    }

    // MARK: Encoding

    /// The `FieldsV1` tree of a set of paths.
    static func tree(_ paths: Set<FieldPath>) -> JSONObject {
        var root: JSONObject = [:]
        for path in paths { insert(path[...], into: &root) }
        return root
    }

    private static func insert(_ path: ArraySlice<String>, into node: inout JSONObject) {
        guard let first = path.first else { return }
        var child = node[first]?.objectValue ?? [:]
        insert(path.dropFirst(), into: &child)
        node[first] = .object(child)
    }

    /// The paths of a `FieldsV1` tree.
    static func paths(_ tree: JSONObject) -> Set<FieldPath> {
        var out = Set<FieldPath>()
        func walk(_ node: JSONObject, _ prefix: FieldPath) {
            for (key, value) in node {
                let child = value.objectValue ?? [:]
                if key == "." || child.isEmpty {
                    out.insert(prefix + [key])
                } else {
                    walk(child, prefix + [key])
                }
            }
        }
        walk(tree, [])
        return out
    }

    /// A path as conflicts name it: `.data.a`, `.spec.ports[name="http"].port`, `.metadata.finalizers[="x"]`.
    static func describe(_ path: FieldPath) -> String {
        var out = ""
        for element in path where element != "." {
            if element.hasPrefix("f:") {
                out += "." + element.dropFirst(2)
            } else if element.hasPrefix("k:"), let keys = try? JSONValue(parsing: Array(element.dropFirst(2).utf8)).objectValue {
                out += "[" + keys.sorted { $0.key < $1.key }.map { "\($0.key)=\(compact($0.value))" }.joined(separator: ",") + "]"
            } else if element.hasPrefix("v:") {
                out += "[=" + element.dropFirst(2) + "]"
            }
        }
        return out
    }

    private static func itemElement(_ item: JSONValue, kinds kind: ListKind) -> String? {
        switch kind {
        case .map(let keys): return keyElement(item, keys: keys)
        case .set: return "v:" + compact(item)
        case .atomic: return nil
        }
    }

    private static func keyElement(_ item: JSONValue, keys: [String]) -> String? {
        guard let object = item.objectValue else { return nil }
        var key: JSONObject = [:]
        for name in keys { if let value = object[name] { key[name] = value } }
        guard !key.isEmpty else { return nil }
        return "k:" + compact(.object(key))
    }

    /// Compact JSON with sorted members, as `FieldsV1` keys spell values.
    static func compact(_ value: JSONValue) -> String {
        switch value {
        case .object(let object):
            return "{" + object.sorted { $0.key < $1.key }.map { "\(compact(.string($0.key))):\(compact($0.value))" }.joined(separator: ",") + "}"
        case .array(let items):
            return "[" + items.map(compact).joined(separator: ",") + "]"
        default:
            return String(decoding: value.serializedBytes(), as: UTF8.self)
        }
    }

    // MARK: Messages

    /// kube-apiserver's 409 text for `conflicts`.
    static func conflictMessage(_ conflicts: [Conflict]) -> String {
        if conflicts.count == 1 {
            return "Apply failed with 1 conflict: conflict with \(conflicts[0].manager): \(conflicts[0].path)"
        }
        var byManager: [String: [String]] = [:]
        for conflict in conflicts { byManager[conflict.manager, default: []].append(conflict.path) }
        var lines: [String] = []
        for manager in byManager.keys.sorted() {
            lines.append("conflicts with \(manager):")
            lines += (byManager[manager] ?? []).map { "- \($0)" }
        }
        return "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
    }
}
