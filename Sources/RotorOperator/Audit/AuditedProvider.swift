import SecretProviders

/// Writes an ``AuditEvent`` for every call that reaches a provider (after the store's
/// cache and coalescing, like ``MeteredProvider``): one `provider.read` per remote key
/// asked, one `provider.find` per listing, one `provider.write` per value written, each
/// with `ok` or the ``SecretProviders/ProviderError/Class`` of its failure. Keys and
/// versions only, never a value. Store checks (`validate`) are not audited: they read no secret.
struct AuditedProvider: SecretWriter {
    private let base: any SecretReader
    private let audit: AuditLog
    private let store: String
    private let kind: String

    init(_ base: any SecretReader, audit: AuditLog, store: String, kind: String) {
        self.base = base
        self.audit = audit
        self.store = store
        self.kind = kind
    }

    var capabilities: ProviderCapabilities { base.capabilities }

    func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>] {
        let results: [RemoteSecretID: Result<RemoteSecret, ProviderError>]
        do {
            results = try await base.read(ids)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            for id in ids { record(.providerRead, result: Self.resultClass(error), path: id.key, version: id.version) }
            throw error
        }
        for id in ids {
            switch results[id] {
            case .success(let secret)?: record(.providerRead, result: "ok", path: id.key, version: secret.version ?? id.version)
            case .failure(let error)?: record(.providerRead, result: error.class.rawValue, path: id.key, version: id.version)
            case nil: record(.providerRead, result: ProviderError.Class.invalidResponse.rawValue, path: id.key, version: id.version)
            }
        }
        return results
    }

    func find(_ query: FindQuery) async throws -> [String] {
        do {
            let keys = try await base.find(query)
            record(.providerFind, result: "ok", path: query.path, version: nil)
            return keys
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            record(.providerFind, result: Self.resultClass(error), path: query.path, version: nil)
            throw error
        }
    }

    func validate() async throws {
        try await base.validate()
    }

    func write(key: String, document: SecretValue, idempotencyToken: String, expectedVersion: String?) async throws -> String {
        guard let writer = base as? any SecretWriter else {
            throw ProviderError.unsupported(key: key, detail: "the \(kind) provider cannot write")
        }
        do {
            let version = try await writer.write(key: key, document: document, idempotencyToken: idempotencyToken, expectedVersion: expectedVersion)
            record(.providerWrite, result: "ok", path: key, version: version)
            return version
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            record(.providerWrite, result: Self.resultClass(error), path: key, version: nil)
            throw error
        }
    }

    private func record(_ event: AuditEvent.Kind, result: String, path: String?, version: String?) {
        audit.record(event, result: result) {
            $0.store = store
            $0.provider = kind
            $0.path = path
            $0.version = version
        }
    }

    /// The class of a provider failure; `error` for anything that is not a ``ProviderError``.
    static func resultClass(_ error: any Error) -> String {
        (error as? ProviderError)?.class.rawValue ?? "error"
    }
}
