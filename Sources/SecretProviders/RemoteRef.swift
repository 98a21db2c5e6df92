/// One secret as a provider stores it: its key (Vault path, AWS name or ARN) and
/// an optional version (Vault KV v2 version number; AWS version id or stage such
/// as `AWSCURRENT`/`AWSPREVIOUS`). `nil` means the current version.
///
/// This is the unit providers read, cache and batch: several ``RemoteRef``s that
/// select different properties of one secret share one `RemoteSecretID`.
public struct RemoteSecretID: Hashable, Sendable, Codable, CustomStringConvertible {
    public var key: String
    /// `nil` for the current version. An empty string is normalised to `nil`.
    public var version: String?

    public init(key: String, version: String? = nil) {
        self.key = key
        self.version = (version?.isEmpty ?? true) ? nil : version
    }

    /// `key` or `key@version`; names only, safe for messages.
    public var description: String {
        version.map { "\(key)@\($0)" } ?? key
    }
}

/// What an ExternalSecret asks of a store: a secret, and optionally one
/// `property` of it (a field of a JSON object secret, or of a Vault KV map).
/// Mirrors `remoteRef: {key, property, version}` of the API.
public struct RemoteRef: Hashable, Sendable, Codable, CustomStringConvertible {
    public var key: String
    /// `nil` selects the whole secret. An empty string is normalised to `nil`.
    public var property: String?
    /// `nil` for the current version. An empty string is normalised to `nil`.
    public var version: String?

    public init(key: String, property: String? = nil, version: String? = nil) {
        self.key = key
        self.property = (property?.isEmpty ?? true) ? nil : property
        self.version = (version?.isEmpty ?? true) ? nil : version
    }

    /// The secret this reference reads (without the property).
    public var secretID: RemoteSecretID { RemoteSecretID(key: key, version: version) }

    /// `key`, `key#property`, `key@version`, `key#property@version`; names only.
    public var description: String {
        var text = key
        if let property { text += "#\(property)" }
        if let version { text += "@\(version)" }
        return text
    }
}
