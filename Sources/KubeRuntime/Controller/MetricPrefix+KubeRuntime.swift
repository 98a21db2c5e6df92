import KubeClient

extension MetricPrefix {
    /// What KubeRuntime's metrics (queue, reconcile, watch restarts) are named under when
    /// the program chooses nothing; an operator passes its own prefix instead.
    public static let kubeRuntime: MetricPrefix = "kuberuntime"
}
