import Foundation
import Logging
import NIOConcurrencyHelpers
import SecretProviders

/// The `aws` provider: AWS Secrets Manager for one store.
///
/// Reads of current versions are gathered for a short window into `BatchGetSecretValue`
/// calls of up to 20 secrets (falling back to `GetSecretValue` when the batch action is
/// denied); a version or stage is read with `GetSecretValue`. `find` pages through
/// `ListSecrets`. Writes (`PutSecretValue` with a `ClientRequestToken`) serve scheduled
/// rotations. Calls are rate-limited, capped in concurrency and retried with backoff
/// when AWS throttles.
public final class AWSSecretsManagerProvider: SecretWriter {
    public let capabilities = ProviderCapabilities(access: .readWrite, supportsFind: true, supportsTags: true, maxBatchSize: 20)
    /// Used in error messages.
    public let storeName: String
    let client: AWSServiceClient
    let credentials: any AWSCredentialSource
    private let options: AWSProviderOptions
    private let logger: Logger
    /// Until when `BatchGetSecretValue` is not tried (it was denied); retried afterwards in
    /// case the permission was granted since.
    private let batchDeniedUntil = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    static let batchDeniedRetryAfter: Duration = .seconds(900)
    private let batcherBox = NIOLockedValueBox<ReadBatcher?>(nil)

    init(
        storeName: String, client: AWSServiceClient, credentials: any AWSCredentialSource, options: AWSProviderOptions,
        logger: Logger = Logger(label: "rotor.provider.aws", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.logger = logger
        self.storeName = storeName
        self.client = client
        self.credentials = credentials
        self.options = options
    }

    private var batcher: ReadBatcher {
        batcherBox.withLockedValue { box in
            if let box { return box }
            let made = ReadBatcher(window: options.batchWindow, maxBatch: min(20, options.maxBatchSize)) { [weak self] keys in
                guard let self else { return [:] }
                return await self.fetchGroup(keys)
            }
            box = made
            return made
        }
    }

    /// Whether `BatchGetSecretValue` was refused and reads go one by one.
    public var isBatchingDisabled: Bool {
        batchDeniedUntil.withLockedValue { until in until.map { $0 > .now } ?? false }
    }

    // MARK: SecretReader

    public func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>] {
        let unique = Array(Set(ids))
        let useBatches = options.maxBatchSize > 1 && !isBatchingDisabled
        let batcher = useBatches ? self.batcher : nil
        return await withTaskGroup(of: (RemoteSecretID, Result<RemoteSecret, ProviderError>).self) { group in
            for id in unique {
                group.addTask {
                    if id.version == nil, let batcher { return (id, await batcher.read(id.key)) }
                    return (id, await self.getOne(id))
                }
            }
            var results: [RemoteSecretID: Result<RemoteSecret, ProviderError>] = [:]
            for await (id, outcome) in group { results[id] = outcome.mapError { $0.inStore(self.storeName) } }
            return results
        }
    }

    public func find(_ query: FindQuery) async throws -> [String] {
        do {
            let matcher = try query.matcher()
            var names = Set<String>()
            var token: String?
            var pages = 0
            repeat {
                try Task.checkCancellation()
                let body = SecretsManagerWire.listSecrets(query, pageSize: max(1, min(100, options.listPageSize)), nextToken: token)
                let response = try await client.post(
                    operation: "ListSecrets", headers: SecretsManagerWire.headers("ListSecrets"), body: body, credentials: credentials,
                    maximumResponseBytes: ResponseLimits.batchAnswerBytes)
                let page = try SecretsManagerWire.parseListSecrets(response.body)
                for entry in page.entries where matcher.matches(key: entry.name, tags: entry.tags) { names.insert(entry.name) }
                token = page.nextToken
                pages += 1
            } while token != nil && pages < 10_000
            return names.sorted()
        } catch let error as ProviderError {
            throw error.inStore(storeName)
        }
    }

    /// Credentials, then a cheap authenticated call (`ListSecrets`, one result). A denied
    /// list still proves the credentials: only a refused signature or key fails.
    public func validate() async throws {
        try await client.validate(
            operation: "ListSecrets", headers: SecretsManagerWire.headers("ListSecrets"), body: ProviderJSON.body(["MaxResults": 1]),
            credentials: credentials, storeName: storeName)
    }

    // MARK: SecretWriter

