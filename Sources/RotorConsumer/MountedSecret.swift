import Foundation

/// A consistent snapshot of a Kubernetes Secret mounted as a directory, with the
/// overlap-rotation view Rotor writes: `KEY` holds the current value and, during a grace
/// window, `KEY_previous` holds the value it replaced.
///
/// Kubelet projects a Secret volume with its "atomic writer" layout: every version lives
/// in a timestamped directory (`..2026_11_29_10_00_00.123/`), the symlink `..data` points
/// at the live one, and each key is a symlink `password -> ..data/password`. An update
/// writes a new timestamped directory and swaps `..data` in one `rename`. Loading resolves
/// `..data` once and reads every file from that one directory, so a snapshot never mixes
/// two versions. A plain directory of files (local development, `docker -v`) works too.
///
/// Values are ``RedactedValue``s: printing a snapshot or a value shows key names and
/// `<redacted>`, never the content.
///
/// ```swift
/// import RotorConsumer
///
/// // Load once …
/// let secret = try MountedSecret(directory: URL(fileURLWithPath: "/etc/api-keys"))
/// switch secret.verify(presented: request.apiKey, key: "api-key") {
/// case .current:  break
/// case .previous: logger.warning("client authenticated with the previous api-key; it must update")
/// case .invalid: return .unauthorized
/// }
///
/// // … or follow kubelet's updates while the service runs.
/// let watcher = try MountedSecretWatcher(directory: URL(fileURLWithPath: "/etc/api-keys"),
///                                        options: .init(requiredKeys: ["api-key"]))
/// Task { await watcher.run() }
/// let result = watcher.snapshot.verify(presented: request.apiKey, key: "api-key")
/// ```
public struct MountedSecret: Sendable {
    /// How trailing bytes of each file are trimmed.
    ///
    /// Files created by hand or by `echo` usually end in a newline that is not part of the
    /// credential; trimming makes `kubectl create secret --from-file` and
    /// `--from-literal` produce the same value. Leading bytes are never touched.
    public enum Trimming: Sendable, Equatable {
        /// Keep the file content exactly (binary values such as keystores).
        case none
        /// Remove trailing `\n` and `\r` only.
        case trailingNewlines
        /// Remove trailing ASCII whitespace: space, tab, `\n`, `\r`, vertical tab, form feed.
        case trailingWhitespaceAndNewlines
    }

    /// How a mounted Secret is read.
    public struct Options: Sendable, Equatable {
        /// Trailing trimming applied to every value. Default: trailing whitespace and newlines.
        public var trimming: Trimming
        /// The suffix Rotor appends for the previous value during a grace window
        /// (the ExternalSecret's `rotation.previousSuffix`). Default `_previous`.
        public var previousSuffix: String
        /// Keys that must be present and non-empty. A load (or reload) that misses one
        /// fails with ``MountedSecretError/missingRequiredKeys(_:)``, which is how a
        /// half-written plain directory is told apart from a real update; a watcher then
        /// keeps serving its last good snapshot.
        public var requiredKeys: Set<String>

        /// Creates options; every parameter has the default described on its property.
        public init(
            trimming: Trimming = .trailingWhitespaceAndNewlines,
            previousSuffix: String = "_previous",
            requiredKeys: Set<String> = []
        ) {
            self.trimming = trimming
            self.previousSuffix = previousSuffix
            self.requiredKeys = requiredKeys
        }
    }

    /// The mounted directory this snapshot was read from.
    public let directory: URL
    /// The kubelet version directory `..data` pointed at when read (for example
    /// `..2026_11_29_10_00_00.123`), or `nil` for a plain directory.
    public let version: String?
    /// The options used to read and interpret the files.
    public let options: Options
    let values: [String: RedactedValue]

    /// Reads `directory` now. Throws ``MountedSecretError`` when the directory is missing,
    /// a file cannot be read, or a required key is absent.
    public init(directory: URL, options: Options = Options()) throws(MountedSecretError) {
        self = try MountedSecretLoader.load(directory: directory, options: options)
    }

    /// Builds a snapshot from values already in memory (tests, or secrets that arrive some
    /// other way). No trimming is applied.
    public init(values: [String: RedactedValue], options: Options = Options(), directory: URL? = nil, version: String? = nil) {
        self.values = values
        self.options = options
        self.directory = directory ?? URL(fileURLWithPath: "/dev/null")
        self.version = version
    }

    init(directory: URL, version: String?, options: Options, values: [String: RedactedValue]) {
        self.directory = directory
        self.version = version
        self.options = options
        self.values = values
    }

    /// Every file name in the snapshot, sorted, including `…_previous` keys.
    public var keys: [String] { values.keys.sorted() }

    /// The value of the file named exactly `key`, or `nil`.
    public subscript(key: String) -> RedactedValue? { values[key] }

