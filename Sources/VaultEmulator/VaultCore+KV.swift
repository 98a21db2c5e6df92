import Foundation
import JSONCore

/// KV secrets engine routes, version 1 and 2.
extension VaultCore {
    func kv(_ context: inout RequestContext) -> VaultResponse {
        let ns = context.request.namespace
        let path = context.path
        let mounts = namespaces[ns]!.mounts
        guard let mountKey = mounts.keys.filter({ (path + "/").hasPrefix($0) }).max(by: { $0.count < $1.count }) else {
            return .unsupportedPath(path)
        }
        let rest = String(path.dropFirst(min(path.count, mountKey.count)))
        if mounts[mountKey]!.version == 1 {
            return kv1(&context, mountKey: mountKey, key: rest)
        }
        return kv2(&context, mountKey: mountKey, rest: rest)
    }

    private func writeCapability(exists: Bool) -> Capability { exists ? .update : .create }

    // MARK: v1

    private func kv1(_ context: inout RequestContext, mountKey: String, key: String) -> VaultResponse {
        let ns = context.request.namespace
        let store = namespaces[ns]!.mounts[mountKey]!.kv
        switch context.method {
        case "GET":
            guard context.allows(.read) else { return .permissionDenied }
            guard let data = store.readPlain(key) else { return .notFound }
            return .ok(data: .object(data), leaseDuration: Self.systemMaxTTL)
        case "LIST":
            guard context.allows(.list) else { return .permissionDenied }
            let keys = store.list(key, versioned: false)
            return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
        case "POST", "PUT":
            guard context.allows(writeCapability(exists: store.exists(key, versioned: false))) else { return .permissionDenied }
            guard !key.isEmpty else { return .badRequest("missing path") }
            namespaces[ns]!.mounts[mountKey]!.kv.writePlain(key, context.body)
            return .noContent
        case "DELETE":
            guard context.allows(.delete) else { return .permissionDenied }
            namespaces[ns]!.mounts[mountKey]!.kv.deletePlain(key)
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    // MARK: v2

    private static let versionedPathWarning =
        "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."

    private func kv2(_ context: inout RequestContext, mountKey: String, rest: String) -> VaultResponse {
        let ns = context.request.namespace
        let slash = rest.firstIndex(of: "/")
        let section = slash.map { String(rest[..<$0]) } ?? rest
        let key = slash.map { String(rest[rest.index(after: $0)...]) } ?? ""
        let now = self.now()
        let store = namespaces[ns]!.mounts[mountKey]!.kv
        let method = context.method
        switch section {
        case "config":
            guard context.allows(context.plainCapability) else { return .permissionDenied }
            if method == "GET" {
                return .ok(data: [
                    "max_versions": .int(Int64(store.maxVersions)), "cas_required": .bool(store.casRequired),
                    "delete_version_after": .string(store.deleteVersionAfter),
                ])
            }
            if let v = context.body["max_versions"]?.intValue { namespaces[ns]!.mounts[mountKey]!.kv.maxVersions = Int(v) }
            if let v = context.body["cas_required"]?.boolValue { namespaces[ns]!.mounts[mountKey]!.kv.casRequired = v }
            return .noContent
        case "data":
            switch method {
            case "GET":
                guard context.allows(.read) else { return .permissionDenied }
                return readVersion(store, key: key, version: context.request.query["version"].flatMap { Int($0) } ?? 0)
            case "POST", "PUT":
                guard context.allows(writeCapability(exists: store.exists(key, versioned: true))) else { return .permissionDenied }
                guard !key.isEmpty else { return .unsupportedPath(context.path) }
                guard let data = context.body["data"]?.objectValue else {
                    return .badRequest("no data provided")
                }
                let cas = context.body["options"]?["cas"]?.intValue.map { Int($0) }
                do throws(KVStore.WriteError) {
                    let (entry, version) = try namespaces[ns]!.mounts[mountKey]!.kv.write(key, data: data, cas: cas, now: now)
                    return .ok(data: entry.versions[version]!.metadata(version: version, custom: entry.customMetadata))
                } catch .casRequired {
                    return .badRequest("check-and-set parameter required for this call")
                } catch {
                    return .badRequest("check-and-set parameter did not match the current version")
                }
            case "DELETE":
                guard context.allows(.delete) else { return .permissionDenied }
                namespaces[ns]!.mounts[mountKey]!.kv.delete(key, versions: [], now: now)
                return .noContent
            default:
                return .unsupportedOperation
            }
        case "metadata":
            switch method {
            case "GET":
                guard context.allows(.read) else { return .permissionDenied }
                guard let entry = store.entry(key) else { return .notFound }
                return .ok(data: metadataJSON(entry, store: store))
            case "LIST":
                guard context.allows(.list) else { return .permissionDenied }
                let keys = store.list(key, versioned: true)
                return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
            case "POST", "PUT":
                guard context.allows(writeCapability(exists: store.exists(key, versioned: true))) else { return .permissionDenied }
                var custom: [String: String]?
                if let object = context.body["custom_metadata"]?.objectValue {
                    custom = object.compactMapValues(\.stringValue)
                }
                namespaces[ns]!.mounts[mountKey]!.kv.updateMetadata(
                    key, maxVersions: context.body["max_versions"]?.intValue.map { Int($0) },
                    casRequired: context.body["cas_required"]?.boolValue, customMetadata: custom,
                    deleteVersionAfter: context.body["delete_version_after"]?.stringValue, now: now)
                return .noContent
            case "DELETE":
                guard context.allows(.delete) else { return .permissionDenied }
                namespaces[ns]!.mounts[mountKey]!.kv.deleteAll(key)
                return .noContent
            default:
                return .unsupportedOperation
            }
        case "delete", "undelete", "destroy":
            guard method == "POST" || method == "PUT" else { return .unsupportedOperation }
            guard context.allows(.update) else { return .permissionDenied }
            let versions = (context.body["versions"]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) ?? $0.stringValue.flatMap { Int($0) } }
            guard !versions.isEmpty else { return .badRequest("no version number provided") }
            switch section {
            case "delete": namespaces[ns]!.mounts[mountKey]!.kv.delete(key, versions: versions, now: now)
            case "undelete": namespaces[ns]!.mounts[mountKey]!.kv.undelete(key, versions: versions)
            default: namespaces[ns]!.mounts[mountKey]!.kv.destroy(key, versions: versions)
            }
            return .noContent
        default:
            guard context.allows(context.plainCapability) else { return .permissionDenied }
            return .error(404, [], warnings: [Self.versionedPathWarning])
        }
    }

    private func readVersion(_ store: KVStore, key: String, version asked: Int) -> VaultResponse {
        guard let entry = store.entry(key) else { return .notFound }
        let number = asked == 0 ? entry.currentVersion : asked
        guard let version = entry.versions[number] else { return .notFound }
        let metadata = version.metadata(version: number, custom: entry.customMetadata)
        if version.deletion != nil || version.destroyed {
            // Vault answers 404 but still shows the version's metadata.
            return VaultResponse(status: 404, body: VaultResponse.envelope(data: ["data": nil, "metadata": metadata]))
        }
        return .ok(data: ["data": .object(version.data ?? [:]), "metadata": metadata])
    }

    private func metadataJSON(_ entry: KVStore.Entry, store: KVStore) -> JSONValue {
        var versions: JSONObject = [:]
        for (number, version) in entry.versions {
            versions[String(number)] = [
                "created_time": .string(VaultTime.format(version.created)),
                "deletion_time": .string(version.deletion.map(VaultTime.format) ?? ""), "destroyed": .bool(version.destroyed),
            ]
        }
        return [
            "cas_required": .bool(entry.casRequired), "created_time": .string(VaultTime.format(entry.created)),
            "current_version": .int(Int64(entry.currentVersion)), "delete_version_after": .string(entry.deleteVersionAfter),
            "max_versions": .int(Int64(entry.maxVersions)), "oldest_version": .int(Int64(entry.oldestVersion)),
            "updated_time": .string(VaultTime.format(entry.updated)),
            "custom_metadata": entry.customMetadata.map { .object($0.mapValues(JSONValue.string)) } ?? .null,
            "versions": .object(versions),
        ]
    }

    // MARK: Direct access for tests and `rotor dev`

    /// Writes a KV v2 version (or KV v1 data) without a request.
    func seed(namespace: String, mount: String, path: String, data: JSONObject) -> Int? {
        let key = mount.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/"
        guard let existing = namespaces[namespace]?.mounts[key] else { return nil }
        if existing.version == 1 {
            namespaces[namespace]!.mounts[key]!.kv.writePlain(path, data)
            return nil
        }
        return try? namespaces[namespace]!.mounts[key]!.kv.write(path, data: data, cas: nil, now: now()).1
    }

    func ensureMount(namespace: String, path: String, version: Int) {
        if namespaces[namespace] == nil { namespaces[namespace] = Self.newNamespace() }
        let key = path.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/"
        if namespaces[namespace]!.mounts[key] == nil {
            namespaces[namespace]!.mounts[key] = Mount(type: "kv", version: version, accessor: "kv_" + Self.randomID().prefix(8), description: "")
        }
    }
}
