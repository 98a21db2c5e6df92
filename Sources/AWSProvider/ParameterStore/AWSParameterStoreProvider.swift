import Foundation
import Logging
import NIOConcurrencyHelpers
import SecretProviders

/// The `aws` provider with `service: ParameterStore`: AWS Systems Manager Parameter Store for
/// one store.
///
/// A key is a parameter name (or ARN); `remoteRef.version` selects a version number or a
/// label (`name:3`, `name:prod`). Reads of current values are gathered for a short window
/// into `GetParameters` calls of up to 10 names (a name AWS lists as invalid is not found);
/// a version or label is read with `GetParameter`. Values are always decrypted
/// (`WithDecryption`), so a `SecureString` reads as its text. `find` lists the hierarchy
/// above its path prefix with `GetParametersByPath` (recursive, paged, at most
/// ``AWSProviderOptions/maxParameterPages`` pages) and keeps the values it got for the reads that follow. Writes
/// (`PutParameter`, `SecureString`, overwriting) serve scheduled rotations. Calls share the
/// store's rate limit, concurrency cap and retries with the Secrets Manager provider's.
public final class AWSParameterStoreProvider: SecretWriter {
    public let capabilities = ProviderCapabilities(
        access: .readWrite, supportsFind: true, supportsTags: false, maxBatchSize: ParameterStoreWire.maxNamesPerCall)
    /// Used in error messages.
    public let storeName: String
    let client: AWSServiceClient
    let credentials: any AWSCredentialSource
    private let options: AWSProviderOptions
    private let logger: Logger
    private let batcherBox = NIOLockedValueBox<ReadBatcher?>(nil)
    /// Values read by the last `find`s, for the reads of the names found.
    let found: FoundParameters

    /// How long values read by `find` answer reads.
    static let foundLifetime: Duration = .seconds(10)

    init(
        storeName: String, client: AWSServiceClient, credentials: any AWSCredentialSource, options: AWSProviderOptions,
        logger: Logger = Logger(label: "rotor.provider.aws", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.logger = logger
        self.storeName = storeName
        self.client = client
        self.credentials = credentials
        self.options = options
        self.found = FoundParameters(lifetime: Self.foundLifetime, capacity: max(1, options.maxParameterPages) * ParameterStoreWire.maxPageSize)
    }

    private var batcher: ReadBatcher {
        batcherBox.withLockedValue { box in
            if let box { return box }
            let made = ReadBatcher(window: options.batchWindow, maxBatch: min(ParameterStoreWire.maxNamesPerCall, options.maxBatchSize)) {
                [weak self] names in
                guard let self else { return [:] }
                return await self.fetchGroup(names)
            }
            box = made
            return made
        }
    }

    // MARK: SecretReader

    public func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>] {
        let unique = Array(Set(ids))
        let batcher = options.maxBatchSize > 1 ? self.batcher : nil
        return await withTaskGroup(of: (RemoteSecretID, Result<RemoteSecret, ProviderError>).self) { group in
            for id in unique {
                group.addTask {
                    if id.version == nil || id.version == "" {
                        if let held = self.found.take(id.key) { return (id, .success(held)) }
                        if let batcher { return (id, await batcher.read(id.key)) }
                    }
                    return (id, await self.getOne(id))
                }
            }
            var results: [RemoteSecretID: Result<RemoteSecret, ProviderError>] = [:]
            for await (id, outcome) in group { results[id] = outcome.mapError { $0.inStore(self.storeName) } }
            return results
        }
    }

    /// Every parameter under the query's path prefix whose name matches its regexp. Tags are
    /// not supported (``ProviderCapabilities/supportsTags`` is false).
    public func find(_ query: FindQuery) async throws -> [String] {
        do {
            guard query.tags.isEmpty else {
                throw ProviderError.unsupported(detail: "find: ParameterStore stores do not filter by tags")
            }
            let matcher = try query.matcher()
            let path = ParameterStoreWire.hierarchy(forPrefix: query.path)
            var values: [String: RemoteSecret] = [:]
            var names = Set<String>()
            var token: String?
            var pages = 0
            repeat {
                try Task.checkCancellation()
                guard pages < max(1, options.maxParameterPages) else {
                    throw ProviderError.invalidResponse(
                        detail: "GetParametersByPath: more than \(options.maxParameterPages) pages under \(path); narrow find.path")
                }
                let body = ParameterStoreWire.getParametersByPath(path: path, pageSize: options.listPageSize, nextToken: token)
                let response = try await client.post(
                    operation: "GetParametersByPath", headers: ParameterStoreWire.headers("GetParametersByPath"), body: body,
                    credentials: credentials, maximumResponseBytes: ResponseLimits.batchAnswerBytes)
                let page = try ParameterStoreWire.parseParametersByPath(response.body)
                // A page holds at most 10 parameters at AWS; an endpoint sending more cannot
                // make a find hold more than the pages allowed could.
                guard page.parameters.count <= ParameterStoreWire.maxPageSize else {
                    throw ProviderError.invalidResponse(
                        detail: "GetParametersByPath: a page of \(page.parameters.count) parameters (at most \(ParameterStoreWire.maxPageSize))")
                }
                for (name, secret) in page.parameters where matcher.matches(key: name) {
                    names.insert(name)
                    if case .success(let value) = secret { values[name] = value }
                }
                token = page.nextToken
                pages += 1
            } while token != nil
            found.hold(values)
            return names.sorted()
        } catch let error as ProviderError {
            throw error.inStore(storeName)
        }
    }

