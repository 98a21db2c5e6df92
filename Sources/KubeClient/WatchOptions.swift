/// Query parameters of a watch call.
public struct WatchOptions: Sendable, Hashable {
    /// Start after this version (usually the list's `metadata.resourceVersion`);
    /// nil starts with synthetic `ADDED` events for every existing object.
    public var resourceVersion: String?
    /// Ask for `BOOKMARK` events, which advance the resourceVersion without a change
    /// so that a restarted watch does not fall behind into 410 Gone.
    public var allowWatchBookmarks: Bool
    /// The server ends the watch after this many seconds; the client then closes too.
    public var timeoutSeconds: Int?
    public var labelSelector: String?
    public var fieldSelector: String?

    public init(
        resourceVersion: String? = nil, allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil,
        labelSelector: String? = nil, fieldSelector: String? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        return items
    }
}
