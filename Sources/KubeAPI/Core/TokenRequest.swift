import Foundation
import JSONCore

/// An `authentication.k8s.io/v1` TokenRequest: asks the API server to mint a short-lived,
/// audience-bound token for a service account.
///
/// Not a stored resource, so not a `KubernetesResource`: it is POSTed to the `token`
/// subresource of a ServiceAccount, `/api/v1/namespaces/NS/serviceaccounts/NAME/token`
/// (see `path(namespace:serviceAccount:)`), and the reply is the same object with
/// `status` filled in.
public struct TokenRequest: Codable, Sendable, Hashable {
    public static let apiVersion = "authentication.k8s.io/v1"
    public static let kind = "TokenRequest"

    /// The path to POST a TokenRequest to, for service account `serviceAccount` in `namespace`.
    public static func path(namespace: String, serviceAccount: String) -> String {
        ResourceTypes.serviceAccounts.objectPath(namespace: namespace, name: serviceAccount, subresource: "token")
    }

    public var metadata: ObjectMeta
    public var spec: TokenRequestSpec
    /// Set by the API server in its reply.
    public var status: TokenRequestStatus?
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: TokenRequestSpec = TokenRequestSpec(), status: TokenRequestStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: TokenRequestSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// What token to mint.
public struct TokenRequestSpec: Codable, Sendable, Hashable {
    /// Who may accept the token (its `aud` claim); empty means the API server's own audiences.
    public var audiences: [String]
    /// Requested lifetime; the API server may shorten it (minimum 600 seconds).
    public var expirationSeconds: Int64?
    /// Ties the token's validity to an object (a Pod or Secret): it dies with that object.
    public var boundObjectRef: BoundObjectReference?
    public var unknownFields = UnknownFields()

    public init(audiences: [String] = [], expirationSeconds: Int64? = nil, boundObjectRef: BoundObjectReference? = nil) {
        self.audiences = audiences
        self.expirationSeconds = expirationSeconds
        self.boundObjectRef = boundObjectRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case audiences, expirationSeconds, boundObjectRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        audiences = try c.decode(.audiences, or: [])
        expirationSeconds = try c.decodeIfPresent(.expirationSeconds)
        boundObjectRef = try c.decodeIfPresent(.boundObjectRef)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(audiences, forKey: .audiences)
        try c.encodeIfPresent(expirationSeconds, forKey: .expirationSeconds)
        try c.encodeIfPresent(boundObjectRef, forKey: .boundObjectRef)
    }
}

/// The object a requested token is bound to.
public struct BoundObjectReference: Codable, Sendable, Hashable {
    /// `Pod`, `Secret` or `Node`.
    public var kind: String?
    public var apiVersion: String?
    public var name: String?
    public var uid: String?

    public init(kind: String? = nil, apiVersion: String? = nil, name: String? = nil, uid: String? = nil) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.name = name
        self.uid = uid
    }
}

/// The minted token. Its `description` and `dump` hide the token.
public struct TokenRequestStatus: Codable, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// A bearer token (a signed JWT).
    public var token: String
    public var expirationTimestamp: KubeTime?
    public var unknownFields = UnknownFields()

    public init(token: String, expirationTimestamp: KubeTime? = nil) {
        self.token = token
        self.expirationTimestamp = expirationTimestamp
    }

    public var description: String {
        "TokenRequestStatus(token: <redacted>, expirationTimestamp: \(expirationTimestamp?.rfc3339 ?? "nil"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["token": "<redacted>", "expirationTimestamp": expirationTimestamp as Any], displayStyle: .struct)
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case token, expirationTimestamp }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decode(.token, or: "")
        expirationTimestamp = try c.decodeIfPresent(.expirationTimestamp)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(token, forKey: .token)
        try c.encodeIfPresent(expirationTimestamp, forKey: .expirationTimestamp)
    }
}