    /// The current value of `key` (the file named `key`).
    public func current(_ key: String) -> RedactedValue? { values[key] }

    /// The previous value of `key` (the file named `key + previousSuffix`), present only
    /// during a rotation grace window.
    public func previous(_ key: String) -> RedactedValue? { values[key + options.previousSuffix] }

    /// Whether `key` is inside a rotation grace window (a previous value is mounted).
    public func isInOverlap(_ key: String) -> Bool { previous(key) != nil }

    /// Checks a credential a client presented against the current, then the previous value
    /// of `key`, in constant time.
    ///
    /// Both comparisons always run and each takes time that depends only on the length of
    /// `presented`, never on how many leading bytes matched, so timing does not help an
    /// attacker guess the value. An absent or empty stored value never matches (an empty
    /// file must not let an empty credential in), and neither does an empty `presented`.
    ///
    /// - Returns: ``VerificationResult/current``, ``VerificationResult/previous`` when the
    ///   client still uses the value being rotated out (log or count it by key name so the
    ///   client gets updated before the window closes), or ``VerificationResult/invalid``.
    public func verify(presented: some Sequence<UInt8>, key: String) -> VerificationResult {
        let presentedBytes = Array(presented)
        let currentMatches = Self.matches(presentedBytes, values[key])
        let previousMatches = Self.matches(presentedBytes, previous(key))
        if currentMatches { return .current }
        if previousMatches { return .previous }
        return .invalid
    }

    /// String form of `verify(presented:key:)` comparing UTF-8 bytes.
    public func verify(presented: String, key: String) -> VerificationResult {
        verify(presented: Array(presented.utf8), key: key)
    }

    /// `Data` form of `verify(presented:key:)`.
    public func verify(presented: Data, key: String) -> VerificationResult {
        verify(presented: [UInt8](presented), key: key)
    }

    private static func matches(_ presented: [UInt8], _ stored: RedactedValue?) -> Bool {
        // Run the comparison even when there is nothing to match, so an absent previous
        // value costs the same time as a present one.
        let expected = stored?.bytes ?? []
        let equal = constantTimeEquals(presented, expected)
        return equal && !expected.isEmpty && !presented.isEmpty
    }

    /// Whether two snapshots hold the same keys and values (constant-time per value).
    func hasSameContent(as other: MountedSecret) -> Bool {
        guard values.count == other.values.count else { return false }
        for (key, value) in values {
            guard let otherValue = other.values[key], otherValue == value else { return false }
        }
        return true
    }
}

/// The outcome of `MountedSecret.verify(presented:key:)`.
public enum VerificationResult: Sendable, Equatable, CustomStringConvertible {
    /// The presented credential equals the current value.
    case current
    /// The presented credential equals the previous value: accepted during the grace
    /// window, but the client must move to the new value before it ends.
    case previous
    /// The presented credential matches neither value (or the key is not mounted).
    case invalid

    /// Whether the credential should be accepted (`.current` or `.previous`).
    public var isAccepted: Bool { self != .invalid }

    public var description: String {
        switch self {
        case .current: "current"
        case .previous: "previous"
        case .invalid: "invalid"
        }
    }
}

extension MountedSecret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Directory, version and key names; never values.
    public var description: String {
        let version = self.version.map { " version \($0)" } ?? ""
        return "MountedSecret(\(directory.path)\(version), keys: \(keys.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    /// Shows directory, version and key names only.
    public var customMirror: Mirror {
        Mirror(self, children: ["directory": directory.path, "version": version as Any, "keys": keys], displayStyle: .struct)
    }
}

/// Why a mounted Secret could not be read. Messages name paths and keys, never values.
public enum MountedSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory does not exist or is not a directory.
    case notADirectory(path: String)
    /// `..data` points at a directory that does not exist (an update in progress or a
    /// broken mount).
    case brokenDataLink(path: String, target: String)
    /// A file could not be read (dangling symlink, permissions, removed while reading).
    case unreadable(path: String, reason: String)
    /// Required keys (``MountedSecret/Options/requiredKeys``) are missing or empty.
    case missingRequiredKeys([String])
    /// `..data` kept changing while the directory was being read.
    case concurrentUpdate(path: String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            "mounted secret directory \(path) does not exist or is not a directory"
        case .brokenDataLink(let path, let target):
            "mounted secret \(path): ..data points at missing \(target)"
        case .unreadable(let path, let reason):
            "mounted secret file \(path) is unreadable: \(reason)"
        case .missingRequiredKeys(let keys):
            "mounted secret is missing required keys: \(keys.joined(separator: ", "))"
        case .concurrentUpdate(let path):
            "mounted secret \(path) kept changing while being read"
        }
    }
}
