import Foundation
import JSONCore
import KubeAPI

/// One audited act of the operator: a provider read or write, or a Secret written or
/// deleted. Names and versions only: an audit event has no field a value could go in;
/// ``fingerprint`` is the keyed `hmac-sha256:` fingerprint the operator already writes on
/// its Secrets (`rotor.dev/fingerprint`), never a plain hash.
///
/// One JSON object per line (README, "Audit log"): `time`, `logger` (`audit`), `operator`,
/// `event`, `result`, and those of `externalSecret`, `pushSecret`, `store`, `provider`,
/// `path`, `secret`, `version`, `fingerprint` that are known.
public struct AuditEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A read that reached the provider (after the store's cache and coalescing): one
        /// event per remote key asked.
        case providerRead = "provider.read"
        /// A listing of remote keys (`dataFrom.find`): names, no values.
        case providerFind = "provider.find"
        /// A value written to the provider (PushSecret, scheduled rotation).
        case providerWrite = "provider.write"
        case secretCreate = "secret.create"
        case secretUpdate = "secret.update"
        case secretDelete = "secret.delete"
    }

    public var time: Date
    public var event: Kind
    /// `ok`, or the class of the failure (``SecretProviders/ProviderError/Class``, or the
    /// API server's answer for a Secret write: `forbidden`, `invalid`, …).
    public var result: String
    /// `namespace/name` of the ExternalSecret being reconciled when this happened. A read
    /// coalesced with, or read ahead for, other ExternalSecrets names the one that started it.
    public var externalSecret: String?
    /// `namespace/name` of the PushSecret being reconciled when this happened.
    public var pushSecret: String?
    /// `Kind/namespace/name` of the store (`ClusterSecretStore/name` for a cluster store).
    public var store: String?
    /// The provider kind: `vault`, `aws` or `fake`.
    public var provider: String?
    /// The remote key read or written (a find's path prefix).
    public var path: String?
    /// `namespace/name` of the Secret written or deleted.
    public var secret: String?
    /// The version read or written (Vault KV v2 version, AWS `VersionId`), when the store
    /// has versions; a Secret's resourceVersion after a write.
    public var version: String?
    /// The keyed fingerprint of the Secret's data, where the operator computes one.
    public var fingerprint: String?

    public init(
        time: Date, event: Kind, result: String, externalSecret: String? = nil, pushSecret: String? = nil, store: String? = nil,
        provider: String? = nil, path: String? = nil, secret: String? = nil, version: String? = nil, fingerprint: String? = nil
    ) {
        self.time = time
        self.event = event
        self.result = result
        self.externalSecret = externalSecret
        self.pushSecret = pushSecret
        self.store = store
        self.provider = provider
        self.path = path
        self.secret = secret
        self.version = version
        self.fingerprint = fingerprint
    }

    /// The event as one JSON line (with its `\n`), `operator` naming who acted.
    public func line(operator identity: String) -> [UInt8] {
        var fields: [String: JSONValue] = [
            "time": .string(KubeMicroTime(time).description), "logger": .string("audit"), "operator": .string(identity),
            "event": .string(event.rawValue), "result": .string(result),
        ]
        let optional: [(String, String?)] = [
            ("externalSecret", externalSecret), ("pushSecret", pushSecret), ("store", store), ("provider", provider),
            ("path", path), ("secret", secret), ("version", version), ("fingerprint", fingerprint),
        ]
        for case let (name, value?) in optional { fields[name] = .string(value) }
        var bytes = JSONValue.object(fields).serializedBytes()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}

/// What is being reconciled on this task, for the audit events it causes: set by the
/// ExternalSecret and PushSecret reconcilers, read by ``AuditedProvider`` (the provider
/// layer knows stores and keys, not who asked).
public enum AuditSubject: Sendable, Equatable {
    case externalSecret(String)
    case pushSecret(String)

    @TaskLocal public static var current: AuditSubject?

    func apply(to event: inout AuditEvent) {
        switch self {
        case .externalSecret(let name): event.externalSecret = name
        case .pushSecret(let name): event.pushSecret = name
        }
    }
}
