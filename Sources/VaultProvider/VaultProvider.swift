import Foundation
import Logging
import NIOHTTP1
import SecretProviders

/// The `vault` provider: reads and writes secrets in a HashiCorp Vault KV engine
/// (version 1 or 2) over its HTTP API.
///
/// One instance serves one store and holds that store's one client token (see
/// ``VaultTokenManager``): however many ExternalSecrets read through it, there is one
/// login, renewed before it expires. Reads of KV v2 return the version read, and
/// ``write(key:document:idempotencyToken:expectedVersion:)`` writes with
/// check-and-set, which is what a rotation's read-modify-write needs.
public final class VaultProvider: SecretWriter, RetiringProvider {
    /// Bounds of ``find(_:)``: it lists folders recursively.
    public struct FindLimits: Sendable, Hashable {
        /// Most LIST calls one find makes.
        public var maxListCalls: Int
        /// Most keys one find returns.
        public var maxKeys: Int

        public init(maxListCalls: Int = 1_000, maxKeys: Int = 10_000) {
            self.maxListCalls = maxListCalls
            self.maxKeys = maxKeys
        }
    }

    public let capabilities = ProviderCapabilities(access: .readWrite, supportsFind: true, supportsTags: false, maxBatchSize: 1)
    /// The store, for messages.
    public let storeName: String
    let configuration: VaultStoreConfig.Resolved
    private let transport: VaultTransport
    private let tokens: VaultTokenManager
    private let findLimits: FindLimits
    private let logger: Logger

    /// - Parameters:
    ///   - context: the store's `spec.provider.vault` block and credential sources.
    ///   - now: the clock token leases are measured with; tests pass their own.
    ///   - findLimits: bounds of the recursive listing behind ``find(_:)``.
    public init(
        context: ProviderContext, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        findLimits: FindLimits = FindLimits(), mountedTokenPath: String = VaultProviderFactory.defaultMountedTokenPath
    ) throws(ProviderError) {
        let configuration = try VaultStoreConfig.decode(context.config, store: context.storeName).resolved(store: context.storeName)
        self.configuration = configuration
        storeName = context.storeName
        logger = context.logger
        self.findLimits = findLimits
        transport = VaultTransport(configuration: configuration, store: context.storeName, credentials: context.secrets)
        let authenticator = VaultAuthenticator(
            auth: configuration.auth, transport: transport, credentials: context.secrets,
            serviceAccountTokens: context.serviceAccountTokens, store: context.storeName, ambientIdentity: context.ambientIdentity,
            mountedTokenPath: mountedTokenPath)
        tokens = VaultTokenManager(operations: authenticator.operations, now: now)
    }

    /// Logins and renewals this provider has made (any outcome), for tests and metrics.
    public func tokenStatistics() async -> (logins: Int, renewals: Int) {
        (await tokens.logins, await tokens.renewals)
    }

    /// The store is gone or changed: revokes the token of a login (`revoke-self`, in the
    /// background, bounded); later reads fail as transient. See ``VaultTokenManager/retire()``.
    public func retire() async {
        await tokens.retire()
    }

    // MARK: SecretReader

