import AWSProvider
import Foundation
import KubeAPI
import RotorAPI
import SecretProviders
import VaultProvider

/// What the cluster admin allowed `ClusterSecretStore`s to use of the operator's own
/// identity (`rotor run --allow-operator-service-account-token`,
/// `--allow-pod-cloud-identity`). Both off by default; no `SecretStore` ever gets either.
public struct AmbientIdentityAllowances: Sendable, Hashable {
    /// The operator's mounted ServiceAccount token (Vault kubernetes auth without `serviceAccountRef`).
    public var operatorServiceAccountToken: Bool
    /// The pod's AWS identity: environment keys, the IRSA web-identity token, EKS Pod Identity, roles assumed with them.
    public var podCloudIdentity: Bool

    public init(operatorServiceAccountToken: Bool = false, podCloudIdentity: Bool = false) {
        self.operatorServiceAccountToken = operatorServiceAccountToken
        self.podCloudIdentity = podCloudIdentity
    }

    /// Nothing allowed: the default.
    public static let none = AmbientIdentityAllowances()
}

/// What a store that keeps the rule may use, and what it should be warned about.
public struct StoreIdentityGrant: Sendable, Hashable {
    /// The operator's own identities granted to the store's provider.
    public var ambientIdentity: AmbientIdentity
    /// Conditions to show on the store although it is usable (cleartext transport).
    public var warnings: [String]

    public init(ambientIdentity: AmbientIdentity = [], warnings: [String] = []) {
        self.ambientIdentity = ambientIdentity
        self.warnings = warnings
    }
}

/// The operator's identity rule, stated once and checked before any provider is built
/// (so before any request is made, any token minted or any file read):
///
/// - A namespaced `SecretStore` uses only credentials that live in its own namespace: a
///   `secretRef` there, or a `serviceAccountRef` to a ServiceAccount there.
/// - The operator's own identity — its mounted ServiceAccount token, the pod's AWS
///   environment credentials and IRSA web-identity token, and any role assumed with them —
///   is used only by a `ClusterSecretStore`, and only when the cluster admin allowed it
///   (``AmbientIdentityAllowances``). Even then it never goes to an endpoint the store
///   names (`spec.provider.aws.endpoint`, `stsEndpoint`); the admin's process environment
///   (`AWS_ENDPOINT_URL…`) may redirect it.
/// - Cleartext (`http://`) needs the store's explicit `insecureAllowHTTP: true`, and then
///   the store carries a warning.
///
/// A break of the identity rule is ``ProviderError/Class/permissionDenied`` (status reason
/// `Forbidden`), a cleartext endpoint without opt-in ``ProviderError/Class/invalidRequest``
/// (`InvalidSpec`); both messages name the field.
public enum StoreIdentityRule {
    /// The warning a store with an allowed cleartext endpoint carries.
    public static let insecureTransportReason = "InsecureTransport"

    public static func evaluate(
        _ provider: SecretStoreProvider, store: StoreIdentity, allowances: AmbientIdentityAllowances
    ) -> Result<StoreIdentityGrant, ProviderError> {
        do throws(ProviderError) {
            var grant = StoreIdentityGrant()
            // Each block decoded by its provider's own config type; a block that does not
            // decode fails here with the error the provider would give.
            if let vault = provider.vault {
                try check(try VaultStoreConfig.decode(vault, store: store.description), store: store, allowances: allowances, into: &grant)
            }
            if let aws = provider.aws {
                try check(try AWSStoreConfig.decode(aws, store: store.description), store: store, allowances: allowances, into: &grant)
            }
            return .success(grant)
        } catch {
            return .failure(error)
        }
    }

    // MARK: Vault

    private static func check(
        _ vault: VaultStoreConfig, store: StoreIdentity, allowances: AmbientIdentityAllowances, into grant: inout StoreIdentityGrant
    ) throws(ProviderError) {
        let base = "spec.provider.vault"
        if let kubernetes = vault.auth.kubernetes {
            if let account = kubernetes.serviceAccountRef {
                try ownNamespace(account.namespace, field: "\(base).auth.kubernetes.serviceAccountRef.namespace", store: store)
            } else {
                try ambient(
                    field: "\(base).auth.kubernetes.serviceAccountRef", what: "the operator's own ServiceAccount token",
                    allowed: allowances.operatorServiceAccountToken, flag: "--allow-operator-service-account-token",
                    instead: "set \(base).auth.kubernetes.serviceAccountRef to a ServiceAccount\(store.namespace.map { " of namespace \($0)" } ?? "") whose token the Vault role accepts",
                    store: store)
                grant.ambientIdentity.insert(.serviceAccountToken)
            }
        }
        try ownNamespace(vault.auth.tokenSecretRef?.namespace, field: "\(base).auth.tokenSecretRef.namespace", store: store)
        try ownNamespace(vault.auth.appRole?.secretRef.namespace, field: "\(base).auth.appRole.secretRef.namespace", store: store)
        try ownNamespace(vault.auth.jwt?.serviceAccountRef?.namespace, field: "\(base).auth.jwt.serviceAccountRef.namespace", store: store)
        try ownNamespace(vault.auth.jwt?.secretRef?.namespace, field: "\(base).auth.jwt.secretRef.namespace", store: store)
        try ownNamespace(vault.auth.cert?.clientCertSecretRef.namespace, field: "\(base).auth.cert.clientCertSecretRef.namespace", store: store)
        try ownNamespace(vault.caProvider?.namespace, field: "\(base).caProvider.namespace", store: store)
        try cleartext(vault.server, field: "\(base).server", optIn: vault.insecureAllowHTTP, optInField: "\(base).insecureAllowHTTP", store: store, into: &grant)
    }

