/// A store that can also be written: the provider side of scheduled rotations.
///
/// Writes are idempotent and conditional so that a crash between recording a
/// rotation and finishing it never loses or doubles one.
public protocol SecretWriter: SecretReader {
    /// Writes `document`, the UTF-8 bytes of a JSON object, as the new current version of
    /// `key` and returns the new version. The document is written as it is: every member
    /// keeps its JSON type (AWS: the `SecretString`; Vault: the KV `data` object; fake: the
    /// value). A document that is not a JSON object is an ``ProviderError/Class/invalidRequest``
    /// (see ``SecretValue/checkJSONObjectDocument(key:store:)``).
    ///
    /// - `idempotencyToken`: the rotation's `pendingID`. Writing again with the same
    ///   token and the same content returns the version created the first time
    ///   (AWS `ClientRequestToken`). The same token with other content is a
    ///   ``ProviderError/Class/conflict``.
    /// - `expectedVersion`: when set, the write happens only if the current version is
    ///   still this one (Vault `options.cas`); otherwise ``ProviderError/Class/conflict``.
    ///   `"0"` / a provider-specific marker may mean "must not exist yet".
    func write(key: String, document: SecretValue, idempotencyToken: String, expectedVersion: String?) async throws -> String
}

extension SecretValue {
    /// Throws unless this is what ``SecretWriter/write(key:document:idempotencyToken:expectedVersion:)``
    /// takes: UTF-8 text holding one JSON object. The error names `key`, never the content.
    public func checkJSONObjectDocument(key: String, store: String? = nil) throws(ProviderError) {
        let bytes = revealedBytes()
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ProviderError.invalidRequest(store: store, key: key, detail: "the document to write is not UTF-8 text")
        }
        let members: [(name: String, value: JSONScanner.Value)]?
        do { members = try JSONScanner.objectMembers(bytes) } catch {
            throw ProviderError.invalidRequest(store: store, key: key, detail: "the document to write is not valid JSON")
        }
        guard members != nil else {
            throw ProviderError.invalidRequest(store: store, key: key, detail: "the document to write is not a JSON object")
        }
    }

    /// This secret, read as a JSON object, with the members named in `replacements` set to
    /// those values as JSON strings (added at the end, in name order, when absent). Every
    /// other member keeps its value exactly: numbers, booleans, null, objects and arrays
    /// as their source text, strings with the same decoded content. Members keep their
    /// order; a repeated name keeps its last value (what every reader sees).
    ///
    /// Errors name `key` (and a replaced property), never the content: a secret that is not
    /// a JSON object is an ``ProviderError/Class/invalidRequest``, since its properties cannot
    /// be replaced; so is a replacement that is not UTF-8.
    public func replacingJSONProperties(_ replacements: [String: SecretValue], key: String, version: String? = nil) throws(ProviderError) -> SecretValue {
        try editingJSONProperties(replacing: replacements, removing: [], key: key, version: version)
    }

    /// This JSON object with `replacements` set and the members named in `removals` left out
    /// (a PushSecret withdrawing what it pushed); other members are kept byte for byte.
    public func editingJSONProperties(
        replacing replacements: [String: SecretValue], removing removals: Set<String>, key: String, version: String? = nil
    ) throws(ProviderError) -> SecretValue {
        let members: [(name: String, value: JSONScanner.Value)]?
        do { members = try JSONScanner.objectMembers(revealedBytes()) } catch {
            throw ProviderError.invalidRequest(
                key: key, version: version, detail: "the secret is not valid JSON; replacing properties needs a JSON object")
        }
        guard let members else {
            throw ProviderError.invalidRequest(
                key: key, version: version, detail: "the secret is not a JSON object; replacing properties needs one")
        }
        var quotedReplacements: [String: [UInt8]] = [:]
        for (name, value) in replacements {
            let bytes = value.revealedBytes()
            guard String(validating: bytes, as: UTF8.self) != nil else {
                throw ProviderError.invalidRequest(
                    key: key, property: name, detail: "value is not UTF-8 text and cannot be written as a JSON property")
            }
            quotedReplacements[name] = JSONScanner.quoted(bytes)
        }
        var out: [UInt8] = [UInt8(ascii: "{")]
        func append(_ name: String, _ json: some Sequence<UInt8>) {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out += JSONScanner.quoted(Array(name.utf8))
            out.append(UInt8(ascii: ":"))
            out += json
        }
        for member in members where !removals.contains(member.name) {
            if let replacement = quotedReplacements[member.name] {
                append(member.name, replacement)
                continue
            }
            switch member.value {
            case .string(let decoded): append(member.name, JSONScanner.quoted(decoded))
            case .object(let text), .array(let text), .scalar(let text): append(member.name, text)
            }
        }
        let present = Set(members.map(\.name))
        for name in quotedReplacements.keys.sorted() where !present.contains(name) {
            append(name, quotedReplacements[name]!)
        }
        out.append(UInt8(ascii: "}"))
        return SecretValue(bytes: out)
    }
}
