import Foundation
import JSONCore

/// `sys/…`: health, mounts, auth methods, ACL policies, capabilities, namespaces.
extension VaultCore {
    func health(_ path: String) -> VaultResponse {
        if path == "sys/seal-status" {
            return VaultResponse(status: 200, body: [
                "type": "shamir", "initialized": true, "sealed": false, "t": 1, "n": 1, "progress": 0, "nonce": "",
                "version": .string(VaultEmulator.version), "build_date": "2026-01-01T00:00:00Z", "migration": false,
                "cluster_name": "vault-cluster-rotor", "cluster_id": .string(clusterID), "recovery_seal": false, "storage_type": "inmem",
            ])
        }
        return VaultResponse(status: 200, body: healthBody(sealed: false, standby: false))
    }

    func healthBody(sealed: Bool, standby: Bool) -> JSONValue {
        [
            "initialized": true, "sealed": .bool(sealed), "standby": .bool(standby), "performance_standby": false,
            "replication_performance_mode": "disabled", "replication_dr_mode": "disabled",
            "server_time_utc": .int(Int64(now().timeIntervalSince1970)), "version": .string(VaultEmulator.version),
            "enterprise": false, "cluster_name": "vault-cluster-rotor", "cluster_id": .string(clusterID), "echo_duration_ms": 0,
            "clock_skew_ms": 0,
        ]
    }

    func sys(_ context: inout RequestContext) -> VaultResponse {
        let path = context.path
        let ns = context.request.namespace
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let second = segments.count > 1 ? segments[1] : ""
        let rest = segments.dropFirst(2).joined(separator: "/")
        switch second {
        case "mounts":
            guard context.allows(context.plainCapability) else { return .permissionDenied }
            return mounts(context.method, rest, namespace: ns, body: context.body)
        case "auth":
            guard context.allows(context.plainCapability) else { return .permissionDenied }
            return authMounts(context.method, rest, namespace: ns, body: context.body)
        case "policies" where segments.count >= 3 && segments[2] == "acl":
            guard context.allows(context.plainCapability) else { return .permissionDenied }
            return policies(context.method, segments.dropFirst(3).joined(separator: "/"), namespace: ns, body: context.body)
        case "policy":
            guard context.allows(context.plainCapability) else { return .permissionDenied }
            return policies(context.method, rest, namespace: ns, body: context.body, legacy: true)
        case "capabilities-self":
            guard context.allows(.update) else { return .permissionDenied }
            return capabilitiesSelf(context)
        case "internal" where path == "sys/internal/ui/resultant-acl":
            guard context.allows(.read) else { return .permissionDenied }
            return resultantACL(context)
        case "namespaces":
            guard context.allows(context.plainCapability) else { return .permissionDenied }
            return namespaceEndpoint(context.method, rest, namespace: ns)
        default:
            return .unsupportedPath(path)
        }
    }

    private func mountPath(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return trimmed + "/"
    }

    private func mountJSON(_ mount: Mount) -> JSONValue {
        [
            "type": .string(mount.type), "description": .string(mount.description), "accessor": .string(mount.accessor),
            "options": mount.type == "kv" ? ["version": .string(String(mount.version))] : .null,
            "config": [
                "default_lease_ttl": .int(Int64(mount.defaultLeaseTTL)), "max_lease_ttl": .int(Int64(mount.maxLeaseTTL)),
                "force_no_cache": false,
            ],
            "local": false, "seal_wrap": false,
            "external_entropy_access": false, "uuid": .string(mount.accessor), "plugin_version": "", "running_plugin_version": "",
        ]
    }

