import Crypto
import EmulatorTestSupport
import FakeProvider
import FakeProviderTestSupport
import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

@Suite("rotor.dev/force-sync")
struct ForceSyncTests {
    @Test("force-sync reads the provider anew, not the value other syncs cached moments ago")
    func forceSyncBypassesTheSharedCache() async throws {
        let fake = FakeProvider(data: [.init(key: "db/password", value: "before", version: "1"), .init(key: "db/user", value: "app", version: "1")])
        let providers = StoreProviders(registry: ProviderRegistry([FakeProviderFactory(instances: ["SecretStore/default/fake": fake])]))
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            for definition in RotorCRDs.shipped {
                _ = try await client.create(ExternalSecretControllerTests.crds, namespace: nil, body: definition.object)
            }
            _ = try await client.create(try ExternalSecretControllerTests.fakeStore("ignored: the instance above is served"))
            let events = EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "test"))
            let controllers = OperatorControllers(client: client, fingerprintKey: SymmetricKey(size: .bits256), events: events, providers: providers)
            let running = Task { try await controllers.run() }
            defer { running.cancel() }
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: ExternalSecretControllerTests.externalSecret))
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.password(client) == "before" })

            // The provider changes behind the cache (30 s by default); a forced sync must see it.
            _ = await fake.setValue(SecretValue(utf8: "after"), for: "db/password")
            _ = try await client.patch(
                ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": "1"]]]))
            #expect(await EmulatedCluster.eventually { await ExternalSecretControllerTests.password(client) == "after" })
            running.cancel()
            _ = try? await running.value
        }
    }
}
