/// Paces requests to the API server so that a busy controller does not trip the
/// server's priority-and-fairness limits (which answer 429).
public protocol RateLimiter: Sendable {
    /// Returns when the caller may send one request; throws `CancellationError`
    /// if the task is cancelled while waiting.
    func acquire() async throws
}

/// No pacing at all (QPS ≤ 0).
public struct UnlimitedRateLimiter: RateLimiter {
    public init() {}
    public func acquire() async throws {}
}
