import NIOConcurrencyHelpers
import ServiceLifecycle

/// Runs a service (typically a `Controller`) only while holding leadership, as a
/// swift-service-lifecycle `Service`: on graceful shutdown (SIGTERM) the inner
/// service is cancelled, its in-flight work finishes, and then the Lease is released
/// so a standby replica takes over at once instead of waiting for the lease to expire.
///
/// A lost Lease ends the process, as controller-runtime's manager does: the inner
/// service was stopped when the Lease was lost, and a controller runs once, so when
/// this replica wins the Lease again it releases it and `run()` throws
/// `LeadershipLost`; the ServiceGroup then stops and Kubernetes restarts the pod
/// with fresh caches.
public struct LeaderElectedService<Inner: Service>: Service {
    public let elector: LeaderElector
    public let inner: Inner

    public init(elector: LeaderElector, inner: Inner) {
        self.elector = elector
        self.inner = inner
    }

    public func run() async throws {
        let inner = self.inner
        let hasLed = NIOLockedValueBox(false)
        try await cancelWhenGracefulShutdown {
            try await elector.run {
                let ledBefore = hasLed.withLockedValue { led -> Bool in
                    defer { led = true }
                    return led
                }
                if ledBefore { throw LeadershipLost() }
                try await inner.run()
            }
        }
    }
}

/// This replica lost its Lease earlier; it exits rather than lead with stale state.
public struct LeadershipLost: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the leader election Lease was lost; restarting with fresh state" }
}
