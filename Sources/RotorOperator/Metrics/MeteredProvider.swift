import Metrics
import SecretProviders

/// Counts the calls that reach a provider (after coalescing), as
/// `rotor_provider_requests_total{provider, op, result}` with `result` = `ok` or the
/// ``ProviderError/Class`` name. Labels carry kinds and classes only, never keys or values.
struct MeteredProvider: SecretWriter {
    private let base: any SecretReader
    private let kind: String
    private let factory: any MetricsFactory

    init(_ base: any SecretReader, kind: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.base = base
        self.kind = kind
        self.factory = factory
    }

    var capabilities: ProviderCapabilities { base.capabilities }

    func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>] {
        try await counted("read") { try await base.read(ids) }
    }

    func find(_ query: FindQuery) async throws -> [String] {
        try await counted("find") { try await base.find(query) }
    }

    func validate() async throws {
        try await counted("validate") { try await base.validate() }
    }

    func write(key: String, document: SecretValue, idempotencyToken: String, expectedVersion: String?) async throws -> String {
        guard let writer = base as? any SecretWriter else {
            throw ProviderError.unsupported(key: key, detail: "the \(kind) provider cannot write")
        }
        return try await counted("write") {
            try await writer.write(key: key, document: document, idempotencyToken: idempotencyToken, expectedVersion: expectedVersion)
        }
    }

    private func counted<T>(_ op: String, _ call: () async throws -> T) async throws -> T {
        do {
            let result = try await call()
            OperatorMetrics.providerRequest(provider: kind, op: op, result: "ok", factory: factory)
            return result
        } catch let error as ProviderError {
            OperatorMetrics.providerRequest(provider: kind, op: op, result: error.class.rawValue, factory: factory)
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            OperatorMetrics.providerRequest(provider: kind, op: op, result: "error", factory: factory)
            throw error
        }
    }
}
