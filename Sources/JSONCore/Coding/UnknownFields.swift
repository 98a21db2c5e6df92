import Foundation

/// A coding key for any member name: used to read and write the members a type
/// does not model.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ string: String) { self.stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { return nil }
}

/// The members of a JSON object that a Codable type does not model.
///
/// A controller that reads a Deployment and writes it back must not drop the
/// hundreds of fields Rotor never looks at. Types keep those members here and
/// write them back verbatim.
public struct UnknownFields: Sendable, Hashable {
    public var members: JSONObject

    public init(_ members: JSONObject = [:]) { self.members = members }

    /// Reads every member of the decoder's object whose name is not one of `known`.
    @inlinable
    public init<Known: CodingKey & CaseIterable>(from decoder: any Decoder, known: Known.Type) throws {
        let knownNames = Set(Known.allCases.map(\.stringValue))
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var members: JSONObject = [:]
        for key in container.allKeys where !knownNames.contains(key.stringValue) {
            members[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.members = members
    }

    /// Writes the kept members into the encoder's object.
    public func encode(to encoder: any Encoder) throws {
        guard !members.isEmpty else { return }
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for (name, value) in members {
            try container.encode(value, forKey: AnyCodingKey(name))
        }
    }

    public subscript(name: String) -> JSONValue? {
        get { members[name] }
        set { members[name] = newValue }
    }
}
