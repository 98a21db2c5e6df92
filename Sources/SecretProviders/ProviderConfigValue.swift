import Foundation

/// A provider's configuration as a neutral JSON-like tree: the operator encodes a
/// store's `spec.provider.<kind>` block into it, a factory decodes what it needs.
/// Keeps this target free of Kubernetes and API types.
///
/// It carries names and settings, never secret values: credentials are fetched on
/// demand through ``ProviderContext/secrets``.
public enum ProviderConfigValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ProviderConfigValue])
    case object([String: ProviderConfigValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([ProviderConfigValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: ProviderConfigValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The tree built from any `Encodable` (e.g. an API type's provider block).
    public init(encoding value: some Encodable) throws(ProviderError) {
        do {
            let data = try JSONEncoder().encode(value)
            self = try JSONDecoder().decode(ProviderConfigValue.self, from: data)
        } catch {
            throw ProviderError.invalidRequest(detail: "store configuration could not be encoded")
        }
    }

    /// Decodes the tree as `type`. Errors name the field path, never field contents.
    public func decode<T: Decodable>(_ type: T.Type) throws(ProviderError) -> T {
        do {
            let data = try JSONEncoder().encode(self)
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ProviderError.invalidRequest(detail: "store configuration: \(Self.summary(of: error))")
        } catch {
            throw ProviderError.invalidRequest(detail: "store configuration could not be read")
        }
    }

    /// The member `name` of an object, if any.
    public subscript(name: String) -> ProviderConfigValue? {
        if case .object(let members) = self { return members[name] }
        return nil
    }

    private static func summary(of error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "." : text
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is required"
        case .typeMismatch(_, let context): return "\(path(context.codingPath)) has the wrong type"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is required"
        case .dataCorrupted(let context): return "\(path(context.codingPath)) is malformed"
        @unknown default: return "malformed"
        }
    }
}