    public func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>] {
        if ids.count == 1 { return [ids[0]: try await readOne(ids[0])] }
        return try await withThrowingTaskGroup(of: (RemoteSecretID, Result<RemoteSecret, ProviderError>).self) { group in
            for id in ids {
                group.addTask { (id, try await self.readOne(id)) }
            }
            var results: [RemoteSecretID: Result<RemoteSecret, ProviderError>] = [:]
            for try await (id, result) in group { results[id] = result }
            return results
        }
    }

    /// One secret's outcome; throws only what stops every read (no token, no connection).
    private func readOne(_ id: RemoteSecretID) async throws(ProviderError) -> Result<RemoteSecret, ProviderError> {
        let key: String
        do {
            key = try Self.normalized(id.key, store: storeName)
        } catch {
            return .failure(error)
        }
        let path: String
        var query: String?
        if configuration.kvVersion == 2 {
            path = "\(configuration.mount)/data/\(key)"
            if let version = id.version {
                guard let number = Int(version), number > 0 else {
                    return .failure(.invalidRequest(store: storeName, key: id.key, version: version, detail: "vault: a KV v2 version is a positive number"))
                }
                query = "version=\(number)"
            }
        } else {
            if let version = id.version {
                return .failure(.invalidRequest(store: storeName, key: id.key, version: version, detail: "vault: KV v1 secrets have no versions"))
            }
            path = "\(configuration.mount)/\(key)"
        }
        let response: VaultHTTPResponse
        do {
            response = try await authorized(.GET, path, query: query)
        } catch let error where error.isAnswerTooLarge {
            return .failure(error.forKey(id.key, version: id.version))
        }
        guard response.status == 200 else {
            if response.status == 404, configuration.kvVersion == 2, VaultResponses.object(response.body)?["data"] is [String: Any] {
                // A deleted or destroyed version: Vault answers 404 with its metadata.
                return Result { () throws(ProviderError) in
                    try VaultResponses.secret(response.body, kvVersion: 2, store: storeName, id: id)
                }
            }
            return .failure(VaultResponses.error(response, store: storeName, key: id.key, version: id.version, operation: "read"))
        }
        return Result { () throws(ProviderError) in
            try VaultResponses.secret(response.body, kvVersion: configuration.kvVersion, store: storeName, id: id)
        }
    }

    public func find(_ query: FindQuery) async throws -> [String] {
        guard query.tags.isEmpty else {
            throw ProviderError.unsupported(store: storeName, detail: "vault: find by tags is not supported; use path and name")
        }
        let matcher = try query.matcher()
        let prefix = query.path.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? ""
        let start = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        var folders = [start]
        var found: [String] = []
        var calls = 0
        while !folders.isEmpty {
            try Task.checkCancellation()
            let folder = folders.removeFirst()
            calls += 1
            guard calls <= findLimits.maxListCalls else {
                throw ProviderError.invalidRequest(
                    store: storeName, detail: "vault: find under \"\(prefix)\" needs more than \(findLimits.maxListCalls) LIST calls; narrow its path")
            }
            let path = configuration.kvVersion == 2 ? "\(configuration.mount)/metadata/\(folder)" : "\(configuration.mount)/\(folder)"
            let response = try await authorized(.GET, path, query: "list=true", limit: ResponseLimits.batchAnswerBytes)
            if response.status == 404 { continue }
            guard response.status == 200 else {
                throw VaultResponses.error(response, store: storeName, operation: "list \(folder.isEmpty ? "/" : folder)")
            }
            for name in try VaultResponses.keys(response.body, store: storeName) {
                let full = folder + name
                if name.hasSuffix("/") {
                    if full.hasPrefix(prefix) || prefix.hasPrefix(full) { folders.append(full) }
                } else if full.hasPrefix(prefix), matcher.matches(key: full) {
                    found.append(full)
                    guard found.count <= findLimits.maxKeys else {
                        throw ProviderError.invalidRequest(
                            store: storeName, detail: "vault: find under \"\(prefix)\" matches more than \(findLimits.maxKeys) keys; narrow it")
                    }
                }
            }
        }
        return found.sorted()
    }

    /// Logs in, then checks that the token's policies let it read under the configured
    /// mount: from `sys/internal/ui/resultant-acl` (readable by every token through
    /// Vault's default policy), else `sys/capabilities-self` on the mount's root. A token
    /// that may read nothing there is ``ProviderError/Class/permissionDenied``.
    public func validate() async throws {
        let root = configuration.kvVersion == 2 ? "\(configuration.mount)/data/" : "\(configuration.mount)/"
        let resultant = try await authorized(.GET, "sys/internal/ui/resultant-acl")
        if resultant.status == 200, let acl = VaultResponses.resultantACL(resultant.body) {
            guard acl.root || acl.grantsRead(under: root) else {
                throw ProviderError.permissionDenied(
                    store: storeName, detail: "vault: the token's policies grant no read or list under \(root)")
            }
            return
        }
        let body = ProviderJSON.body(["paths": [root]])
        let response = try await authorized(.POST, "sys/capabilities-self", body: body)
        guard response.status == 200 else {
            throw VaultResponses.error(response, store: storeName, operation: "capabilities-self")
        }
        guard let capabilities = VaultResponses.capabilities(response.body, path: root) else {
            throw ProviderError.invalidResponse(store: storeName, detail: "vault capabilities-self: no capabilities in the answer")
        }
        if capabilities.isEmpty || capabilities == ["deny"] {
            throw ProviderError.permissionDenied(
                store: storeName, detail: "vault: the token has no capability on \(root) (capabilities-self: deny)")
        }
    }

    // MARK: SecretWriter

    /// KV v2: `{"data": <document>, "options": {"cas": N}}`; KV v1: the document itself.
    /// The document's bytes go into the body as they are, so numbers, booleans, null,
    /// objects and arrays reach Vault with their JSON types and text.
    public func write(key rawKey: String, document: SecretValue, idempotencyToken: String, expectedVersion: String?) async throws -> String {
        let key = try Self.normalized(rawKey, store: storeName)
        try document.checkJSONObjectDocument(key: key, store: storeName)
        if configuration.kvVersion == 1 {
            guard expectedVersion == nil else {
                throw ProviderError.unsupported(store: storeName, key: key, detail: "vault: KV v1 has no check-and-set")
            }
            let response = try await authorized(.POST, "\(configuration.mount)/\(key)", body: document.revealedBytes())
            guard response.status == 204 || response.status == 200 else {
                throw VaultResponses.error(response, store: storeName, key: key, operation: "write", requestCarriedSecrets: true)
            }
            return ""
        }
        var cas: Int?
        if let expectedVersion {
            guard let number = Int(expectedVersion), number >= 0 else {
                throw ProviderError.invalidRequest(store: storeName, key: key, version: expectedVersion, detail: "vault: cas is a version number")
            }
            cas = number
        }
        let response = try await authorized(.POST, "\(configuration.mount)/data/\(key)", body: VaultResponses.kvV2WriteBody(document, cas: cas))
        if response.status == 200 {
            return try VaultResponses.writtenVersion(response.body, store: storeName, key: key)
        }
        let error = VaultResponses.error(
            response, store: storeName, key: key, version: expectedVersion, operation: "write", requestCarriedSecrets: true)
        if error.class == .conflict, let expectedVersion, let current = try? await readOne(RemoteSecretID(key: key)).get(),
            VaultResponses.sameContent(current.value, document), let version = current.version,
            let expected = Int(expectedVersion), expected < Int.max, Int(version) == expected + 1
        {
            // The same write landed before (a retried rotation): Vault has no idempotency
            // token, so the version after the expected one holding exactly this content stands for it.
            return version
        }
        throw error
    }

    // MARK: Requests

    /// Sends with the store's token; a 403 caused by an expired or revoked token is retried
    /// once with a fresh one.
    private func authorized(
        _ method: HTTPMethod, _ path: String, query: String? = nil, body: [UInt8]? = nil, limit: Int = ResponseLimits.secretAnswerBytes
    ) async throws(ProviderError) -> VaultHTTPResponse {
        let token = try await tokens.token()
        let response = try await transport.send(method, path, query: query, body: body, token: token, limit: limit)
        guard response.status == 403, await tokens.rejected(token) else { return response }
        logger.debug("vault token refused; logging in again", metadata: ["store": "\(storeName)"])
        let fresh = try await tokens.token()
        return try await transport.send(method, path, query: query, body: body, token: fresh, limit: limit)
    }

    /// A key as a path below the mount: no leading slash, no empty or dot segments.
    static func normalized(_ key: String, store: String) throws(ProviderError) -> String {
        var trimmed = key
        while trimmed.hasPrefix("/") { trimmed.removeFirst() }
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw ProviderError.invalidRequest(store: store, key: key, detail: "vault: not a valid secret path")
        }
        return trimmed
    }
}
