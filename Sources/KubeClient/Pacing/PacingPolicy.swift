/// How ``AdaptivePacer`` paces the requests of one class (reads or writes) to the API
/// server: start fast, slow down on what the server says, speed up again when it is healthy.
///
/// Since API Priority and Fairness (Kubernetes 1.20+), the API server protects itself: it
/// queues requests per flow and answers `429 Too Many Requests` with `Retry-After` when a
/// priority level is full. A fixed client-side cap (client-go's 5 qps, or 50) only makes a
/// busy controller slow on a server with room to spare. So the pacer starts with a generous
/// window of requests in flight and no rate limit, and reacts to the server's answers:
///
/// - **429** (the server refused the request, which it did not run): the request itself is
///   retried only after its `Retry-After`; the window is halved and a rate limit is set just
///   under the rate the server was admitting. The other requests of the class are not held
///   for the `Retry-After`: Priority and Fairness sends one per refused request (and raises it
///   to 32 s while refusals go on), while seats free up every few milliseconds — holding the
///   whole class for it left a controller idle most of the time (measured on a real API
///   server with a `Reject` priority level: about 5 syncs a second).
/// - **5xx** and timeouts: the window shrinks by `serverErrorDecrease`;
/// - **rising latency** (the server queueing, APF's first sign of load): the window shrinks a
///   little and stops growing;
/// - **success**: the window grows by one per window of successes (additive increase), and a
///   rate limit grows by `rateIncreasePerSecond` of the rate it was set at, each second, until
///   it is twice that rate, when it is lifted.
///
/// At most one decrease per congestion episode: answers to requests sent before the last
/// decrease do not decrease again (as TCP's congestion control, one cut per round trip).
public struct PacingPolicy: Sendable, Hashable {
    /// Requests of a class in flight at first, and after the server is healthy again.
    public var initialWindow: Int = 64
    /// The window never shrinks below this.
    public var minimumWindow: Int = 1
    /// The window never grows beyond this (the connection pool bounds it in practice).
    public var maximumWindow: Int = 256
    /// The window after a 429: this fraction of what was in flight.
    public var throttleDecrease: Double = 0.5
    /// The window after a 5xx or a transport failure: this fraction of it.
    public var serverErrorDecrease: Double = 0.7
    /// The window while latency is rising: this fraction of it, once per episode.
    public var latencyDecrease: Double = 0.9
    /// The rate limit set after a 429: this fraction of the rate the server admitted over the
    /// last second.
    public var rateAfterThrottle: Double = 0.8
    /// How fast a rate limit grows again: this fraction of the rate it was set at, per second.
    public var rateIncreasePerSecond: Double = 0.1
    /// The lowest rate limit, requests a second.
    public var minimumRate: Double = 1
    /// A refused request without `Retry-After` waits this long before it is sent again
    /// (client-go's default).
    public var defaultRetryAfter: Duration = .seconds(1)
    /// A longer `Retry-After` is not waited out inside the client: the request fails with the
    /// 429 (carrying the server's delay), so its caller requeues it instead of holding a worker.
    public var maximumRetryAfter: Duration = .seconds(30)
    /// How many times one request is retried after a 429 before the 429 is returned.
    public var maximumThrottleRetries: Int = 8
    /// Latency counts as rising when its moving average exceeds both this many times the
    /// lowest moving average seen recently and `latencyFloor`.
    public var latencyRiseFactor: Double = 4
    public var latencyFloor: Duration = .milliseconds(500)
    /// A low-priority request (an Event) waits behind normal ones at most this long.
    public var lowPriorityMaximumWait: Duration = .seconds(30)

    public init() {}
}

/// A fixed ceiling on top of the pacing: `qps` sustained, `burst` at once (`--kube-qps` and
/// `--kube-burst`), for clusters whose administrators want one whatever the server says.
public struct RequestCeiling: Sendable, Hashable {
    public var qps: Double
    public var burst: Int

    /// `burst` ≤ 0: twice `qps` (at least 1, at most a million).
    public init(qps: Double, burst: Int) {
        self.qps = qps
        self.burst = burst > 0 ? burst : Int(max(1, min(2 * qps, 1_000_000)).rounded(.up))
    }
}
