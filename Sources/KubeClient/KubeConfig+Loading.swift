import Foundation
import Yams

extension KubeConfig {
    /// Parses kubeconfig YAML; relative file paths in it are resolved against `directory`.
    public static func parse(yaml: String, directory: String? = nil) throws -> KubeConfig {
        let file: KubeConfigFile
        do {
            file = try YAMLDecoder().decode(KubeConfigFile.self, from: yaml)
        } catch {
            throw KubeConfigError(.invalidFile, "not a kubeconfig: \(error is DecodingError ? codingErrorSummary(error) : "invalid YAML")")
        }
        return try file.config(resolvingAgainst: directory)
    }

    /// Loads one kubeconfig file, which must exist (as `--kubeconfig` does).
    public static func load(path: String) throws -> KubeConfig {
        guard let config = try loadIfPresent(path: path) else {
            throw KubeConfigError(.fileNotFound, "no file at \(path)")
        }
        return config
    }

    /// Loads and merges several kubeconfig files, earlier ones winning (see
    /// ``merging(_:)``). Missing files are skipped; at least one must exist.
    public static func load(paths: [String]) throws -> KubeConfig {
        var merged: KubeConfig?
        var seen = Set<String>()
        for path in paths where !path.isEmpty && seen.insert(path).inserted {
            guard let config = try loadIfPresent(path: path) else { continue }
            merged = merged.map { $0.merging(config) } ?? config
        }
        guard let merged else {
            throw KubeConfigError(.fileNotFound, "none of these files exists: \(paths.joined(separator: ", "))")
        }
        return merged
    }

    /// Loads what kubectl would: the files listed in `KUBECONFIG` (separated by
    /// `:`), or else `$HOME/.kube/config`.
    public static func loadDefault(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KubeConfig {
        try load(paths: defaultPaths(environment: environment))
    }

    /// The files ``loadDefault(environment:)`` reads, in precedence order.
    public static func defaultPaths(environment: [String: String]) -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return ["\(home)/.kube/config"]
    }

    private static func loadIfPresent(path: String) throws -> KubeConfig? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(.invalidFile, "cannot read \(path)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            return try parse(yaml: String(decoding: data, as: UTF8.self), directory: directory.isEmpty ? "." : directory)
        } catch let error as KubeConfigError where error.kind == .invalidFile {
            throw KubeConfigError(.invalidFile, "\(path): \(error.detail)")
        }
    }
}
