import Foundation
import JSONCore

/// The state of one `database` mount: connections and roles.
struct DatabaseEngine: Sendable {
    struct Config: Sendable {
        var connection: DatabaseConnection
        var allowedRoles: [String]
        var verifyConnection: Bool
    }

    struct Role: Sendable {
        var dbName: String
        var creation: [String]
        var revocation: [String]
        var rollback: [String]
        var renew: [String]
        var defaultTTL: Int
        var maxTTL: Int
    }

    var configs: [String: Config] = [:]
    var roles: [String: Role] = [:]
}

/// What a database lease needs to renew or revoke its user, captured when it was made:
/// used when the mount, connection or role has gone since.
struct DatabaseLease: Sendable {
    var configName: String
    var role: String
    var username: String
    var connection: DatabaseConnection
    var revocation: [String]
    var renew: [String]
}

/// The database secrets engine: `config/<name>`, `roles/<name>`, `creds/<role>`.
extension VaultCore {
    /// Longest list, name or statement text accepted: bounded work for hostile input.
    static let databaseFieldLimit = 64 * 1024

    /// A request under a `database` mount (`rest` is the path after it), ACL-checked here.
    func database(_ context: inout RequestContext, mountKey: String, rest: String) async -> VaultResponse {
        let ns = context.request.namespace
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let section = parts.first ?? ""
        let name = parts.count > 1 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "/")) : ""
        // Config and role paths have an existence check in Vault: writing a new one needs `create`.
        var capability = context.plainCapability
        if capability == .update, let engine = engine(ns, mountKey),
            (section == "config" && engine.configs[name] == nil) || (section == "roles" && engine.roles[name] == nil)
        {
            capability = .create
        }
        guard context.allows(capability) else { return .permissionDenied }
        switch section {
        case "config": return await databaseConfig(context.method, name: name, mountKey: mountKey, namespace: ns, body: context.body)
        case "roles": return databaseRole(context.method, name: name, mountKey: mountKey, namespace: ns, body: context.body)
        case "creds":
            guard context.method == "GET" else { return .unsupportedOperation }
            guard !name.isEmpty else { return .unsupportedPath(context.path) }
            return await databaseCreds(&context, role: name, mountKey: mountKey)
        default:
            return .unsupportedPath(context.path)
        }
    }

    private func engine(_ ns: String, _ mountKey: String) -> DatabaseEngine? { namespaces[ns]?.mounts[mountKey]?.database }

    // MARK: config

    private func databaseConfig(_ method: String, name: String, mountKey: String, namespace ns: String, body: JSONObject) async -> VaultResponse {
        if name.isEmpty {
            guard method == "LIST" else { return .unsupportedOperation }
            let keys = engine(ns, mountKey)?.configs.keys.sorted() ?? []
            return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
        }
        switch method {
        case "GET":
            guard let config = engine(ns, mountKey)?.configs[name] else { return .notFound }
            // The password is never echoed; a literal one in the URL is masked.
            return .ok(data: [
                "plugin_name": .string(config.connection.pluginName), "plugin_version": "",
                "connection_details": [
                    "connection_url": .string(Self.maskedURL(config.connection.connectionURL)),
                    "username": .string(config.connection.username),
                ],
                "allowed_roles": .array(config.allowedRoles.map(JSONValue.string)), "password_policy": "",
                "root_credentials_rotate_statements": [], "verify_connection": .bool(config.verifyConnection),
            ])
        case "POST", "PUT":
            let existing = engine(ns, mountKey)?.configs[name]
            let pluginName = body["plugin_name"]?.stringValue ?? existing?.connection.pluginName ?? ""
            guard !pluginName.isEmpty else { return .badRequest("empty plugin name") }
            guard let plugin = databasePlugins[pluginName] else {
                return .badRequest("error creating database object: plugin \"\(pluginName.prefix(100))\" not found in the catalog")
            }
            let strings = [body["connection_url"], body["username"], body["password"]].compactMap { $0?.stringValue }
            guard strings.allSatisfy({ $0.utf8.count <= Self.databaseFieldLimit }) else { return .badRequest("connection details too long") }
            var connection = existing?.connection
                ?? DatabaseConnection(name: name, pluginName: pluginName, connectionURL: "", username: "", password: "")
            connection.pluginName = pluginName
            if let url = body["connection_url"]?.stringValue { connection.connectionURL = url }
            if let user = body["username"]?.stringValue { connection.username = user }
            if let password = body["password"]?.stringValue { connection.password = password }
            var allowed = existing?.allowedRoles ?? []
            if let list = TokenSettings.strings(body["allowed_roles"]) { allowed = Array(list.prefix(10_000)) }
            let verify = body["verify_connection"]?.boolValue ?? existing?.verifyConnection ?? true
            if verify {
                do { try await plugin.verifyConnection(connection) } catch {
                    return .badRequest("error creating database object: error verifying connection")
                }
            }
            guard namespaces[ns]?.mounts[mountKey] != nil else { return .unsupportedPath(mountKey + "config/" + name) }
            namespaces[ns]!.mounts[mountKey]!.database.configs[name] = DatabaseEngine.Config(
                connection: connection, allowedRoles: allowed, verifyConnection: verify)
            if Self.maskedURL(connection.connectionURL) != connection.connectionURL {
                return .ok(data: nil, warnings: [
                    "Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information."
                ])
            }
            return .noContent
        case "DELETE":
            namespaces[ns]?.mounts[mountKey]?.database.configs[name] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    /// `scheme://user:secret@host` with the secret masked; templated URLs are left as written.
    static func maskedURL(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        let password = userinfo[userinfo.index(after: colon)...]
        if password.isEmpty || password.contains("{{") { return url }
        return String(url[..<userinfo.index(after: colon)]) + "*****" + String(url[at...])
    }

    // MARK: roles

    /// A statements field: a JSON array of strings, or one string (the plugin splits it on `;`).
    private static func statements(_ value: JSONValue?) -> [String]? {
        guard let value else { return nil }
        if let array = value.arrayValue { return array.compactMap(\.stringValue).filter { !$0.isEmpty } }
        if let text = value.stringValue { return text.isEmpty ? [] : [text] }
        return nil
    }

    private func databaseRole(_ method: String, name: String, mountKey: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        if name.isEmpty {
            guard method == "LIST" else { return .unsupportedOperation }
            let keys = engine(ns, mountKey)?.roles.keys.sorted() ?? []
            return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
        }
        switch method {
        case "GET":
            guard let role = engine(ns, mountKey)?.roles[name] else { return .notFound }
            func list(_ s: [String]) -> JSONValue { .array(s.map(JSONValue.string)) }
            return .ok(data: [
                "db_name": .string(role.dbName), "creation_statements": list(role.creation),
                "revocation_statements": list(role.revocation), "rollback_statements": list(role.rollback),
                "renew_statements": list(role.renew), "default_ttl": .int(Int64(role.defaultTTL)), "max_ttl": .int(Int64(role.maxTTL)),
                "credential_type": "password", "credential_config": [:],
            ])
        case "POST", "PUT":
            let fields = ["creation_statements", "revocation_statements", "rollback_statements", "renew_statements"]
            let size = fields.compactMap { body[$0] }.map { $0.serializedBytes().count }.reduce(0, +)
            guard size <= Self.databaseFieldLimit else { return .badRequest("statements too long") }
            var role = engine(ns, mountKey)?.roles[name]
                ?? DatabaseEngine.Role(dbName: "", creation: [], revocation: [], rollback: [], renew: [], defaultTTL: 0, maxTTL: 0)
            if let db = body["db_name"]?.stringValue { role.dbName = db }
            guard !role.dbName.isEmpty else { return .badRequest("empty database name attribute") }
            if let s = Self.statements(body["creation_statements"]) { role.creation = s }
            if let s = Self.statements(body["revocation_statements"]) { role.revocation = s }
            if let s = Self.statements(body["rollback_statements"]) { role.rollback = s }
            if let s = Self.statements(body["renew_statements"]) { role.renew = s }
            guard !role.creation.isEmpty else { return .badRequest("empty creation statements") }
            let ttlFields: [(String, WritableKeyPath<DatabaseEngine.Role, Int>)] = [("default_ttl", \.defaultTTL), ("max_ttl", \.maxTTL)]
            for (field, keyPath) in ttlFields {
                guard let raw = body[field] else { continue }
                guard let seconds = VaultDuration.seconds(raw), seconds >= 0 else {
                    return .badRequest("error converting input for field \"\(field)\": invalid duration")
                }
                role[keyPath: keyPath] = seconds
            }
            if role.maxTTL > 0 && role.defaultTTL > role.maxTTL { return .badRequest("ttl cannot be greater than max_ttl") }
            namespaces[ns]?.mounts[mountKey]?.database.roles[name] = role
            return .noContent
        case "DELETE":
            namespaces[ns]?.mounts[mountKey]?.database.roles[name] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    // MARK: creds

    /// `GET database/creds/<role>`: a new user from the role's statements, on a lease of the
    /// role's `default_ttl` (else the mount's) within its `max_ttl`.
    private func databaseCreds(_ context: inout RequestContext, role name: String, mountKey: String) async -> VaultResponse {
        let ns = context.request.namespace
        guard let mount = namespaces[ns]?.mounts[mountKey] else { return .unsupportedPath(context.path) }
        guard let role = mount.database.roles[name] else { return .badRequest("unknown role: \(name)") }
        guard let config = mount.database.configs[role.dbName] else {
            return .internalError("failed to find entry for connection with name: \"\(role.dbName)\"")
        }
        guard config.allowedRoles.contains("*") || config.allowedRoles.contains(where: { Self.globMatch($0, name) }) else {
            return .internalError("\"\(name)\" is not an allowed role")
        }
        guard let plugin = databasePlugins[config.connection.pluginName] else {
            return .internalError("plugin \"\(config.connection.pluginName)\" not found in the catalog")
        }
        let maxTTL = role.maxTTL > 0 ? min(role.maxTTL, mount.effectiveMaxTTL) : mount.effectiveMaxTTL
        let ttl = min(role.defaultTTL > 0 ? role.defaultTTL : mount.effectiveDefaultTTL, maxTTL)
        let username = Self.databaseUsername(displayName: context.token.displayName, role: name, now: now())
        let password = Self.databasePassword()
        let expiration = now().addingTimeInterval(TimeInterval(ttl))
        do {
            try await plugin.createUser(config.connection, statements: role.creation, username: username, password: password, expiration: expiration)
        } catch {
            return .internalError("failed to create the database user")
        }
        let secret = DatabaseLease(
            configName: role.dbName, role: name, username: username, connection: config.connection, revocation: role.revocation,
            renew: role.renew)
        let lease = registerLease(
            path: mountKey + "creds/" + name, context: context, mountKey: mountKey, ttl: ttl, defaultTTL: role.defaultTTL,
            maxTTL: maxTTL, secret: .database(secret))
        return Self.leaseEnvelope(
            id: lease.id, renewable: true, duration: ttl, data: ["username": .string(username), "password": .string(password)],
            mountType: "database")
    }

    /// The connection and statements to use for a lease now: the current config and role
    /// when they still exist (a rotated admin password), else what the lease captured.
    private func current(_ db: DatabaseLease, lease: Lease) -> (DatabaseConnection, revocation: [String], renew: [String]) {
        let mount = namespaces[lease.namespace]?.mounts[lease.mountKey]
        let engine = mount?.accessor == lease.mountAccessor ? mount?.database : nil
        let connection = engine?.configs[db.configName]?.connection ?? db.connection
        let role = engine?.roles[db.role]
        return (connection, role?.revocation ?? db.revocation, role?.renew ?? db.renew)
    }

    func revokeDatabaseLease(_ db: DatabaseLease, lease: Lease) async throws {
        let (connection, revocation, _) = current(db, lease: lease)
        guard let plugin = databasePlugins[connection.pluginName] else { return }
        try await plugin.revokeUser(connection, statements: revocation, username: db.username)
    }

    func renewDatabaseLease(_ db: DatabaseLease, lease: Lease, expiration: Date) async throws {
        let (connection, _, renew) = current(db, lease: lease)
        guard let plugin = databasePlugins[connection.pluginName] else { return }
        try await plugin.renewUser(connection, statements: renew, username: db.username, expiration: expiration)
    }

    /// Vault's default username template for SQL plugins:
    /// `v-<display name, 8>-<role, 8>-<20 random>-<unix time>`, cut to 63 characters
    /// (PostgreSQL's identifier limit).
    static func databaseUsername(displayName: String, role: String, now: Date) -> String {
        let random = randomString(20, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
        let name = "v-\(displayName.prefix(8))-\(role.prefix(8))-\(random)-\(Int(now.timeIntervalSince1970))"
        return String(name.prefix(63))
    }

    /// Vault's default password policy: 20 characters of letters, digits and `-`, with at
    /// least one lower-case letter, one upper-case letter, one digit and one dash.
    static func databasePassword() -> String {
        let lower = Array("abcdefghijklmnopqrstuvwxyz"), upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), digits = Array("0123456789")
        var generator = SystemRandomNumberGenerator()
        var chars = [lower.randomElement(using: &generator)!, upper.randomElement(using: &generator)!,
                     digits.randomElement(using: &generator)!, "-"]
        chars += Array(randomString(16, alphabet: lower + upper + digits + ["-"]))
        chars.shuffle(using: &generator)
        return String(chars)
    }

    static func randomString(_ count: Int, alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// `allowed_roles` entries may end in `*` (Vault's `StrListContainsGlob`; a single `*` anywhere).
    static func globMatch(_ pattern: String, _ name: String) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == name }
        let prefix = pattern[..<star], suffix = pattern[pattern.index(after: star)...]
        return name.count >= prefix.count + suffix.count && name.hasPrefix(prefix) && name.hasSuffix(suffix)
    }
}
