/// The first part of the metric names a library reports, chosen by the program that
/// exports them: the library owns what comes after the prefix (`queue_depth`,
/// `kube_requests_total`, …), the program owns the namespace, so an operator keeps the
/// names its dashboards and alerts know while the libraries stay generic.
///
/// ```swift
/// let client = try HTTPKubernetesClient(configuration: .automatic(), metricPrefix: "shop")
/// // counts requests as shop_kube_requests_total{verb, resource, code}
/// ```
public struct MetricPrefix: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The prefix without its trailing underscore, e.g. `shop`.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { value }

    /// The full metric name: `<prefix>_<name>` (just `name` for an empty prefix).
    public func name(_ name: String) -> String {
        value.isEmpty ? name : "\(value)_\(name)"
    }

    /// What KubeClient's metrics are named under when the program chooses nothing.
    public static let kubeClient: MetricPrefix = "kubeclient"
}
