import Foundation
import JSONCore

/// A provider's configuration arrives as the store's `spec.provider.<kind>` block, as JSON:
/// the operator passes it through untouched and each provider decodes its own config type
/// (``ProviderFactory/configSchema`` describes the same type for the CRD).
///
/// It carries names and settings, never secret values: credentials are fetched on demand
/// through ``ProviderContext/secrets``.
extension JSONValue {
    /// Decodes the block as `type`. Errors name the field path from `block` (the block's own
    /// path in the store, e.g. `spec.provider.vault`), never field contents.
    public func decodeStoreConfig<T: Decodable>(_ type: T.Type, block: String) throws(ProviderError) -> T {
        do {
            return try JSONValueDecoder().decode(type, from: self)
        } catch let error as DecodingError {
            throw ProviderError.invalidRequest(detail: Self.summary(of: error, block: block))
        } catch {
            throw ProviderError.invalidRequest(detail: "\(block) could not be read")
        }
    }

    /// The JSON form of a provider's config type, as a store would carry it.
    public init(storeConfig: some Encodable) throws(ProviderError) {
        do {
            self = try JSONValueEncoder().encode(storeConfig)
        } catch {
            throw ProviderError.invalidRequest(detail: "store configuration could not be encoded")
        }
    }

    private static func summary(of error: DecodingError, block: String) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            block + codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
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
