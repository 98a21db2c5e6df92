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
    /// IAM role ARNs assumed one after the other, in order, before `role`: each AssumeRole is
    /// signed with the credentials of the one before (the first with those of `auth`; with `jwt`
    /// the web identity is exchanged for the first of them). Needs `role`; at most
    /// ``maxAdditionalRoles``.
    public var additionalRoles: [String]?
    /// The external ID given to STS when assuming `role` (the last role of the chain), as the
    /// role's trust policy may demand (`sts:ExternalId`).
    public var externalID: String?
    /// Session tags given to STS when assuming `role` (the role's trust policy needs
    /// `sts:TagSession`).
    public var sessionTags: [AWSSessionTag]?
    /// Keys of `sessionTags` that stay on the session when it assumes further roles.
    public var transitiveTagKeys: [String]?
    /// How to get credentials. Absent means the operator pod's own identity (environment, IRSA): only for a
    /// ClusterSecretStore, only when the operator runs with `--allow-pod-cloud-identity`, and never with
    /// `endpoint` or `stsEndpoint`.
    public var auth: AWSAuth?
    public var unknownFields = UnknownFields()

    public init(
        service: AWSServiceType? = nil, region: String, endpoint: String? = nil, stsEndpoint: String? = nil,
        insecureAllowHTTP: Bool? = nil, role: String? = nil, auth: AWSAuth? = nil, additionalRoles: [String]? = nil,
        externalID: String? = nil, sessionTags: [AWSSessionTag]? = nil, transitiveTagKeys: [String]? = nil
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.stsEndpoint = stsEndpoint
        self.insecureAllowHTTP = insecureAllowHTTP
        self.role = role
        self.auth = auth
        self.additionalRoles = additionalRoles
        self.externalID = externalID
        self.sessionTags = sessionTags
        self.transitiveTagKeys = transitiveTagKeys
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case service, region, endpoint, stsEndpoint, insecureAllowHTTP, role, auth, additionalRoles, externalID, sessionTags, transitiveTagKeys
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        service = try c.decodeIfPresent(.service)
        region = try c.decode(.region, or: "")
        endpoint = try c.decodeIfPresent(.endpoint)
        stsEndpoint = try c.decodeIfPresent(.stsEndpoint)
        insecureAllowHTTP = try c.decodeIfPresent(.insecureAllowHTTP)
        role = try c.decodeIfPresent(.role)
        auth = try c.decodeIfPresent(.auth)
        additionalRoles = try c.decodeIfPresent(.additionalRoles)
        externalID = try c.decodeIfPresent(.externalID)
        sessionTags = try c.decodeIfPresent(.sessionTags)
        transitiveTagKeys = try c.decodeIfPresent(.transitiveTagKeys)
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
        try c.encodeIfPresent(additionalRoles, forKey: .additionalRoles)
        try c.encodeIfPresent(externalID, forKey: .externalID)
        try c.encodeIfPresent(sessionTags, forKey: .sessionTags)
        try c.encodeIfPresent(transitiveTagKeys, forKey: .transitiveTagKeys)
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
                    "How to get credentials. Absent means the operator pod's own identity (environment keys, IRSA, EKS Pod Identity): only for a ClusterSecretStore, only when the operator runs with `--allow-pod-cloud-identity`, and never with `endpoint` or `stsEndpoint`."),
                "additionalRoles": OpenAPISchema.array(
                    "IAM role ARNs assumed one after the other, in order, before `role`: each AssumeRole is signed with the credentials of the one before (the first with those of `auth`; with `jwt` the web identity is exchanged for the first of them). Needs `role`; at most \(maxAdditionalRoles).",
                    of: OpenAPISchema.string().bounded(maxLength: maxRoleARNLength)
                ).bounded(maxItems: maxAdditionalRoles),
                "externalID": OpenAPISchema.string(
                    "The external ID given to STS when assuming `role` (the last role of the chain), as the role's trust policy may demand (`sts:ExternalId`): 2 to 1224 characters of letters, digits and `_+=,.@:/-`.",
                    pattern: #"^[\w+=,.@:/-]*$"#, minLength: 2
                ).bounded(maxLength: maxExternalIDLength),
                "sessionTags": OpenAPISchema.array(
                    "Session tags given to STS when assuming `role` (the role's trust policy needs `sts:TagSession`); at most \(maxSessionTags), keys unique.",
                    of: AWSSessionTag.openAPISchema
                ).bounded(maxItems: maxSessionTags),
                "transitiveTagKeys": OpenAPISchema.array(
                    "Keys of `sessionTags` that stay on the session when it assumes further roles.",
                    of: OpenAPISchema.string().bounded(maxLength: AWSSessionTag.maxKeyLength)
                ).bounded(maxItems: maxSessionTags),
            ],
            required: ["region"],
            validations: [
                OpenAPISchema.rule("!has(self.auth) || !has(self.auth.jwt) || has(self.role)", message: "auth.jwt needs role"),
                OpenAPISchema.rule(
                    "has(self.role) || !(has(self.additionalRoles) || has(self.externalID) || has(self.sessionTags) || has(self.transitiveTagKeys))",
                    message: "additionalRoles, externalID, sessionTags and transitiveTagKeys need role"),
            ])
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
    /// The longest chain of `additionalRoles` (before `role`): each link is one more STS call
    /// per credential refresh.
    static let maxAdditionalRoles = 5
    /// STS's limit on session tags (and transitive tag keys) per AssumeRole.
    static let maxSessionTags = 50
    /// STS's limit on an external ID's length.
    static let maxExternalIDLength = 1224
    /// STS's limit on a role ARN's length.
    static let maxRoleARNLength = 2048

    /// The auth methods of which a store sets at most one (none: the pod's own identity):
    /// checked by the API server (the schema's rule) and again by the provider.
    static let authMethodFields = ["secretRef", "jwt"]
}

/// An STS session tag (`sessionTags`): a key and a value attached to the assumed role's
/// session, usable in policies as `aws:PrincipalTag/<key>`.
public struct AWSSessionTag: Codable, Sendable, Hashable {
    /// The tag key: 1 to 128 characters.
    public var key: String
    /// The tag value: up to 256 characters.
    public var value: String
    public var unknownFields = UnknownFields()

    /// STS's limit on a tag key's length.
    static let maxKeyLength = 128
    /// STS's limit on a tag value's length.
    static let maxValueLength = 256

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case key, value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(.key, or: "")
        value = try c.decode(.value, or: "")
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(value, forKey: .value)
    }
}

extension AWSSessionTag: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "An STS session tag (`sessionTags`): a key and a value attached to the assumed role's session, usable in policies as `aws:PrincipalTag/<key>`.",
            properties: [
                "key": OpenAPISchema.string("The tag key: 1 to 128 characters.", minLength: 1).bounded(maxLength: maxKeyLength),
                "value": OpenAPISchema.string("The tag value: up to 256 characters.").bounded(maxLength: maxValueLength),
            ],
            required: ["key", "value"])
    }
}

extension JSONValue {
    /// This schema with `maxLength` / `maxItems` set: bounds the API server enforces (and
    /// that keep CEL rules' cost estimate low).
    fileprivate func bounded(maxLength: Int? = nil, maxItems: Int? = nil) -> JSONValue {
        var copy = self
        if let maxLength { copy["maxLength"] = .int(Int64(maxLength)) }
        if let maxItems { copy["maxItems"] = .int(Int64(maxItems)) }
        return copy
    }
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
