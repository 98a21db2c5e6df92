import Foundation

/// A closed set of string values in a Rotor spec (`Owner`, `Merge`, `Orphan`, …) held as an
/// open string wrapper, like `ConditionStatus`.
///
/// A value written by a newer Rotor (or a typo the API server let through) still decodes
/// and is written back unchanged; the reconciler reports it as an invalid spec instead of
/// the whole object failing to decode. `knownValues` is also the `enum` of the CRD schema,
/// so the API server rejects typos before they reach the operator.
public protocol OpenStringEnum: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible where RawValue == String
{
    init(rawValue: String)
    /// Every value this version of Rotor understands, in documentation order.
    static var knownValues: [Self] { get }
}

extension OpenStringEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
    /// Whether this version of Rotor understands the value.
    public var isKnown: Bool { Self.knownValues.contains(self) }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
