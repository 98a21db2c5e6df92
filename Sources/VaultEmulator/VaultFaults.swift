import NIOConcurrencyHelpers
import JSONCore

/// Failures, latency and request counters of a ``VaultEmulator``, for tests.
///
/// Paths are as Vault sees them: after `/v1/` and any namespace prefix, e.g.
/// `secret/data/shop/db` or `auth/kubernetes/login`.
public final class VaultFaults: Sendable {
    /// A one-off failure answered instead of the real response.
    public enum Fault: Sendable, Hashable {
        /// 429 with Vault's rate-limit-quota message, and `Retry-After` when given (seconds).
        case throttle(retryAfterSeconds: Int?)
        /// 200 with a truncated JSON body.
        case malformedBody
        /// Any status with these `errors`.
        case status(Int, errors: [String])
        /// Not a failure: another client's KV v2 write of `data` to `path` (mount `secret`)
        /// lands just before the request is served, as in a race between two writers.
        case concurrentWrite(path: String, data: [String: String])

        fileprivate var internalFault: InternalFault {
            switch self {
            case .throttle(let seconds): .throttle(seconds)
            case .malformedBody: .malformedBody
            case .status(let code, let errors): .status(code, errors)
            case .concurrentWrite(let path, let data): .concurrentWrite(path, data)
            }
        }
    }

    enum InternalFault: Sendable {
        case throttle(Int?)
        case malformedBody
        case status(Int, [String])
        case concurrentWrite(String, [String: String])
    }

    struct State: Sendable {
        var sealed = false
        var standby = false
        var latency: Duration?
        var queued: [(fault: InternalFault, pathPrefix: String, method: String?)] = []
        var requests: [String: Int] = [:]
        var logins = 0
        var responses: [Int: Int] = [:]
    }

    private let box = NIOLockedValueBox(State())

    init() {}

    var state: State { box.withLockedValue { $0 } }
    var latency: Duration? { box.withLockedValue { $0.latency } }

    // MARK: Controls

    /// Sealed: every request answers 503 `Vault is sealed` (`sys/health` 503 with `sealed: true`).
    public func setSealed(_ sealed: Bool) { box.withLockedValue { $0.sealed = sealed } }

    /// A standby without an active node: requests answer 503, `sys/health` 429.
    public func setStandby(_ standby: Bool) { box.withLockedValue { $0.standby = standby } }

    /// Every request waits this long before being answered; `nil` for none.
    public func setLatency(_ latency: Duration?) { box.withLockedValue { $0.latency = latency } }

    /// The next `count` requests whose path starts with `pathPrefix` (and, when given, whose
    /// method is `method`, e.g. `POST`) get `fault`.
    public func inject(_ fault: Fault, count: Int = 1, pathPrefix: String = "", method: String? = nil) {
        box.withLockedValue { state in
            for _ in 0..<count { state.queued.append((fault.internalFault, pathPrefix, method)) }
        }
    }

    /// Drops every queued fault and clears sealed, standby and latency.
    public func clear() {
        box.withLockedValue { state in
            state.queued = []
            state.sealed = false
            state.standby = false
            state.latency = nil
        }
    }

    func takeFault(path: String, method: String) -> InternalFault? {
        box.withLockedValue { state in
            guard let index = state.queued.firstIndex(where: { path.hasPrefix($0.pathPrefix) && ($0.method == nil || $0.method == method) })
            else { return nil }
            return state.queued.remove(at: index).fault
        }
    }

    // MARK: Counters

    func record(method: String, path: String, namespace: String) {
        box.withLockedValue { state in
            state.requests["\(method) \(path)", default: 0] += 1
            if path.hasPrefix("auth/"), path.hasSuffix("/login") { state.logins += 1 }
        }
    }

    func recordStatus(_ status: Int, path: String) {
        box.withLockedValue { $0.responses[status, default: 0] += 1 }
    }

    /// Login requests received (`auth/*/login`, any outcome).
    public var loginCount: Int { box.withLockedValue { $0.logins } }

    /// Requests received whose method matches (`GET`, `LIST`, `POST`, …; `nil`: any) and
    /// whose path starts with `pathPrefix`.
    public func requestCount(method: String? = nil, pathPrefix: String = "") -> Int {
        box.withLockedValue { state in
            state.requests.reduce(0) { total, item in
                let parts = item.key.split(separator: " ", maxSplits: 1)
                let m = String(parts[0])
                let p = parts.count > 1 ? String(parts[1]) : ""
                guard method == nil || method == m, p.hasPrefix(pathPrefix) else { return total }
                return total + item.value
            }
        }
    }

    /// Every request received, by `"METHOD path"`.
    public var requests: [String: Int] { box.withLockedValue { $0.requests } }

    /// Responses given by the API (not injected faults), by status code.
    public var responseCounts: [Int: Int] { box.withLockedValue { $0.responses } }

    /// The counters in the shape of Vault's `sys/metrics` JSON: `vault.core.handle_request`
    /// (every request), `vault.core.handle_login_request`, and `vault.route.METHOD.MOUNT`
    /// per method and first path segment (e.g. `vault.route.GET.secret`).
    func metrics() -> JSONValue {
        let (requests, logins) = box.withLockedValue { ($0.requests, $0.logins) }
        var routes: [String: Int] = [:]
        var total = 0
        for (key, count) in requests {
            let parts = key.split(separator: " ", maxSplits: 1)
            let first = parts.count > 1 ? parts[1].split(separator: "/").first.map(String.init) ?? "" : ""
            routes["vault.route.\(parts[0]).\(first)", default: 0] += count
            total += count
        }
        func counter(_ name: String, _ count: Int) -> JSONValue {
            ["Name": .string(name), "Count": .int(Int64(count)), "Rate": 0, "Sum": .int(Int64(count)), "Min": 1, "Max": 1, "Mean": 1, "Stddev": 0, "Labels": [:]]
        }
        var counters = [counter("vault.core.handle_request", total), counter("vault.core.handle_login_request", logins)]
        counters += routes.keys.sorted().map { counter($0, routes[$0]!) }
        return ["Timestamp": "", "Gauges": [], "Counters": .array(counters), "Samples": [], "Points": nil]
    }

    /// Zeroes the counters.
    public func resetCounters() {
        box.withLockedValue { state in
            state.requests = [:]
            state.logins = 0
            state.responses = [:]
        }
    }
}
