import Foundation
import KubeRuntime
import SealedState

/// How `rotor run` is configured: from flags, else `ROTOR_*` environment variables,
/// else defaults. Resolved and validated before anything touches the cluster, with
/// every problem reported at once.
///
/// Nothing here is secret-valued (credentials come from Kubernetes Secrets and the
/// pod's service account), yet problems quote the setting's *name* only, never a
/// value that was not understood beyond a short excerpt of the offending text.
public struct OperatorConfiguration: Sendable, Equatable {
    /// Path of a kubeconfig; `nil`: `KUBECONFIG`, else in-cluster, else `~/.kube/config`.
    public var kubeconfig: String?
    /// A kubeconfig context other than the current one.
    public var context: String?
    /// Namespaces to watch; empty: all namespaces.
    public var namespaces: [String]
    /// Where the operator keeps its own objects (fingerprint key, Lease).
    public var operatorNamespace: String
    /// Concurrent ExternalSecret reconciles (default: ``defaultWorkers(processors:)``).
    public var workers: Int
    /// Whether to take the leader Lease before reconciling (needed with more than one replica).
    public var leaderElection: Bool
    public var leaseName: String
    /// `host:port` of `/healthz`, `/readyz` and `/metrics`; `nil`: not served.
    public var healthAddress: HostAndPort?
    public var logLevel: LogLevelSetting
    public var logFormat: LogFormat
    /// A fixed ceiling on requests a second to the API server on top of the adaptive pacing;
    /// 0 (the default): none, the pacing follows what the server says.
    public var kubeQPS: Double
    /// Requests at once under the ceiling; 0: twice `kubeQPS`.
    public var kubeBurst: Int
    /// Whether ClusterSecretStores may use the operator's own mounted ServiceAccount token
    /// (Vault kubernetes auth without `serviceAccountRef`). Off by default; never a SecretStore.
    public var allowOperatorServiceAccountToken: Bool = false
    /// Whether ClusterSecretStores may use the pod's cloud identity (AWS environment
    /// credentials, IRSA, roles assumed with them). Off by default; never a SecretStore.
    public var allowPodCloudIdentity: Bool = false

    /// What ClusterSecretStores may use of the operator's own identity.
    public var allowances: AmbientIdentityAllowances {
        AmbientIdentityAllowances(operatorServiceAccountToken: allowOperatorServiceAccountToken, podCloudIdentity: allowPodCloudIdentity)
    }
    /// MiB of cached secret values over every store (the process-wide `CacheBudget`).
    public var cacheMemoryMiB: Int = 64
    /// The keys the operator's own state (Vault tokens, lease records) is sealed with, from
    /// `--state-key-file` and `--state-previous-key-file`; nil: none given. Printed as key
    /// ids only (``SealedState/StateKeyRing``).
    public var stateKeys: StateKeyRing?
    /// Where audit events go (``AuditLog``): off by default.
    public var auditLog: AuditDestination = .off

    /// `--audit-log`: `off`, `stdout`, or the path of a file appended to.
    public enum AuditDestination: Sendable, Equatable, CustomStringConvertible {
        case off
        /// Standard output, each line tagged `"logger":"audit"`.
        case standardOutput
        case file(String)

        public var description: String {
            switch self {
            case .off: "off"
            case .standardOutput: "stdout"
            case .file(let path): "appended to \(path)"
            }
        }
    }

    public enum LogFormat: String, Sendable, CaseIterable { case json, text }

    /// swift-log's levels by their usual names.
    public enum LogLevelSetting: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    public struct HostAndPort: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The settings a user can give, each as a flag `--name` or variable `ROTOR_NAME`.
    public enum Setting: String, CaseIterable, Sendable {
        case kubeconfig, context, namespaces
        case operatorNamespace = "operator-namespace"
        case workers
        case leaderElect = "leader-elect"
        case leaseName = "lease-name"
        case healthAddress = "health-address"
        case logLevel = "log-level"
        case logFormat = "log-format"
        case kubeQPS = "kube-qps"
        case kubeBurst = "kube-burst"
        case allowOperatorServiceAccountToken = "allow-operator-service-account-token"
        case allowPodCloudIdentity = "allow-pod-cloud-identity"
        case cacheMemory = "cache-memory"
        case stateKeyFile = "state-key-file"
        case statePreviousKeyFile = "state-previous-key-file"
        case auditLog = "audit-log"

        /// `ROTOR_OPERATOR_NAMESPACE` for `operator-namespace`.
        public var environmentVariable: String {
            "ROTOR_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
        }

        public var flag: String { "--\(rawValue)" }
    }

