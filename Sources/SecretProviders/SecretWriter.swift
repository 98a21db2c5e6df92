/// A store that can also be written: the provider side of scheduled rotations.
///
/// Writes are idempotent and conditional so that a crash between recording a
/// rotation and finishing it never loses or doubles one (DESIGN.md §3).
public protocol SecretWriter: SecretReader {
    /// Writes `properties` as the new current version of `key` (AWS: a JSON
    /// `SecretString`; Vault: the KV data map) and returns the new version.
    ///
    /// - `idempotencyToken`: the rotation's `pendingID`. Writing again with the same
    ///   token and the same content returns the version created the first time
    ///   (AWS `ClientRequestToken`). The same token with other content is a
    ///   ``ProviderError/Class/conflict``.
    /// - `expectedVersion`: when set, the write happens only if the current version is
    ///   still this one (Vault `options.cas`); otherwise ``ProviderError/Class/conflict``.
    ///   `"0"` / a provider-specific marker may mean "must not exist yet".
    func write(key: String, properties: [String: SecretValue], idempotencyToken: String, expectedVersion: String?) async throws -> String
}
