/// The operator's sealed state as a Secret's data, planned without I/O: ``load(_:scope:keys:)``
/// turns the Secret's data into opened records, ``render(_:records:keys:)`` turns records back
/// into the data to write. The caller reads and writes the Secret.
///
/// Each data entry is one record (``SealedRecord``) named by its data key, sealed for
/// `RecordIdentity(scope: scope, path: name)`. A record that does not open is dropped from
/// the state with a warning, and kept as it is in the data: a failure (a key missing from
/// the ring, a changed byte) never empties the Secret, and a fixed key ring opens it again.
public enum StateStore {
    /// Why a record was left out of the state: its name and the refusal, never its bytes.
    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        public let name: String
        public let refusal: SealedRecordRefusal
        public var description: String { "state record \"\(name)\" dropped: \(refusal)" }
    }

    /// The state as read.
    public struct Loaded: Sendable, Equatable {
        /// Every record that opened, by name.
        public var records: [String: SealedPlaintext]
        /// The records that did not open.
        public var warnings: [Warning]
        /// Records opened with a previous key: ``render(_:records:keys:)`` seals them again.
        public var reseal: Set<String>
        /// The data as read, so that rendering keeps what it does not rewrite.
        public var data: [String: [UInt8]]
        /// The scope the records were opened for.
        public var scope: String
    }

    /// Opens every record of `data` (a Secret's data: name → record bytes) for `scope`.
    public static func load(_ data: [String: [UInt8]], scope: String, keys: StateKeyRing) -> Loaded {
        var loaded = Loaded(records: [:], warnings: [], reseal: [], data: data, scope: scope)
        for name in data.keys.sorted() {
            switch SealedRecord.open(data[name]!, for: RecordIdentity(scope: scope, path: name), keys: keys) {
            case .success(let opened):
                loaded.records[name] = opened.plaintext
                if opened.needsReseal { loaded.reseal.insert(name) }
            case .failure(let refusal):
                loaded.warnings.append(Warning(name: name, refusal: refusal))
            }
        }
        return loaded
    }

    /// Why the desired records cannot be rendered.
    public enum RenderError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not a valid Secret data key (`[-._a-zA-Z0-9]+`, at most 253 characters).
        case invalidName(String)
        case tooLarge(name: String, SealedRecord.SealError)

        public var description: String {
            switch self {
            case .invalidName(let name): "state record name \"\(name.prefix(64))\" is not a valid Secret data key"
            case .tooLarge(let name, let error): "state record \"\(name)\": \(error)"
            }
        }
    }

    /// The Secret data after setting the state to `records`, or `nil` when the data read
    /// is already that (nothing to write).
    ///
    /// A record whose plaintext is unchanged and that was opened with the current key keeps
    /// its bytes (no rewrite, no new nonce); a changed or new record, and one opened with a
    /// previous key, is sealed under the current key; a record that opened but is not in
    /// `records` is removed (the caller's decision); a record that did not open is kept as
    /// it is, unless `records` names it (the caller writes it anew).
    public static func render(_ loaded: Loaded, records: [String: SealedPlaintext], keys: StateKeyRing) -> Result<[String: [UInt8]]?, RenderError> {
        var data = loaded.data
        for name in loaded.records.keys where records[name] == nil { data[name] = nil }
        for name in records.keys.sorted() {
            guard isDataKey(name) else { return .failure(.invalidName(name)) }
            let plaintext = records[name]!
            if loaded.records[name] == plaintext, !loaded.reseal.contains(name), loaded.data[name] != nil { continue }
            do {
                data[name] = try SealedRecord.seal(plaintext, for: RecordIdentity(scope: loaded.scope, path: name), keys: keys)
            } catch {
                return .failure(.tooLarge(name: name, error))
            }
        }
        return .success(data == loaded.data ? nil : data)
    }

    /// A Secret data key: `[-._a-zA-Z0-9]+`, at most 253 characters.
    static func isDataKey(_ name: String) -> Bool {
        guard (1...253).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 95
        }
    }
}
