import Metrics
import NIOConcurrencyHelpers

/// `<prefix>_kube_requests_total{verb, resource, code}`, as client-go's
/// `rest_client_requests_total`: what the program costs the API server. One counter per
/// label set, made once (a request on the hot path only looks it up).
final class RequestCounters: Sendable {
    /// The metric's full name, e.g. `shop_kube_requests_total`.
    let metricName: String
    private struct Labels: Hashable {
        var verb: String
        var resource: String
        var code: String
    }

    private let counters = NIOLockedValueBox<[Labels: Counter]>([:])

    init(prefix: MetricPrefix) {
        metricName = prefix.name("kube_requests_total")
    }

    func count(_ request: KubeRequestDescription, code: String) {
        let resource = request.subresource.map { "\(request.resource)/\($0)" } ?? request.resource
        let labels = Labels(verb: request.verb, resource: resource, code: code)
        let counter = counters.withLockedValue { counters in
            if let counter = counters[labels] { return counter }
            let counter = Counter(
                label: metricName, dimensions: [("verb", labels.verb), ("resource", labels.resource), ("code", labels.code)])
            counters[labels] = counter
            return counter
        }
        counter.increment()
    }
}
