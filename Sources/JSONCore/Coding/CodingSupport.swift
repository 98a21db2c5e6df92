import Foundation

// Shared decoding shorthands for the hand-written Codable conformances of the API modules.
// The types are hand-written (not synthesized) because each keeps the members it does
// not model in `UnknownFields`, which synthesized conformances cannot do. `@inlinable`: the
// API modules call these for every field, and across a module boundary an unspecialized
// generic call costs measurably on large lists.

extension KeyedDecodingContainer {
    /// The member `key`, or `nil` when it is absent or `null`.
    @inlinable
    public func decodeIfPresent<T: Decodable>(_ key: Key) throws -> T? {
        try decodeIfPresent(T.self, forKey: key)
    }

    /// The member `key`, or `fallback` when it is absent or `null`.
    ///
    /// Go decodes a missing field as its zero value; doing the same keeps partial objects
    /// (watch bookmarks, list items without `kind`) decodable.
    @inlinable
    public func decode<T: Decodable>(_ key: Key, or fallback: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback()
    }
}
