import Foundation
import JSONCore
import KubeAPI

/// One key of the target Secret, read from one remote value.
public struct ExternalSecretData: Codable, Sendable, Hashable {
    /// The key in the target Secret.
    public var secretKey: String
    /// Where the value comes from.
    public var remoteRef: ExternalSecretRemoteRef
    public var unknownFields = UnknownFields()

    public init(secretKey: String, remoteRef: ExternalSecretRemoteRef = ExternalSecretRemoteRef(key: "")) {
        self.secretKey = secretKey
        self.remoteRef = remoteRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case secretKey, remoteRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        secretKey = try c.decode(.secretKey, or: "")
        remoteRef = try c.decode(.remoteRef, or: ExternalSecretRemoteRef(key: ""))
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(secretKey, forKey: .secretKey)
        try c.encode(remoteRef, forKey: .remoteRef)
    }
}

extension ExternalSecretData: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "One key of the target Secret, read from one remote value.",
            properties: [
                "secretKey": OpenAPISchema.string("The key in the target Secret.", minLength: 1),
                "remoteRef": ExternalSecretRemoteRef.openAPISchema.described("Where the value comes from."),
            ],
            required: ["secretKey", "remoteRef"])
    }
}

/// A value in the provider.
public struct ExternalSecretRemoteRef: Codable, Sendable, Hashable {
    /// The remote key: a Vault path below the mount, or an AWS secret name or ARN.
    public var key: String
    /// A property of a JSON-valued remote secret; absent takes the whole value.
    public var property: String?
    /// A version to pin (Vault KV v2 version, AWS version ID or stage); empty or absent means the current
    /// one.
    public var version: String?
    public var unknownFields = UnknownFields()

    public init(key: String, property: String? = nil, version: String? = nil) {
        self.key = key
        self.property = property
        self.version = version
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case key, property, version }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(.key, or: "")
        property = try c.decodeIfPresent(.property)
        version = try c.decodeIfPresent(.version)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(property, forKey: .property)
        try c.encodeIfPresent(version, forKey: .version)
    }
}

extension ExternalSecretRemoteRef: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A value in the provider.",
            properties: [
                "key": OpenAPISchema.string(
                    "The remote key: a Vault path below the mount, or an AWS secret name or ARN.", minLength: 1),
                "property": OpenAPISchema.string(
                    "A property of a JSON-valued remote secret; absent takes the whole value."),
                "version": OpenAPISchema.string(
                    "A version to pin (Vault KV v2 version, AWS version ID or stage); empty or absent means the current one."),
            ],
            required: ["key"])
    }
}

/// Many keys at once: exactly one of `extract` or `find`, optionally renamed by `rewrite`.
public struct ExternalSecretDataFromSource: Codable, Sendable, Hashable {
    /// All properties of one JSON secret.
    public var extract: ExternalSecretExtract?
    /// All secrets matching a path, name pattern or tags.
    public var find: ExternalSecretFind?
    /// Renames the keys found or extracted, step by step in order, before they are written.
    public var rewrite: [ExternalSecretRewrite]?
    public var unknownFields = UnknownFields()

    public init(extract: ExternalSecretExtract? = nil, find: ExternalSecretFind? = nil, rewrite: [ExternalSecretRewrite]? = nil) {
        self.extract = extract
        self.find = find
        self.rewrite = rewrite
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case extract, find, rewrite }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        extract = try c.decodeIfPresent(.extract)
        find = try c.decodeIfPresent(.find)
        rewrite = try c.decodeIfPresent(.rewrite)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(extract, forKey: .extract)
        try c.encodeIfPresent(find, forKey: .find)
        try c.encodeIfPresent(rewrite, forKey: .rewrite)
    }
}

extension ExternalSecretDataFromSource: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Many keys at once: exactly one of `extract` or `find`, optionally renamed by `rewrite`.",
            properties: [
                "extract": ExternalSecretExtract.openAPISchema.described("All properties of one JSON secret."),
                "find": ExternalSecretFind.openAPISchema.described(
                    "All secrets matching a path, name pattern or tags."),
                "rewrite": OpenAPISchema.array(
                    "Renames the keys found or extracted, step by step in order, before they are written.",
                    of: ExternalSecretRewrite.openAPISchema),
            ],
            validations: [OpenAPISchema.exactlyOne(of: ["extract", "find"])])
    }
}

/// Takes every property of one JSON-valued remote secret as a key of the target Secret.
public struct ExternalSecretExtract: Codable, Sendable, Hashable {
    /// The remote key.
    public var key: String
    /// A version to pin; absent means the current one.
    public var version: String?
    public var unknownFields = UnknownFields()

    public init(key: String, version: String? = nil) {
        self.key = key
        self.version = version
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case key, version }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(.key, or: "")
        version = try c.decodeIfPresent(.version)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(version, forKey: .version)
    }
}

extension ExternalSecretExtract: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Takes every property of one JSON-valued remote secret as a key of the target Secret.",
            properties: [
                "key": OpenAPISchema.string("The remote key.", minLength: 1),
                "version": OpenAPISchema.string("A version to pin; absent means the current one."),
            ],
            required: ["key"])
    }
}

/// Takes every remote secret matching the criteria, one key each (where the provider can list).
public struct ExternalSecretFind: Codable, Sendable, Hashable {
    /// Only names below this path prefix.
    public var path: String?
    /// Only names matching a regular expression.
    public var name: ExternalSecretFindName?
    /// Only secrets carrying all these tags (AWS) or custom metadata (Vault KV v2).
    public var tags: [String: String]?
    public var unknownFields = UnknownFields()

    public init(path: String? = nil, name: ExternalSecretFindName? = nil, tags: [String: String]? = nil) {
        self.path = path
        self.name = name
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case path, name, tags }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(.path)
        name = try c.decodeIfPresent(.name)
        tags = try c.decodeIfPresent(.tags)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(path, forKey: .path)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(tags, forKey: .tags)
    }
}

extension ExternalSecretFind: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Takes every remote secret matching the criteria, one key each (where the provider can list).",
            properties: [
                "path": OpenAPISchema.string("Only names below this path prefix."),
                "name": ExternalSecretFindName.openAPISchema.described("Only names matching a regular expression."),
                "tags": OpenAPISchema.stringMap(
                    "Only secrets carrying all these tags (AWS) or custom metadata (Vault KV v2)."),
            ])
    }
}

/// Matches remote secret names.
public struct ExternalSecretFindName: Codable, Sendable, Hashable {
    /// A regular expression the name must match.
    public var regexp: String
    public var unknownFields = UnknownFields()

    public init(regexp: String) {
        self.regexp = regexp
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case regexp }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        regexp = try c.decode(.regexp, or: "")
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(regexp, forKey: .regexp)
    }
}

extension ExternalSecretFindName: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Matches remote secret names.",
            properties: [
                "regexp": OpenAPISchema.string("A regular expression the name must match.", minLength: 1),
            ],
            required: ["regexp"])
    }
}
