/// Reads secrets from one store (one configured provider instance).
///
/// Implementations are cheap to call concurrently; sharing, caching and limiting
/// are added around them by ``CoalescingReader``.
public protocol SecretReader: Sendable {
    /// What this store can do.
    var capabilities: ProviderCapabilities { get }

    /// Reads `ids` (no duplicates), in as few provider calls as the provider allows.
    ///
    /// The result has an entry for every id: the secret or the reason it could not be
    /// read (not found, denied, …). The call throws only when nothing could be asked
    /// at all (the store cannot log in, the connection failed) — a `ProviderError`
    /// that applies to every id — or `CancellationError`.
    func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>]

    /// Keys matching `query` (`dataFrom.find`). Throws ``ProviderError/Class/unsupported``
    /// when ``ProviderCapabilities/supportsFind`` is false.
    func find(_ query: FindQuery) async throws -> [String]

    /// Checks that the store is usable: configuration, credentials (a login or a cheap
    /// authenticated call). Drives the store's `Ready` condition.
    func validate() async throws
}

extension SecretReader {
    public func find(_ query: FindQuery) async throws -> [String] {
        throw ProviderError.unsupported(detail: "find is not supported by this provider")
    }

    /// Reads one secret.
    public func read(_ id: RemoteSecretID) async throws -> RemoteSecret {
        let results = try await read([id])
        guard let result = results[id] else {
            throw ProviderError.invalidResponse(key: id.key, version: id.version, detail: "the provider returned no result for this key")
        }
        return try result.get()
    }

    /// Resolves references (`data[].remoteRef`): each distinct secret is read once,
    /// then each reference's property is selected. Per-reference outcomes.
    public func values(for refs: [RemoteRef]) async throws -> [RemoteRef: Result<SecretValue, ProviderError>] {
        var ids: [RemoteSecretID] = []
        var seen = Set<RemoteSecretID>()
        for ref in refs where seen.insert(ref.secretID).inserted { ids.append(ref.secretID) }
        let secrets = ids.isEmpty ? [:] : try await read(ids)
        var values: [RemoteRef: Result<SecretValue, ProviderError>] = [:]
        for ref in refs {
            let outcome = secrets[ref.secretID]
                ?? .failure(.invalidResponse(key: ref.key, version: ref.version, detail: "the provider returned no result for this key"))
            values[ref] = outcome.flatMap { secret in Result { () throws(ProviderError) in try secret.value(for: ref) } }
        }
        return values
    }
}

/// `dataFrom.find`: secrets under a path, with names matching a regular expression,
/// carrying all the given tags. Every given criterion must hold.
public struct FindQuery: Sendable, Hashable, CustomStringConvertible {
    /// Key prefix (Vault path below the mount, AWS name prefix). `nil` or empty: everything.
    public var path: String?
    /// Regular expression the key must match somewhere (unanchored, as in ESO), in RE2
    /// syntax (see ``LinearRegex``).
    public var nameRegexp: String?
    /// Tags the secret must carry with these exact values (AWS); empty: no tag filter.
    public var tags: [String: String]

    public init(path: String? = nil, nameRegexp: String? = nil, tags: [String: String] = [:]) {
        self.path = (path?.isEmpty ?? true) ? nil : path
        self.nameRegexp = (nameRegexp?.isEmpty ?? true) ? nil : nameRegexp
        self.tags = tags
    }

    public var description: String {
        var parts: [String] = []
        if let path { parts.append("path=\(path)") }
        if let nameRegexp { parts.append("name=/\(nameRegexp)/") }
        if !tags.isEmpty { parts.append("tags=" + tags.keys.sorted().map { "\($0)=\(tags[$0]!)" }.joined(separator: ",")) }
        return parts.isEmpty ? "all" : parts.joined(separator: " ")
    }

    /// A reusable matcher for providers that filter on their side of the wire.
    /// Throws ``ProviderError/Class/invalidRequest`` when `nameRegexp` does not compile.
    public func matcher() throws(ProviderError) -> FindMatcher {
        try FindMatcher(self)
    }
}

/// Applies a ``FindQuery`` to keys (and tags) a provider listed.
///
/// The name pattern is a ``LinearRegex`` (RE2 semantics, linear time): a tenant's pattern
/// over a provider's key names cannot run away, whatever either holds.
public struct FindMatcher: Sendable {
    private let query: FindQuery
    private let regex: LinearRegex?

    init(_ query: FindQuery) throws(ProviderError) {
        self.query = query
        if let pattern = query.nameRegexp {
            do {
                regex = try LinearRegex(pattern)
            } catch {
                throw ProviderError.invalidRequest(detail: "find: name regexp is invalid: \(error.description)")
            }
        } else {
            regex = nil
        }
    }

    /// Whether the key is under the path prefix and matches the regexp (tags not considered).
    public func matches(key: String) -> Bool {
        if let path = query.path, !key.hasPrefix(path) { return false }
        if let regex, !regex.matches(key) { return false }
        return true
    }

    /// Whether the key matches and the secret carries every tag of the query.
    public func matches(key: String, tags: [String: String]) -> Bool {
        guard matches(key: key) else { return false }
        return query.tags.allSatisfy { tags[$0.key] == $0.value }
    }
}