    /// Credentials, then a cheap authenticated call (`DescribeParameters`, one result). A denied
    /// call still proves the credentials: only a refused signature or key fails.
    public func validate() async throws {
        try await client.validate(
            operation: "DescribeParameters", headers: ParameterStoreWire.headers("DescribeParameters"),
            body: ParameterStoreWire.describeOne(), credentials: credentials, storeName: storeName)
    }

    // MARK: SecretWriter

    /// `PutParameter` of `document` as a `SecureString` (overwriting), returning the new
    /// version number.
    ///
    /// Parameter Store has no request token nor conditional write, so both are checked with
    /// a read first (`GetParameter`, decrypted): when the current value already is `document`
    /// (a retried write that went through), its version is returned and nothing is written;
    /// otherwise, with `expectedVersion`, the current version must be that one
    /// (``ProviderError/Class/conflict`` if not). `expectedVersion` `"0"` means "must not exist
    /// yet": the write then does not overwrite, and AWS refuses it if the parameter appeared.
    /// The check and the write are two calls: a writer in between is not detected.
    public func write(key: String, document: SecretValue, idempotencyToken: String, expectedVersion: String?) async throws -> String {
        do {
            try document.checkJSONObjectDocument(key: key)
            var overwrite = true
            switch await getOne(RemoteSecretID(key: key)) {
            case .success(let current):
                if current.value == document, let version = current.version { return version }
                if let expectedVersion, !expectedVersion.isEmpty, current.version != expectedVersion {
                    throw ProviderError.conflict(key: key, version: expectedVersion, detail: "the current version is no longer the one expected")
                }
            case .failure(let error) where error.class == .notFound:
                if let expectedVersion, !expectedVersion.isEmpty, expectedVersion != "0" {
                    throw ProviderError.conflict(key: key, version: expectedVersion, detail: "the parameter no longer exists")
                }
                overwrite = expectedVersion != "0"
            case .failure(let error):
                throw error
            }
            let body = try ParameterStoreWire.putParameter(name: key, value: document, overwrite: overwrite)
            let response = try await client.post(
                operation: "PutParameter", headers: ParameterStoreWire.headers("PutParameter"), body: body, credentials: credentials, key: key)
            return try ParameterStoreWire.parsePut(response.body, key: key)
        } catch let error as ProviderError {
            throw error.inStore(storeName)
        }
    }

    // MARK: Reading

    /// `GetParameter` of one parameter (`name`, `name:VERSION` or `name:LABEL`), decrypted.
    func getOne(_ id: RemoteSecretID) async -> Result<RemoteSecret, ProviderError> {
        do {
            let name = ParameterStoreWire.selector(key: id.key, version: id.version)
            let response = try await client.post(
                operation: "GetParameter", headers: ParameterStoreWire.headers("GetParameter"),
                body: ParameterStoreWire.getParameter(name), credentials: credentials, key: id.key, version: id.version)
            return .success(try ParameterStoreWire.parseParameter(response.body, key: id.key, version: id.version))
        } catch let error as ProviderError {
            return .failure(error)
        } catch {
            return .failure(.transient(key: id.key, version: id.version, detail: error is CancellationError ? "cancelled" : "unexpected \(type(of: error))"))
        }
    }

    /// One group of current values: `GetParameters`, or `GetParameter` when there is a single
    /// name, when the batch answer is over its cap, and for names the answer did not cover.
    func fetchGroup(_ names: [String]) async -> [String: Result<RemoteSecret, ProviderError>] {
        var results: [String: Result<RemoteSecret, ProviderError>] = [:]
        var remaining = names
        if names.count > 1 {
            do {
                let response = try await client.post(
                    operation: "GetParameters", headers: ParameterStoreWire.headers("GetParameters"),
                    body: ParameterStoreWire.getParameters(names), credentials: credentials,
                    maximumResponseBytes: ResponseLimits.batchAnswerBytes)
                results = try ParameterStoreWire.parseParameters(response.body, names: names)
                remaining = names.filter { results[$0] == nil }
            } catch let error as ProviderError where error.isAnswerTooLarge {
                // Over the cap of a batch: one by one, each under the cap of one value, so that
                // the parameter too large is the one named.
                remaining = names
            } catch let error as ProviderError {
                for name in names { results[name] = .failure(error) }
                return results
            } catch {
                let failure = ProviderError.transient(detail: error is CancellationError ? "cancelled" : "unexpected \(type(of: error))")
                for name in names { results[name] = .failure(failure) }
                return results
            }
        }
        await withTaskGroup(of: (String, Result<RemoteSecret, ProviderError>).self) { group in
            for name in remaining { group.addTask { (name, await self.getOne(RemoteSecretID(key: name))) } }
            for await (name, outcome) in group { results[name] = outcome }
        }
        return results
    }
}
