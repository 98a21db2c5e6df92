import KubeClient
import KubeRuntime

/// How the ExternalSecret reconciler retries, in one place (as controller-runtime's
/// terminal errors and kube-rs's `error_policy` do): what a reported ``SyncFailure`` comes
/// to for the work queue, and which Kubernetes write errors are reported at all.
///
/// - A bad spec (`isTerminal`) waits for the object to change: a `TerminalError`.
/// - A throttling hint is honoured: requeue after it, stretched by up to 10 %
///   (``RefreshPlanner/afterFailure(_:random:)``), never earlier than asked.
/// - Anything else is thrown, for the work queue's per-key exponential backoff.
/// - A 409 on a write (stale version, name taken) is left to the controller, which retries
///   as soon as the newer version is cached, without a failure in the status; a create
///   that finds the Secret it presumed missing reads it and decides again.
public enum SyncErrorPolicy {
    /// The reconcile's result after `failure` was reported (status and Event): a requeue,
    /// or the error the work queue acts on (`TerminalError`: wait for a change; the
    /// failure itself: back off). `random` draws in `0...1` for the throttling stretch.
    public static func result(after failure: SyncFailure, random: () -> Double) throws -> ReconcileAction {
        switch RefreshPlanner.afterFailure(failure, random: random) {
        case .waitForChange: throw TerminalError(failure.message)
        case .requeue(let after): return .requeue(after: after)
        case .backoff: throw failure
        }
    }

    /// Whether a warning Event is recorded for `failure`: not for something still starting
    /// (a store not checked yet), which the condition alone reports.
    public static func warns(of failure: SyncFailure) -> Bool {
        !failure.isPending
    }

    /// What to do about a failed write.
    public enum WriteErrorResponse: Sendable, Equatable {
        /// Report it as the sync's failure (status, Event, retry by ``result(after:random:)``).
        case report(SyncFailure)
        /// Rethrow it: the controller retries a 409 by itself, sooner than a backoff would.
        case leaveToController
        /// The create found a Secret that was presumed missing: read it and decide again.
        case readTargetAndRetry
    }

    /// The response to `error` from a create, update or patch of `object` (`Kind ns/name`).
    /// - Parameter presumedMissing: the write was a create made without reading the Secret first.
    public static func afterWriteError(_ error: KubeAPIError, object: String, presumedMissing: Bool = false) -> WriteErrorResponse {
        if error.kind == .alreadyExists && presumedMissing { return .readTargetAndRetry }
        if error.kind == .conflict || error.kind == .alreadyExists { return .leaveToController }
        return .report(.write(error, object: object))
    }

    /// The failure to report for `error` from the delete of `object`, or nil when the
    /// delete is done as far as the sync is concerned (already gone, or changed since:
    /// the next sync looks again).
    public static func afterDeleteError(_ error: KubeAPIError, object: String) -> SyncFailure? {
        guard error.kind != .notFound, error.kind != .conflict else { return nil }
        return .write(error, object: object)
    }
}
