import Foundation

/// The JSON request bodies providers send (Vault login and writes, Secrets Manager calls).
public enum ProviderJSON {
    /// A compact JSON object with sorted keys. Callers put in only strings, numbers, booleans,
    /// arrays and dictionaries of those, so serialisation cannot fail; `{}` if it ever did.
    public static func body(_ members: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys])) ?? Data("{}".utf8))
    }
}
