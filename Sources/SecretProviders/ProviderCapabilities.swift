/// What a store can do; reported in the store's status and checked before use.
public struct ProviderCapabilities: Sendable, Hashable {
    /// Whether the store may be written (scheduled rotations).
    public enum Access: String, Sendable, Hashable, CaseIterable {
        /// Shown as `ReadOnly` in the store status.
        case readOnly = "ReadOnly"
        /// Shown as `ReadWrite` in the store status.
        case readWrite = "ReadWrite"
    }

    public var access: Access
    /// Whether ``SecretReader/find(_:)`` is implemented (`dataFrom.find`).
    public var supportsFind: Bool
    /// Whether `find` can filter by tags (AWS); a provider without tags refuses queries that use them.
    public var supportsTags: Bool
    /// Most ids one ``SecretReader/read(_:)`` call should carry (AWS `BatchGetSecretValue`: 20;
    /// a provider without batching: 1). Callers that batch split larger sets.
    public var maxBatchSize: Int

    public init(access: Access, supportsFind: Bool, supportsTags: Bool = false, maxBatchSize: Int = 1) {
        self.access = access
        self.supportsFind = supportsFind
        self.supportsTags = supportsTags
        self.maxBatchSize = max(1, maxBatchSize)
    }
}
