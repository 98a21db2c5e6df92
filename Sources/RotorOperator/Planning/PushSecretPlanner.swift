import Foundation
import KubeAPI
import RotorAPI
import SecretProviders

/// What a PushSecret writes (pure: spec, Secret and remote document in; documents and
/// decisions out). Values stay in ``SecretValue``s; failures name keys and fields only.
public enum PushSecretPlanner {
    /// One remote document and the properties to set in it.
    public struct Document: Sendable, Equatable {
        public var remoteKey: String
        public var properties: [String: SecretValue]
    }

    /// At most this many documents per PushSecret, and properties per document: a tenant's
    /// spec (or Secret) must not turn one reconcile into unbounded provider writes.
    public static let maximumDocuments = 32
    public static let maximumProperties = 256

    /// The spec problems the API server does not catch (CRD validation may be older).
    public static func validate(_ ps: PushSecret) -> SyncFailure? {
        let ref = ps.spec.secretStoreRef
        if ref.name.isEmpty { return .invalidSpec(field: "spec.secretStoreRef.name", problem: "must name a SecretStore") }
        if ref.effectiveKind != .secretStore {
            // Terminal: only a spec change can fix it.
            return SyncFailure(
                reason: ExternalSecretConditions.Reason.forbidden,
                message: "spec.secretStoreRef.kind: a PushSecret writes only through a SecretStore of its own namespace (a ClusterSecretStore is shared: pushing through it could overwrite what other namespaces read)",
                isTerminal: true)
        }
        if ps.spec.selector.secret.name.isEmpty { return .invalidSpec(field: "spec.selector.secret.name", problem: "must name a Secret") }
        let data = ps.spec.data ?? []
        if data.isEmpty { return .invalidSpec(field: "spec.data", problem: "must name at least one key to push") }
        for (index, entry) in data.enumerated() {
            let remote = entry.match.remoteRef
            if remote.remoteKey.isEmpty { return .invalidSpec(field: "spec.data[\(index)].match.remoteRef.remoteKey", problem: "must name a remote document") }
            if remote.property != nil && entry.match.secretKey == nil {
                return .invalidSpec(field: "spec.data[\(index)].match.remoteRef.property", problem: "needs secretKey (every key goes to the property of its own name)")
            }
        }
        if Set(data.map(\.match.remoteRef.remoteKey)).count > maximumDocuments {
            return .invalidSpec(field: "spec.data", problem: "writes more than \(maximumDocuments) remote documents")
        }
        if let policy = ps.spec.updatePolicy, !PushSecretUpdatePolicy.knownValues.contains(policy) {
            return .invalidSpec(field: "spec.updatePolicy", problem: "\"\(policy.rawValue.prefix(32))\" is not Replace or IfNotExists")
        }
        if let policy = ps.spec.deletionPolicy, !PushSecretDeletionPolicy.knownValues.contains(policy) {
            return .invalidSpec(field: "spec.deletionPolicy", problem: "\"\(policy.rawValue.prefix(32))\" is not None or Delete")
        }
        guard let interval = ps.spec.refreshIntervalDuration else {
            return .invalidSpec(field: "spec.refreshInterval", problem: "\"\((ps.spec.refreshInterval ?? "").prefix(64))\" is not a duration such as 1h or 15m")
        }
        if interval > KubeDuration.specMaximum {
            return .invalidSpec(field: "spec.refreshInterval", problem: "must be at most \(KubeDuration.specMaximumText)")
        }
        return nil
    }

    /// The documents to push from the Secret's `data`, grouped by remote key, in spec order.
    /// A key the Secret does not hold is a failure naming it (nothing is pushed).
    public static func documents(_ ps: PushSecret, secretData: [String: SecretValue]) -> Result<[Document], SyncFailure> {
        var order: [String] = []
        var byKey: [String: [String: SecretValue]] = [:]
        let secretName = ps.spec.selector.secret.name
        for (index, entry) in (ps.spec.data ?? []).enumerated() {
            let remoteKey = entry.match.remoteRef.remoteKey
            if byKey[remoteKey] == nil { order.append(remoteKey) }
            var properties = byKey[remoteKey] ?? [:]
            if let secretKey = entry.match.secretKey {
                guard let value = secretData[secretKey] else {
                    return .failure(SyncFailure(
                        reason: ExternalSecretConditions.Reason.secretNotFound,
                        message: "spec.data[\(index)].match.secretKey: Secret \"\(secretName)\" has no key \"\(secretKey)\""))
                }
                properties[entry.match.remoteRef.property ?? secretKey] = value
            } else {
                for (key, value) in secretData { properties[key] = value }
            }
            if properties.count > maximumProperties {
                return .failure(.invalidSpec(field: "spec.data[\(index)]", problem: "pushes more than \(maximumProperties) properties to \"\(remoteKey)\""))
            }
            byKey[remoteKey] = properties
        }
        return .success(order.map { Document(remoteKey: $0, properties: byKey[$0] ?? [:]) })
    }