    private func mounts(_ method: String, _ rest: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        if rest.isEmpty {
            guard method == "GET" else { return .unsupportedOperation }
            var data: JSONObject = [:]
            for (path, mount) in namespaces[ns]!.mounts { data[path] = mountJSON(mount) }
            data["sys/"] = ["type": "system", "description": "system endpoints used for control, policy and debugging", "options": nil]
            return listing(data)
        }
        if rest.hasSuffix("/tune") {
            return tune(method, mountPath(String(rest.dropLast("/tune".count))), namespace: ns, body: body)
        }
        let path = mountPath(rest)
        switch method {
        case "GET":
            guard let mount = namespaces[ns]!.mounts[path] else { return .badRequest("No secret engine mount at \(path)") }
            return .ok(data: mountJSON(mount))
        case "POST", "PUT":
            if namespaces[ns]!.mounts[path] != nil || path == "sys/" || path == "auth/" || path == "cubbyhole/" {
                return .badRequest("path is already in use at \(path)")
            }
            let type = body["type"]?.stringValue ?? ""
            let optionVersion = body["options"]?["version"]?.stringValue ?? body["options"]?["version"]?.intValue.map(String.init)
            let version: Int
            var engine = "kv"
            switch type {
            case "kv": version = optionVersion == "2" ? 2 : 1
            case "kv-v2": version = 2
            case "database", "pki":
                version = 0
                engine = type
            default: return .badRequest("plugin not found in the catalog: \(type)")
            }
            var mount = Mount(
                type: engine, version: version, accessor: engine + "_" + Self.randomID().prefix(8),
                description: body["description"]?.stringValue ?? "")
            if let refusal = Self.applyLeaseTTLs(body["config"]?.objectValue ?? [:], to: &mount) { return refusal }
            namespaces[ns]!.mounts[path] = mount
            return .noContent
        case "DELETE":
            namespaces[ns]!.mounts[path] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    /// `default_lease_ttl` / `max_lease_ttl` from a mount's `config` or a tune: above the
    /// system's 768h if asked (a PKI root for ten years), up to ``VaultCore/mountTTLLimit``.
    private static func applyLeaseTTLs(_ fields: JSONObject, to mount: inout Mount) -> VaultResponse? {
        let ttlFields: [(String, WritableKeyPath<Mount, Int>)] = [("default_lease_ttl", \.defaultLeaseTTL), ("max_lease_ttl", \.maxLeaseTTL)]
        for (field, keyPath) in ttlFields {
            guard let raw = fields[field] else { continue }
            guard let seconds = VaultDuration.seconds(raw), seconds >= 0 else {
                return .badRequest("error converting input for field \"\(field)\": invalid duration")
            }
            guard seconds <= mountTTLLimit else {
                return .badRequest("invalid \(field): the emulator allows at most \(mountTTLLimit)s (100 years)")
            }
            mount[keyPath: keyPath] = seconds
        }
        return nil
    }

    /// `sys/mounts/<path>/tune`: read or change a mount's lease TTLs.
    private func tune(_ method: String, _ path: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        guard var mount = namespaces[ns]!.mounts[path] else { return .badRequest("cannot fetch sysview for path \"\(path)\"") }
        switch method {
        case "GET":
            return .ok(data: [
                "default_lease_ttl": .int(Int64(mount.effectiveDefaultTTL)), "max_lease_ttl": .int(Int64(mount.effectiveMaxTTL)),
                "force_no_cache": false, "description": .string(mount.description),
            ])
        case "POST", "PUT":
            if let refusal = Self.applyLeaseTTLs(body, to: &mount) { return refusal }
            namespaces[ns]!.mounts[path] = mount
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    /// Vault's list answers carry the map both in `data` and at the top level.
    private func listing(_ data: JSONObject) -> VaultResponse {
        guard case .object(var envelope) = VaultResponse.envelope(data: .object(data)) else { return .ok(data: .object(data)) }
        for (k, v) in data where envelope[k] == nil { envelope[k] = v }
        return VaultResponse(status: 200, body: .object(envelope))
    }

    private func authMounts(_ method: String, _ rest: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        if rest.isEmpty {
            guard method == "GET" else { return .unsupportedOperation }
            var data: JSONObject = [:]
            for (path, auth) in namespaces[ns]!.auths {
                data[path] = [
                    "type": .string(auth.type), "description": .string(auth.description), "accessor": .string(auth.accessor),
                    "config": ["default_lease_ttl": 0, "max_lease_ttl": 0, "token_type": "default-service"], "local": false,
                    "options": nil,
                ]
            }
            return listing(data)
        }
        let path = mountPath(rest)
        switch method {
        case "POST", "PUT":
            if namespaces[ns]!.auths[path] != nil { return .badRequest("path is already in use at \(path)") }
            let type = body["type"]?.stringValue ?? ""
            guard ["kubernetes", "approle", "jwt", "cert"].contains(type) else {
                return .badRequest("plugin not found in the catalog: \(type)")
            }
            namespaces[ns]!.auths[path] = AuthMount(
                type: type, accessor: "auth_\(type)_" + Self.randomID().prefix(8), description: body["description"]?.stringValue ?? "")
            return .noContent
        case "DELETE":
            guard path != "token/" else { return .badRequest("token credential backend cannot be disabled") }
            namespaces[ns]!.auths[path] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    private func policies(_ method: String, _ name: String, namespace ns: String, body: JSONObject, legacy: Bool = false) -> VaultResponse {
        if name.isEmpty {
            guard method == "LIST" || method == "GET" else { return .unsupportedOperation }
            let names = (namespaces[ns]!.policies.keys.sorted() + (ns.isEmpty ? ["root"] : [])).sorted()
            var data: JSONObject = ["keys": .array(names.map(JSONValue.string))]
            if legacy { data["policies"] = data["keys"] }
            return legacy ? listing(data) : .ok(data: .object(data))
        }
        let name = name.lowercased()
        switch method {
        case "GET":
            if name == "root" {
                return .ok(data: ["name": "root", "policy": "", "rules": ""])
            }
            guard let policy = namespaces[ns]!.policies[name] else { return .notFound }
            return legacy
                ? listing(["name": .string(name), "rules": .string(policy.text)])
                : .ok(data: ["name": .string(name), "policy": .string(policy.text)])
        case "POST", "PUT":
            guard name != "root" else { return .badRequest("cannot update \"root\" policy") }
            guard let text = body["policy"]?.stringValue ?? body["rules"]?.stringValue else {
                return .badRequest("'policy' parameter not supplied or empty")
            }
            do {
                namespaces[ns]!.policies[name] = try ACLPolicy.parse(name: name, text: text)
            } catch {
                return .badRequest(error.message)
            }
            return .noContent
        case "DELETE":
            guard name != "root", name != "default" else { return .badRequest("cannot delete \"\(name)\" policy") }
            namespaces[ns]!.policies[name] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    private func capabilitiesSelf(_ context: RequestContext) -> VaultResponse {
        let body = context.body
        let paths = TokenSettings.strings(body["paths"]) ?? TokenSettings.strings(body["path"]) ?? []
        guard !paths.isEmpty else { return .badRequest("'paths' parameter not supplied") }
        var data: JSONObject = [:]
        var first: JSONValue = .array([])
        for (i, path) in paths.enumerated() {
            let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
            let names: [String]
            if context.acl.isRoot {
                names = ["root"]
            } else {
                let caps = context.acl.capabilities(on: String(context.aclPath.dropLast(context.path.count)) + trimmed)
                names = caps.isEmpty ? ["deny"] : caps.map(\.rawValue).sorted()
            }
            let value = JSONValue.array(names.map(JSONValue.string))
            data[path] = value
            if i == 0 { first = value }
        }
        data["capabilities"] = first
        return listing(data)
    }

    private func resultantACL(_ context: RequestContext) -> VaultResponse {
        func rules(_ map: [String: Set<Capability>]) -> JSONValue {
            .object(map.mapValues { ["capabilities": .array($0.map(\.rawValue).sorted().map(JSONValue.string))] })
        }
        if context.acl.isRoot {
            return .ok(data: ["exact_paths": [:], "glob_paths": [:], "root": true])
        }
        let (exact, globs) = context.acl.resultant
        return .ok(data: ["exact_paths": rules(exact), "glob_paths": rules(globs), "root": false])
    }

    private func namespaceEndpoint(_ method: String, _ rest: String, namespace ns: String) -> VaultResponse {
        let name = rest.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let full = ns.isEmpty ? name : ns + "/" + name
        if name.isEmpty {
            guard method == "LIST" || method == "GET" else { return .unsupportedOperation }
            let prefix = ns.isEmpty ? "" : ns + "/"
            let children = namespaces.keys.filter { $0.hasPrefix(prefix) && !$0.isEmpty && $0 != ns }
                .map { String($0.dropFirst(prefix.count)) }.filter { !$0.contains("/") }.sorted()
            guard !children.isEmpty else { return .notFound }
            return .ok(data: ["keys": .array(children.map { .string($0 + "/") })])
        }
        switch method {
        case "GET":
            guard namespaces[full] != nil else { return .notFound }
            return .ok(data: ["id": .string(full), "path": .string(full + "/"), "custom_metadata": [:]])
        case "POST", "PUT":
            if namespaces[full] == nil { namespaces[full] = Self.newNamespace() }
            return .ok(data: ["id": .string(full), "path": .string(full + "/"), "custom_metadata": [:]])
        case "DELETE":
            for key in namespaces.keys where key == full || key.hasPrefix(full + "/") { namespaces[key] = nil }
            tokens = tokens.filter { !Self.isWithin($0.value.namespace, full) }
            return .noContent
        default:
            return .unsupportedOperation
        }
    }
}
