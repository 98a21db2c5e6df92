import Foundation

// Shared decoding shorthands for the hand-written Codable conformances of the API modules.
// The types are hand-written (not synthesized) because each keeps the members it does
// not model in `UnknownFields`, which synthesized conformances cannot do.

extension KeyedDecodingContainer {
    /// The member `key`, or `nil` when it is absent or `null`.
    public func decodeIfPresent<T: Decodable>(_ key: Key) throws -> T? {
        try decodeIfPresent(T.self, forKey: key)
    }

    /// The member `key`, or `fallback` when it is absent or `null`.
    ///
    /// Go decodes a missing field as its zero value; doing the same keeps partial objects
    /// (watch bookmarks, list items without `kind`) decodable.
    public func decode<T: Decodable>(_ key: Key, or fallback: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback()
    }
}
