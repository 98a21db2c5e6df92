import Foundation
import JSONCore
import Logging
import SecretProviders

/// Builds the `aws` provider of a store (`spec.provider.aws`): ``AWSSecretsManagerProvider``,
/// or ``AWSParameterStoreProvider`` for `service: ParameterStore`; both share credentials,
/// pacing and transport.
public struct AWSProviderFactory: ProviderFactory {
    public let kind = "aws"
    /// The schema of ``AWSStoreConfig``, the block this provider reads.
    public var configSchema: JSONValue { AWSStoreConfig.openAPISchema }
    private let options: AWSProviderOptions
    private let environment: @Sendable () -> [String: String]

    /// - Parameters:
    ///   - options: pacing, batching and transport; the defaults suit production.
    ///   - environment: the process environment: `AWS_ENDPOINT_URL*` (set by the admin, so
    ///     honoured for every store), and the pod's credentials (`AWS_ACCESS_KEY_ID`, IRSA's
    ///     `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`, EKS Pod Identity's
    ///     `AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`), used only for a store without
    ///     `auth` whose context grants ``AmbientIdentity/cloudIdentity`` and that names no
    ///     endpoint of its own; injectable for tests.
    public init(options: AWSProviderOptions = AWSProviderOptions(), environment: @escaping @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment }) {
        self.options = options
        self.environment = environment
    }

    public func makeProvider(_ context: ProviderContext) throws -> any SecretReader {
        let service = try AWSStoreConfig.decode(context.config, store: context.storeName).effectiveService
        if service == .parameterStore { return try makeParameterStoreProvider(context) }
        return try makeAWSProvider(context)
    }

    /// The Secrets Manager provider, typed (whatever `service` says).
    public func makeAWSProvider(_ context: ProviderContext) throws(ProviderError) -> AWSSecretsManagerProvider {
        do {
            let parts = try build(context, service: .secretsManager)
            return AWSSecretsManagerProvider(
                storeName: context.storeName, client: parts.serviceClient, credentials: parts.credentials, options: options, logger: parts.logger)
        } catch {
            throw error.inStore(context.storeName)
        }
    }

    /// The Parameter Store provider, typed (whatever `service` says).
    public func makeParameterStoreProvider(_ context: ProviderContext) throws(ProviderError) -> AWSParameterStoreProvider {
        do {
            let parts = try build(context, service: .parameterStore)
            return AWSParameterStoreProvider(
                storeName: context.storeName, client: parts.serviceClient, credentials: parts.credentials, options: options, logger: parts.logger)
        } catch {
            throw error.inStore(context.storeName)
        }
    }

    /// What both services' providers are made of.
    private struct Parts {
        var serviceClient: AWSServiceClient
        var credentials: any AWSCredentialSource
        var logger: Logger
    }

    /// The signing name, `AWS_ENDPOINT_URL_*` variable and regional host prefix of a service.
    private static func wireNames(_ service: AWSServiceType) -> (signing: String, environment: String) {
        service == .parameterStore ? ("ssm", "AWS_ENDPOINT_URL_SSM") : ("secretsmanager", "AWS_ENDPOINT_URL_SECRETS_MANAGER")
    }

    private func build(_ context: ProviderContext, service: AWSServiceType) throws(ProviderError) -> Parts {
        let config = try AWSStoreConfig.decode(context.config, store: context.storeName).validated()
        let names = Self.wireNames(service)
        let environment = self.environment()
        var logger = context.logger
        logger[metadataKey: "store"] = "\(context.storeName)"
        let rateLimiter = RequestRateLimiter(ratePerSecond: options.requestsPerSecond, burst: options.burst)
        let limiter = ConcurrencyLimiter(limit: options.maxConcurrentRequests)

        let serviceEndpoint: AWSEndpoint
        if let endpoint = config.endpoint, !endpoint.isEmpty {
            serviceEndpoint = try AWSEndpoint(url: endpoint)
        } else if let endpoint = environment[names.environment] ?? environment["AWS_ENDPOINT_URL"], !endpoint.isEmpty {
            serviceEndpoint = try AWSEndpoint(url: endpoint)
        } else {
            serviceEndpoint = .regional(service: names.signing, region: config.region)
        }
        let stsEndpoint: AWSEndpoint
        if let endpoint = config.stsEndpoint, !endpoint.isEmpty {
            stsEndpoint = try AWSEndpoint(url: endpoint)
        } else if let endpoint = environment["AWS_ENDPOINT_URL_STS"] ?? environment["AWS_ENDPOINT_URL"], !endpoint.isEmpty {
            stsEndpoint = try AWSEndpoint(url: endpoint)
        } else {
            stsEndpoint = .regional(service: "sts", region: config.region)
        }

        let usesAmbientIdentity = config.auth?.secretRef == nil && config.auth?.jwt == nil
        if usesAmbientIdentity {
            // The pod's own cloud identity (environment keys, IRSA token, roles assumed with
            // them) only for a store the operator granted it, and never towards an endpoint
            // the store chose: only the admin's environment (AWS_ENDPOINT_URL…) may redirect it.
            guard context.ambientIdentity.contains(.cloudIdentity) else {
                throw ProviderError.permissionDenied(
                    detail: "aws: spec.provider.aws.auth is required: the operator pod's own AWS identity is not granted to this store")
            }
            if config.hasCustomEndpoint {
                let field = (config.endpoint ?? "").isEmpty ? "stsEndpoint" : "endpoint"
                throw ProviderError.permissionDenied(
                    detail: "aws: spec.provider.aws.\(field) must not be set when the store uses the operator pod's own AWS identity (no auth)")
            }
        }

        func client(_ endpoint: AWSEndpoint, service: String) -> AWSServiceClient {
            AWSServiceClient(
                endpoint: endpoint, signer: SigV4Signer(region: config.region, service: service), transport: options.transport,
                policy: options.callPolicy, rateLimiter: rateLimiter, limiter: limiter, onRequest: options.onRequest)
        }
        let sts = STSClient(client: client(stsEndpoint, service: "sts"))
        let session = options.roleSessionName

        /// `base`, then each of `roles` assumed in order with the credentials of the one
        /// before; the last is `role`, the only one given the external ID and session tags.
        func chain(from base: any AWSCredentialSource, roles: ArraySlice<String>) -> any AWSCredentialSource {
            var source = base
            for (offset, role) in roles.enumerated() {
                let isLast = offset == roles.count - 1
                source = CachedCredentialSource(
                    AssumeRoleCredentialSource(
                        roleARN: role, sessionName: session, sts: sts, base: source,
                        parameters: isLast ? config.finalRoleParameters : AssumeRoleParameters()),
                    refreshMargin: options.credentialRefreshMargin, label: "AssumeRole \(role)", logger: logger)
            }
            return source
        }

        var source: any AWSCredentialSource
        if let secretRef = config.auth?.secretRef {
            func reference(_ ref: SecretKeySelector) -> StoreSecretCredentialSource.Reference {
                .init(name: ref.name, key: ref.key, namespace: ref.namespace)
            }
            source = CachedCredentialSource(
                StoreSecretCredentialSource(
                    resolver: context.secrets, accessKeyID: reference(secretRef.accessKeyIDSecretRef),
                    secretAccessKey: reference(secretRef.secretAccessKeySecretRef), sessionToken: secretRef.sessionTokenSecretRef.map(reference)),
                refreshMargin: options.credentialRefreshMargin, reuseFor: options.staticCredentialReuse,
                label: "secretRef \(secretRef.accessKeyIDSecretRef.name)", logger: logger)
            source = chain(from: source, roles: config.roleChain[...])
        } else if let jwt = config.auth?.jwt {
            guard let issuer = context.serviceAccountTokens else {
                throw ProviderError.invalidRequest(detail: "aws: auth.jwt needs service-account tokens, which this operator cannot issue")
            }
            let account = jwt.serviceAccountRef
            let audiences = account.audiences.flatMap { $0.isEmpty ? nil : $0 } ?? [AWSStoreConfig.defaultAudience]
            // The web identity is exchanged for the chain's first role; the rest are assumed from there.
            let roles = config.roleChain
            let first = roles.first ?? ""
            source = CachedCredentialSource(
                WebIdentityCredentialSource(roleARN: first, sessionName: session, sts: sts) {
                    try await issuer.token(serviceAccount: account.name, namespace: account.namespace, audiences: audiences)
                },
                refreshMargin: options.credentialRefreshMargin, label: "AssumeRoleWithWebIdentity \(first)", logger: logger)
            source = chain(from: source, roles: roles.dropFirst())
        } else {
            source = CachedCredentialSource(
                EnvironmentCredentialSource(
                    environment: environment, sts: sts, sessionName: session, containerTransport: options.containerCredentialsTransport),
                refreshMargin: options.credentialRefreshMargin, reuseFor: options.staticCredentialReuse, label: "environment", logger: logger)
            source = chain(from: source, roles: config.roleChain[...])
        }
        return Parts(serviceClient: client(serviceEndpoint, service: names.signing), credentials: source, logger: logger)
    }
}
