import AWSProvider
import EmulatorTestSupport
import Foundation
import HTTPServing
import KubeClient
import Logging
import MotoTestSupport
import NIOPosix
import JSONCore
import KubeAPI
import RotorAPI
import SecretProviders
import Synchronization
import Testing
import VaultEmulator
import VaultProvider

@testable import RotorOperator

/// The operator's identity rule: a tenant's SecretStore never gets
/// the operator's own ServiceAccount token or the pod's AWS identity; a ClusterSecretStore
/// only when the cluster admin allowed it, and never towards an endpoint the store names;
/// tokens for external systems never carry an audience the API server accepts; cleartext
/// needs an opt-in.
@Suite("Store identity rule", .serialized)
struct StoreIdentityRuleTests {
    static let tenantStore = StoreIdentity.secretStore(namespace: "tenant", name: "evil")
    static let clusterStore = StoreIdentity.clusterSecretStore(name: "shared")
    static let everything = AmbientIdentityAllowances(operatorServiceAccountToken: true, podCloudIdentity: true)

    static func provider(_ json: String) throws -> SecretStoreProvider {
        try JSONValue(parsing: json).decode(as: SecretStoreProvider.self)
    }

    /// The store's `Ready` condition after one check.
    static func ready(
        _ spec: SecretStoreProvider, _ store: StoreIdentity, _ providers: StoreProviders
    ) async throws -> Condition? {
        let status = try await SecretStoreController.check(spec, identity: store, status: nil, generation: 1, providers: providers)
        return status?.conditions?.first { $0.type == SecretStoreConditions.ready }
    }

