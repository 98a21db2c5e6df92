import Foundation
import JSONCore
import RotorAPI
import SecretProviders
import Testing
import VaultProvider

@testable import RotorOperator

/// The identity rule for Vault's jwt and cert auth: a SecretStore's JWT Secret, JWT
/// ServiceAccount and client-certificate Secret live in its own namespace.
@Suite("Store identity rule: Vault jwt and cert auth")
struct StoreIdentityRuleVaultJWTCertTests {
    /// Each auth block naming another namespace, and the field the refusal names.
    static let crossNamespace: [(auth: String, field: String)] = [
        (#"{"jwt":{"role":"r","serviceAccountRef":{"name":"rotor","namespace":"rotor-system"}}}"#, "spec.provider.vault.auth.jwt.serviceAccountRef.namespace"),
        (#"{"jwt":{"role":"r","secretRef":{"name":"jwt","key":"token","namespace":"rotor-system"}}}"#, "spec.provider.vault.auth.jwt.secretRef.namespace"),
        (#"{"cert":{"name":"r","clientCertSecretRef":{"name":"client-tls","namespace":"rotor-system"}}}"#, "spec.provider.vault.auth.cert.clientCertSecretRef.namespace"),
    ]

    @Test("a SecretStore whose jwt or cert auth names another namespace's Secret or ServiceAccount is Forbidden before any request")
    func tenantJWTAndCertReferencesStayInTheirNamespace() async throws {
        try await RecordingListener.with { listener in
            let providers = StoreProviders(registry: ProviderRegistry([VaultProviderFactory()]), allowances: StoreIdentityRuleTests.everything)
            for (auth, field) in Self.crossNamespace {
                let spec = try StoreIdentityRuleTests.provider(
                    #"{"vault":{"server":"\#(listener.url)","insecureAllowHTTP":true,"auth":\#(auth)}}"#)
                let ready = try await StoreIdentityRuleTests.ready(spec, StoreIdentityRuleTests.tenantStore, providers)
                #expect(ready?.status == .false)
                #expect(ready?.reason == SecretStoreConditions.Reason.forbidden)
                #expect(ready?.message?.contains(field) == true, "\(ready?.message ?? "")")
                do {
                    _ = try await providers.reader(for: StoreIdentityRuleTests.tenantStore, provider: spec)
                    Issue.record("the reader of a store that breaks the rule must be refused")
                } catch let error as ProviderError {
                    #expect(error.class == .permissionDenied)
                }
                // A ClusterSecretStore names the namespace of its references: allowed.
                guard case .success = StoreIdentityRule.evaluate(spec, store: StoreIdentityRuleTests.clusterStore, allowances: .none) else {
                    Issue.record("a ClusterSecretStore may name \(field)")
                    continue
                }
            }
            #expect(listener.requests.isEmpty, "the listener received \(listener.requests.map(\.path))")
        }
    }

    @Test("a ClusterSecretStore's jwt or cert credential without a namespace is refused when read, not taken from anywhere")
    func clusterStoreReferencesNeedANamespace() throws {
        for (name, key) in [("jwt", "token"), ("client-tls", "tls.crt")] {
            #expect(throws: ProviderError.self) {
                try KubernetesCredentials.namespace(of: name, key: key, asked: nil, store: StoreIdentityRuleTests.clusterStore)
            }
        }
    }
}
