/// A failed provider call or a secret that could not be used as asked.
///
/// Callers branch on ``class`` (or the stable string ``code``), never on the
/// message. Messages name the store, key, property and version, never a value:
/// nothing that comes out of a secret is ever put into an error.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The class of failure, stable across releases; maps to condition reasons.
    public enum Class: String, Sendable, Hashable, CaseIterable {
        /// The secret, version or property does not exist.
        case notFound
        /// The credentials were refused or lack a permission.
        case permissionDenied
        /// The provider asked us to slow down (AWS `ThrottlingException`, Vault 429).
        case throttled
        /// A failure that may pass: 5xx, a sealed/standby Vault, a lost connection.
        case transient
        /// The provider answered with something that could not be used (malformed JSON,
        /// a secret that is not a JSON object where properties are asked, …).
        case invalidResponse
        /// The request or the store configuration is wrong; retrying will not help.
        case invalidRequest
        /// A check-and-set or idempotency precondition failed (Vault 412 `cas`, AWS
        /// `ClientRequestToken` reused with other content): re-read, then decide.
        case conflict
        /// The provider cannot do this (e.g. `find` on a store without list support,
        /// a write to a read-only store).
        case unsupported
    }

    private enum Reason: Hashable, Sendable {
        case notFound
        case propertyNotFound
        case permissionDenied
        case throttled(retryAfter: Duration?)
        case transient
        case invalidResponse
        case invalidRequest
        case conflict
        case unsupported

        var errorClass: Class {
            switch self {
            case .notFound, .propertyNotFound: .notFound
            case .permissionDenied: .permissionDenied
            case .throttled: .throttled
            case .transient: .transient
            case .invalidResponse: .invalidResponse
            case .invalidRequest: .invalidRequest
            case .conflict: .conflict
            case .unsupported: .unsupported
            }
        }

        var codeSuffix: String {
            switch self {
            case .propertyNotFound: "propertyNotFound"
            default: errorClass.rawValue
            }
        }
    }

    private let reason: Reason
    /// The store (e.g. `shop/vault` or `ClusterSecretStore/aws`), when known.
    public private(set) var store: String?
    /// The remote key concerned, when there is one.
    public let key: String?
    /// The property concerned, when there is one.
    public let property: String?
    /// The version asked for, when there is one.
    public let version: String?
    /// What went wrong, in words. Built from names and provider error codes only.
    public let detail: String?

    private init(_ reason: Reason, store: String?, key: String?, property: String? = nil, version: String?, detail: String?) {
        self.reason = reason
        self.store = store
        self.key = key
        self.property = property
        self.version = version
        self.detail = detail
    }

    // MARK: Classification

    /// The class of failure.
    public var `class`: Class { reason.errorClass }

    /// A stable machine-readable code: `provider.<class>`, plus
    /// `provider.propertyNotFound` for a missing property of an existing secret.
    public var code: String { "provider.\(reason.codeSuffix)" }

    /// Whether the same call may succeed later without any change (throttled, transient).
    public var isRetryable: Bool {
        switch reason {
        case .throttled, .transient: true
        default: false
        }
    }

    /// For ``Class/throttled``: how long the provider asked us to wait, if it said.
    public var retryAfter: Duration? {
        if case .throttled(let retryAfter) = reason { return retryAfter }
        return nil
    }

    /// `true` only when the secret itself is gone (not a missing property or a
    /// denied read): the one case where `deletionPolicy: Delete` may act.
    public var isSecretMissing: Bool { reason == .notFound }

    // MARK: Making errors
    //
    // `detail` must be built from names, provider error codes and HTTP statuses only,
    // never from a secret or a response body that may hold one.

    public static func notFound(store: String? = nil, key: String, version: String? = nil, detail: String? = nil) -> ProviderError {
        ProviderError(.notFound, store: store, key: key, version: version, detail: detail)
    }

    public static func propertyNotFound(store: String? = nil, key: String, property: String, version: String? = nil) -> ProviderError {
        ProviderError(.propertyNotFound, store: store, key: key, property: property, version: version, detail: nil)
    }

    public static func permissionDenied(store: String? = nil, key: String? = nil, version: String? = nil, detail: String? = nil) -> ProviderError {
        ProviderError(.permissionDenied, store: store, key: key, version: version, detail: detail)
    }

    /// `retryAfter` is clamped to ``RetryAfter/maximum``: a provider's hint never parks a sync longer.
    public static func throttled(retryAfter: Duration? = nil, store: String? = nil, key: String? = nil, detail: String? = nil) -> ProviderError {
        ProviderError(.throttled(retryAfter: RetryAfter.clamped(retryAfter)), store: store, key: key, version: nil, detail: detail)
    }

    public static func transient(store: String? = nil, key: String? = nil, version: String? = nil, detail: String? = nil) -> ProviderError {
        ProviderError(.transient, store: store, key: key, version: version, detail: detail)
    }

    public static func invalidResponse(store: String? = nil, key: String? = nil, property: String? = nil, version: String? = nil, detail: String? = nil) -> ProviderError {
        ProviderError(.invalidResponse, store: store, key: key, property: property, version: version, detail: detail)
    }

    public static func invalidRequest(store: String? = nil, key: String? = nil, property: String? = nil, version: String? = nil, detail: String? = nil) -> ProviderError {
        ProviderError(.invalidRequest, store: store, key: key, property: property, version: version, detail: detail)
    }

    public static func conflict(store: String? = nil, key: String, version: String? = nil, detail: String? = nil) -> ProviderError {
        ProviderError(.conflict, store: store, key: key, version: version, detail: detail)
    }

    public static func unsupported(store: String? = nil, key: String? = nil, detail: String? = nil) -> ProviderError {
        ProviderError(.unsupported, store: store, key: key, version: nil, detail: detail)
    }

    /// The same error, attributed to `store` (providers often do not know their store's name).
    public func inStore(_ store: String) -> ProviderError {
        var copy = self
        copy.store = store
        return copy
    }

    /// The same error, about `key` when it names no key yet (a failed batch call or an
    /// unreadable batch answer concerns every key asked), so the condition names the key.
    public func about(key: String) -> ProviderError {
        guard self.key == nil else { return self }
        return ProviderError(reason, store: store, key: key, property: property, version: version, detail: detail)
    }

    // MARK: Messages

    /// E.g. `provider.notFound: store shop/vault: key "shop/db" version 3: not found`.
    public var description: String {
        var parts: [String] = [code + ":"]
        if let store { parts.append("store \(store):") }
        var subject: [String] = []
        if let key { subject.append("key \"\(key)\"") }
        if let property { subject.append("property \"\(property)\"") }
        if let version { subject.append("version \(version)") }
        if !subject.isEmpty { parts.append(subject.joined(separator: " ") + ":") }
        parts.append(summary)
        if let detail, !detail.isEmpty { parts.append("(\(detail))") }
        return parts.joined(separator: " ")
    }

    public var debugDescription: String { description }

    private var summary: String {
        switch reason {
        case .notFound: "not found"
        case .propertyNotFound: "property not found in the secret"
        case .permissionDenied: "permission denied"
        case .throttled(let retryAfter):
            retryAfter.map { "throttled; retry after \($0)" } ?? "throttled"
        case .transient: "temporary provider failure"
        case .invalidResponse: "unusable provider response"
        case .invalidRequest: "invalid request"
        case .conflict: "version conflict"
        case .unsupported: "not supported by this provider"
        }
    }
}
