import Foundation

/// Reads a mounted Secret directory, in kubelet's atomic-writer layout or as plain files.
enum MountedSecretLoader {
    /// The symlink kubelet swaps atomically to publish a new version.
    static let dataLinkName = "..data"
    /// How often a read that raced with a `..data` swap is retried.
    static let attempts = 3

    static func load(directory: URL, options: MountedSecret.Options) throws(MountedSecretError) -> MountedSecret {
        var lastError: MountedSecretError = .concurrentUpdate(path: directory.path)
        for _ in 0..<attempts {
            let before = try dataLinkTarget(in: directory)
            do {
                let secret = try loadOnce(directory: directory, dataTarget: before, options: options)
                // Kubelet deletes the old version directory after a swap; a read that
                // straddled a swap is retried against the new one.
                if try dataLinkTarget(in: directory) == before { return secret }
                lastError = .concurrentUpdate(path: directory.path)
            } catch {
                if try dataLinkTarget(in: directory) == before { throw error }
                lastError = error
            }
        }
        throw lastError
    }

    /// The `..data` symlink target, or `nil` for a plain directory.
    static func dataLinkTarget(in directory: URL) throws(MountedSecretError) -> String? {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notADirectory(path: directory.path)
        }
        let linkPath = directory.appendingPathComponent(dataLinkName).path
        guard let attributes = try? fileManager.attributesOfItem(atPath: linkPath),
              attributes[.type] as? FileAttributeType == .typeSymbolicLink,
              let target = try? fileManager.destinationOfSymbolicLink(atPath: linkPath)
        else { return nil }
        return target
    }

    static func dataDirectory(_ directory: URL, target: String) -> URL {
        target.hasPrefix("/") ? URL(fileURLWithPath: target) : directory.appendingPathComponent(target)
    }

    private static func loadOnce(directory: URL, dataTarget: String?, options: MountedSecret.Options) throws(MountedSecretError) -> MountedSecret {
        let fileManager = FileManager.default
        let readFrom: URL
        if let dataTarget {
            readFrom = dataDirectory(directory, target: dataTarget)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: readFrom.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .brokenDataLink(path: directory.path, target: dataTarget)
            }
        } else {
            readFrom = directory
        }

        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: readFrom.path)
        } catch {
            throw .unreadable(path: readFrom.path, reason: reason(error))
        }

        var values: [String: RedactedValue] = [:]
        // Names starting with ".." are kubelet's bookkeeping (`..data`, version dirs);
        // Secret keys cannot start with "..". Subdirectories (from `items[].path`) are skipped.
        for name in names where !name.hasPrefix("..") {
            let path = readFrom.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
                // Listed but not there when followed: a dangling symlink or a concurrent delete.
                throw .unreadable(path: path.path, reason: "dangling symlink or removed while reading")
            }
            if isDirectory.boolValue { continue }
            let data: Data
            do {
                data = try Data(contentsOf: path)
            } catch {
                throw .unreadable(path: path.path, reason: reason(error))
            }
            values[name] = RedactedValue(bytes: trim(Array(data), options.trimming))
        }

        let missing = options.requiredKeys.filter { values[$0]?.isEmpty ?? true }.sorted()
        if !missing.isEmpty { throw .missingRequiredKeys(missing) }

        let version = dataTarget.map { URL(fileURLWithPath: $0).lastPathComponent }
        return MountedSecret(directory: directory, version: version, options: options, values: values)
    }

    static func trim(_ bytes: [UInt8], _ trimming: MountedSecret.Trimming) -> [UInt8] {
        let trimmed: (UInt8) -> Bool
        switch trimming {
        case .none: return bytes
        case .trailingNewlines: trimmed = { $0 == 0x0A || $0 == 0x0D }
        case .trailingWhitespaceAndNewlines: trimmed = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        }
        var end = bytes.endIndex
        while end > bytes.startIndex, trimmed(bytes[end - 1]) { end -= 1 }
        return Array(bytes[..<end])
    }

    /// An error's reason without anything that could echo file content.
    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return "\(nsError.domain) \(nsError.code)"
    }
}
