/// A secret as a provider returned it.
public struct RemoteSecret: Sendable, Equatable {
    /// The whole secret: AWS `SecretString`/`SecretBinary`, or for a map-shaped store
    /// (Vault KV) its data as a JSON object.
    public var value: SecretValue
    /// The version read (Vault KV v2 version number, AWS `VersionId`), if the store has versions.
    public var version: String?
    /// For map-shaped stores (Vault KV), the data as the provider decoded it: strings as
    /// their bytes, other JSON values as JSON text. `nil` when the secret is one blob,
    /// in which case properties are read from `value` as a JSON object.
    public var properties: [String: SecretValue]?

    public init(value: SecretValue, version: String? = nil, properties: [String: SecretValue]? = nil) {
        self.value = value
        self.version = version
        self.properties = properties
    }

    /// A map-shaped secret; ``value`` becomes the JSON object of `properties`.
    public init(properties: [String: SecretValue], version: String? = nil) throws(ProviderError) {
        self.value = try SecretValue.jsonObject(properties)
        self.version = version
        self.properties = properties
    }

    /// What `ref` asks of this secret: the whole value, or its `ref.property`.
    public func value(for ref: RemoteRef) throws(ProviderError) -> SecretValue {
        guard let property = ref.property else { return value }
        if let properties {
            return try JSONPropertySelection.select(property, in: properties, key: ref.key, version: ref.version)
        }
        return try value.property(property, key: ref.key, version: ref.version)
    }

    /// All top-level properties (`dataFrom.extract`): strings as their bytes, other
    /// JSON values as JSON text.
    public func extract(for id: RemoteSecretID) throws(ProviderError) -> [String: SecretValue] {
        if let properties { return properties }
        return try value.extractProperties(key: id.key, version: id.version)
    }
}

extension SecretValue {
    /// `property` of this secret read as a JSON object. A top-level member of that exact
    /// name wins; otherwise a dotted path (`db.port`, `hosts.0`) walks nested objects and arrays.
    /// Strings yield their bytes; numbers, booleans, null, objects and arrays their JSON text.
    ///
    /// Errors name `key` and `property`, never the content.
    public func property(_ property: String, key: String, version: String? = nil) throws(ProviderError) -> SecretValue {
        let selected = try JSONPropertySelection.select(Substring(property), in: bytes(), key: key, property: property, version: version)
        return SecretValue(bytes: selected)
    }

    /// Every top-level member of this secret read as a JSON object.
    public func extractProperties(key: String, version: String? = nil) throws(ProviderError) -> [String: SecretValue] {
        let members = try JSONPropertySelection.members(of: bytes(), key: key, property: nil, version: version)
        var result: [String: SecretValue] = [:]
        for member in members { result[member.name] = SecretValue(bytes: member.value.selectedBytes) }
        return result
    }

    /// A JSON object whose members are `properties` as strings, keys sorted (the value of a
    /// map-shaped ``RemoteSecret``). Each value must be UTF-8.
    public static func jsonObject(_ properties: [String: SecretValue]) throws(ProviderError) -> SecretValue {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (position, name) in properties.keys.sorted().enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out += JSONScanner.quoted(Array(name.utf8))
            out.append(UInt8(ascii: ":"))
            let bytes = properties[name]!.revealedBytes()
            guard String(validating: bytes, as: UTF8.self) != nil else {
                throw ProviderError.invalidRequest(property: name, detail: "value is not UTF-8 text and cannot be written as a JSON property")
            }
            out += JSONScanner.quoted(bytes)
        }
        out.append(UInt8(ascii: "}"))
        return SecretValue(bytes: out)
    }

    private func bytes() -> [UInt8] { revealedBytes() }
}

/// Selection of properties in JSON secrets; shared by blob and map-shaped secrets.
enum JSONPropertySelection {
    static func members(of document: [UInt8], key: String, property: String?, version: String?) throws(ProviderError)
        -> [(name: String, value: JSONScanner.Value)]
    {
        let members: [(name: String, value: JSONScanner.Value)]?
        do {
            members = try JSONScanner.objectMembers(document)
        } catch {
            throw ProviderError.invalidResponse(key: key, property: property, version: version, detail: "the secret is not valid JSON")
        }
        guard let members else {
            throw ProviderError.invalidResponse(key: key, property: property, version: version, detail: "the secret is not a JSON object")
        }
        return members
    }

    /// Selects in a map-shaped secret: exact name first, then a dotted path whose head is a member.
    static func select(_ property: String, in map: [String: SecretValue], key: String, version: String?) throws(ProviderError) -> SecretValue {
        if let value = map[property] { return value }
        var dot = property.firstIndex(of: ".")
        while let position = dot {
            let head = String(property[..<position])
            let rest = property[property.index(after: position)...]
            if let value = map[head], !rest.isEmpty,
                let selected = try? select(rest, in: value.revealedBytes(), key: key, property: property, version: version)
            {
                return SecretValue(bytes: selected)
            }
            dot = property[property.index(after: position)...].firstIndex(of: ".")
        }
        throw ProviderError.propertyNotFound(key: key, property: property, version: version)
    }

    /// Selects `path` in a JSON document. `property` is the whole path asked for, for errors.
    static func select(_ path: Substring, in document: [UInt8], key: String, property: String, version: String?) throws(ProviderError) -> [UInt8] {
        let documentStart = document.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        if documentStart == UInt8(ascii: "[") {
            let elements: [JSONScanner.Value]?
            do { elements = try JSONScanner.arrayElements(document) } catch {
                throw ProviderError.invalidResponse(key: key, property: property, version: version, detail: "the secret is not valid JSON")
            }
            return try select(path, inArray: elements ?? [], key: key, property: property, version: version)
        }
        let members = try members(of: document, key: key, property: property, version: version)
        if let exact = members.last(where: { $0.name[...] == path }) { return exact.value.selectedBytes }
        var dot = path.firstIndex(of: ".")
        while let position = dot {
            let head = path[..<position]
            let rest = path[path.index(after: position)...]
            if !rest.isEmpty, let member = members.last(where: { $0.name[...] == head }) {
                switch member.value {
                case .object(let text), .array(let text):
                    if let selected = try? select(rest, in: Array(text), key: key, property: property, version: version) {
                        return selected
                    }
                case .string, .scalar:
                    break
                }
            }
            dot = path[path.index(after: position)...].firstIndex(of: ".")
        }
        throw ProviderError.propertyNotFound(key: key, property: property, version: version)
    }

    private static func select(_ path: Substring, inArray elements: [JSONScanner.Value], key: String, property: String, version: String?) throws(ProviderError) -> [UInt8] {
        let head = path.prefix { $0 != "." }
        guard let index = Int(head), elements.indices.contains(index) else {
            throw ProviderError.propertyNotFound(key: key, property: property, version: version)
        }
        let element = elements[index]
        guard head.endIndex < path.endIndex else { return element.selectedBytes }
        let rest = path[path.index(after: head.endIndex)...]
        switch element {
        case .object(let text), .array(let text):
            return try select(rest, in: Array(text), key: key, property: property, version: version)
        case .string, .scalar:
            throw ProviderError.propertyNotFound(key: key, property: property, version: version)
        }
    }
}