    /// What to do with one document, given the remote's current state.
    public enum Decision: Sendable, Equatable {
        /// It already holds the properties: nothing to write.
        case upToDate(version: String?)
        /// `IfNotExists` and the document exists: left as it is.
        case exists(version: String?)
        /// Write this document, expecting the current version (`"0"`: must not exist yet).
        case write(SecretValue, expectedVersion: String)
    }

    /// The decision for `document` against `current` (nil: the remote document does not
    /// exist). Replace keeps every other property of the current document.
    public static func decide(
        _ document: Document, current: RemoteSecret?, policy: PushSecretUpdatePolicy
    ) throws(ProviderError) -> Decision {
        guard let current else {
            let fresh = try SecretValue(utf8: "{}").replacingJSONProperties(document.properties, key: document.remoteKey)
            return .write(fresh, expectedVersion: "0")
        }
        if policy == .ifNotExists { return .exists(version: current.version) }
        let held = (try? current.extract(for: RemoteSecretID(key: document.remoteKey))) ?? [:]
        if document.properties.allSatisfy({ held[$0.key] == $0.value }) { return .upToDate(version: current.version) }
        let merged = try current.value.replacingJSONProperties(document.properties, key: document.remoteKey, version: current.version)
        return .write(merged, expectedVersion: current.version ?? "0")
    }

    /// What `deletionPolicy: Delete` withdraws, per remote document: the properties the
    /// status records as pushed, and those the spec names (with every key of the Secret,
    /// `secretKeys`, for an entry without `secretKey`), so a push whose status was not
    /// written yet is withdrawn too.
    public static func withdrawals(_ ps: PushSecret, secretKeys: Set<String>) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for document in ps.status?.syncedPushSecrets ?? [] {
            result[document.remoteKey, default: []].formUnion(document.properties ?? [])
        }
        for entry in ps.spec.data ?? [] where !entry.match.remoteRef.remoteKey.isEmpty {
            let names = entry.match.secretKey.map { [entry.match.remoteRef.property ?? $0] } ?? Array(secretKeys)
            result[entry.match.remoteRef.remoteKey, default: []].formUnion(names)
        }
        return result.filter { !$0.value.isEmpty }
    }

    /// The document without `properties` (withdrawing a push), or nil when none is there.
    public static func withdrawing(_ properties: Set<String>, from current: RemoteSecret, remoteKey: String) throws(ProviderError) -> SecretValue? {
        let held = (try? current.extract(for: RemoteSecretID(key: remoteKey))) ?? [:]
        guard !properties.isDisjoint(with: held.keys) else { return nil }
        return try current.value.editingJSONProperties(replacing: [:], removing: properties, key: remoteKey, version: current.version)
    }

    /// The status after a push: Ready with the versions, or the failure.
    public static func status(
        of ps: PushSecret, pushed: [PushedDocument], failure: SyncFailure?, skipped: [String], now: Date
    ) -> PushSecretStatus {
        var status = ps.status ?? PushSecretStatus()
        status.observedGeneration = ps.metadata.generation
        let condition: Condition
        if let failure {
            condition = Condition(type: "Ready", status: .false, observedGeneration: ps.metadata.generation, reason: failure.reason, message: failure.message)
        } else {
            status.syncedPushSecrets = pushed
            let message = skipped.isEmpty
                ? "the Secret's values are in \(pushed.count) remote document\(pushed.count == 1 ? "" : "s")"
                : "updatePolicy IfNotExists: left \(skipped.map { "\"\($0)\"" }.joined(separator: ", ")) as found"
            condition = Condition(type: "Ready", status: .true, observedGeneration: ps.metadata.generation, reason: "Synced", message: message)
        }
        status.conditions = ConditionPlanner.setting(condition, in: status.conditions, now: now)
        return status
    }
}
