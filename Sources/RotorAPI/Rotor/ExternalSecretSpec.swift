import Foundation
import JSONCore
import KubeAPI

/// What to read from which store, and the Secret to write.
public struct ExternalSecretSpec: Codable, Sendable, Hashable {
    /// The store to read from.
    public var secretStoreRef: SecretStoreRef
    /// How often the values are read again, e.g. `1h` or `15m` (jittered by ±10 %); `0` syncs once.
    public var refreshInterval: String?
    /// When the values are read again.
    public var refreshPolicy: RefreshPolicy?
    /// The Secret to write.
    public var target: ExternalSecretTarget?
    /// Secret keys read one remote value each.
    public var data: [ExternalSecretData]?
    /// Secret keys read many at a time.
    public var dataFrom: [ExternalSecretDataFromSource]?
    /// Overlap rotation, and optionally scheduled rotation.
    public var rotation: ExternalSecretRotation?
    public var unknownFields = UnknownFields()

    public init(
        secretStoreRef: SecretStoreRef = SecretStoreRef(name: ""), refreshInterval: String? = nil,
        refreshPolicy: RefreshPolicy? = nil, target: ExternalSecretTarget? = nil, data: [ExternalSecretData]? = nil,
        dataFrom: [ExternalSecretDataFromSource]? = nil, rotation: ExternalSecretRotation? = nil
    ) {
        self.secretStoreRef = secretStoreRef
        self.refreshInterval = refreshInterval
        self.refreshPolicy = refreshPolicy
        self.target = target
        self.data = data
        self.dataFrom = dataFrom
        self.rotation = rotation
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case secretStoreRef, refreshInterval, refreshPolicy, target, data, dataFrom, rotation
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        secretStoreRef = try c.decode(.secretStoreRef, or: SecretStoreRef(name: ""))
        refreshInterval = try c.decodeIfPresent(.refreshInterval)
        refreshPolicy = try c.decodeIfPresent(.refreshPolicy)
        target = try c.decodeIfPresent(.target)
        data = try c.decodeIfPresent(.data)
        dataFrom = try c.decodeIfPresent(.dataFrom)
        rotation = try c.decodeIfPresent(.rotation)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(secretStoreRef, forKey: .secretStoreRef)
        try c.encodeIfPresent(refreshInterval, forKey: .refreshInterval)
        try c.encodeIfPresent(refreshPolicy, forKey: .refreshPolicy)
        try c.encodeIfPresent(target, forKey: .target)
        try c.encodeIfPresent(data, forKey: .data)
        try c.encodeIfPresent(dataFrom, forKey: .dataFrom)
        try c.encodeIfPresent(rotation, forKey: .rotation)
    }
}

extension ExternalSecretSpec: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "What to read from which store, and the Secret to write.",
            properties: [
                "secretStoreRef": SecretStoreRef.openAPISchema.described("The store to read from."),
                "refreshInterval": OpenAPISchema.duration(
                    "How often the values are read again, e.g. `1h` or `15m` (jittered by ±10 %); `0` syncs once.", default: "1h"),
                "refreshPolicy": OpenAPISchema.string(
                    "When the values are read again.", of: RefreshPolicy.self, default: .periodic),
                "target": ExternalSecretTarget.openAPISchema.described("The Secret to write."),
                "data": OpenAPISchema.array(
                    "Secret keys read one remote value each.", of: ExternalSecretData.openAPISchema),
                "dataFrom": OpenAPISchema.array(
                    "Secret keys read many at a time.", of: ExternalSecretDataFromSource.openAPISchema),
                "rotation": ExternalSecretRotation.openAPISchema.described(
                    "Overlap rotation, and optionally scheduled rotation."),
            ],
            required: ["secretStoreRef"])
    }
}

extension ExternalSecretSpec {
    /// The default of `refreshInterval`.
    public static let defaultRefreshInterval = KubeDuration.hours(1)
    /// `refreshInterval` parsed (default one hour); `nil` when it is not a duration. Zero
    /// means sync once.
    public var refreshIntervalDuration: KubeDuration? {
        refreshInterval.map { KubeDuration($0) } ?? Self.defaultRefreshInterval
    }
    /// `refreshPolicy`, or `Periodic` when unset.
    public var effectiveRefreshPolicy: RefreshPolicy { refreshPolicy ?? .periodic }
}

/// The store an ExternalSecret reads from.
public struct SecretStoreRef: Codable, Sendable, Hashable {
    /// The name of the SecretStore (in the same namespace) or ClusterSecretStore.
    public var name: String
    /// The kind of store.
    public var kind: SecretStoreKind?
    public var unknownFields = UnknownFields()

    public init(name: String, kind: SecretStoreKind? = nil) {
        self.name = name
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, kind }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, or: "")
        kind = try c.decodeIfPresent(.kind)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(kind, forKey: .kind)
    }
}

extension SecretStoreRef: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "The store an ExternalSecret reads from.",
            properties: [
                "name": OpenAPISchema.string(
                    "The name of the SecretStore (in the same namespace) or ClusterSecretStore.", minLength: 1),
                "kind": OpenAPISchema.string("The kind of store.", of: SecretStoreKind.self, default: .secretStore),
            ],
            required: ["name"])
    }
}

extension SecretStoreRef {
    /// `kind`, or `SecretStore` when unset.
    public var effectiveKind: SecretStoreKind { kind ?? .secretStore }
}

/// The kind of store an ExternalSecret reads from.
public struct SecretStoreKind: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A store in the ExternalSecret's own namespace.
    public static let secretStore: SecretStoreKind = "SecretStore"
    /// A cluster-wide store whose conditions admit the namespace.
    public static let clusterSecretStore: SecretStoreKind = "ClusterSecretStore"

    public static let knownValues: [SecretStoreKind] = [.secretStore, .clusterSecretStore]
}

/// When an ExternalSecret is read from the provider again.
public struct RefreshPolicy: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Every `refreshInterval` (jittered), and on spec changes.
    public static let periodic: RefreshPolicy = "Periodic"
    /// Only when the ExternalSecret changes.
    public static let onChange: RefreshPolicy = "OnChange"
    /// Once, when the target Secret is created; never updated afterwards.
    public static let createdOnce: RefreshPolicy = "CreatedOnce"

    public static let knownValues: [RefreshPolicy] = [.periodic, .onChange, .createdOnce]
}
