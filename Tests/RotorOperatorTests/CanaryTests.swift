import Crypto
import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import Logging
import MetricsTestKit
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// Every log line (message and metadata), kept for inspection.
final class CapturedLogs: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}

struct CapturingLogHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        sink.append("\(event.level) \(event.message) \(merged) \(event.error.map { "\($0)" } ?? "")")
    }
}

/// The canary: a distinctive secret value goes through success, a template error, a
/// provider error and deletion, and never shows in a log line, Event, status, metric
/// label or error description.
@Suite("Canary")
struct CanaryTests {
    static let canary = "CANARY-7f3a9c-do-not-print"

    @Test("a secret value never reaches logs, Events, status or metrics, whatever happens")
    func canaryNeverLeaks() async throws {
        let logs = CapturedLogs()
        let logger = Logger(label: "canary") { _ in CapturingLogHandler(sink: logs) }
        let metrics = TestMetrics()
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            for definition in RotorCRDs.shipped {
                _ = try await client.create(ExternalSecretControllerTests.crds, namespace: nil, body: definition.object)
            }
            _ = try await client.create(try ExternalSecretControllerTests.fakeStore(Self.canary))
            let events = EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "canary"), logger: logger)
            let controllers = OperatorControllers(
                client: client, fingerprintKey: SymmetricKey(size: .bits256), events: events, logger: logger, metricsFactory: metrics)
            let running = Task { try await controllers.run() }
            defer { running.cancel() }

            // Success.
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: ExternalSecretControllerTests.externalSecret))
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.password(client) == Self.canary })
            // A template error (an unknown key next to the secret one).
            _ = try await client.patch(
                ExternalSecret.self, namespace: "default", name: "db",
                patch: .merge(["spec": ["target": ["template": ["data": ["url": "x://{{password}}@{{nope}}"]]]]]))
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.ready(client)?.reason == "InvalidSpec" })
            // A provider error (a key the store does not have).
            _ = try await client.patch(
                ExternalSecret.self, namespace: "default", name: "db",
                patch: .json([
                    ["op": "remove", "path": "/spec/target/template"],
                    ["op": "replace", "path": "/spec/data/0/remoteRef/key", "value": "db/missing"],
                ]))
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.ready(client)?.reason == "SecretNotFound" })
            let statusText = try await client.get(ExternalSecret.resourceType, namespace: "default", name: "db").serializedString()
            // Deletion.
            _ = try await client.delete(ExternalSecret.resourceType, namespace: "default", name: "db")
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.password(client) == nil })
            running.cancel()
            _ = try? await running.value

            let eventsText = try await client.list(ResourceType(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true), namespace: "default").serializedString()
            #expect(eventsText.contains("InvalidSpec") && eventsText.contains("SecretNotFound"), "the failures were recorded as Events")
            #expect(!eventsText.contains(Self.canary), "no Event carries the value")
            #expect(!statusText.contains(Self.canary), "no status carries the value")
            let logLines = logs.all
            #expect(!logLines.isEmpty)
            #expect(!logLines.contains { $0.contains(Self.canary) }, "no log line carries the value")
            let labels = metrics.counters.flatMap { [$0.label] + $0.dimensions.map { "\($0.0)=\($0.1)" } }
                + metrics.timers.flatMap { [$0.label] + $0.dimensions.map { "\($0.0)=\($0.1)" } }
            #expect(!labels.isEmpty)
            #expect(!labels.contains { $0.contains(Self.canary) }, "no metric label carries the value")
        }
    }
}