    /// `PutSecretValue` of `document` as the `SecretString`, with `ClientRequestToken` derived
    /// from `idempotencyToken` (so a retried rotation creates one version). With
    /// `expectedVersion`, the write happens only while that version id is `AWSCURRENT`;
    /// `"0"` creates the secret (`CreateSecret`), which must not exist yet.
    public func write(key: String, document: SecretValue, idempotencyToken: String, expectedVersion: String?) async throws -> String {
        do {
            try document.checkJSONObjectDocument(key: key)
            let token = SecretsManagerWire.clientRequestToken(idempotencyToken)
            // "0": the secret must not exist yet; CreateSecret refuses one that does (a conflict).
            if expectedVersion == "0" {
                let body = try SecretsManagerWire.createSecret(key: key, secretString: document, token: token)
                // (ResourceExistsException is a conflict: AWSErrorMapping.)
                let response = try await client.post(
                    operation: "CreateSecret", headers: SecretsManagerWire.headers("CreateSecret"), body: body, credentials: credentials, key: key)
                return try SecretsManagerWire.parsePut(response.body, key: key)
            }
            if let expectedVersion, !expectedVersion.isEmpty {
                let response = try await client.post(
                    operation: "DescribeSecret", headers: SecretsManagerWire.headers("DescribeSecret"),
                    body: SecretsManagerWire.describeSecret(key), credentials: credentials, key: key)
                let current = try SecretsManagerWire.parseCurrentVersion(response.body, key: key)
                // The same token already current: a retry of a write that went through.
                if current != expectedVersion, current != token {
                    throw ProviderError.conflict(key: key, version: expectedVersion, detail: "the current version is no longer the one expected")
                }
            }
            let body = try SecretsManagerWire.putSecretValue(key: key, secretString: document, token: token)
            let response = try await client.post(
                operation: "PutSecretValue", headers: SecretsManagerWire.headers("PutSecretValue"), body: body, credentials: credentials, key: key)
            return try SecretsManagerWire.parsePut(response.body, key: key)
        } catch let error as ProviderError {
            throw error.inStore(storeName)
        }
    }

    // MARK: Reading

    /// `GetSecretValue` of one secret (any version).
    func getOne(_ id: RemoteSecretID) async -> Result<RemoteSecret, ProviderError> {
        do {
            let response = try await client.post(
                operation: "GetSecretValue", headers: SecretsManagerWire.headers("GetSecretValue"),
                body: SecretsManagerWire.getSecretValue(id), credentials: credentials, key: id.key, version: id.version)
            return .success(try SecretsManagerWire.parseSecretValue(response.body, id: id))
        } catch let error as ProviderError {
            return .failure(error)
        } catch {
            return .failure(.transient(key: id.key, version: id.version, detail: error is CancellationError ? "cancelled" : "unexpected \(type(of: error))"))
        }
    }

    /// One group of current versions: `BatchGetSecretValue`, or one by one when there is a
    /// single key, when batching was denied, and for keys the batch answer did not cover.
    func fetchGroup(_ keys: [String]) async -> [String: Result<RemoteSecret, ProviderError>] {
        var results: [String: Result<RemoteSecret, ProviderError>] = [:]
        var remaining = keys
        if keys.count > 1, !isBatchingDisabled {
            do {
                let response = try await client.post(
                    operation: "BatchGetSecretValue", headers: SecretsManagerWire.headers("BatchGetSecretValue"),
                    body: SecretsManagerWire.batchGetSecretValue(keys), credentials: credentials,
                    maximumResponseBytes: ResponseLimits.batchAnswerBytes)
                results = try SecretsManagerWire.parseBatch(response.body, keys: keys)
                remaining = keys.filter { results[$0] == nil }
            } catch let error as ProviderError where error.isAnswerTooLarge {
                // The batch answer is over its cap: read one by one, each under the cap of one
                // secret, so that the secret too large is the one named.
                remaining = keys
            } catch let error as ProviderError where error.class == .permissionDenied && error.detail?.contains("AWS AccessDenied") == true {
                // The batch action is not granted: read one by one for a while.
                let first = batchDeniedUntil.withLockedValue { until in
                    defer { until = .now + Self.batchDeniedRetryAfter }
                    return until == nil
                }
                if first { logger.notice("aws: BatchGetSecretValue denied; reading secrets one by one with GetSecretValue") }
            } catch let error as ProviderError {
                for key in keys { results[key] = .failure(error) }
                return results
            } catch {
                let failure = ProviderError.transient(detail: error is CancellationError ? "cancelled" : "unexpected \(type(of: error))")
                for key in keys { results[key] = .failure(failure) }
                return results
            }
        }
        await withTaskGroup(of: (String, Result<RemoteSecret, ProviderError>).self) { group in
            for key in remaining { group.addTask { (key, await self.getOne(RemoteSecretID(key: key))) } }
            for await (key, outcome) in group { results[key] = outcome }
        }
        return results
    }
}
