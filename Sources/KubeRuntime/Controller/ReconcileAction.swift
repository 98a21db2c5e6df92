/// What a reconcile asks for next.
public enum ReconcileAction: Sendable, Equatable {
    /// Converged: nothing to do until the object (or something it watches) changes.
    case done
    /// Reconcile again after `after` (periodic refresh, a grace window ending, …).
    case requeue(after: Duration)
}

/// An error that retrying cannot fix (a bad spec): the key is not retried with
/// backoff, only reconciled again when its object changes.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