    /// A file standing for the operator's mounted ServiceAccount token.
    static func withTokenFile<T>(_ contents: String, _ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-sa-token-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    static let operatorToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cm90b3Itc3lzdGVtOnJvdG9yIn0.operator-signature"

    // MARK: (a) the operator's ServiceAccount token

    @Test("a tenant's Vault store with kubernetes auth and no serviceAccountRef sends nothing: Forbidden, naming the field")
    func tenantVaultStoreGetsNoOperatorToken() async throws {
        try await RecordingListener.with { listener in
            try await Self.withTokenFile(Self.operatorToken) { tokenFile in
                let spec = try Self.provider(
                    #"{"vault":{"server":"\#(listener.url)","insecureAllowHTTP":true,"auth":{"kubernetes":{"role":"admin"}}}}"#)
                // Whatever the admin allowed, a SecretStore never gets the operator's token.
                for allowances in [AmbientIdentityAllowances.none, Self.everything] {
                    let providers = StoreProviders(
                        registry: ProviderRegistry([VaultProviderFactory(mountedTokenPath: tokenFile)]), allowances: allowances)
                    let ready = try await Self.ready(spec, Self.tenantStore, providers)
                    #expect(ready?.status == .false)
                    #expect(ready?.reason == SecretStoreConditions.Reason.forbidden)
                    #expect(ready?.message?.contains("spec.provider.vault.auth.kubernetes.serviceAccountRef") == true)
                    // An ExternalSecret's reconcile asks for the reader directly: refused the same way.
                    do {
                        _ = try await providers.reader(for: Self.tenantStore, provider: spec)
                        Issue.record("the reader of a store that breaks the rule must be refused")
                    } catch let error as ProviderError {
                        #expect(error.class == .permissionDenied)
                    }
                }
                // A ClusterSecretStore without the admin's allowance: refused too.
                let providers = StoreProviders(registry: ProviderRegistry([VaultProviderFactory(mountedTokenPath: tokenFile)]))
                let ready = try await Self.ready(spec, Self.clusterStore, providers)
                #expect(ready?.reason == SecretStoreConditions.Reason.forbidden)
                #expect(ready?.message?.contains("--allow-operator-service-account-token") == true)

                // Defence in depth: the provider itself never reads the token unless granted.
                let config = try #require(spec.vault)
                let bare = try VaultProviderFactory(mountedTokenPath: tokenFile).makeVaultProvider(
                    ProviderContext(storeName: Self.tenantStore.description, config: config))
                do {
                    try await bare.validate()
                    Issue.record("a provider without the grant must refuse")
                } catch let error as ProviderError {
                    #expect(error.class == .permissionDenied)
                }
                #expect(listener.requests.isEmpty, "the listener received \(listener.requests.map(\.path))")
                #expect(!listener.requests.contains { $0.bodyText.contains("operator-signature") })
            }
        }
    }

    // MARK: (b) the pod's AWS identity

    @Test("a tenant's AWS store without auth sends nothing signed with the operator's key and no IRSA token: Forbidden")
    func tenantAWSStoreGetsNoPodIdentity() async throws {
        try await RecordingListener.with { listener in
            try await Self.withTokenFile("irsa-projected-token") { irsaFile in
                let environment = [
                    "AWS_ACCESS_KEY_ID": "AKIAOPERATOR00000000", "AWS_SECRET_ACCESS_KEY": "operator-secret",
                    "AWS_WEB_IDENTITY_TOKEN_FILE": irsaFile, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/operator",
                ]
                let registry = ProviderRegistry([AWSProviderFactory(environment: { environment })])
                let specs = [
                    #"{"aws":{"region":"us-east-1","endpoint":"\#(listener.url)","insecureAllowHTTP":true}}"#,
                    #"{"aws":{"region":"us-east-1","endpoint":"\#(listener.url)","insecureAllowHTTP":true,"role":"arn:aws:iam::123456789012:role/admin"}}"#,
                    #"{"aws":{"region":"us-east-1","stsEndpoint":"\#(listener.url)","endpoint":"\#(listener.url)","insecureAllowHTTP":true,"role":"arn:aws:iam::123456789012:role/admin"}}"#,
                ]
                for json in specs {
                    let spec = try Self.provider(json)
                    for allowances in [AmbientIdentityAllowances.none, Self.everything] {
                        let ready = try await Self.ready(spec, Self.tenantStore, StoreProviders(registry: registry, allowances: allowances))
                        #expect(ready?.reason == SecretStoreConditions.Reason.forbidden)
                        #expect(ready?.message?.contains("spec.provider.aws.auth") == true)
                    }
                    // A ClusterSecretStore the admin allowed still never sends the pod's identity to its own endpoint.
                    let allowed = try await Self.ready(spec, Self.clusterStore, StoreProviders(registry: registry, allowances: Self.everything))
                    #expect(allowed?.reason == SecretStoreConditions.Reason.forbidden)
                    #expect(allowed?.message?.contains("spec.provider.aws.endpoint") == true)
                }
                let stsOnly = try Self.provider(#"{"aws":{"region":"us-east-1","stsEndpoint":"\#(listener.url)","insecureAllowHTTP":true}}"#)
                let refused = try await Self.ready(stsOnly, Self.clusterStore, StoreProviders(registry: registry, allowances: Self.everything))
                #expect(refused?.reason == SecretStoreConditions.Reason.forbidden)
                #expect(refused?.message?.contains("spec.provider.aws.stsEndpoint") == true)

                // Defence in depth: the factory refuses the pod's identity without the grant, and
                // with it towards a store-chosen endpoint.
                let config = try #require(try Self.provider(specs[0]).aws)
                for grant in [AmbientIdentity(), .cloudIdentity] {
                    let result = Result { () throws(ProviderError) in
                        try AWSProviderFactory(environment: { environment }).makeAWSProvider(
                            ProviderContext(storeName: "s", config: config, ambientIdentity: grant))
                    }
                    if case .failure(let error) = result { #expect(error.class == .permissionDenied) } else { Issue.record("expected a refusal") }
                }
                #expect(listener.requests.isEmpty, "the listener received \(listener.requests.map(\.path))")
                #expect(!listener.requests.contains { $0.headers.contains { $0.value.contains("AKIAOPERATOR") } })
                #expect(!listener.requests.contains { $0.bodyText.contains("irsa-projected-token") })
            }
        }
    }

    @Test("EKS Pod Identity is the pod's own identity: a tenant's store, or a ClusterSecretStore without --allow-pod-cloud-identity, never reaches the agent")
    func podIdentityNeedsAllowance() async throws {
        try await RecordingListener.with { agent in
            try await Self.withTokenFile("pod-identity-agent-token") { tokenFile in
                // The agent's address as EKS sets it, here a loopback listener (allowed by the SDK rules).
                let environment = [
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(agent.url)/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                ]
                let registry = ProviderRegistry([AWSProviderFactory(environment: { environment })])
                let specs = [
                    #"{"aws":{"region":"us-east-1"}}"#,
                    #"{"aws":{"region":"us-east-1","role":"arn:aws:iam::123456789012:role/admin","additionalRoles":["arn:aws:iam::123456789012:role/hub"],"externalID":"tenant-42"}}"#,
                ]
                for json in specs {
                    let spec = try Self.provider(json)
                    for allowances in [AmbientIdentityAllowances.none, Self.everything] {
                        let tenant = try await Self.ready(spec, Self.tenantStore, StoreProviders(registry: registry, allowances: allowances))
                        #expect(tenant?.reason == SecretStoreConditions.Reason.forbidden)
                        #expect(tenant?.message?.contains("spec.provider.aws.auth") == true)
                        #expect(tenant?.message?.contains("EKS Pod Identity") == true)
                    }
                    let off = try await Self.ready(spec, Self.clusterStore, StoreProviders(registry: registry))
                    #expect(off?.reason == SecretStoreConditions.Reason.forbidden)
                    #expect(off?.message?.contains("--allow-pod-cloud-identity") == true)
                }
                #expect(agent.requests.isEmpty, "the agent received \(agent.requests.map(\.path))")
            }
        }
    }

    // MARK: (c) ClusterSecretStores and the admin's allowances

    @Test("a ClusterSecretStore uses the operator's mounted token against Vault only when the admin allows it")
    func clusterVaultStoreNeedsAllowance() async throws {
        try await EmulatedCluster.with { cluster in
            let vault = try await VaultEmulator.start()
            do {
                _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: "rotor-system")))
                _ = try await cluster.client.create(ServiceAccount(metadata: ObjectMeta(name: "rotor", namespace: "rotor-system")), namespace: "rotor-system")
                await Self.enableKubernetesAuth(vault, against: cluster)
                await vault.request("POST", "auth/kubernetes/role/operator", body: [
                    "bound_service_account_names": ["rotor"], "bound_service_account_namespaces": ["rotor-system"], "audience": "vault",
                    "token_policies": ["read"],
                ])
                // The operator's own token, as the kubelet would mount it (audience vault).
                let answer = try await cluster.client.createToken(
                    serviceAccount: "rotor", namespace: "rotor-system",
                    request: try JSONValue(encoding: TokenRequest(spec: TokenRequestSpec(audiences: ["vault"], expirationSeconds: 3600))))
                let token = try #require(try answer.decode(as: TokenRequest.self).status?.token)
                try await Self.withTokenFile(token) { tokenFile in
                    let ca = Data((vault.caCertificatePEM ?? "").utf8).base64EncodedString()
                    let spec = try Self.provider(#"{"vault":{"server":"\#(vault.url)","caBundle":"\#(ca)","auth":{"kubernetes":{"role":"operator"}}}}"#)
                    let registry = ProviderRegistry([VaultProviderFactory(mountedTokenPath: tokenFile)])

                    let off = try await Self.ready(spec, Self.clusterStore, StoreProviders(registry: registry))
                    #expect(off?.reason == SecretStoreConditions.Reason.forbidden)
                    #expect(off?.message?.contains("spec.provider.vault.auth.kubernetes.serviceAccountRef") == true)
                    #expect(vault.faults.requestCount(method: "POST", pathPrefix: "auth/kubernetes/login") == 0)

                    let allowances = AmbientIdentityAllowances(operatorServiceAccountToken: true)
                    let on = try await Self.ready(spec, Self.clusterStore, StoreProviders(registry: registry, allowances: allowances))
                    #expect(on?.status == .true, "\(on?.message ?? "")")
                    #expect(vault.faults.requestCount(method: "POST", pathPrefix: "auth/kubernetes/login") == 1)
                }
            } catch {
                await vault.shutdown()
                throw error
            }
            await vault.shutdown()
        }
    }

    @Test("a ClusterSecretStore uses the pod's AWS identity only when the admin allows it, and only towards the admin's endpoint")
    func clusterAWSStoreNeedsAllowance() async throws {
        try await withMoto { moto in
            // The admin points the process at moto (as AWS_ENDPOINT_URL would in a real deployment).
            let environment = ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL": moto.endpoint]
            let registry = ProviderRegistry([AWSProviderFactory(environment: { environment })])
            let spec = try Self.provider(#"{"aws":{"region":"us-east-1"}}"#)

            let off = try await Self.ready(spec, Self.clusterStore, StoreProviders(registry: registry))
            #expect(off?.reason == SecretStoreConditions.Reason.forbidden)
            #expect(off?.message?.contains("--allow-pod-cloud-identity") == true)

            let providers = StoreProviders(registry: registry, allowances: AmbientIdentityAllowances(podCloudIdentity: true))
            let on = try await Self.ready(spec, Self.clusterStore, providers)
            #expect(on?.status == .true, "\(on?.message ?? "")")
            // The same store in a tenant's namespace: refused, whatever the admin allowed.
            let tenant = try await Self.ready(spec, Self.tenantStore, providers)
            #expect(tenant?.reason == SecretStoreConditions.Reason.forbidden)
        }
    }

    // MARK: (d) audiences

    @Test("serviceAccountRef tokens default to the vault / sts.amazonaws.com audience; an audience the API server accepts is refused")
    func serviceAccountTokenAudiences() async throws {
        try await EmulatedCluster.with { cluster in
            _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: "tenant")))
            _ = try await cluster.client.create(ServiceAccount(metadata: ObjectMeta(name: "app", namespace: "tenant")), namespace: "tenant")
            try await RecordingListener.with { listener in
                let providers = StoreProviders.kubernetes(
                    client: cluster.client, registry: ProviderRegistry([VaultProviderFactory(), AWSProviderFactory(environment: { [:] })]),
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
                func audiences(ofTokenIn text: String) -> Set<String>? {
                    let token = text.split(whereSeparator: { "\"&=,{} ".contains($0) }).first { $0.hasPrefix("eyJ") && $0.split(separator: ".").count == 3 }
                    return token.flatMap { APIServerAudiences.audiences(ofJWT: String($0)) }
                }

                let vault = try Self.provider(
                    #"{"vault":{"server":"\#(listener.url)","insecureAllowHTTP":true,"auth":{"kubernetes":{"role":"app","serviceAccountRef":{"name":"app"}}}}}"#)
                _ = try await Self.ready(vault, Self.tenantStore, providers)
                let login = try #require(listener.requests.first { $0.path.hasSuffix("/auth/kubernetes/login") })
                #expect(audiences(ofTokenIn: login.bodyText) == ["vault"])

                let aws = try Self.provider(
                    #"{"aws":{"region":"us-east-1","endpoint":"\#(listener.url)","stsEndpoint":"\#(listener.url)","insecureAllowHTTP":true,"role":"arn:aws:iam::123456789012:role/app","auth":{"jwt":{"serviceAccountRef":{"name":"app"}}}}}"#)
                _ = try await Self.ready(aws, StoreIdentity.secretStore(namespace: "tenant", name: "aws"), providers)
                let exchange = try #require(listener.requests.first { $0.bodyText.contains("AssumeRoleWithWebIdentity") })
                #expect(audiences(ofTokenIn: HTTPServerRequest.percentDecode(exchange.bodyText)) == ["sts.amazonaws.com"])

                // The API server's audiences, as the cluster reports them (a token asked with none).
                let probe = try await cluster.client.createToken(
                    serviceAccount: "app", namespace: "tenant",
                    request: try JSONValue(encoding: TokenRequest(spec: TokenRequestSpec(audiences: [], expirationSeconds: 600))))
                let probeToken = try #require(try probe.decode(as: TokenRequest.self).status?.token)
                let apiAudience = try #require(APIServerAudiences.audiences(ofJWT: probeToken)?.first)
                let before = listener.requests.count
                for (name, json) in [
                    ("vault", #"{"vault":{"server":"\#(listener.url)","insecureAllowHTTP":true,"auth":{"kubernetes":{"role":"app","serviceAccountRef":{"name":"app","audiences":["\#(apiAudience)"]}}}}}"#),
                    ("aws", #"{"aws":{"region":"us-east-1","endpoint":"\#(listener.url)","stsEndpoint":"\#(listener.url)","insecureAllowHTTP":true,"role":"arn:aws:iam::123456789012:role/app","auth":{"jwt":{"serviceAccountRef":{"name":"app","audiences":["sts.amazonaws.com","\#(apiAudience)"]}}}}}"#),
                ] {
                    let ready = try await Self.ready(try Self.provider(json), StoreIdentity.secretStore(namespace: "tenant", name: "api-\(name)"), providers)
                    #expect(ready?.reason == SecretStoreConditions.Reason.forbidden)
                    #expect(ready?.message?.contains("serviceAccountRef.audiences") == true, "\(ready?.message ?? "")")
                }
                #expect(listener.requests.count == before, "no token with the API server's audience left the operator")
            }
        }
    }

    @Test("a Vault role that does not accept the vault audience fails the login with a condition saying to set it")
    func vaultRoleWithoutAudience() async throws {
        try await EmulatedCluster.with { cluster in
            let vault = try await VaultEmulator.start()
            do {
                _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: "tenant")))
                _ = try await cluster.client.create(ServiceAccount(metadata: ObjectMeta(name: "app", namespace: "tenant")), namespace: "tenant")
                await Self.enableKubernetesAuth(vault, against: cluster)
                // A role without `audience`: Vault's TokenReview then expects the API server's own.
                let role: JSONValue = [
                    "bound_service_account_names": ["app"], "bound_service_account_namespaces": ["tenant"], "token_policies": ["read"],
                ]
                await vault.request("POST", "auth/kubernetes/role/app", body: role)
                let ca = Data((vault.caCertificatePEM ?? "").utf8).base64EncodedString()
                let spec = try Self.provider(
                    #"{"vault":{"server":"\#(vault.url)","caBundle":"\#(ca)","auth":{"kubernetes":{"role":"app","serviceAccountRef":{"name":"app"}}}}}"#)
                let providers = StoreProviders.kubernetes(
                    client: cluster.client, registry: ProviderRegistry([VaultProviderFactory()]),
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
                let refused = try await Self.ready(spec, Self.tenantStore, providers)
                #expect(refused?.reason == SecretStoreConditions.Reason.forbidden)
                #expect(refused?.message?.contains("set its audience to vault") == true, "\(refused?.message ?? "")")

                await vault.request("POST", "auth/kubernetes/role/app", body: ["audience": "vault"])
                let accepted = try await Self.ready(spec, StoreIdentity.secretStore(namespace: "tenant", name: "fixed"), providers)
                #expect(accepted?.status == .true, "\(accepted?.message ?? "")")
            } catch {
                await vault.shutdown()
                throw error
            }
            await vault.shutdown()
        }
    }

    // MARK: (e) cleartext

    @Test("http:// without insecureAllowHTTP is InvalidSpec naming the field, and nothing is sent")
    func cleartextNeedsOptIn() async throws {
        try await RecordingListener.with { listener in
            let providers = StoreProviders(credentials: { _ in FixedCredential(value: "tenant-token") })
            for (json, field) in [
                (#"{"vault":{"server":"\#(listener.url)","auth":{"tokenSecretRef":{"name":"t","key":"token"}}}}"#, "spec.provider.vault.server"),
                (#"{"aws":{"region":"us-east-1","endpoint":"\#(listener.url)","auth":{"secretRef":{"accessKeyIDSecretRef":{"name":"a","key":"id"},"secretAccessKeySecretRef":{"name":"a","key":"secret"}}}}}"#, "spec.provider.aws.endpoint"),
                (#"{"aws":{"region":"us-east-1","endpoint":"https://127.0.0.1:1","stsEndpoint":"\#(listener.url)","role":"arn:aws:iam::1:role/r","auth":{"secretRef":{"accessKeyIDSecretRef":{"name":"a","key":"id"},"secretAccessKeySecretRef":{"name":"a","key":"secret"}}}}}"#, "spec.provider.aws.stsEndpoint"),
            ] {
                let ready = try await Self.ready(try Self.provider(json), Self.tenantStore, providers)
                #expect(ready?.reason == SecretStoreConditions.Reason.invalidSpec)
                #expect(ready?.message?.contains(field) == true, "\(ready?.message ?? "")")
                #expect(ready?.message?.contains("insecureAllowHTTP") == true)
            }
            #expect(listener.requests.isEmpty)
        }
    }

    @Test("with insecureAllowHTTP an http:// Vault works and the store's Ready condition carries an InsecureTransport warning")
    func cleartextOptInWarns() async throws {
        var configuration = VaultEmulator.Configuration()
        configuration.tls = false
        let vault = try await VaultEmulator.start(configuration)
        let providers = StoreProviders(credentials: { _ in FixedCredential(value: vault.rootToken) })
        let spec = try Self.provider(#"{"vault":{"server":"\#(vault.url)","insecureAllowHTTP":true,"auth":{"tokenSecretRef":{"name":"t","key":"token"}}}}"#)
        let ready = try await Self.ready(spec, Self.tenantStore, providers)
        await vault.shutdown()
        #expect(ready?.status == .true, "\(ready?.message ?? "")")
        #expect(ready?.message?.contains("InsecureTransport") == true)
        #expect(ready?.message?.contains("spec.provider.vault.server") == true)
    }

    // MARK: The rule itself

    @Test("a SecretStore's references may name only its own namespace; a ClusterSecretStore's may name any")
    func ownNamespaceOnly() throws {
        let spec = try Self.provider(
            #"{"vault":{"server":"https://vault.example","auth":{"kubernetes":{"role":"r","serviceAccountRef":{"name":"rotor","namespace":"rotor-system"}}}}}"#)
        guard case .failure(let error) = StoreIdentityRule.evaluate(spec, store: Self.tenantStore, allowances: Self.everything) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(error.class == .permissionDenied)
        #expect(error.detail?.contains("spec.provider.vault.auth.kubernetes.serviceAccountRef.namespace") == true)
        guard case .success(let grant) = StoreIdentityRule.evaluate(spec, store: Self.clusterStore, allowances: .none) else {
            Issue.record("a ClusterSecretStore names the namespace of its references")
            return
        }
        #expect(grant.ambientIdentity.isEmpty, "a serviceAccountRef is not the operator's own identity")
    }

    @Test("rotor run: both allowances are off by default, set by flag or ROTOR_ variable, and checked")
    func allowanceSettings() {
        let defaults = try? OperatorConfiguration.resolve(flags: [:], environment: [:]).get()
        #expect(defaults?.allowances == AmbientIdentityAllowances.none)
        let set = try? OperatorConfiguration.resolve(
            flags: [.allowOperatorServiceAccountToken: "true"], environment: ["ROTOR_ALLOW_POD_CLOUD_IDENTITY": "true"]
        ).get()
        #expect(set?.allowances == AmbientIdentityAllowances(operatorServiceAccountToken: true, podCloudIdentity: true))
        guard case .failure(let problems) = OperatorConfiguration.resolve(flags: [.allowPodCloudIdentity: "maybe"], environment: [:]) else {
            Issue.record("expected a problem")
            return
        }
        #expect(problems.messages.contains { $0.contains("--allow-pod-cloud-identity") && $0.contains("ROTOR_ALLOW_POD_CLOUD_IDENTITY") })
    }
}
