import Foundation
import KubeClient
import JSONCore
import KubeAPI
import RotorAPI
import SecretProviders

/// Reads the credentials a store refers to (`tokenSecretRef`, `secretRef`, …) from
/// Kubernetes Secrets, enforcing where a store may read from: a `SecretStore` only
/// from its own namespace, a `ClusterSecretStore` only from the namespace its
/// reference names.
public struct KubernetesCredentials: CredentialResolver {
    private let client: any KubernetesClient
    private let store: StoreIdentity

    public init(client: any KubernetesClient, store: StoreIdentity) {
        self.client = client
        self.store = store
    }

    public func credential(name: String, key: String, namespace: String?) async throws -> SecretValue {
        let namespace = try Self.namespace(of: name, key: key, asked: namespace, store: store)
        let secret: Secret
        do {
            secret = try await client.get(Secret.self, namespace: namespace, name: name)
        } catch let error as KubeAPIError {
            throw Self.providerError(error, what: "credential Secret \(namespace)/\(name)", request: "get \"secrets\"", store: store)
        }
        guard let bytes = secret.data?[key] else {
            throw ProviderError.invalidRequest(
                store: store.description, detail: "credential Secret \(namespace)/\(name) has no key \"\(key)\"")
        }
        return SecretValue(bytes: bytes)
    }

    /// Where a credential reference points, or why it may not be read.
    static func namespace(of name: String, key: String, asked: String?, store: StoreIdentity) throws(ProviderError) -> String {
        if let own = store.namespace {
            if let asked, asked != own {
                throw ProviderError.invalidRequest(
                    store: store.description,
                    detail: "a SecretStore may read credentials only from its own namespace \(own), not \(asked) (Secret \(name), key \(key))")
            }
            return own
        }
        guard let asked, !asked.isEmpty else {
            throw ProviderError.invalidRequest(
                store: store.description,
                detail: "a ClusterSecretStore credential reference needs a namespace (Secret \(name), key \(key))")
        }
        return asked
    }

    /// A Kubernetes failure in terms of the provider error classes.
    /// `request` names the API request (`create "serviceaccounts/token"`): a refusal says
    /// which permission the operator lacks, so the platform team knows what to grant.
    static func providerError(_ error: KubeAPIError, what: String, request: String, store: StoreIdentity) -> ProviderError {
        switch error.kind {
        case .notFound:
            .invalidRequest(store: store.description, detail: "\(what) not found")
        case .forbidden, .unauthorized:
            .permissionDenied(
                store: store.description,
                detail: "reading \(what): \(error.kind.rawValue)" + (error.kind == .forbidden ? " (the operator's RBAC does not allow \(request))" : ""))
        case .tooManyRequests:
            .throttled(retryAfter: error.retryAfter, store: store.description, detail: "reading \(what)")
        default:
            .transient(store: store.description, detail: "reading \(what): \(error.code)")
        }
    }
}

/// Issues short-lived, audience-bound tokens for a store's service accounts with the
/// TokenRequest API (`serviceaccounts/token`), as Vault's kubernetes auth and AWS web
/// identity expect. Same namespace rules as ``KubernetesCredentials``.
///
/// A token for an external system must never be usable against the Kubernetes API: a
/// request without audiences, or naming an audience the API server accepts (learned
/// from the cluster, see ``APIServerAudiences``), is refused before any token is minted.
public struct KubernetesServiceAccountTokens: ServiceAccountTokenIssuer {
    private let client: any KubernetesClient
    private let store: StoreIdentity
    private let apiAudiences: APIServerAudiences
    /// Asked lifetime; the API server's minimum is 10 minutes.
    private let expirationSeconds: Int64

    public init(client: any KubernetesClient, store: StoreIdentity, apiAudiences: APIServerAudiences? = nil, expirationSeconds: Int64 = 600) {
        self.client = client
        self.store = store
        self.apiAudiences = apiAudiences ?? APIServerAudiences(client: client)
        self.expirationSeconds = expirationSeconds
    }

