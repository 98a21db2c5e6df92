import Foundation
import JSONCore
import KubeAPI

/// An `ExternalSecret`: which remote values to read from which store, and the Kubernetes
/// Secret to keep in step with them, optionally with overlap rotation.
public struct ExternalSecret: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { RotorResourceTypes.externalSecrets }

    public var metadata: ObjectMeta
    public var spec: ExternalSecretSpec
    public var status: ExternalSecretStatus?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: ExternalSecretSpec = ExternalSecretSpec(),
        status: ExternalSecretStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The name of the Secret written: `spec.target.name`, or the ExternalSecret's own name.
    public var targetSecretName: String {
        if let name = spec.target?.name, !name.isEmpty { return name }
        return name
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: ExternalSecretSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// The condition types and reasons of ExternalSecret status, and the annotations users set.
///
/// Reasons are constants, not free text, because users and alerts match on them
/// (`kubectl get es` shows the reason in its STATUS column).
public enum ExternalSecretConditions {
    /// True when the target Secret holds the values last read from the provider.
    public static let ready = "Ready"
    /// Present (False) while a rotation's previous values are held past `grace-until`
    /// because its restart targets have not finished rolling out.
    public static let rolloutComplete = "RolloutComplete"

    /// The `reason`s of the `Ready` condition.
    public enum Reason {
        /// The Secret was written (or already matched) with the values just read.
        public static let synced = "Synced"
        /// The provider failed or answered with something unusable; the Secret is unchanged.
        public static let providerError = "ProviderError"
        /// A remote key does not exist (and `deletionPolicy` is `Retain`).
        public static let secretNotFound = "SecretNotFound"
        /// The spec cannot be acted on: an unknown field value, a bad template, a bad duration.
        public static let invalidSpec = "InvalidSpec"
        /// The store is missing, not ready, or does not admit this namespace.
        public static let storeNotReady = "StoreNotReady"
        /// The provider or the Kubernetes API refused access.
        public static let forbidden = "Forbidden"
        /// The provider asked to slow down; the sync is retried with backoff.
        public static let throttled = "Throttled"
        /// A key the Secret would hold is not a valid Secret key (`[-._a-zA-Z0-9]+`, at most
        /// 253 characters, not `.`, `..` or starting with `..`); nothing is written.
        public static let invalidKey = "InvalidKey"
        /// The Secret would exceed what the API server accepts (1 MiB of data, previous
        /// values included; 256 KiB of annotations); nothing is written.
        public static let tooLarge = "TooLarge"
        /// The target Secret is managed by another ExternalSecret (the message names it);
        /// nothing is written.
        public static let conflict = "Conflict"
        /// The Kubernetes API refused a write (Secret or restart target) as invalid; its
        /// message is in the condition. Retried with backoff.
        public static let writeRejected = "WriteRejected"
        /// A write to the Kubernetes API failed (server error, no answer); retried with backoff.
        public static let writeFailed = "WriteFailed"

        /// `RolloutComplete=False`: the restart targets have not finished rolling out.
        public static let rolloutPending = "RolloutPending"

        /// Every reason of the `Ready` condition above.
        public static let all = [
            synced, providerError, secretNotFound, invalidSpec, storeNotReady, forbidden, throttled, invalidKey, tooLarge, conflict,
            writeRejected, writeFailed,
        ]
    }
}

/// The annotations a user sets on an ExternalSecret to trigger work.
public enum ExternalSecretAnnotations {
    /// Any new value syncs now.
    public static let forceSync = "rotor.dev/force-sync"
    /// Any new value runs a scheduled rotation now.
    public static let rotate = "rotor.dev/rotate"
}
