/// Query parameters of a list call (`metav1.ListOptions`).
public struct ListOptions: Sendable, Hashable {
    /// e.g. `app=shop,tier!=cache` or `env in (prod,stage)`.
    public var labelSelector: String?
    /// e.g. `metadata.name=db-creds`, `type=Opaque`.
    public var fieldSelector: String?
    /// Page size; the response carries `metadata.continue` when more remain.
    public var limit: Int?
    /// The `metadata.continue` token of the previous page.
    public var `continue`: String?
    /// `""`/nil: most recent (quorum read); `"0"`: any cached version; otherwise see ``resourceVersionMatch``.
    public var resourceVersion: String?
    /// How ``resourceVersion`` is applied: `NotOlderThan` or `Exact`.
    public var resourceVersionMatch: ResourceVersionMatch?
    /// Server-side timeout of the call.
    public var timeoutSeconds: Int?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continue: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: ResourceVersionMatch? = nil, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continue = `continue`
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit { items.append(("limit", String(limit))) }
        if let token = self.continue, !token.isEmpty { items.append(("continue", token)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { items.append(("resourceVersionMatch", resourceVersionMatch.rawValue)) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        return items
    }
}

/// How a list's `resourceVersion` is interpreted.
public enum ResourceVersionMatch: String, Sendable, Hashable {
    case notOlderThan = "NotOlderThan"
    case exact = "Exact"
}