    public func token(serviceAccount: String, namespace: String?, audiences: [String]) async throws -> SecretValue {
        let namespace = try KubernetesCredentials.namespace(of: serviceAccount, key: "token", asked: namespace, store: store)
        guard !audiences.isEmpty else {
            throw ProviderError.permissionDenied(
                store: store.description,
                detail: "serviceAccountRef.audiences: a token without audiences would carry the Kubernetes API server's own; name the provider's audience")
        }
        let accepted = try await apiAudiences.audiences(probing: serviceAccount, namespace: namespace, store: store)
        if let audience = audiences.first(where: accepted.contains) {
            throw ProviderError.permissionDenied(
                store: store.description,
                detail: "serviceAccountRef.audiences names \"\(audience)\", an audience the Kubernetes API server accepts: such a token would authenticate as ServiceAccount \(namespace)/\(serviceAccount) against the cluster; use the provider's own audience (vault, sts.amazonaws.com)")
        }
        return try await Self.request(client: client, serviceAccount: serviceAccount, namespace: namespace, audiences: audiences, expirationSeconds: expirationSeconds, store: store)
    }

    /// One TokenRequest; `audiences` empty means the API server's own.
    static func request(
        client: any KubernetesClient, serviceAccount: String, namespace: String, audiences: [String], expirationSeconds: Int64, store: StoreIdentity
    ) async throws(ProviderError) -> SecretValue {
        let request = TokenRequest(spec: TokenRequestSpec(audiences: audiences, expirationSeconds: expirationSeconds))
        let answer: JSONValue
        do {
            answer = try await client.createToken(serviceAccount: serviceAccount, namespace: namespace, request: try JSONValue(encoding: request))
        } catch let error as KubeAPIError {
            throw KubernetesCredentials.providerError(
                error, what: "a token for ServiceAccount \(namespace)/\(serviceAccount)", request: "create \"serviceaccounts/token\"", store: store)
        } catch {
            throw ProviderError.transient(store: store.description, detail: "a token for ServiceAccount \(namespace)/\(serviceAccount): \(type(of: error))")
        }
        guard let token = try? answer.decode(as: TokenRequest.self).status?.token, !token.isEmpty else {
            throw ProviderError.invalidResponse(
                store: store.description, detail: "the TokenRequest for ServiceAccount \(namespace)/\(serviceAccount) returned no token")
        }
        return SecretValue(utf8: token)
    }
}

/// The audiences the cluster's API server accepts (its `--api-audiences`), learned once per
/// process from the cluster itself: the `aud` of a token requested without audiences,
/// which the API server fills with its own. Never hard-coded, so a cluster with custom
/// API audiences is protected as well. Until learned (or when learning fails), every
/// TokenRequest of a store is refused: fail closed.
public actor APIServerAudiences {
    private let client: any KubernetesClient
    private var learned: Set<String>?

    public init(client: any KubernetesClient, known: Set<String>? = nil) {
        self.client = client
        self.learned = known
    }

    /// The API server's audiences, probing with a token for `serviceAccount` (one the
    /// operator is about to mint for anyway; the probe token is decoded and dropped).
    func audiences(probing serviceAccount: String, namespace: String, store: StoreIdentity) async throws(ProviderError) -> Set<String> {
        if let learned { return learned }
        let probe = try await KubernetesServiceAccountTokens.request(
            client: client, serviceAccount: serviceAccount, namespace: namespace, audiences: [], expirationSeconds: 600, store: store)
        guard let audiences = probe.revealedString().flatMap(Self.audiences(ofJWT:)), !audiences.isEmpty else {
            throw ProviderError.invalidResponse(
                store: store.description, detail: "cannot learn the API server's audiences: its token for ServiceAccount \(namespace)/\(serviceAccount) has no readable aud")
        }
        learned = audiences
        return audiences
    }

    /// The `aud` claim of a JWT (a string or an array), read without checking the signature.
    static func audiences(ofJWT jwt: String) -> Set<String>? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var text = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let payload = try? JSONValue(parsing: Array(data)) else { return nil }
        if let one = payload["aud"]?.stringValue { return [one] }
        return payload["aud"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
    }
}
