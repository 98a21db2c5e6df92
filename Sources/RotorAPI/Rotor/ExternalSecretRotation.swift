import Foundation
import JSONCore
import KubeAPI

/// Overlap rotation: when a synced value changes, the previous one stays in the Secret beside it for
/// `gracePeriod`.
public struct ExternalSecretRotation: Codable, Sendable, Hashable {
    /// How long the previous value is kept after a change, e.g. `1h`.
    public var gracePeriod: String
    /// Appended to a key to name its previous value: `password` becomes `password_previous`.
    public var previousSuffix: String?
    /// Rotate on a schedule by writing a new value to the provider (needs a ReadWrite store).
    public var schedule: RotationSchedule?
    /// What a scheduled rotation writes to the provider.
    public var generate: [RotationGenerator]?
    /// Workloads rolled once per rotation; the previous values are removed only after their rollouts
    /// completed.
    public var restartTargets: [RestartTarget]?
    public var unknownFields = UnknownFields()

    public init(
        gracePeriod: String, previousSuffix: String? = nil, schedule: RotationSchedule? = nil,
        generate: [RotationGenerator]? = nil, restartTargets: [RestartTarget]? = nil
    ) {
        self.gracePeriod = gracePeriod
        self.previousSuffix = previousSuffix
        self.schedule = schedule
        self.generate = generate
        self.restartTargets = restartTargets
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case gracePeriod, previousSuffix, schedule, generate, restartTargets
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        gracePeriod = try c.decode(.gracePeriod, or: "")
        previousSuffix = try c.decodeIfPresent(.previousSuffix)
        schedule = try c.decodeIfPresent(.schedule)
        generate = try c.decodeIfPresent(.generate)
        restartTargets = try c.decodeIfPresent(.restartTargets)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(gracePeriod, forKey: .gracePeriod)
        try c.encodeIfPresent(previousSuffix, forKey: .previousSuffix)
        try c.encodeIfPresent(schedule, forKey: .schedule)
        try c.encodeIfPresent(generate, forKey: .generate)
        try c.encodeIfPresent(restartTargets, forKey: .restartTargets)
    }
}

extension ExternalSecretRotation: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Overlap rotation: when a synced value changes, the previous one stays in the Secret beside it for `gracePeriod`.",
            properties: [
                "gracePeriod": OpenAPISchema.duration("How long the previous value is kept after a change, e.g. `1h`."),
                "previousSuffix": OpenAPISchema.string(
                    "Appended to a key to name its previous value: `password` becomes `password_previous`.", default: "_previous", minLength: 1),
                "schedule": RotationSchedule.openAPISchema.described(
                    "Rotate on a schedule by writing a new value to the provider (needs a ReadWrite store)."),
                "generate": OpenAPISchema.array(
                    "What a scheduled rotation writes to the provider.", of: RotationGenerator.openAPISchema),
                "restartTargets": OpenAPISchema.array(
                    "Workloads rolled once per rotation; the previous values are removed only after their rollouts completed.", of: RestartTarget.openAPISchema),
            ],
            required: ["gracePeriod"])
    }
}

extension ExternalSecretRotation {
    /// The default of `previousSuffix`.
    public static let defaultPreviousSuffix = "_previous"
    /// `previousSuffix`, or `_previous` when unset.
    public var effectivePreviousSuffix: String { previousSuffix ?? Self.defaultPreviousSuffix }
    /// `gracePeriod` parsed, or `nil` when it is not a duration.
    public var gracePeriodDuration: KubeDuration? { KubeDuration(gracePeriod) }
}

/// When Rotor rotates by writing a new value to the provider: exactly one of `every` or `cron`.
public struct RotationSchedule: Codable, Sendable, Hashable {
    /// A fixed interval, e.g. `24h`.
    public var every: String?
    /// A five-field cron expression in UTC, e.g. `0 3 * * *`.
    public var cron: String?
    public var unknownFields = UnknownFields()

    public init(every: String? = nil, cron: String? = nil) {
        self.every = every
        self.cron = cron
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case every, cron }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        every = try c.decodeIfPresent(.every)
        cron = try c.decodeIfPresent(.cron)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(every, forKey: .every)
        try c.encodeIfPresent(cron, forKey: .cron)
    }
}

