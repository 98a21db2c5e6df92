import Foundation
import JSONCore
import SecretProviders

/// Reads (and for scheduled rotation writes) secrets in AWS Secrets Manager or AWS Systems Manager
/// Parameter Store (`service`); requests are signed with Signature Version 4.
///
/// A store's `spec.provider.aws` block: the one type the provider decodes from the store's
/// JSON and the store CRDs' schema is generated from (``openAPISchema``).
public struct AWSStoreConfig: Codable, Sendable, Hashable {
    /// The AWS service: `SecretsManager` (the default) or `ParameterStore`.
    public var service: AWSServiceType?
    /// The AWS region, e.g. `eu-west-1`.
    public var region: String
    /// Overrides the service endpoint, for compatible services and tests.
    public var endpoint: String?
    /// Overrides the STS endpoint (AssumeRole, AssumeRoleWithWebIdentity); never derived from `endpoint`.
    public var stsEndpoint: String?
    /// Allows `http://` in `endpoint` and `stsEndpoint`: requests and secret values then cross the
    /// network in cleartext. Off by default; the store carries a warning while on.
    public var insecureAllowHTTP: Bool?
    /// An IAM role ARN to assume (STS AssumeRole) with the credentials from `auth`; required with `jwt`.
    public var role: String?
    /// How to get credentials. Absent means the operator pod's own identity (environment, IRSA): only for a
    /// ClusterSecretStore, only when the operator runs with `--allow-pod-cloud-identity`, and never with
    /// `endpoint` or `stsEndpoint`.
    public var auth: AWSAuth?
    public var unknownFields = UnknownFields()

    public init(
        service: AWSServiceType? = nil, region: String, endpoint: String? = nil, stsEndpoint: String? = nil,
        insecureAllowHTTP: Bool? = nil, role: String? = nil, auth: AWSAuth? = nil
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.stsEndpoint = stsEndpoint
        self.insecureAllowHTTP = insecureAllowHTTP
        self.role = role
        self.auth = auth
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case service, region, endpoint, stsEndpoint, insecureAllowHTTP, role, auth }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        service = try c.decodeIfPresent(.service)
        region = try c.decode(.region, or: "")
        endpoint = try c.decodeIfPresent(.endpoint)
        stsEndpoint = try c.decodeIfPresent(.stsEndpoint)
        insecureAllowHTTP = try c.decodeIfPresent(.insecureAllowHTTP)
        role = try c.decodeIfPresent(.role)
        auth = try c.decodeIfPresent(.auth)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(service, forKey: .service)
        try c.encode(region, forKey: .region)
        try c.encodeIfPresent(endpoint, forKey: .endpoint)
        try c.encodeIfPresent(stsEndpoint, forKey: .stsEndpoint)
        try c.encodeIfPresent(insecureAllowHTTP, forKey: .insecureAllowHTTP)
        try c.encodeIfPresent(role, forKey: .role)
        try c.encodeIfPresent(auth, forKey: .auth)
    }
}

extension AWSStoreConfig: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Reads (and for scheduled rotation writes) secrets in AWS Secrets Manager or AWS Systems Manager Parameter Store (`service`); requests are signed with Signature Version 4.",
            properties: [
                "service": OpenAPISchema.string("The AWS service: `SecretsManager` (the default) or `ParameterStore`.", of: AWSServiceType.self, default: .secretsManager),
                "region": OpenAPISchema.string("The AWS region, e.g. `eu-west-1`.", minLength: 1),
                "endpoint": OpenAPISchema.string("Overrides the service endpoint, for compatible services and tests."),
                "stsEndpoint": OpenAPISchema.string(
                    "Overrides the STS endpoint (AssumeRole, AssumeRoleWithWebIdentity); never derived from `endpoint`."),
                "insecureAllowHTTP": OpenAPISchema.boolean(
                    "Allows `http://` in `endpoint` and `stsEndpoint`: requests and secret values then cross the network in cleartext. Off by default; the store carries a warning while on.",
                    default: false),
                "role": OpenAPISchema.string(
                    "An IAM role ARN to assume (STS AssumeRole) with the credentials from `auth`; required with `jwt`."),
                "auth": AWSAuth.openAPISchema.described(
                    "How to get credentials. Absent means the operator pod's own identity (environment, IRSA): only for a ClusterSecretStore, only when the operator runs with `--allow-pod-cloud-identity`, and never with `endpoint` or `stsEndpoint`."),
            ],
            required: ["region"],
            validations: [OpenAPISchema.rule("!has(self.auth) || !has(self.auth.jwt) || has(self.role)", message: "auth.jwt needs role")])
    }
}

/// The AWS service a store reads from: Secrets Manager (the default) or Systems Manager
/// Parameter Store.
public struct AWSServiceType: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// AWS Secrets Manager.
    public static let secretsManager: AWSServiceType = "SecretsManager"
    /// AWS Systems Manager Parameter Store (`SecureString`, `String` and `StringList` parameters).
    public static let parameterStore: AWSServiceType = "ParameterStore"

    public static let knownValues: [AWSServiceType] = [.secretsManager, .parameterStore]
}

