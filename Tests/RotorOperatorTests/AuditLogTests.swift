import Crypto
import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import KubeRuntime
import Logging
import NIOConcurrencyHelpers
import RotorAPI
import SecretProviders
import Testing

@testable import RotorOperator

/// Audit lines, kept for inspection.
final class CapturedAuditLines: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    var sink: AuditLog.Sink { AuditLog.Sink { [lines] bytes in lines.withLockedValue { $0.append(String(decoding: bytes, as: UTF8.self)) } } }
    var all: [String] { lines.withLockedValue { $0 } }
    /// Every line parsed as a JSON object (a line that is not one is an error).
    func parsed() throws -> [[String: String]] {
        try all.map { line in
            guard line.hasSuffix("\n"), case .object(let fields) = try JSONValue(parsing: line) else {
                throw AuditLineError(line: line)
            }
            return fields.compactMapValues(\.stringValue)
        }
    }
    struct AuditLineError: Error { var line: String }
}

@Suite("Audit log")
struct AuditLogTests {
    static let canary = CanaryTests.canary

    @Test("an event is one JSON line with the documented fields, and only those known")
    func lineFormat() throws {
        let event = AuditEvent(
            time: Date(timeIntervalSince1970: 1_780_000_000), event: .providerRead, result: "ok", externalSecret: "shop/db",
            store: "SecretStore/shop/vault", provider: "vault", path: "app/db", version: "3")
        let line = String(decoding: event.line(operator: "rotor-7d9f"), as: UTF8.self)
        #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
        guard case .object(let fields) = try JSONValue(parsing: line) else { throw CapturedAuditLines.AuditLineError(line: line) }
        #expect(fields.mapValues(\.stringValue) == [
            "time": "2026-05-28T20:26:40.000000Z", "logger": "audit", "operator": "rotor-7d9f", "event": "provider.read", "result": "ok",
            "externalSecret": "shop/db", "store": "SecretStore/shop/vault", "provider": "vault", "path": "app/db", "version": "3",
        ])
    }

    @Test("the reconciled subject of the task is written into each event")
    func subjectFromTheTask() async {
        let captured = CapturedAuditLines()
        let audit = AuditLog(operator: "test", sink: captured.sink)
        await AuditSubject.$current.withValue(.pushSecret("shop/push")) {
            audit.record(.providerWrite, result: "ok") { $0.path = "app/db" }
        }
        audit.record(.providerRead, result: "notFound")
        let lines = try? captured.parsed()
        #expect(lines?[0]["pushSecret"] == "shop/push" && lines?[0]["externalSecret"] == nil)
        #expect(lines?[1]["pushSecret"] == nil)
    }

    @Test("a file destination is appended to, one line per event; a failed write is a warning, never a crash")
    func fileSink() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.log").path
        try Data("earlier line\n".utf8).write(to: URL(fileURLWithPath: path))
        let logs = CapturedLogs()
        let logger = Logger(label: "audit-test") { _ in CapturingLogHandler(sink: logs) }
        let audit = AuditLog(operator: "test", sink: .file(path: path, logger: logger))
        audit.record(.secretCreate, result: "ok") { $0.secret = "shop/db" }
        audit.record(.secretDelete, result: "ok") { $0.secret = "shop/db" }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines[0] == "earlier line")
        #expect(lines[1].contains(#""event":"secret.create""#) && lines[2].contains(#""event":"secret.delete""#))
        #expect(logs.all.isEmpty)

        let missing = AuditLog(operator: "test", sink: .file(path: directory.appendingPathComponent("gone/audit.log").path, logger: logger))
        missing.record(.providerRead, result: "ok")
        missing.record(.providerRead, result: "ok")
        #expect(logs.all.count == 1, "one warning until a write succeeds again")
        #expect(logs.all.first?.hasPrefix("warning") == true)
    }

    @Test("syncing an ExternalSecret audits the provider read and the Secret create, a failed read with its error class and the Secret's delete, each a JSON line with the documented fields and never the value")
    func operatorAuditsASync() async throws {
        let captured = CapturedAuditLines()
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            for definition in RotorCRDs.shipped {
                _ = try await client.create(ExternalSecretControllerTests.crds, namespace: nil, body: definition.object)
            }
            _ = try await client.create(try ExternalSecretControllerTests.fakeStore(Self.canary))
            let logger = Logger(label: "audit-test")
            let events = EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "audit"), logger: logger)
            let controllers = OperatorControllers(
                client: client, fingerprintKey: SymmetricKey(size: .bits256), events: events, logger: logger,
                audit: AuditLog(operator: "rotor-test", sink: captured.sink))
            let running = Task { try await controllers.run() }
            defer { running.cancel() }

            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: ExternalSecretControllerTests.externalSecret))
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.password(client) == Self.canary })
            #expect(await EmulatedCluster.eventually { captured.all.contains { $0.contains("secret.create") } })
            // A read that fails: a key the store does not have.
            _ = try await client.patch(
                ExternalSecret.self, namespace: "default", name: "db",
                patch: .json([["op": "replace", "path": "/spec/data/0/remoteRef/key", "value": "db/missing"]]))
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.ready(client)?.reason == "SecretNotFound" })
            // deletionPolicy Delete: a remote key gone takes the Secret with it.
            _ = try await client.patch(ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["spec": ["target": ["deletionPolicy": "Delete"]]]))
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.password(client) == nil })
            running.cancel()
            _ = try? await running.value
        }
        let lines = try captured.parsed()
        for line in lines {
            for field in ["time", "logger", "operator", "event", "result"] { #expect(line[field] != nil, "\(field) in \(line)") }
            #expect(line["logger"] == "audit" && line["operator"] == "rotor-test")
        }
        let read = lines.first { $0["event"] == "provider.read" && $0["path"] == "db/password" }
        #expect(read?["result"] == "ok")
        #expect(read?["store"] == "SecretStore/default/fake" && read?["provider"] == "fake" && read?["externalSecret"] == "default/db")
        #expect(read?["version"] == "1")
        let create = lines.first { $0["event"] == "secret.create" }
        #expect(create?["result"] == "ok" && create?["secret"] == "default/db" && create?["externalSecret"] == "default/db")
        #expect(create?["fingerprint"]?.hasPrefix(SecretFingerprint.prefix) == true)
        #expect(create?["version"] != nil, "the resourceVersion written")
        let failed = lines.first { $0["event"] == "provider.read" && $0["path"] == "db/missing" }
        #expect(failed?["result"] == ProviderError.Class.notFound.rawValue)
        let delete = lines.first { $0["event"] == "secret.delete" }
        #expect(delete?["result"] == "ok" && delete?["secret"] == "default/db" && delete?["externalSecret"] == "default/db")
        #expect(delete?["fingerprint"] == create?["fingerprint"], "the fingerprint of what was deleted")
        #expect(!captured.all.contains { $0.contains(Self.canary) }, "no audit line carries the value")
    }

    @Test("a PushSecret's write to the provider is audited as provider.write with the PushSecret, the key and the version written, never the value")
    func operatorAuditsAPush() async throws {
        let captured = CapturedAuditLines()
        try await RotationHarness.with { h in
            _ = h.startOperator(audit: AuditLog(operator: "rotor-test", sink: captured.sink))
            try await PushSecretTests.createSourceSecret(h, password: Self.canary)
            try await PushSecretTests.createPushSecret(h, store: "fake", remoteKey: "app/pushed")
            #expect(await EmulatedCluster.eventually { captured.all.contains { $0.contains("provider.write") } })
        }
        let lines = try captured.parsed()
        let write = lines.first { $0["event"] == "provider.write" }
        #expect(write?["result"] == "ok" && write?["pushSecret"] == "default/push" && write?["externalSecret"] == nil)
        #expect(write?["path"] == "app/pushed" && write?["store"] == "SecretStore/default/fake" && write?["provider"] == "fake")
        #expect(write?["version"] != nil)
        #expect(!captured.all.contains { $0.contains(Self.canary) }, "no audit line carries the value")
    }
}
