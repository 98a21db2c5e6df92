import Crypto
import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import KubeAPI
import RotorAPI
import SecretProviders

/// Pushes Secrets to providers: informers on PushSecrets and SecretStores (the store must
/// be one of the PushSecret's namespace, `Ready` and `ReadWrite`). The Secret is read with
/// one GET per push (the operator never watches every Secret); a push runs on create, on
/// every spec change and every `refreshInterval`.
public enum PushSecretController {
    public static func make(
        client: any KubernetesClient, scope: NamespaceScope = .all, providers: StoreProviders, fingerprintKey: SymmetricKey,
        clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "rotor.operator"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) -> Controller<PushSecret> {
        let pushSecrets = Informer<PushSecret>(
            client: client, configuration: WatcherConfiguration(scope: scope), clock: clock, logger: logger, metricsFactory: metricsFactory,
            metricPrefix: OperatorMetrics.prefix)
        let secretStores = Informer<SecretStore>(
            client: client, configuration: WatcherConfiguration(scope: scope), clock: clock, logger: logger, metricsFactory: metricsFactory,
            metricPrefix: OperatorMetrics.prefix)
        let reconciler = PushSecretReconciler(
            client: client, providers: providers, secretStores: secretStores.store,
            fingerprintKey: fingerprintKey.withUnsafeBytes { Array($0) }, now: { clock.now() }, logger: logger)
        var controller = Controller(
            name: "pushsecret", primary: pushSecrets, queue: WorkQueue(clock: clock), workers: 2, logger: logger,
            metricsFactory: metricsFactory, metricPrefix: OperatorMetrics.prefix, ignoresStatusOnlyChanges: true,
            reconcile: reconciler.reconcile)
        let all = pushSecrets.store
        // A store becoming Ready (or changing) pushes the PushSecrets that use it.
        controller.watches(secretStores) { store in
            await all.list().filter { $0.metadata.namespace == store.metadata.namespace && $0.spec.secretStoreRef.name == store.metadata.name }
                .map { ObjectKey(of: $0) }
        }
        return controller
    }
}

/// One push: resolve the store, read the Secret, plan each document (``PushSecretPlanner``)
/// against a fresh read of the remote, write conditionally (a version conflict — someone
/// wrote meanwhile — is read again and merged, so their write is kept), write the status.
struct PushSecretReconciler: Sendable {
    let client: any KubernetesClient
    let providers: StoreProviders
    let secretStores: Store<SecretStore>
    /// The install's fingerprint key (bytes: `SymmetricKey` is not `Sendable`).
    let fingerprintKey: [UInt8]
    let now: @Sendable () -> Date
    let logger: Logger

    /// Conditional writes tried per document before the conflict is reported.
    static let attempts = 4

    /// Converges `found`, its provider reads and writes audited as this PushSecret's.
    func reconcile(_ key: ObjectKey, _ found: PushSecret?) async throws -> ReconcileAction {
        try await AuditSubject.$current.withValue(.pushSecret(key.description)) {
            try await converge(key, found)
        }
    }

    private func converge(_ key: ObjectKey, _ found: PushSecret?) async throws -> ReconcileAction {
        guard var ps = found else { return .done }
        let finalizers = ps.metadata.finalizers ?? []
        if ps.metadata.deletionTimestamp != nil {
            guard finalizers.contains(PushSecret.cleanupFinalizer) else { return .done }
            try await withdraw(ps)
            ps.metadata.finalizers = finalizers.filter { $0 != PushSecret.cleanupFinalizer }
            _ = try await client.update(ps)
            return .done
        }
        // The finalizer follows deletionPolicy, so that Delete can withdraw what was pushed.
        let wantsFinalizer = ps.spec.deletionPolicy == .delete
        if wantsFinalizer != finalizers.contains(PushSecret.cleanupFinalizer) {
            ps.metadata.finalizers = wantsFinalizer ? finalizers + [PushSecret.cleanupFinalizer] : finalizers.filter { $0 != PushSecret.cleanupFinalizer }
            ps = try await client.update(ps)
        }
        let outcome: (pushed: [PushedDocument], skipped: [String], failure: SyncFailure?)
        if let invalid = PushSecretPlanner.validate(ps) {
            outcome = ([], [], invalid)
        } else {
            outcome = await push(ps)
        }
        let status = PushSecretPlanner.status(of: ps, pushed: outcome.pushed, failure: outcome.failure, skipped: outcome.skipped, now: now())
        if status != ps.status {
            ps.status = status
            _ = try await client.updateStatusReturningReceipt(ps)
        }
        if let failure = outcome.failure {
            if failure.isTerminal { return .done }
            throw failure
        }
        guard let interval = ps.spec.refreshIntervalDuration, interval > .zero else { return .done }
        return .requeue(after: .nanoseconds(interval.nanoseconds))
    }