    /// The workers when none are given (`--workers auto`): 8 per processor, at least 16 and at
    /// most 64.
    ///
    /// A reconcile spends nearly all its time waiting: on the API server (a first sync makes
    /// two writes, a refresh one) and on the provider. Workers bound the reconciles in flight,
    /// so throughput is about workers ÷ reconcile latency until the processors are busy; more
    /// workers than that only queue in the request pacer (whose window, 64 requests per class
    /// at first, bounds what reaches the server anyway) and hold memory. Measured with
    /// `hack/bench operator` on 2 processors (BENCHMARKS.md): 16 workers synced 10,000
    /// ExternalSecrets as fast as 32 and faster than 4 or 8, where the processors, not the
    /// workers, were the limit.
    public static func defaultWorkers(processors: Int) -> Int {
        min(64, max(16, 8 * max(1, processors)))
    }

    /// Every problem found, each naming the flag and variable concerned.
    public struct Problems: Error, Sendable, Equatable, CustomStringConvertible {
        public var messages: [String]
        public var description: String {
            "invalid configuration:\n" + messages.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Resolves flags (given ones only), then environment, then defaults.
    ///
    /// - Parameters:
    ///   - flags: the values given on the command line, by setting.
    ///   - environment: the process environment (`ROTOR_*`, `POD_NAMESPACE`).
    ///   - serviceAccountNamespace: the mounted service account's namespace, if any.
    ///   - processors: the processors this process may use (sizes the default `workers`).
    public static func resolve(
        flags: [Setting: String], environment: [String: String], serviceAccountNamespace: String? = nil,
        processors: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> Result<OperatorConfiguration, Problems> {
        var problems: [String] = []
        func raw(_ setting: Setting) -> (value: String, source: String)? {
            if let value = flags[setting] { return (value, setting.flag) }
            if let value = environment[setting.environmentVariable] { return (value, setting.environmentVariable) }
            return nil
        }
        func problem(_ setting: Setting, _ source: String, _ text: String) {
            let other = source == setting.flag ? setting.environmentVariable : setting.flag
            problems.append("\(source) (or \(other)): \(text)")
        }
        func excerpt(_ value: String) -> String {
            value.count > 40 ? "\"\(value.prefix(40))…\"" : "\"\(value)\""
        }
        func integer(_ setting: Setting, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let (text, source) = raw(setting) else { return value }
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
                problem(setting, source, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(excerpt(text))")
                return value
            }
            return number
        }
        func choice<Choice: RawRepresentable & CaseIterable>(_ setting: Setting, default value: Choice) -> Choice where Choice.RawValue == String {
            guard let (text, source) = raw(setting) else { return value }
            guard let parsed = Choice(rawValue: text.lowercased()) else {
                problem(setting, source, "must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", ")), got \(excerpt(text))")
                return value
            }
            return parsed
        }
        func boolean(_ setting: Setting, default value: Bool) -> Bool {
            guard let (text, source) = raw(setting) else { return value }
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default:
                problem(setting, source, "must be true or false, got \(excerpt(text))")
                return value
            }
        }
        func nonEmpty(_ setting: Setting) -> String? {
            guard let (text, source) = raw(setting) else { return nil }
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { problem(setting, source, "must not be empty") }
            return trimmed.isEmpty ? nil : trimmed
        }

        let kubeconfig = nonEmpty(.kubeconfig)
        if let kubeconfig, !FileManager.default.isReadableFile(atPath: kubeconfig), let source = raw(.kubeconfig)?.source {
            problem(.kubeconfig, source, "no readable file at \(kubeconfig)")
        }
        let context = nonEmpty(.context)

        var namespaces: [String] = []
        if let (text, source) = raw(.namespaces) {
            namespaces = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for name in namespaces where !isDNSLabel(name) {
                problem(.namespaces, source, "\(excerpt(name)) is not a valid namespace name (lowercase letters, digits and '-', at most 63)")
            }
            namespaces = Array(Set(namespaces)).sorted()
        }

        let operatorNamespace = nonEmpty(.operatorNamespace)
            ?? environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? serviceAccountNamespace ?? "rotor-system"
        if !isDNSLabel(operatorNamespace), let source = raw(.operatorNamespace)?.source ?? Optional("POD_NAMESPACE") {
            problem(.operatorNamespace, source, "\(excerpt(operatorNamespace)) is not a valid namespace name")
        }

        var workers = Self.defaultWorkers(processors: processors)
        if let (text, _) = raw(.workers), text.lowercased() != "auto" {
            workers = integer(.workers, default: workers, range: 1...256)
        }

        var leaderElection = true
        if let (text, source) = raw(.leaderElect) {
            switch text.lowercased() {
            case "true", "1", "yes", "on": leaderElection = true
            case "false", "0", "no", "off": leaderElection = false
            default: problem(.leaderElect, source, "must be true or false, got \(excerpt(text))")
            }
        }
        let leaseName = nonEmpty(.leaseName) ?? "rotor-leader"
        if !isDNSSubdomain(leaseName), let source = raw(.leaseName)?.source {
            problem(.leaseName, source, "\(excerpt(leaseName)) is not a valid object name")
        }

        var healthAddress: HostAndPort? = HostAndPort(host: "0.0.0.0", port: 8080)
        if let (text, source) = raw(.healthAddress) {
            if ["off", "0", "false", "none"].contains(text.lowercased()) {
                healthAddress = nil
            } else if let parsed = parseHostAndPort(text) {
                healthAddress = parsed
            } else {
                problem(.healthAddress, source, "must be HOST:PORT (e.g. 0.0.0.0:8080, :8080, [::]:8080) or off, got \(excerpt(text))")
            }
        }

        let logLevel = choice(.logLevel, default: LogLevelSetting.info)
        let logFormat = choice(.logFormat, default: LogFormat.json)

        var kubeQPS = 0.0
        if let (text, source) = raw(.kubeQPS) {
            if let value = Double(text), value >= 0, value <= 100_000 { kubeQPS = value } else {
                problem(.kubeQPS, source, "must be a number from 0 (no ceiling) to 100000, got \(excerpt(text))")
            }
        }
        let kubeBurst = integer(.kubeBurst, default: 0, range: 0...100_000)
        let allowOperatorServiceAccountToken = boolean(.allowOperatorServiceAccountToken, default: false)
        let allowPodCloudIdentity = boolean(.allowPodCloudIdentity, default: false)

        // A quarter of the chart's 256 MiB memory limit by default; raise it with the limit.
        let cacheMemoryMiB = integer(.cacheMemory, default: 64, range: 1...65_536)

        // A key file is 32 raw bytes or their base64 (``SealedState/StateKeyFile``); problems
        // say the length found, never the content.
        func stateKey(_ setting: Setting) -> StateKey? {
            guard let path = nonEmpty(setting), let source = raw(setting)?.source else { return nil }
            switch StateKeyFile.load(path: path) {
            case .success(let key): return key
            case .failure(let refusal):
                problem(setting, source, "the key file \(path) \(refusal)")
                return nil
            }
        }
        let currentStateKey = stateKey(.stateKeyFile)
        let previousStateKey = stateKey(.statePreviousKeyFile)
        if raw(.stateKeyFile) == nil, let source = raw(.statePreviousKeyFile)?.source {
            problem(.statePreviousKeyFile, source, "a previous state key needs the current one too (\(Setting.stateKeyFile.flag))")
        }
        let stateKeys = currentStateKey.map { StateKeyRing(current: $0, previous: previousStateKey.map { [$0] } ?? []) }

        var auditLog = AuditDestination.off
        if let (text, source) = raw(.auditLog) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            switch trimmed.lowercased() {
            case "off", "false", "none", "": auditLog = .off
            case "stdout", "-": auditLog = .standardOutput
            default:
                var isDirectory: ObjCBool = false
                let directory = (trimmed as NSString).deletingLastPathComponent
                if FileManager.default.fileExists(atPath: trimmed, isDirectory: &isDirectory), isDirectory.boolValue {
                    problem(.auditLog, source, "\(trimmed) is a directory, not a file to append to")
                } else if !FileManager.default.isWritableFile(atPath: directory.isEmpty ? "." : directory) {
                    problem(.auditLog, source, "cannot create or append to \(trimmed): its directory is missing or not writable")
                } else {
                    auditLog = .file(trimmed)
                }
            }
        }

        guard problems.isEmpty else { return .failure(Problems(messages: problems)) }
        var configuration = OperatorConfiguration(
            kubeconfig: kubeconfig, context: context, namespaces: namespaces, operatorNamespace: operatorNamespace,
            workers: workers, leaderElection: leaderElection, leaseName: leaseName, healthAddress: healthAddress,
            logLevel: logLevel, logFormat: logFormat, kubeQPS: kubeQPS, kubeBurst: kubeBurst,
            allowOperatorServiceAccountToken: allowOperatorServiceAccountToken, allowPodCloudIdentity: allowPodCloudIdentity)
        configuration.cacheMemoryMiB = cacheMemoryMiB
        configuration.stateKeys = stateKeys
        configuration.auditLog = auditLog
        return .success(configuration)
    }

    /// The namespaces the informers watch.
    public var scope: NamespaceScope {
        switch namespaces.count {
        case 0: .all
        case 1: .one(namespaces[0])
        default: .set(Set(namespaces))
        }
    }

    static func parseHostAndPort(_ text: String) -> HostAndPort? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else { return nil }
        return HostAndPort(host: host.isEmpty ? "0.0.0.0" : String(host), port: port)
    }

    static func isDNSLabel(_ name: String) -> Bool {
        guard (1...63).contains(name.utf8.count), let first = name.utf8.first, let last = name.utf8.last else { return false }
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        return alphanumeric(first) && alphanumeric(last) && name.utf8.allSatisfy { alphanumeric($0) || $0 == 45 }
    }

    static func isDNSSubdomain(_ name: String) -> Bool {
        name.utf8.count <= 253 && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }
}
