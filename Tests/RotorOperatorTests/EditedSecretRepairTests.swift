import EmulatorTestSupport
import Foundation
import KubeClient
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// A managed Secret edited by someone else is put back — at once, but at most once per
/// `RefreshPlanner.editRepairSpacing`, so a writer that keeps editing it meets no write loop.
@Suite("Edited Secret repair", .serialized)
struct EditedSecretRepairTests {
    static let plain = #"{"secretStoreRef":{"name":"fake","kind":"SecretStore"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"db/password"}},{"secretKey":"user","remoteRef":{"key":"db/user"}}]}"#

    static func edit(_ h: RotationHarness, _ data: [String: String]) async throws {
        let patch = JSONValue.object(["data": .object(data.mapValues { .string(Data($0.utf8).base64EncodedString()) })])
        _ = try await h.client.patch(Secret.self, namespace: "default", name: "db", patch: .merge(patch))
    }

    @Test("an edit right after a sync waits for the spacing, then is undone; an edit later is undone at once")
    func editsAreUndoneNoMoreThanOncePerSpacing() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.plain)
            #expect(await EmulatedCluster.eventually { await h.data() == ["password": "v1", "user": "app"] })
            #expect(await h.settled(running))
            let writes = h.cluster.emulator.faults.requestCount(verb: "update", resource: "secrets")

            // Edited within the spacing of the last sync (the test clock stands still): left for now.
            try await Self.edit(h, ["password": "edited", "extra": "added"])
            #expect(await h.settled(running))
            #expect(await h.data()["password"] == "edited")
            #expect(h.cluster.emulator.faults.requestCount(verb: "update", resource: "secrets") == writes)

            // Once the spacing has passed, the Secret is put back exactly (the added key goes too).
            h.advance(to: h.clock.now().addingTimeInterval(RefreshPlanner.editRepairSpacing))
            #expect(await EmulatedCluster.eventually { await h.data() == ["password": "v1", "user": "app"] })
            #expect(await h.settled(running))
            #expect(h.cluster.emulator.faults.requestCount(verb: "update", resource: "secrets") == writes + 1)

            // Long after the last sync, an edit is undone as soon as it is seen.
            h.advance(to: h.clock.now().addingTimeInterval(RefreshPlanner.editRepairSpacing * 2))
            try await Self.edit(h, ["user": "someone-else"])
            #expect(await EmulatedCluster.eventually { await h.data() == ["password": "v1", "user": "app"] })
            await running.stop()
        }
    }

    @Test("an Orphan target (no ownerReference) that someone edits is put back at once too")
    func orphanTargetsAreRepaired() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            let orphan = Self.plain.replacingOccurrences(of: #""refreshInterval":"1h","#, with: #""refreshInterval":"1h","target":{"creationPolicy":"Orphan"},"#)
            try await h.createExternalSecret(spec: orphan)
            #expect(await EmulatedCluster.eventually { await h.data() == ["password": "v1", "user": "app"] })
            #expect(await h.secret()?.metadata.ownerReferences == nil)
            #expect(await h.settled(running))
            h.advance(to: h.clock.now().addingTimeInterval(RefreshPlanner.editRepairSpacing))
            try await Self.edit(h, ["password": "edited"])
            #expect(await EmulatedCluster.eventually { await h.data() == ["password": "v1", "user": "app"] })
            await running.stop()
        }
    }
}
