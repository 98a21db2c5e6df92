import ServiceLifecycle

/// Runs a service (typically a `Controller`) only while holding leadership, as a
/// swift-service-lifecycle `Service`: on graceful shutdown (SIGTERM) the inner
/// service is cancelled, its in-flight work finishes, and then the Lease is released
/// so a standby replica takes over at once instead of waiting for the lease to expire.
public struct LeaderElectedService<Inner: Service>: Service {
    public let elector: LeaderElector
    public let inner: Inner

    public init(elector: LeaderElector, inner: Inner) {
        self.elector = elector
        self.inner = inner
    }

    public func run() async throws {
        let inner = self.inner
        try await cancelWhenGracefulShutdown {
            try await elector.run { try await inner.run() }
        }
    }
}