/// How Rotor gets AWS credentials: at most one method; with none, the operator pod's own (environment,
/// mounted files, web identity), for an allowed ClusterSecretStore only.
public struct AWSAuth: Codable, Sendable, Hashable {
    /// Access keys kept in Secrets.
    public var secretRef: AWSSecretRefAuth?
    /// Web identity with a service-account token.
    public var jwt: AWSJWTAuth?
    public var unknownFields = UnknownFields()

    public init(secretRef: AWSSecretRefAuth? = nil, jwt: AWSJWTAuth? = nil) {
        self.secretRef = secretRef
        self.jwt = jwt
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case secretRef, jwt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        secretRef = try c.decodeIfPresent(.secretRef)
        jwt = try c.decodeIfPresent(.jwt)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(secretRef, forKey: .secretRef)
        try c.encodeIfPresent(jwt, forKey: .jwt)
    }
}

extension AWSAuth: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "How Rotor gets AWS credentials: at most one method; with none, the operator pod's own (environment, mounted files, web identity), for an allowed ClusterSecretStore only.",
            properties: [
                "secretRef": AWSSecretRefAuth.openAPISchema.described("Access keys kept in Secrets."),
                "jwt": AWSJWTAuth.openAPISchema.described("Web identity with a service-account token."),
            ],
            validations: [OpenAPISchema.atMostOne(of: AWSStoreConfig.authMethodFields)])
    }
}

extension AWSStoreConfig {
    /// The auth methods of which a store sets at most one (none: the pod's own identity):
    /// checked by the API server (the schema's rule) and again by the provider.
    static let authMethodFields = ["secretRef", "jwt"]
}

/// Static AWS access keys kept in Kubernetes Secrets.
public struct AWSSecretRefAuth: Codable, Sendable, Hashable {
    /// The access key ID.
    public var accessKeyIDSecretRef: SecretKeySelector
    /// The secret access key.
    public var secretAccessKeySecretRef: SecretKeySelector
    /// The session token, for temporary credentials.
    public var sessionTokenSecretRef: SecretKeySelector?
    public var unknownFields = UnknownFields()

    public init(
        accessKeyIDSecretRef: SecretKeySelector, secretAccessKeySecretRef: SecretKeySelector,
        sessionTokenSecretRef: SecretKeySelector? = nil
    ) {
        self.accessKeyIDSecretRef = accessKeyIDSecretRef
        self.secretAccessKeySecretRef = secretAccessKeySecretRef
        self.sessionTokenSecretRef = sessionTokenSecretRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case accessKeyIDSecretRef, secretAccessKeySecretRef, sessionTokenSecretRef
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accessKeyIDSecretRef = try c.decode(.accessKeyIDSecretRef, or: SecretKeySelector(name: "", key: ""))
        secretAccessKeySecretRef = try c.decode(.secretAccessKeySecretRef, or: SecretKeySelector(name: "", key: ""))
        sessionTokenSecretRef = try c.decodeIfPresent(.sessionTokenSecretRef)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accessKeyIDSecretRef, forKey: .accessKeyIDSecretRef)
        try c.encode(secretAccessKeySecretRef, forKey: .secretAccessKeySecretRef)
        try c.encodeIfPresent(sessionTokenSecretRef, forKey: .sessionTokenSecretRef)
    }
}

extension AWSSecretRefAuth: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Static AWS access keys kept in Kubernetes Secrets.",
            properties: [
                "accessKeyIDSecretRef": SecretKeySelector.openAPISchema.described("The access key ID."),
                "secretAccessKeySecretRef": SecretKeySelector.openAPISchema.described("The secret access key."),
                "sessionTokenSecretRef": SecretKeySelector.openAPISchema.described(
                    "The session token, for temporary credentials."),
            ],
            required: ["accessKeyIDSecretRef", "secretAccessKeySecretRef"])
    }
}

/// Web identity: STS `AssumeRoleWithWebIdentity` with a short-lived service-account token (IRSA style); needs
/// `role`.
public struct AWSJWTAuth: Codable, Sendable, Hashable {
    /// The service account whose token is exchanged.
    public var serviceAccountRef: ServiceAccountSelector
    public var unknownFields = UnknownFields()

    public init(serviceAccountRef: ServiceAccountSelector) {
        self.serviceAccountRef = serviceAccountRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case serviceAccountRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        serviceAccountRef = try c.decode(.serviceAccountRef, or: ServiceAccountSelector(name: ""))
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(serviceAccountRef, forKey: .serviceAccountRef)
    }
}

extension AWSJWTAuth: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Web identity: STS `AssumeRoleWithWebIdentity` with a short-lived service-account token (IRSA style); needs `role`.",
            properties: [
                "serviceAccountRef": ServiceAccountSelector.openAPISchema.described(
                    "The service account whose token is exchanged."),
            ],
            required: ["serviceAccountRef"])
    }
}
