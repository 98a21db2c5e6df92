import Foundation
import KubeClient
import KubernetesEmulator

/// An emulator and a `KubeClient` connected to it over TLS with the admin token,
/// built from the kubeconfig the emulator writes (as any user's client would be).
/// Shared by the test targets that need a cluster.
public struct EmulatedCluster: Sendable {
    public let emulator: KubernetesEmulator
    public let client: HTTPKubernetesClient

    public static func start(_ configure: (inout KubernetesEmulator.Configuration) -> Void = { _ in }) async throws -> EmulatedCluster {
        var configuration = KubernetesEmulator.Configuration()
        configure(&configuration)
        let emulator = try await KubernetesEmulator.start(configuration)
        let clientConfiguration = try KubeConfig.parse(yaml: emulator.kubeconfig()).clientConfiguration()
        return EmulatedCluster(emulator: emulator, client: try HTTPKubernetesClient(configuration: clientConfiguration))
    }

    /// Stops the server first: that ends open watches, so the client's pool drains at once.
    public func stop() async {
        await emulator.shutdown()
        try? await client.shutdown()
    }

    /// Runs `body` with a started cluster and always stops it.
    public static func with<T>(
        _ configure: (inout KubernetesEmulator.Configuration) -> Void = { _ in },
        _ body: (EmulatedCluster) async throws -> T
    ) async throws -> T {
        let cluster = try await start(configure)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Polls `condition` until it holds or `timeout` (real time) passes: a bound for
    /// effects that arrive asynchronously, not a measure of speed.
    public static func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return try await condition()
    }
}

/// The error kind a throwing call fails with, or nil if it succeeded (or failed otherwise).
public func errorKind<T>(_ call: () async throws -> T) async -> KubeAPIError.Kind? {
    do {
        _ = try await call()
        return nil
    } catch let error as KubeAPIError {
        return error.kind
    } catch {
        return nil
    }
}
