import Foundation
import JSONCore
import KubeAPI

/// A `SecretStore`: a provider (Vault, AWS Secrets Manager or fake) and the credentials to
/// reach it, usable by the ExternalSecrets of its own namespace only.
public struct SecretStore: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { RotorResourceTypes.secretStores }

    public var metadata: ObjectMeta
    public var spec: SecretStoreSpec
    public var status: SecretStoreStatus?
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: SecretStoreSpec = SecretStoreSpec(), status: SecretStoreStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: SecretStoreSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// A `ClusterSecretStore`: a cluster-scoped store that ExternalSecrets of every namespace its
/// `conditions` admit may use. Secret references in it name their namespace.
public struct ClusterSecretStore: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { RotorResourceTypes.clusterSecretStores }

    public var metadata: ObjectMeta
    public var spec: ClusterSecretStoreSpec
    public var status: SecretStoreStatus?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: ClusterSecretStoreSpec = ClusterSecretStoreSpec(),
        status: SecretStoreStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: ClusterSecretStoreSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

extension ClusterSecretStoreSpec {
    /// Whether ExternalSecrets in a namespace with these labels may use the store: no
    /// conditions admit every namespace, otherwise any one condition must admit it.
    public func admits(namespace: String, labels: [String: String]) -> Bool {
        guard let conditions, !conditions.isEmpty else { return true }
        return conditions.contains { $0.admits(namespace: namespace, labels: labels) }
    }
}

extension ClusterSecretStoreCondition {
    /// Whether the namespace is named in `namespaces` or selected by `namespaceSelector`.
    /// A condition with neither field admits nothing, so an empty entry cannot open the store.
    public func admits(namespace: String, labels: [String: String]) -> Bool {
        if let namespaces, namespaces.contains(namespace) { return true }
        if let namespaceSelector { return namespaceSelector.matches(labels) }
        return false
    }
}

/// The condition types and reasons of store status.
public enum SecretStoreConditions {
    /// True once the configuration and credentials were checked with the provider.
    public static let ready = "Ready"

    /// The `reason`s of the `Ready` condition.
    public enum Reason {
        /// The configuration is valid and the provider accepted the credentials.
        public static let valid = "Valid"
        /// The spec is invalid (no or several providers, a missing field, a bad URL).
        public static let invalidSpec = "InvalidSpec"
        /// The provider could not be reached or answered with an error.
        public static let providerError = "ProviderError"
        /// The provider refused the credentials.
        public static let forbidden = "Forbidden"
    }
}
