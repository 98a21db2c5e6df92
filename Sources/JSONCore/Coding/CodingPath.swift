extension Array where Element == any CodingKey {
    /// The path as field selectors (`.spec.data[0].key`): what Codable errors report to
    /// users in place of the value, which may be secret. Empty for the top level.
    public var fieldPath: String {
        map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
