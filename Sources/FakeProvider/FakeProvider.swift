import SecretProviders

/// The `fake` provider: secrets held in memory, from a store's `spec.provider.fake.data`.
///
/// For demos and docs it serves static data, with versions, `find`, and writes with
/// check-and-set and idempotency tokens. Its injected failures, latency (through the
/// injected sleep, so tests never wait) and counters are `package` state: the tests'
/// support module drives and reads them; no program outside this package can.
public actor FakeProvider: SecretWriter {
    /// One version of one secret. A JSON object `value` supports `property` selection.
    public struct Entry: Sendable {
        public var key: String
        public var value: SecretValue
        /// `nil`: the next version number for the key (`"1"`, `"2"`, …).
        public var version: String?
        /// Tags for `find` (AWS-style).
        public var tags: [String: String]

        public init(key: String, value: SecretValue, version: String? = nil, tags: [String: String] = [:]) {
            self.key = key
            self.value = value
            self.version = version
            self.tags = tags
        }

        /// An entry as written in a store spec: `{key, value, version}` with a string value.
        public init(key: String, value: String, version: String? = nil, tags: [String: String] = [:]) {
            self.init(key: key, value: SecretValue(utf8: value), version: version, tags: tags)
        }
    }

    package struct StoredVersion {
        package var version: String
        var value: SecretValue
    }

    package struct StoredSecret {
        /// Oldest first; the last is current.
        package var versions: [StoredVersion] = []
        var tags: [String: String] = [:]

        var current: StoredVersion? { versions.last }

        func nextVersion() -> String {
            if let current, let number = Int(current.version) { return String(number + 1) }
            return String(versions.count + 1)
        }
    }

    struct WriteRecord {
        var key: String
        var document: SecretValue
        var version: String
    }

    public nonisolated let capabilities: ProviderCapabilities
    /// Used in error messages.
    public nonisolated let storeName: String
    private let sleep: @Sendable (Duration) async throws -> Void

    package var secrets: [String: StoredSecret] = [:]
    var writesByToken: [String: WriteRecord] = [:]
    /// Thrown, first to last, by the next calls of `read`/`find`, each as a whole call.
    package var failures: [ProviderError] = []
    /// Per-key read outcomes that replace the stored value.
    package var keyFailures: [String: ProviderError] = [:]
    /// Thrown by `validate()` while set.
    package var validationFailure: ProviderError?
    /// Waited through the injected sleep by each read and find.
    package var latency: Duration?

    package var readsPerKey: [String: Int] = [:]
    /// Calls of ``read(_:)``.
    package var readCalls = 0
    /// Reads in progress now (inside ``read(_:)``, including injected latency).
    package private(set) var readsInFlight = 0
    /// The most reads ever in progress at once.
    package private(set) var peakReadsInFlight = 0
    /// Calls of ``find(_:)``.
    package var findCalls = 0
    /// Writes that created a version (idempotent replays not counted).
    package var writeCount = 0

    /// - Parameters:
    ///   - data: initial secrets; several entries with one key are its versions, the last current.
    ///   - access: `.readOnly` refuses writes.
    ///   - maxBatchSize: ids one read call accepts, as advertised to batching callers.
    ///   - sleep: how latency is waited for; tests pass one that waits on their own signal.
    public init(
        data: [Entry] = [], storeName: String = "fake", access: ProviderCapabilities.Access = .readWrite, maxBatchSize: Int = 20,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.storeName = storeName
        self.capabilities = ProviderCapabilities(access: access, supportsFind: true, supportsTags: true, maxBatchSize: maxBatchSize)
        self.sleep = sleep
        var secrets: [String: StoredSecret] = [:]
        for entry in data { Self.add(entry, to: &secrets) }
        self.secrets = secrets
    }

    /// Adds `entry` as the key's current version (replacing one of the same version); returns the version.
    @discardableResult
    package static func add(_ entry: Entry, to secrets: inout [String: StoredSecret]) -> String {
        var secret = secrets[entry.key] ?? StoredSecret()
        let version = entry.version.flatMap { $0.isEmpty ? nil : $0 } ?? secret.nextVersion()
        secret.versions.removeAll { $0.version == version }
        secret.versions.append(StoredVersion(version: version, value: entry.value))
        if !entry.tags.isEmpty { secret.tags = entry.tags }
        secrets[entry.key] = secret
        return version
    }

    // MARK: SecretReader

    public func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>] {
        readCalls += 1
        for id in Set(ids) { readsPerKey[id.key, default: 0] += 1 }
        readsInFlight += 1
        peakReadsInFlight = max(peakReadsInFlight, readsInFlight)
        defer { readsInFlight -= 1 }
        if let latency { try await sleep(latency) }
        if !failures.isEmpty { throw failures.removeFirst() }
        // Answered after the wait, so a value changed meanwhile is what is read.
        var results: [RemoteSecretID: Result<RemoteSecret, ProviderError>] = [:]
        for id in ids { results[id] = lookup(id) }
        return results
    }

    private func lookup(_ id: RemoteSecretID) -> Result<RemoteSecret, ProviderError> {
        if let failure = keyFailures[id.key] { return .failure(failure) }
        guard let secret = secrets[id.key], let current = secret.current else {
            return .failure(.notFound(store: storeName, key: id.key, version: id.version))
        }
        let chosen: StoredVersion
        if let version = id.version {
            guard let match = secret.versions.last(where: { $0.version == version }) else {
                return .failure(.notFound(store: storeName, key: id.key, version: version))
            }
            chosen = match
        } else {
            chosen = current
        }
        return .success(RemoteSecret(value: chosen.value, version: chosen.version))
    }

    public func find(_ query: FindQuery) async throws -> [String] {
        findCalls += 1
        if let latency { try await sleep(latency) }
        if !failures.isEmpty { throw failures.removeFirst() }
        let matcher = try query.matcher()
        return secrets.filter { matcher.matches(key: $0.key, tags: $0.value.tags) }.keys.sorted()
    }

    public func validate() async throws {
        if let validationFailure { throw validationFailure }
    }

    // MARK: SecretWriter

    /// Stores `document` as it is as the key's next version.
    public func write(key: String, document: SecretValue, idempotencyToken: String, expectedVersion: String?) async throws -> String {
        guard capabilities.access == .readWrite else {
            throw ProviderError.unsupported(store: storeName, key: key, detail: "the store is read-only")
        }
        try document.checkJSONObjectDocument(key: key, store: storeName)
        if let previous = writesByToken[idempotencyToken] {
            guard previous.key == key, previous.document == document else {
                throw ProviderError.conflict(store: storeName, key: key, detail: "idempotency token reused for a different write")
            }
            return previous.version
        }
        let current = secrets[key]?.current?.version
        if let expectedVersion {
            let matches = current == expectedVersion || (current == nil && expectedVersion == "0")
            guard matches else {
                throw ProviderError.conflict(store: storeName, key: key, version: expectedVersion, detail: "current version is \(current ?? "none")")
            }
        }
        var secret = secrets[key] ?? StoredSecret()
        let version = secret.nextVersion()
        secret.versions.append(StoredVersion(version: version, value: document))
        secrets[key] = secret
        writesByToken[idempotencyToken] = WriteRecord(key: key, document: document, version: version)
        writeCount += 1
        return version
    }
}