    private func resolveWriter(for ps: PushSecret) async -> Result<CoalescingReader, SyncFailure> {
        let namespace = ps.metadata.namespace ?? ""
        let name = ps.spec.secretStoreRef.name
        let identity = StoreIdentity.secretStore(namespace: namespace, name: name)
        guard let store = await secretStores.get(ObjectKey(namespace: namespace, name: name)) else {
            return .failure(.storeNotReady("SecretStore \"\(name)\" not found in namespace \"\(namespace)\""))
        }
        if let failure = StoreResolution.readiness(of: identity, status: store.status) { return .failure(failure) }
        if store.status?.capabilities != .readWrite {
            return .failure(.forbidden("SecretStore \"\(name)\" is ReadOnly: a PushSecret needs a ReadWrite store"))
        }
        do {
            return .success(try await providers.reader(for: identity, provider: store.spec.provider))
        } catch {
            return .failure(.provider(error, store: identity))
        }
    }

    private func push(_ ps: PushSecret) async -> (pushed: [PushedDocument], skipped: [String], failure: SyncFailure?) {
        let writer: CoalescingReader
        switch await resolveWriter(for: ps) {
        case .success(let found): writer = found
        case .failure(let failure): return ([], [], failure)
        }
        let namespace = ps.metadata.namespace ?? ""
        let secretName = ps.spec.selector.secret.name
        let data: [String: SecretValue]
        do {
            let secret = try await client.get(Secret.self, namespace: namespace, name: secretName)
            data = (secret.data ?? [:]).mapValues { SecretValue(bytes: $0) }
        } catch let error as KubeAPIError where error.kind == .notFound {
            return ([], [], SyncFailure(reason: ExternalSecretConditions.Reason.secretNotFound, message: "Secret \"\(secretName)\" not found in namespace \"\(namespace)\""))
        } catch let error as KubeAPIError {
            return ([], [], .write(error, object: "Secret \(namespace)/\(secretName)"))
        } catch {
            return ([], [], SyncFailure(reason: ExternalSecretConditions.Reason.writeFailed, message: "reading Secret \"\(secretName)\" failed"))
        }
        let documents: [PushSecretPlanner.Document]
        switch PushSecretPlanner.documents(ps, secretData: data) {
        case .success(let planned): documents = planned
        case .failure(let failure): return ([], [], failure)
        }
        var pushed: [PushedDocument] = []
        var skipped: [String] = []
        for document in documents {
            do {
                switch try await pushOne(document, of: ps, through: writer) {
                case .upToDate(let version):
                    pushed.append(PushedDocument(remoteKey: document.remoteKey, version: version, properties: document.properties.keys.sorted()))
                case .written(let version):
                    pushed.append(PushedDocument(remoteKey: document.remoteKey, version: version, properties: document.properties.keys.sorted()))
                case .exists(let version):
                    skipped.append(document.remoteKey)
                    pushed.append(PushedDocument(remoteKey: document.remoteKey, version: version, properties: nil))
                }
            } catch let error as ProviderError {
                return (pushed, skipped, .provider(error, store: .secretStore(namespace: namespace, name: ps.spec.secretStoreRef.name)))
            } catch {
                return (pushed, skipped, SyncFailure(reason: ExternalSecretConditions.Reason.providerError, message: "pushing \"\(document.remoteKey)\" failed"))
            }
        }
        return (pushed, skipped, nil)
    }

    /// What happened to one document, with the version that holds it.
    private enum PushResult {
        case upToDate(String?)
        case exists(String?)
        case written(String)
    }

