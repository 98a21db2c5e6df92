import Foundation
import JSONCore

/// An `authentication.k8s.io/v1` TokenReview: asks the API server who a bearer token
/// belongs to. Created and answered in one POST; nothing is stored.
public struct TokenReview: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.tokenReviews }

    public var metadata: ObjectMeta
    public var spec: TokenReviewSpec
    /// The API server's verdict, in its reply.
    public var status: TokenReviewStatus?
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: TokenReviewSpec = TokenReviewSpec(), status: TokenReviewStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: TokenReviewSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// The token to review. Its `description` and `dump` hide the token.
public struct TokenReviewSpec: Codable, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var token: String?
    /// Audiences the caller accepts; the token must be valid for at least one.
    public var audiences: [String]?
    public var unknownFields = UnknownFields()

    public init(token: String? = nil, audiences: [String]? = nil) {
        self.token = token
        self.audiences = audiences
    }

    public var description: String {
        "TokenReviewSpec(token: \(token == nil ? "nil" : "<redacted>"), audiences: \(audiences ?? []))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self, children: ["token": (token == nil ? "nil" : "<redacted>") as Any, "audiences": audiences as Any],
            displayStyle: .struct)
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case token, audiences }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decodeIfPresent(.token)
        audiences = try c.decodeIfPresent(.audiences)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(token, forKey: .token)
        try c.encodeIfPresent(audiences, forKey: .audiences)
    }
}

/// The verdict on a reviewed token.
public struct TokenReviewStatus: Codable, Sendable, Hashable {
    /// True when the token is valid for one of the requested audiences.
    public var authenticated: Bool?
    public var user: UserInfo?
    /// The requested audiences the token is valid for.
    public var audiences: [String]?
    /// Why the token could not be checked (not why it was rejected).
    public var error: String?
    public var unknownFields = UnknownFields()

    public init(authenticated: Bool? = nil, user: UserInfo? = nil, audiences: [String]? = nil, error: String? = nil) {
        self.authenticated = authenticated
        self.user = user
        self.audiences = audiences
        self.error = error
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case authenticated, user, audiences, error }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        authenticated = try c.decodeIfPresent(.authenticated)
        user = try c.decodeIfPresent(.user)
        audiences = try c.decodeIfPresent(.audiences)
        error = try c.decodeIfPresent(.error)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(authenticated, forKey: .authenticated)
        try c.encodeIfPresent(user, forKey: .user)
        try c.encodeIfPresent(audiences, forKey: .audiences)
        try c.encodeIfPresent(error, forKey: .error)
    }
}

/// Kubernetes `authentication/v1.UserInfo`: who a token authenticates as.
public struct UserInfo: Codable, Sendable, Hashable {
    /// For service accounts: `system:serviceaccount:NAMESPACE:NAME`.
    public var username: String?
    public var uid: String?
    public var groups: [String]?
    /// Authenticator-specific facts, e.g. `authentication.kubernetes.io/pod-name`.
    public var extra: [String: [String]]?

    public init(username: String? = nil, uid: String? = nil, groups: [String]? = nil, extra: [String: [String]]? = nil) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }
}
