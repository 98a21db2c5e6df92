/// The pacing state of one class of requests, kept apart from any clock and any waiting so
/// each reaction to the server can be checked step by step (``PacingPolicy`` says why it
/// reacts as it does).
///
/// Holds a window (requests allowed in flight), an optional rate limit with its tokens, an
/// optional fixed ceiling, and the figures it reacts on: the rate the server admitted over
/// the last second and the moving average of latency. (The refused request itself waits
/// its `Retry-After` in the client before it is sent again: see ``HTTPKubernetesClient``.)
public struct PacingLane<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// What a caller may do now.
    public enum Decision: Equatable, Sendable {
        /// Send now; hand the ticket back to ``complete(_:_:now:)`` with the outcome.
        case send(Ticket)
        /// Ask again at this instant (the next token of a rate limit or of the ceiling).
        case wait(until: Instant)
        /// The window is full: ask again when a request in flight completes.
        case full
    }

    /// One request sent: when, so that answers to requests sent before a decrease do not
    /// decrease again.
    public struct Ticket: Equatable, Sendable {
        public let sentAt: Instant
    }

    /// How a request ended, as far as pacing cares.
    public enum Outcome: Sendable {
        /// Answered (any status but those below), after this latency.
        case answered(latency: Duration)
        /// 429: the server did not run it (the client retries it after its `Retry-After`, which
        /// is also how long this refusal episode is taken to last: no second cut within it).
        case throttled(retryAfter: Duration)
        /// 5xx, a timeout or a broken connection: the server may be overloaded.
        case failed
        /// Cancelled or refused before reaching the server: says nothing about the server.
        case abandoned
    }

    public let policy: PacingPolicy
    /// Requests allowed in flight.
    public private(set) var window: Double
    public private(set) var inFlight = 0
    /// The rate limit, requests a second; nil when there is none (the usual state).
    public private(set) var rate: Double?
    /// 429s and failures seen, for metrics and tests.
    public private(set) var throttledCount = 0
    public private(set) var failedCount = 0

    private var rateWhenSet = 0.0
    private var rateTokens = 0.0
    private var rateUpdatedAt: Instant
    private var ceiling: (limit: RequestCeiling, tokens: Double, updatedAt: Instant)?
    private var lastDecrease: Instant?
    /// No further cut for a 429 before this instant (the last one's `Retry-After`).
    private var throttleEpisodeEnds: Instant?
    /// Requests answered in the current and the previous second (the admitted rate).
    private var secondStartedAt: Instant
    private var answeredThisSecond = 0
    private var answeredLastSecond = 0
    /// Moving average of latency and the lowest it has recently been, in seconds.
    private var latencyAverage: Double?
    private var latencyBaseline: Double?

    public init(policy: PacingPolicy = PacingPolicy(), ceiling: RequestCeiling? = nil, now: Instant) {
        self.policy = policy
        self.window = Double(max(policy.minimumWindow, min(policy.initialWindow, policy.maximumWindow)))
        self.rateUpdatedAt = now
        self.secondStartedAt = now
        self.ceiling = ceiling.map { ($0, Double($0.burst), now) }
    }

    /// Whether a request may be sent at `now`; `.send` counts it in flight and spends its tokens.
    public mutating func decide(now: Instant) -> Decision {
        guard inFlight < max(policy.minimumWindow, Int(window)) else { return .full }
        refillRate(now: now)
        if rate != nil, rateTokens < 1 {
            return .wait(until: now.advanced(by: Self.duration(seconds: (1 - rateTokens) / (rate ?? 1))))
        }
        if var current = ceiling {
            current.tokens = min(Double(current.limit.burst), current.tokens + Self.seconds(current.updatedAt.duration(to: now)) * current.limit.qps)
            current.updatedAt = max(current.updatedAt, now)
            ceiling = current
            if current.tokens < 1 {
                return .wait(until: now.advanced(by: Self.duration(seconds: (1 - current.tokens) / current.limit.qps)))
            }
            ceiling?.tokens -= 1
        }
        if rate != nil { rateTokens -= 1 }
        inFlight += 1
        return .send(Ticket(sentAt: now))
    }

    /// Records how a request sent with `ticket` ended, and reacts to it.
    public mutating func complete(_ ticket: Ticket, _ outcome: Outcome, now: Instant) {
        inFlight = max(0, inFlight - 1)
        // Only answers to requests sent after the last decrease may decrease again.
        let mayDecrease = lastDecrease.map { ticket.sentAt >= $0 } ?? true
        switch outcome {
        case .answered(let latency):
            countAnswered(now: now)
            let rising = observe(latency: Self.seconds(latency))
            if rising {
                if mayDecrease { decreaseWindow(by: policy.latencyDecrease, now: now) }
            } else {
                window = min(Double(policy.maximumWindow), window + 1 / max(window, 1))
            }
        case .throttled(let retryAfter):
            throttledCount += 1
            // One cut per refusal episode: a server refusing over a quota period (a second, or
            // its Retry-After) refuses the requests sent after the cut too, until it ends.
            guard mayDecrease, throttleEpisodeEnds.map({ now >= $0 }) ?? true else { return }
            throttleEpisodeEnds = now.advanced(by: min(retryAfter, policy.maximumRetryAfter))
            window = max(Double(policy.minimumWindow), min(window, Double(inFlight + 1)) * policy.throttleDecrease)
            refillRate(now: now)
            let admitted = admittedRate(now: now)
            let base = admitted > 0 ? min(rate ?? .infinity, admitted) : (rate ?? policy.minimumRate)
            let newRate = max(policy.minimumRate, base * policy.rateAfterThrottle)
            rate = newRate
            rateWhenSet = newRate
            rateTokens = min(rateTokens, 1)
            rateUpdatedAt = now
            lastDecrease = now
        case .failed:
            failedCount += 1
            if mayDecrease { decreaseWindow(by: policy.serverErrorDecrease, now: now) }
        case .abandoned:
            break
        }
    }

    /// The requests a second the server answered, over about the last second.
    public func admittedRate(now: Instant) -> Double {
        let elapsed = Self.seconds(secondStartedAt.duration(to: now))
        if elapsed >= 2 { return 0 }
        if elapsed >= 1 { return Double(answeredThisSecond) * max(0, 2 - elapsed) }
        return Double(answeredLastSecond) * (1 - elapsed) + Double(answeredThisSecond)
    }

    private mutating func countAnswered(now: Instant) {
        rollSecond(now: now)
        answeredThisSecond += 1
    }

    private mutating func rollSecond(now: Instant) {
        let elapsed = Self.seconds(secondStartedAt.duration(to: now))
        guard elapsed >= 1 else { return }
        answeredLastSecond = elapsed >= 2 ? 0 : answeredThisSecond
        answeredThisSecond = 0
        secondStartedAt = elapsed >= 2 ? now : secondStartedAt.advanced(by: .seconds(1))
    }

    private mutating func decreaseWindow(by factor: Double, now: Instant) {
        window = max(Double(policy.minimumWindow), window * factor)
        lastDecrease = now
    }

    /// Grows a rate limit additively with time; lifts it once it doubled without a 429.
    private mutating func refillRate(now: Instant) {
        guard let current = rate else { return }
        let elapsed = Self.seconds(rateUpdatedAt.duration(to: now))
        guard elapsed > 0 else { return }
        rateUpdatedAt = now
        let grown = current + rateWhenSet * policy.rateIncreasePerSecond * elapsed
        if grown >= 2 * rateWhenSet {
            rate = nil
            rateTokens = 0
            return
        }
        rate = grown
        // Tokens accrue at the rate, up to a tenth of a second's worth (at least one).
        rateTokens = min(max(1, grown / 10), rateTokens + elapsed * current)
    }

    /// Folds a latency into the moving average; true when latency is rising.
    private mutating func observe(latency: Double) -> Bool {
        let average = latencyAverage.map { $0 * 0.8 + latency * 0.2 } ?? latency
        latencyAverage = average
        // The baseline follows the average down at once and up very slowly.
        let baseline = latencyBaseline.map { average < $0 ? average : $0 + (average - $0) * 0.002 } ?? average
        latencyBaseline = baseline
        return average > baseline * policy.latencyRiseFactor && average > Self.seconds(policy.latencyFloor)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func duration(seconds: Double) -> Duration {
        // Rounded up to the microsecond so a waiter never wakes a hair too early; at most an
        // hour, so that no rate a caller configures can make the conversion trap.
        let bounded = seconds.isFinite ? min(max(0, seconds), 3_600) : 3_600
        return .microseconds(Int64((bounded * 1e6).rounded(.up)))
    }
}
