/// Query parameters shared by create, update and patch.
public struct WriteOptions: Sendable, Hashable {
    /// The name recorded in `managedFields` for this write.
    public var fieldManager: String?
    /// Validate and admit, but do not persist (`dryRun=All`).
    public var dryRun: Bool

    public init(fieldManager: String? = nil, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if dryRun { items.append(("dryRun", "All")) }
        if let fieldManager, !fieldManager.isEmpty { items.append(("fieldManager", fieldManager)) }
        return items
    }
}
