import Foundation

/// How a ``LeaderElector`` competes for its `coordination.k8s.io/v1` Lease.
///
/// The timings follow client-go's leader election and its defaults, and must satisfy
/// `leaseDuration > renewDeadline > retryPeriod > 0`:
/// - a leader that cannot renew for `renewDeadline` stops leading, which is before
///   `leaseDuration` lets anyone else take the lease over; the gap between the two is the
///   margin for clock skew between replicas and for the leading work to wind down;
/// - candidates and the leader act every `retryPeriod`.
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// Name of the Lease object, e.g. `rotor-controller` (or one per shard).
    public var leaseName: String
    public var leaseNamespace: String
    /// Who this replica is: unique per process, e.g. the pod name plus a random suffix
    /// (see ``defaultIdentity(prefix:)``). Two processes with one identity would both lead.
    public var identity: String
    /// How long others wait after the last renewal before taking the lease over. Written to
    /// the Lease as whole seconds.
    public var leaseDuration: Duration
    /// How long the leader keeps leading while renewals fail.
    public var renewDeadline: Duration
    /// Interval between acquire attempts and between renewals.
    public var retryPeriod: Duration
    /// Whether stopping ``LeaderElector/run(_:)`` (cancellation, or the leading work ending)
    /// releases the Lease so that a standby takes over at its next retry instead of after
    /// `leaseDuration`. client-go's `ReleaseOnCancel`.
    public var releaseOnCancel: Bool

    public init(
        leaseName: String, leaseNamespace: String, identity: String, leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true
    ) {
        self.leaseName = leaseName
        self.leaseNamespace = leaseNamespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// `leaseDuration` as the Lease's `leaseDurationSeconds` (whole seconds, rounded down).
    public var leaseDurationSeconds: Int32 {
        Int32(clamping: leaseDuration.components.seconds)
    }

    /// Throws a ``LeaderElectionError`` with code `invalidConfiguration` unless the
    /// configuration is usable.
    public func validate() throws(LeaderElectionError) {
        func invalid(_ message: String) -> LeaderElectionError { .invalidConfiguration(message) }
        if leaseName.isEmpty { throw invalid("leaseName must not be empty") }
        if leaseNamespace.isEmpty { throw invalid("leaseNamespace must not be empty") }
        if identity.isEmpty { throw invalid("identity must not be empty") }
        if retryPeriod <= .zero { throw invalid("retryPeriod must be positive") }
        if renewDeadline <= retryPeriod { throw invalid("renewDeadline must be longer than retryPeriod") }
        if leaseDurationSeconds < 1 { throw invalid("leaseDuration must be at least 1 second") }
        if Duration.seconds(Int64(leaseDurationSeconds)) <= renewDeadline {
            throw invalid("leaseDuration (in whole seconds) must be longer than renewDeadline")
        }
    }

    /// An identity unique to this process: `prefix` (default: the `POD_NAME` or `HOSTNAME`
    /// environment variable, or the host name) plus `_` and a random UUID.
    public static func defaultIdentity(prefix: String? = nil) -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = prefix ?? environment["POD_NAME"] ?? environment["HOSTNAME"] ?? ProcessInfo.processInfo.hostName
        return "\(base)_\(UUID().uuidString.lowercased())"
    }
}

/// Why leader election could not run. Compare by ``code``, which is stable.
public struct LeaderElectionError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Reason: String, Sendable, Hashable {
        case invalidConfiguration
        case alreadyRunning
    }

    private let reason: Reason
    /// What was wrong; never carries secret material.
    public let message: String

    private init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// A stable code: `invalidConfiguration` or `alreadyRunning`.
    public var code: String { reason.rawValue }
    public var description: String { "leader election: \(message) (\(code))" }

    static func invalidConfiguration(_ message: String) -> LeaderElectionError { .init(.invalidConfiguration, message) }
    static func alreadyRunning(_ message: String) -> LeaderElectionError { .init(.alreadyRunning, message) }

    public static let invalidConfigurationCode = Reason.invalidConfiguration.rawValue
    public static let alreadyRunningCode = Reason.alreadyRunning.rawValue
}
