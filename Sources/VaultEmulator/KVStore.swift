import Foundation
import JSONCore

/// The storage of one KV mount, version 1 (a map of paths to data) or 2 (versioned,
/// with metadata, soft deletes, destroys, `cas` and `max_versions`).
struct KVStore: Sendable {
    struct Version: Sendable {
        var data: JSONObject?
        var created: Date
        var deletion: Date?
        var destroyed = false
    }

    struct Entry: Sendable {
        var versions: [Int: Version] = [:]
        var currentVersion = 0
        var oldestVersion = 0
        var maxVersions = 0
        var casRequired = false
        var deleteVersionAfter = "0s"
        var customMetadata: [String: String]?
        var created: Date
        var updated: Date
    }

    /// Mount-wide settings (`MOUNT/config`).
    var maxVersions = 0
    var casRequired = false
    var deleteVersionAfter = "0s"

    private(set) var entries: [String: Entry] = [:]
    /// KV v1 data.
    private(set) var plain: [String: JSONObject] = [:]

    enum WriteError: Error, Equatable {
        case casRequired
        case casMismatch
    }

    // MARK: v1

    func readPlain(_ path: String) -> JSONObject? { plain[path] }
    mutating func writePlain(_ path: String, _ data: JSONObject) { plain[path] = data }
    mutating func deletePlain(_ path: String) { plain[path] = nil }

    // MARK: v2

    func entry(_ path: String) -> Entry? { entries[path] }

    /// Writes a new version; `cas` as in `options.cas`.
    mutating func write(_ path: String, data: JSONObject, cas: Int?, now: Date) throws(WriteError) -> (Entry, Int) {
        var entry = entries[path] ?? Entry(created: now, updated: now)
        if cas == nil && (casRequired || entry.casRequired) { throw .casRequired }
        if let cas, cas != entry.currentVersion { throw .casMismatch }
        let version = entry.currentVersion + 1
        entry.versions[version] = Version(data: data, created: now)
        entry.currentVersion = version
        if entry.oldestVersion == 0 { entry.oldestVersion = 1 }
        entry.updated = now
        let keep = effectiveMaxVersions(entry)
        while entry.versions.count > keep, let oldest = entry.versions.keys.min() {
            entry.versions[oldest] = nil
            entry.oldestVersion = entry.versions.keys.min() ?? version
        }
        entries[path] = entry
        return (entry, version)
    }

    func effectiveMaxVersions(_ entry: Entry) -> Int {
        if entry.maxVersions > 0 { return entry.maxVersions }
        if maxVersions > 0 { return maxVersions }
        return 10
    }

    mutating func updateMetadata(_ path: String, maxVersions: Int?, casRequired: Bool?, customMetadata: [String: String]?, deleteVersionAfter: String?, now: Date) {
        var entry = entries[path] ?? Entry(created: now, updated: now)
        if let maxVersions { entry.maxVersions = maxVersions }
        if let casRequired { entry.casRequired = casRequired }
        if let customMetadata { entry.customMetadata = customMetadata }
        if let deleteVersionAfter { entry.deleteVersionAfter = deleteVersionAfter }
        entry.updated = now
        entries[path] = entry
    }

    /// Soft-deletes versions (empty: the current one).
    mutating func delete(_ path: String, versions: [Int], now: Date) {
        guard var entry = entries[path] else { return }
        let targets = versions.isEmpty ? [entry.currentVersion] : versions
        for v in targets where entry.versions[v] != nil && entry.versions[v]!.deletion == nil && !entry.versions[v]!.destroyed {
            entry.versions[v]!.deletion = now
        }
        entries[path] = entry
    }

    mutating func undelete(_ path: String, versions: [Int]) {
        guard var entry = entries[path] else { return }
        for v in versions where entry.versions[v] != nil && !entry.versions[v]!.destroyed {
            entry.versions[v]!.deletion = nil
        }
        entries[path] = entry
    }

    mutating func destroy(_ path: String, versions: [Int]) {
        guard var entry = entries[path] else { return }
        for v in versions where entry.versions[v] != nil {
            entry.versions[v]!.destroyed = true
            entry.versions[v]!.data = nil
        }
        entries[path] = entry
    }

    mutating func deleteAll(_ path: String) { entries[path] = nil }

    /// The next level of keys under `prefix` (folders end with `/`), sorted; v1 or v2.
    func list(_ prefix: String, versioned: Bool) -> [String] {
        let base = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        var keys = Set<String>()
        let paths = versioned ? Array(entries.keys) : Array(plain.keys)
        for path in paths where path.hasPrefix(base) {
            let rest = path.dropFirst(base.count)
            if let slash = rest.firstIndex(of: "/") {
                keys.insert(String(rest[...slash]))
            } else if !rest.isEmpty {
                keys.insert(String(rest))
            }
        }
        return keys.sorted()
    }

    func exists(_ path: String, versioned: Bool) -> Bool {
        versioned ? entries[path] != nil : plain[path] != nil
    }
}

extension KVStore.Version {
    /// The `metadata` object of a KV v2 read or write.
    func metadata(version: Int, custom: [String: String]?) -> JSONValue {
        [
            "created_time": .string(VaultTime.format(created)),
            "custom_metadata": custom.map { .object($0.mapValues(JSONValue.string)) } ?? .null,
            "deletion_time": .string(deletion.map(VaultTime.format) ?? ""),
            "destroyed": .bool(destroyed),
            "version": .int(Int64(version)),
        ]
    }
}

/// Vault's timestamp format (RFC 3339 with nanoseconds).
enum VaultTime {
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let nanos = Int((seconds - whole) * 1_000_000_000)
        var components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date(timeIntervalSince1970: whole))
        components.nanosecond = nil
        let text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", components.year!, components.month!, components.day!, components.hour!,
            components.minute!, components.second!, nanos)
        return text
    }
}

/// Vault durations: `"1h"`, `"30m"`, `"90s"`, `"1h30m"`, or a number of seconds.
///
/// Anything that does not parse, or is longer than ``limit`` (about 31 million years), is
/// nil: a hostile `1e300` or a thousand-digit string never traps a conversion to `Int`.
enum VaultDuration {
    /// The largest duration accepted, in seconds.
    static let limit = 1_000_000_000_000_000

    static func seconds(_ value: JSONValue?) -> Int? {
        guard let value else { return nil }
        if let int = value.intValue { return (-Int64(limit)...Int64(limit)).contains(int) ? Int(int) : nil }
        if let double = value.doubleValue {
            return double.isFinite && abs(double) <= Double(limit) ? Int(double) : nil
        }
        guard let text = value.stringValue else { return nil }
        return seconds(text)
    }

    static func seconds(_ text: String) -> Int? {
        if text.isEmpty || text.utf8.count > 64 { return nil }
        if let int = Int(text) { return (-limit...limit).contains(int) ? int : nil }
        var total = 0.0
        var number = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if c.isNumber || c == "." {
                number.append(c)
                continue
            }
            var unit = String(c)
            if c == "m", chars.first == "s" { unit = "ms"; chars.removeFirst() }
            guard let value = Double(number) else { return nil }
            number = ""
            switch unit {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            case "ms": total += value / 1000
            case "d": total += value * 86400
            default: return nil
            }
        }
        if !number.isEmpty { return nil }
        return total.isFinite && abs(total) <= Double(limit) ? Int(total) : nil
    }
}
