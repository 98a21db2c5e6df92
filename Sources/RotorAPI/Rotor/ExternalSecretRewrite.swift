import Foundation
import JSONCore
import KubeAPI

/// One step renaming the keys a `dataFrom` entry found (`find`) or extracted (`extract`),
/// before they are written: exactly one of `regexp` or `transform`. Steps apply in order,
/// each to the names the previous one produced (as ESO's `dataFrom[].rewrite`).
public struct ExternalSecretRewrite: Codable, Sendable, Hashable {
    /// Replaces every match of a regular expression in each key.
    public var regexp: ExternalSecretRewriteRegexp?
    /// Renders each key through a template, the key being `{{value}}`.
    public var transform: ExternalSecretRewriteTransform?
    public var unknownFields = UnknownFields()

    public init(regexp: ExternalSecretRewriteRegexp? = nil, transform: ExternalSecretRewriteTransform? = nil) {
        self.regexp = regexp
        self.transform = transform
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case regexp, transform }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        regexp = try c.decodeIfPresent(.regexp)
        transform = try c.decodeIfPresent(.transform)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(regexp, forKey: .regexp)
        try c.encodeIfPresent(transform, forKey: .transform)
    }
}

extension ExternalSecretRewrite: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "One step renaming the keys a dataFrom entry found or extracted, before they are written: exactly one of `regexp` or `transform`. Steps apply in order, each to the names the previous one produced.",
            properties: [
                "regexp": ExternalSecretRewriteRegexp.openAPISchema.described(
                    "Replaces every match of a regular expression in each key."),
                "transform": ExternalSecretRewriteTransform.openAPISchema.described(
                    "Renders each key through a template, the key being `{{value}}`."),
            ],
            validations: [OpenAPISchema.exactlyOne(of: ["regexp", "transform"])])
    }
}

/// A regular-expression rename: every non-overlapping match of `source` in a key is replaced
/// by `target` (Go's `ReplaceAllString`, as ESO). The pattern is RE2 syntax, matched in
/// linear time; `target` may refer to groups as `$1`, `${1}`, `$name`, `${name}` (`$$` is a `$`).
public struct ExternalSecretRewriteRegexp: Codable, Sendable, Hashable {
    /// The regular expression to find in each key (RE2 syntax).
    public var source: String
    /// What each match becomes; `$1` or `${name}` insert a group.
    public var target: String
    public var unknownFields = UnknownFields()

    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case source, target }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(.source, or: "")
        target = try c.decode(.target, or: "")
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(target, forKey: .target)
    }
}

extension ExternalSecretRewriteRegexp: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A regular-expression rename: every non-overlapping match of `source` in a key is replaced by `target` (RE2 syntax, matched in linear time).",
            properties: [
                "source": OpenAPISchema.string("The regular expression to find in each key (RE2 syntax).", minLength: 1),
                "target": OpenAPISchema.string("What each match becomes; `$1` or `${name}` insert a group."),
            ],
            required: ["source", "target"])
    }
}

/// A template rename: each key becomes the rendering of `template`, in which `{{value}}` is
/// the key (the same Mustache engine and functions as `spec.target.template.data`).
public struct ExternalSecretRewriteTransform: Codable, Sendable, Hashable {
    /// The template producing the new key, e.g. `app_{{lowercased(value)}}`.
    public var template: String
    public var unknownFields = UnknownFields()

    public init(template: String) {
        self.template = template
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case template }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        template = try c.decode(.template, or: "")
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(template, forKey: .template)
    }
}

extension ExternalSecretRewriteTransform: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A template rename: each key becomes the rendering of `template`, in which `{{value}}` is the key.",
            properties: [
                "template": OpenAPISchema.string(
                    "The template producing the new key, e.g. `app_{{lowercased(value)}}`.", minLength: 1),
            ],
            required: ["template"])
    }
}
