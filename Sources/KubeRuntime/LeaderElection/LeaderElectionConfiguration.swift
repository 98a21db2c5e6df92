import Foundation

/// How a ``LeaderElector`` competes for its `coordination.k8s.io/v1` Lease.
///
/// The timings follow client-go's leader election and its defaults, and must satisfy
/// `leaseDuration > renewDeadline > retryPeriod > 0`:
/// - a leader that cannot renew for `renewDeadline` stops leading, which is before
///   `leaseDuration` lets anyone else take the lease over;
/// - candidates and the leader act every `retryPeriod`.
///
/// The numbers, and why two replicas never run leading work at once (defaults):
///
/// | | |
/// | --- | --- |
/// | `leaseDuration` | 15 s: a standby takes over only after 15 s on **its own** clock with no change of the Lease record seen |
/// | `renewDeadline` | 10 s: the leader stops leading 10 s on **its own** clock after the start of its last successful renewal |
/// | `retryPeriod` | 2 s: between attempts (acquire or renew) |
/// | ``workerGrace`` | 2 s: in-flight reconciles may run on this long after leading stops (the controllers' `shutdownGracePeriod`), then they are cancelled |
/// | margin | `leaseDuration − renewDeadline − workerGrace` = 3 s |
/// | tolerated clock offset | any: expiry is elapsed local time since a local observation; no timestamp from another replica is compared with the local clock |
/// | tolerated clock rate difference, request latency, cancellation delay | together less than the 3 s margin (a rate difference of 10 % over 15 s costs 1.5 s) |
///
/// Timeline, in real time: the old leader starts its last successful renewal at `S`; a
/// standby reads that record no earlier than `S`, so it takes over no earlier than `S + 15
/// s`. The old leader stops at `S + 10 s` and its workers end by `S + 12 s`.
/// `validate()` refuses a configuration whose margin for the default grace is not positive.
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// Name of the Lease object, e.g. `widget-controller` (or one per shard).
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

    /// How long leading work (a controller's in-flight reconciles) may go on after this
    /// replica stops leading: the default `shutdownGracePeriod` of ``Controller``. Keep
    /// `workerGrace < leaseDuration − renewDeadline`, with room to spare for clock rate
    /// differences and latency (see the table above).
    public static let workerGrace: Duration = .seconds(2)

    /// What is left of `leaseDuration − renewDeadline` once the workers' grace is spent:
    /// the room for clock rate differences, request latency and cancellation delays.
    public var safetyMargin: Duration {
        Duration.seconds(Int64(leaseDurationSeconds)) - renewDeadline - Self.workerGrace
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
        if safetyMargin <= .zero {
            throw invalid(
                "leaseDuration (in whole seconds) must exceed renewDeadline by more than the workers' grace (\(Self.workerGrace)), "
                    + "or an old leader's reconciles could overlap the new leader's")
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