    private func pushOne(_ document: PushSecretPlanner.Document, of ps: PushSecret, through writer: CoalescingReader) async throws -> PushResult {
        let policy = ps.spec.updatePolicy ?? .replace
        for attempt in 1...Self.attempts {
            let current = try await freshRead(document.remoteKey, through: writer)
            switch try PushSecretPlanner.decide(document, current: current, policy: policy) {
            case .upToDate(let version): return .upToDate(version)
            case .exists(let version): return .exists(version)
            case .write(let content, let expected):
                do {
                    let version = try await writer.write(
                        key: document.remoteKey, document: content, idempotencyToken: token(ps, document.remoteKey, expected, content),
                        expectedVersion: expected)
                    return .written(version)
                } catch let error as ProviderError where error.class == .conflict && attempt < Self.attempts {
                    // Someone wrote meanwhile: read their version and merge into it.
                    logger.debug("push conflict; reading again", metadata: ["pushSecret": "\(ps.metadata.namespace ?? "")/\(ps.name)", "remoteKey": "\(document.remoteKey)"])
                    continue
                }
            }
        }
        throw ProviderError.conflict(key: document.remoteKey, detail: "the document kept changing during \(Self.attempts) conditional writes")
    }

    /// The remote document as it is now (nil when it does not exist): never a cached read.
    private func freshRead(_ remoteKey: String, through reader: CoalescingReader) async throws -> RemoteSecret? {
        let id = RemoteSecretID(key: remoteKey)
        let outcomes = await reader.read([id], freshness: ReadFreshness(startedAfter: ReadMark.current))
        switch outcomes[id] {
        case .success(let secret): return secret
        case .failure(let error) where error.class == .notFound && error.isSecretMissing: return nil
        case .failure(let error): throw error
        case nil: throw ProviderError.transient(key: remoteKey, detail: "no answer for the document")
        }
    }

    /// The write's idempotency token: an HMAC (under the install's fingerprint key) of the
    /// PushSecret, document, expected version and content — a retry of the same write gets
    /// the same token, and nothing outside the install can learn anything about the value.
    private func token(_ ps: PushSecret, _ remoteKey: String, _ expected: String, _ content: SecretValue) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: fingerprintKey))
        for part in [ps.metadata.uid ?? "", remoteKey, expected] {
            mac.update(data: Array(part.utf8))
            mac.update(data: [0])
        }
        mac.update(data: content.revealedBytes())
        return mac.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// `deletionPolicy: Delete`: removes the pushed properties from each document
    /// (``PushSecretPlanner/withdrawals(_:secretKeys:)``; conditional writes; a document
    /// already gone is done). A store that no
    /// longer exists cannot be written: the PushSecret is let go, with a warning.
    private func withdraw(_ ps: PushSecret) async throws {
        let writer: CoalescingReader
        switch await resolveWriter(for: ps) {
        case .success(let found): writer = found
        case .failure(let failure):
            logger.warning(
                "PushSecret deleted; what it pushed cannot be withdrawn", metadata: ["pushSecret": "\(ps.metadata.namespace ?? "")/\(ps.name)", "reason": "\(failure.message)"])
            return
        }
        let source = try? await client.get(Secret.self, namespace: ps.metadata.namespace, name: ps.spec.selector.secret.name)
        let withdrawals = PushSecretPlanner.withdrawals(ps, secretKeys: Set((source?.data ?? [:]).keys))
        for (remoteKey, properties) in withdrawals.sorted(by: { $0.key < $1.key }) {
            for attempt in 1...Self.attempts {
                guard let current = try await freshRead(remoteKey, through: writer),
                    let remaining = try PushSecretPlanner.withdrawing(properties, from: current, remoteKey: remoteKey)
                else { break }
                do {
                    let expected = current.version ?? "0"
                    _ = try await writer.write(
                        key: remoteKey, document: remaining, idempotencyToken: token(ps, remoteKey, expected, remaining),
                        expectedVersion: expected)
                    break
                } catch let error as ProviderError where error.class == .conflict && attempt < Self.attempts {
                    continue
                }
            }
        }
    }
}
