import Foundation
import NIOConcurrencyHelpers

/// Failures a test asks the emulator to produce, so that client and controller code
/// can be exercised against the errors a real API server gives under load or outage.
public final class FaultInjector: Sendable {
    /// Which requests a fault applies to; `nil` matches anything.
    public struct Match: Sendable {
        /// Kubernetes verb: get, list, watch, create, update, patch, delete.
        public var verb: String?
        /// Plural resource name, e.g. `secrets`.
        public var resource: String?
        public var namespace: String?

        public init(verb: String? = nil, resource: String? = nil, namespace: String? = nil) {
            self.verb = verb
            self.resource = resource
            self.namespace = namespace
        }

        func matches(verb: String, resource: String, namespace: String?) -> Bool {
            (self.verb == nil || self.verb == verb) && (self.resource == nil || self.resource == resource)
                && (self.namespace == nil || self.namespace == namespace)
        }
    }

    struct FailureRule {
        var match: Match
        var remaining: Int
        var code: Int
        var reason: String
        var message: String
        var retryAfterSeconds: Int?
    }

    /// A server that admits at most `requestsPerSecond` matching requests in each second
    /// (counted from the first one) and answers the rest `429 TooManyRequests` with
    /// `Retry-After`, as an API server's Priority and Fairness does for a flow over its share.
    struct ThrottleRule {
        var match: Match
        var requestsPerSecond: Int
        var retryAfterSeconds: Int
        var secondStartedAt: ContinuousClock.Instant?
        var admittedThisSecond = 0
    }

    /// One request a throttle rule saw: when it arrived, what it was, and whether it was refused.
    public struct ThrottledArrival: Sendable, Hashable {
        public var at: ContinuousClock.Instant
        public var verb: String
        public var resource: String
        public var namespace: String?
        /// The object's name (from the path, or a create's body).
        public var name: String?
        /// The `Retry-After` it was answered with, if it was refused.
        public var refusedWithRetryAfter: Int?
    }

    private struct State {
        var failures: [FailureRule] = []
        var throttles: [ThrottleRule] = []
        var arrivals: [ThrottledArrival] = []
        var latency: [(Match, Duration)] = []
        var requestCounts: [String: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Fails the next `count` matching requests with an HTTP status (e.g. 500, 429, 503).
    public func failNext(_ count: Int = 1, matching match: Match = Match(), code: Int, reason: String? = nil, message: String? = nil, retryAfterSeconds: Int? = nil) {
        let rule = FailureRule(
            match: match, remaining: count, code: code, reason: reason ?? Self.defaultReason(code),
            message: message ?? "injected failure", retryAfterSeconds: retryAfterSeconds)
        state.withLockedValue { $0.failures.append(rule) }
    }

    /// Admits at most `requestsPerSecond` matching requests a second; answers the others 429
    /// with `Retry-After: retryAfterSeconds`. Every matching request is logged (``arrivals``).
    public func throttle(requestsPerSecond: Int, retryAfterSeconds: Int = 1, matching match: Match = Match()) {
        let rule = ThrottleRule(match: match, requestsPerSecond: max(1, requestsPerSecond), retryAfterSeconds: max(1, retryAfterSeconds))
        state.withLockedValue { $0.throttles.append(rule) }
    }

    /// Every request a throttle rule matched, in arrival order.
    public var arrivals: [ThrottledArrival] {
        state.withLockedValue { $0.arrivals }
    }

    /// Whether a throttle rule is set (the server then reads a create's name for ``arrivals``).
    var isThrottling: Bool {
        state.withLockedValue { !$0.throttles.isEmpty }
    }

    /// Delays every matching request by `delay`.
    public func addLatency(_ delay: Duration, matching match: Match = Match()) {
        state.withLockedValue { $0.latency.append((match, delay)) }
    }

    /// Removes all injected failures and latency.
    public func reset() {
        state.withLockedValue {
            $0.failures.removeAll()
            $0.latency.removeAll()
            $0.throttles.removeAll()
        }
    }

    /// How many requests with this verb and resource the server received (e.g. `("list", "secrets")`).
    public func requestCount(verb: String, resource: String) -> Int {
        state.withLockedValue { $0.requestCounts["\(verb) \(resource)"] ?? 0 }
    }

    func intercept(verb: String, resource: String, namespace: String?, name: String? = nil) async -> APIError? {
        let (delay, failure): (Duration?, APIError?) = state.withLockedValue { state in
            state.requestCounts["\(verb) \(resource)", default: 0] += 1
            let delay = state.latency.first { $0.0.matches(verb: verb, resource: resource, namespace: namespace) }?.1
            if let index = state.throttles.firstIndex(where: { $0.match.matches(verb: verb, resource: resource, namespace: namespace) }) {
                let now = ContinuousClock.now
                var rule = state.throttles[index]
                if rule.secondStartedAt.map({ $0.duration(to: now) >= .seconds(1) }) ?? true {
                    rule.secondStartedAt = now
                    rule.admittedThisSecond = 0
                }
                let refused = rule.admittedThisSecond >= rule.requestsPerSecond
                if !refused { rule.admittedThisSecond += 1 }
                state.throttles[index] = rule
                state.arrivals.append(ThrottledArrival(
                    at: now, verb: verb, resource: resource, namespace: namespace, name: name,
                    refusedWithRetryAfter: refused ? rule.retryAfterSeconds : nil))
                if refused {
                    var error = APIError(code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.")
                    error.status.details = .init(retryAfterSeconds: rule.retryAfterSeconds)
                    error.headers = [("Retry-After", String(rule.retryAfterSeconds))]
                    return (delay, error)
                }
            }
            guard let index = state.failures.firstIndex(where: { $0.remaining > 0 && $0.match.matches(verb: verb, resource: resource, namespace: namespace) }) else {
                return (delay, nil)
            }
            state.failures[index].remaining -= 1
            let rule = state.failures[index]
            if rule.remaining == 0 { state.failures.remove(at: index) }
            var error = APIError(code: rule.code, reason: rule.reason, message: rule.message)
            if let retry = rule.retryAfterSeconds {
                error.status.details = .init(retryAfterSeconds: retry)
                error.headers = [("Retry-After", String(retry))]
            }
            return (delay, error)
        }
        if let delay { try? await Task.sleep(for: delay) }
        return failure
    }

    static func defaultReason(_ code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "InternalError"
        }
    }
}