extension RotationSchedule: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "When Rotor rotates by writing a new value to the provider: exactly one of `every` or `cron`.",
            properties: [
                "every": OpenAPISchema.duration("A fixed interval, e.g. `24h`."),
                "cron": OpenAPISchema.string("A five-field cron expression in UTC, e.g. `0 3 * * *`."),
            ],
            validations: [OpenAPISchema.exactlyOne(of: ["every", "cron"])])
    }
}

/// How a scheduled rotation generates a new value for one property.
public struct RotationGenerator: Codable, Sendable, Hashable {
    /// The property of the remote secret that receives the generated value.
    public var property: String
    /// The length of the generated value in characters.
    public var length: Int?
    /// Whether the value includes symbols.
    public var symbols: Bool?
    /// The symbols to draw from when `symbols` is true.
    public var symbolCharacters: String?
    /// The minimum number of digits in the value.
    public var digits: Int?
    /// Whether to leave out upper-case letters.
    public var noUpper: Bool?
    public var unknownFields = UnknownFields()

    public init(
        property: String, length: Int? = nil, symbols: Bool? = nil, symbolCharacters: String? = nil,
        digits: Int? = nil, noUpper: Bool? = nil
    ) {
        self.property = property
        self.length = length
        self.symbols = symbols
        self.symbolCharacters = symbolCharacters
        self.digits = digits
        self.noUpper = noUpper
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case property, length, symbols, symbolCharacters, digits, noUpper
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        property = try c.decode(.property, or: "")
        length = try c.decodeIfPresent(.length)
        symbols = try c.decodeIfPresent(.symbols)
        symbolCharacters = try c.decodeIfPresent(.symbolCharacters)
        digits = try c.decodeIfPresent(.digits)
        noUpper = try c.decodeIfPresent(.noUpper)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(property, forKey: .property)
        try c.encodeIfPresent(length, forKey: .length)
        try c.encodeIfPresent(symbols, forKey: .symbols)
        try c.encodeIfPresent(symbolCharacters, forKey: .symbolCharacters)
        try c.encodeIfPresent(digits, forKey: .digits)
        try c.encodeIfPresent(noUpper, forKey: .noUpper)
    }
}

extension RotationGenerator: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "How a scheduled rotation generates a new value for one property.",
            properties: [
                "property": OpenAPISchema.string(
                    "The property of the remote secret that receives the generated value.", minLength: 1),
                "length": OpenAPISchema.integer(
                    "The length of the generated value in characters.", minimum: 8, maximum: 4096, default: 32),
                "symbols": OpenAPISchema.boolean("Whether the value includes symbols.", default: false),
                "symbolCharacters": OpenAPISchema.string(
                    "The symbols to draw from when `symbols` is true.", default: "~!@#$%^&*()_+-={}|[]:<>?,./"),
                "digits": OpenAPISchema.integer("The minimum number of digits in the value.", minimum: 0),
                "noUpper": OpenAPISchema.boolean("Whether to leave out upper-case letters.", default: false),
            ],
            required: ["property"])
    }
}

/// A workload rolled once per rotation (annotation `rotor.dev/restartedAt` on its pod template, as `kubectl
/// rollout restart` does).
public struct RestartTarget: Codable, Sendable, Hashable {
    /// The workload kind.
    public var kind: RestartTargetKind
    /// The workload's name, in the ExternalSecret's namespace.
    public var name: String
    public var unknownFields = UnknownFields()

    public init(kind: RestartTargetKind, name: String) {
        self.kind = kind
        self.name = name
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, name }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(.kind, or: "")
        name = try c.decode(.name, or: "")
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(name, forKey: .name)
    }
}

extension RestartTarget: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "A workload rolled once per rotation (annotation `rotor.dev/restartedAt` on its pod template, as `kubectl rollout restart` does).",
            properties: [
                "kind": OpenAPISchema.string("The workload kind.", of: RestartTargetKind.self),
                "name": OpenAPISchema.string("The workload's name, in the ExternalSecret's namespace.", minLength: 1),
            ],
            required: ["kind", "name"])
    }
}

/// A workload kind Rotor can roll after a rotation.
public struct RestartTargetKind: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let deployment: RestartTargetKind = "Deployment"
    public static let statefulSet: RestartTargetKind = "StatefulSet"
    public static let daemonSet: RestartTargetKind = "DaemonSet"

    public static let knownValues: [RestartTargetKind] = [.deployment, .statefulSet, .daemonSet]
}
