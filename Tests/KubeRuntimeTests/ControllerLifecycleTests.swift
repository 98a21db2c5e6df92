import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import Logging
import MetricsTestKit
import KubeAPI
import ServiceLifecycle
import Testing

/// A controller in a ServiceGroup: SIGTERM-style graceful shutdown finishes the
/// reconcile in flight and takes no more; metrics count what happened.
@Suite("Controller lifecycle and metrics")
struct ControllerLifecycleTests {
    @Test("graceful shutdown lets the in-flight reconcile finish and starts no other")
    func gracefulShutdown() async throws {
        let setup = try await ControllerTests.Setup.start()
        for name in ["a", "b", "c"] {
            _ = try await setup.client.create(ControllerTests.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)]])
        }
        let gate = Gate()
        let log = ControllerTests.Log()
        let controller = Controller(name: "test", primary: setup.informer(), queue: WorkQueue(clock: setup.clock), workers: 1) { key, _ in
            await log.append("start \(key.name)")
            await gate.wait()
            await log.append("finish \(key.name)")
            return .done
        }
        let group = ServiceGroup(configuration: .init(services: [controller], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        #expect(await EmulatedCluster.eventually { await log.entries == ["start a"] })
        await group.triggerGracefulShutdown()
        #expect(await EmulatedCluster.eventually { controller.isShuttingDown })
        await gate.open()
        try await running.value
        let entries = await log.entries
        #expect(entries == ["start a", "finish a"], "the reconcile in flight finished; b and c were not started: \(entries)")
        await setup.finish()
    }

    @Test("a controller whose cache never syncs still stops when cancelled")
    func stopsWithoutSync() async throws {
        let setup = try await ControllerTests.Setup.start()
        setup.emulator.faults.failNext(1_000_000, matching: .init(verb: "list", resource: "secrets"), code: 403)
        let controller = Controller(name: "unsynced", primary: setup.informer(), queue: WorkQueue(clock: setup.clock), workers: 1) { _, _ in .done }
        let running = Task { try await controller.run() }
        #expect(await EmulatedCluster.eventually { setup.clock.sleeperCount > 0 }, "the failing list backs off")
        running.cancel()
        // Bounded: if run() hung, the timer would answer instead of the test hanging.
        let once = FirstAnswer()
        let stopped = await withCheckedContinuation { (answer: CheckedContinuation<Bool, Never>) in
            Task {
                _ = try? await running.value
                if await once.claim() { answer.resume(returning: true) }
            }
            Task {
                try? await Task.sleep(for: .seconds(10))
                if await once.claim() { answer.resume(returning: false) }
            }
        }
        #expect(stopped)
        #expect(controller.isShuttingDown)
        setup.emulator.faults.reset()
        await setup.finish()
    }

    @Test("reconciles, errors and retries are counted in metrics named under the caller's prefix and labelled by controller")
    func metricsAreRecorded() async throws {
        let setup = try await ControllerTests.Setup.start()
        let metrics = TestMetrics()
        _ = try await setup.client.create(ControllerTests.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "db"]])
        let attempts = ControllerTests.Log()
        let controller = Controller(
            name: "metrics-test", primary: setup.informer(), queue: WorkQueue(clock: setup.clock), workers: 1, metricsFactory: metrics,
            metricPrefix: "widgets"
        ) { _, _ in
            await attempts.append("attempt")
            if await attempts.count("attempt") == 1 { throw TerminalErrorForTest() }
            return .done
        }
        let running = Task { try await controller.run() }
        #expect(await EmulatedCluster.eventually {
            setup.clock.advance(by: .seconds(1))
            return await attempts.count("attempt") >= 2
        })
        running.cancel()
        _ = try? await running.value
        let dimensions = [("controller", "metrics-test")]
        #expect(try metrics.expectCounter("widgets_reconcile_total", dimensions).totalValue >= 2)
        #expect(try metrics.expectCounter("widgets_reconcile_errors_total", dimensions).totalValue == 1)
        #expect(try metrics.expectCounter("widgets_queue_retries_total", dimensions).totalValue == 1)
        #expect(try metrics.expectTimer("widgets_reconcile_duration_seconds", dimensions).values.count >= 2)
        await setup.finish()
    }

    struct TerminalErrorForTest: Error {}

    /// Lets exactly one of several racing tasks answer.
    actor FirstAnswer {
        private var answered = false
        func claim() -> Bool {
            defer { answered = true }
            return !answered
        }
    }
}

@Suite("Leader-elected controller in a ServiceGroup")
struct LeaderElectedServiceTests {
    @Test("SIGTERM-style shutdown finishes the in-flight reconcile, then releases the Lease")
    func shutdownReleasesLease() async throws {
        let setup = try await ControllerTests.Setup.start()
        _ = try await setup.client.create(ControllerTests.secrets, namespace: "default", body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "a"]])
        let gate = Gate()
        let log = ControllerTests.Log()
        let controller = Controller(name: "elected", primary: setup.informer(), queue: WorkQueue(clock: setup.clock), workers: 1) { key, _ in
            await log.append("start \(key.name)")
            await gate.wait()
            await log.append("finish \(key.name)")
            return .done
        }
        let elector = try LeaderElector(
            configuration: LeaderElectionConfiguration(leaseName: "rotor", leaseNamespace: "default", identity: "replica-1"),
            client: setup.client, clock: setup.clock)
        let group = ServiceGroup(configuration: .init(services: [LeaderElectedService(elector: elector, inner: controller)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        #expect(await EmulatedCluster.eventually { await log.entries == ["start a"] })
        let lease = try await setup.client.get(Lease.self, namespace: "default", name: "rotor")
        #expect(lease.spec.holderIdentity == "replica-1")
        await group.triggerGracefulShutdown()
        #expect(await EmulatedCluster.eventually { controller.isShuttingDown })
        await gate.open()
        try await running.value
        #expect(await log.entries == ["start a", "finish a"])
        let released = try await setup.client.get(Lease.self, namespace: "default", name: "rotor")
        #expect((released.spec.holderIdentity ?? "").isEmpty, "the Lease is released for a standby to take at once")
        await setup.finish()
    }
}
