import KubeClient
import KubeAPI
import RotorAPI
import SecretProviders

/// Why an ExternalSecret could not be synced: the `Ready=False` reason, a message for
/// `kubectl describe`, and how soon trying again can help.
///
/// Messages are built from object names, field paths, remote key names and provider
/// error codes only. Nothing here is ever given a secret value, so none can leak into a
/// condition, an Event or a log line.
public struct SyncFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// One of ``ExternalSecretConditions/Reason``.
    public var reason: String
    /// What went wrong, naming the object, field or remote key concerned.
    public var message: String
    /// `true` when only a change of the ExternalSecret can fix it (a bad spec): retrying
    /// with backoff is pointless.
    public var isTerminal: Bool
    /// The provider asked to wait this long before the next call (throttling).
    public var retryAfter: Duration?
    /// Nothing is wrong yet, something is still starting (a store not checked yet): the
    /// condition says so, but no warning Event is recorded.
    public var isPending: Bool

    public init(reason: String, message: String, isTerminal: Bool = false, retryAfter: Duration? = nil, isPending: Bool = false) {
        self.reason = reason
        self.message = message
        self.isTerminal = isTerminal
        self.retryAfter = retryAfter
        self.isPending = isPending
    }

    public var description: String { "\(reason): \(message)" }

    // MARK: Spec and store problems

    /// A field of the ExternalSecret's spec cannot be acted on, e.g.
    /// `invalidSpec(field: "spec.refreshInterval", problem: "\"1d\" is not a duration")`.
    public static func invalidSpec(field: String, problem: String) -> SyncFailure {
        SyncFailure(reason: ExternalSecretConditions.Reason.invalidSpec, message: "\(field): \(problem)", isTerminal: true)
    }

    /// A key the spec names is not a valid Secret key (``SecretLimits``): `InvalidKey`,
    /// waiting for the spec to change.
    public static func invalidKey(field: String, problem: String) -> SyncFailure {
        SyncFailure(reason: ExternalSecretConditions.Reason.invalidKey, message: "\(field): \(problem)", isTerminal: true)
    }

    /// The store is missing or not ready. Retried with backoff (and again when the store changes).
    public static func storeNotReady(_ message: String, isPending: Bool = false) -> SyncFailure {
        SyncFailure(reason: ExternalSecretConditions.Reason.storeNotReady, message: message, isPending: isPending)
    }

    /// The store refuses this namespace.
    public static func forbidden(_ message: String) -> SyncFailure {
        SyncFailure(reason: ExternalSecretConditions.Reason.forbidden, message: message)
    }

    // MARK: Kubernetes writes

    /// A write to the Kubernetes API that failed: of the target Secret, or a restart
    /// target's patch (`object` names it, e.g. `Secret shop/db`, `Deployment shop/api`).
    ///
    /// - 422 and other 4xx: `WriteRejected`, with the API server's message (it names fields
    ///   and keys; the API server does not quote Secret values), shortened to 512 characters.
    /// - 403: `Forbidden`; 429: `Throttled`, after the server's `Retry-After`.
    /// - 5xx, no answer, an unreadable answer: `WriteFailed`.
    ///
    /// Retried with backoff: the same write may succeed once the provider's data, the
    /// cluster's admission policies or the server change.
    public static func write(_ error: KubeAPIError, object: String) -> SyncFailure {
        let reason: String
        switch error.kind {
        case .forbidden, .unauthorized: reason = ExternalSecretConditions.Reason.forbidden
        case .tooManyRequests: reason = ExternalSecretConditions.Reason.throttled
        case .server, .transport, .decoding: reason = ExternalSecretConditions.Reason.writeFailed
        default: reason = ExternalSecretConditions.Reason.writeRejected
        }
        var detail = error.message
        if detail.count > 512 { detail = String(detail.prefix(512)) + "…" }
        let status = error.httpStatus.map { "HTTP \($0), " } ?? ""
        return SyncFailure(
            reason: reason, message: "the write of \(object) failed: \(detail) [\(status)\(error.code)]",
            retryAfter: error.kind == .tooManyRequests ? error.retryAfter : nil)
    }

    // MARK: Provider errors

    /// The condition reason for a provider error class.
    ///
    /// `unsupported` is the spec asking for something the store cannot do (`find` on a
    /// provider that cannot list), so it is `InvalidSpec`; every other class the
    /// ExternalSecret cannot fix by itself is `ProviderError`.
    public static func reason(for errorClass: ProviderError.Class) -> String {
        switch errorClass {
        case .notFound: ExternalSecretConditions.Reason.secretNotFound
        case .permissionDenied: ExternalSecretConditions.Reason.forbidden
        case .throttled: ExternalSecretConditions.Reason.throttled
        case .unsupported: ExternalSecretConditions.Reason.invalidSpec
        case .transient, .invalidResponse, .invalidRequest, .conflict: ExternalSecretConditions.Reason.providerError
        }
    }

    /// A failed provider call, attributed to `store` when the error does not name one.
    ///
    /// The message is composed here from the error's names (store, key, property, version)
    /// and its `detail` (names, codes and HTTP statuses by ``ProviderError``'s contract).
    /// It leaves out `retryAfter`, so that repeated throttling produces the same status
    /// and no status write.
    public static func provider(_ error: ProviderError, store: StoreIdentity? = nil) -> SyncFailure {
        var subject: [String] = []
        if let key = error.key { subject.append("key \"\(key)\"") }
        if let property = error.property { subject.append("property \"\(property)\"") }
        if let version = error.version, !version.isEmpty { subject.append("version \(version)") }
        if let storeName = error.store ?? store?.description { subject.append("in store \(storeName)") }
        var message = subject.isEmpty ? summary(of: error) : subject.joined(separator: " ") + ": " + summary(of: error)
        if let detail = error.detail, !detail.isEmpty { message += " (\(detail))" }
        message += " [\(error.code)]"
        return SyncFailure(
            reason: reason(for: error.class), message: message, isTerminal: false,
            retryAfter: error.class == .throttled ? error.retryAfter : nil)
    }

    private static func summary(of error: ProviderError) -> String {
        switch error.class {
        case .notFound: error.isSecretMissing ? "not found" : "property not found in the secret"
        case .permissionDenied: "permission denied"
        case .throttled: "throttled by the provider"
        case .transient: "temporary provider failure"
        case .invalidResponse: "unusable provider response"
        case .invalidRequest: "invalid request"
        case .conflict: "version conflict"
        case .unsupported: "not supported by this store's provider"
        }
    }
}
