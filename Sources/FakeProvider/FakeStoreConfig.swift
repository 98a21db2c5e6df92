import Foundation
import JSONCore
import SecretProviders

/// Serves static values from the store spec: for demos, documentation and tests.
///
/// A store's `spec.provider.fake` block: the one type the provider decodes from the store's
/// JSON and the store CRDs' schema is generated from (``openAPISchema``).
public struct FakeStoreConfig: Codable, Sendable, Hashable {
    /// The remote secrets.
    public var data: [FakeProviderData]
    public var unknownFields = UnknownFields()

    public init(data: [FakeProviderData] = []) {
        self.data = data
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decode(.data, or: [])
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data)
    }
}

extension FakeStoreConfig: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Serves static values from the store spec: for demos, documentation and tests.",
            properties: [
                "data": OpenAPISchema.array("The remote secrets.", of: FakeProviderData.openAPISchema),
            ],
            required: ["data"])
    }
}

/// One remote secret of the fake provider.
public struct FakeProviderData: Codable, Sendable, Hashable {
    /// The remote key, as `remoteRef.key` names it.
    public var key: String
    /// The value. Visible to anyone who can read the store: for demos and tests only.
    public var value: String
    /// The version reported for the value.
    public var version: String?
    /// Tags for `find` (AWS-style). Not in the CRD schema (the API server drops it): only
    /// fakes configured in code, by tests, carry tags.
    public var tags: [String: String]?
    public var unknownFields = UnknownFields()

    public init(key: String, value: String, version: String? = nil, tags: [String: String]? = nil) {
        self.key = key
        self.value = value
        self.version = version
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case key, value, version, tags }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Required, as the schema says: an entry without them is refused, not read as empty.
        key = try c.decode(String.self, forKey: .key)
        value = try c.decode(String.self, forKey: .value)
        version = try c.decodeIfPresent(.version)
        tags = try c.decodeIfPresent(.tags)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(value, forKey: .value)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encodeIfPresent(tags, forKey: .tags)
    }
}

extension FakeProviderData: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "One remote secret of the fake provider.",
            properties: [
                "key": OpenAPISchema.string("The remote key, as `remoteRef.key` names it.", minLength: 1),
                "value": OpenAPISchema.string(
                    "The value. Visible to anyone who can read the store: for demos and tests only."),
                "version": OpenAPISchema.string("The version reported for the value."),
            ],
            required: ["key", "value"])
    }
}