    // MARK: AWS

    private static func check(
        _ aws: AWSStoreConfig, store: StoreIdentity, allowances: AmbientIdentityAllowances, into grant: inout StoreIdentityGrant
    ) throws(ProviderError) {
        let base = "spec.provider.aws"
        if let secretRef = aws.auth?.secretRef {
            try ownNamespace(secretRef.accessKeyIDSecretRef.namespace, field: "\(base).auth.secretRef.accessKeyIDSecretRef.namespace", store: store)
            try ownNamespace(
                secretRef.secretAccessKeySecretRef.namespace, field: "\(base).auth.secretRef.secretAccessKeySecretRef.namespace", store: store)
            try ownNamespace(secretRef.sessionTokenSecretRef?.namespace, field: "\(base).auth.secretRef.sessionTokenSecretRef.namespace", store: store)
        } else if let jwt = aws.auth?.jwt {
            try ownNamespace(jwt.serviceAccountRef.namespace, field: "\(base).auth.jwt.serviceAccountRef.namespace", store: store)
        } else {
            try ambient(
                field: "\(base).auth", what: "the operator pod's own AWS identity (environment credentials, IRSA token, EKS Pod Identity, roles assumed with them)",
                allowed: allowances.podCloudIdentity, flag: "--allow-pod-cloud-identity",
                instead: "set \(base).auth.secretRef (keys in a Secret) or \(base).auth.jwt (a ServiceAccount's web identity)", store: store)
            for (field, value) in [("endpoint", aws.endpoint), ("stsEndpoint", aws.stsEndpoint)] where !(value ?? "").isEmpty {
                throw ProviderError.permissionDenied(
                    store: store.description,
                    detail: "\(base).\(field) must not be set on a store that uses the operator pod's own AWS identity: its credentials go only to AWS (or to the endpoint the operator's environment names)")
            }
            grant.ambientIdentity.insert(.cloudIdentity)
        }
        try cleartext(aws.endpoint, field: "\(base).endpoint", optIn: aws.insecureAllowHTTP, optInField: "\(base).insecureAllowHTTP", store: store, into: &grant)
        try cleartext(aws.stsEndpoint, field: "\(base).stsEndpoint", optIn: aws.insecureAllowHTTP, optInField: "\(base).insecureAllowHTTP", store: store, into: &grant)
    }

    // MARK: Parts

    /// The operator's own identity: only an allowed ClusterSecretStore.
    private static func ambient(field: String, what: String, allowed: Bool, flag: String, instead: String, store: StoreIdentity) throws(ProviderError) {
        if let namespace = store.namespace {
            throw ProviderError.permissionDenied(
                store: store.description,
                detail: "\(field) is required: a SecretStore (namespace \(namespace)) may not use \(what); \(instead)")
        }
        guard allowed else {
            throw ProviderError.permissionDenied(
                store: store.description,
                detail: "\(field) is required: this operator does not let ClusterSecretStores use \(what) (the cluster admin can allow it with rotor run \(flag)); \(instead)")
        }
    }

    /// A SecretStore's reference may only name its own namespace.
    private static func ownNamespace(_ asked: String?, field: String, store: StoreIdentity) throws(ProviderError) {
        guard let own = store.namespace, let asked, !asked.isEmpty, asked != own else { return }
        throw ProviderError.permissionDenied(
            store: store.description, detail: "\(field): a SecretStore may use credentials only from its own namespace \(own), not \(asked)")
    }

    /// `http://` only with the store's opt-in, and then with a warning.
    private static func cleartext(
        _ url: String?, field: String, optIn: Bool?, optInField: String, store: StoreIdentity, into grant: inout StoreIdentityGrant
    ) throws(ProviderError) {
        guard let url, url.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("http://") else { return }
        guard optIn == true else {
            throw ProviderError.invalidRequest(
                store: store.description,
                detail: "\(field) is http:// (cleartext: credentials and secret values would cross the network unencrypted); use https://, or set \(optInField): true")
        }
        grant.warnings.append("\(insecureTransportReason): \(field) is http:// (\(optInField) is true): credentials and secret values cross the network unencrypted")
    }
}
