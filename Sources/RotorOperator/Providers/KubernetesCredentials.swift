import Foundation
import KubeClient
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
            throw Self.providerError(error, what: "credential Secret \(namespace)/\(name)", store: store)
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
    static func providerError(_ error: KubeAPIError, what: String, store: StoreIdentity) -> ProviderError {
        switch error.kind {
        case .notFound:
            .invalidRequest(store: store.description, detail: "\(what) not found")
        case .forbidden, .unauthorized:
            .permissionDenied(store: store.description, detail: "reading \(what): \(error.kind.rawValue)")
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
public struct KubernetesServiceAccountTokens: ServiceAccountTokenIssuer {
    private let client: any KubernetesClient
    private let store: StoreIdentity
    /// Asked lifetime; the API server's minimum is 10 minutes.
    private let expirationSeconds: Int64

    public init(client: any KubernetesClient, store: StoreIdentity, expirationSeconds: Int64 = 600) {
        self.client = client
        self.store = store
        self.expirationSeconds = expirationSeconds
    }

    public func token(serviceAccount: String, namespace: String?, audiences: [String]) async throws -> SecretValue {
        let namespace = try KubernetesCredentials.namespace(of: serviceAccount, key: "token", asked: namespace, store: store)
        let request = TokenRequest(spec: TokenRequestSpec(audiences: audiences, expirationSeconds: expirationSeconds))
        let answer: JSONValue
        do {
            answer = try await client.createToken(serviceAccount: serviceAccount, namespace: namespace, request: try JSONValue(encoding: request))
        } catch let error as KubeAPIError {
            throw KubernetesCredentials.providerError(error, what: "a token for ServiceAccount \(namespace)/\(serviceAccount)", store: store)
        }
        guard let token = try? answer.decode(as: TokenRequest.self).status?.token, !token.isEmpty else {
            throw ProviderError.invalidResponse(
                store: store.description, detail: "the TokenRequest for ServiceAccount \(namespace)/\(serviceAccount) returned no token")
        }
        return SecretValue(utf8: token)
    }
}
