import Foundation
import RotorOperator
import SecretProviders
import Testing

@Suite("Rendering: no value in any description")
struct RenderingRedactionTests {
    @Test("plans print names, keys and fingerprints but never a value")
    func plansRedacted() throws {
        let es = renderingExternalSecret(target: renderingTemplate(["url": "pg://u:{{password}}@db"]))
        let rendered = try SecretRenderer.render(externalSecret: es, values: renderingValues(["password": renderingCanary]))
        let additions = ManagedSecretAdditions(data: renderingValues(["password_previous": renderingCanary]))

        let create = ManagedSecretPlan(
            rendered: rendered, externalSecret: es, existing: nil, fingerprintKey: renderingKey(), additions: additions)
        guard case .create(let secret) = create.action else {
            Issue.record("expected create")
            return
        }
        let stored = renderingStored(secret)
        let same = ManagedSecretPlan(
            rendered: rendered, externalSecret: es, existing: stored, fingerprintKey: renderingKey(), additions: additions)
        let update = ManagedSecretPlan(
            rendered: RenderedSecret(data: renderingValues(["url": renderingCanary + "2"])), externalSecret: es,
            existing: stored, fingerprintKey: renderingKey())
        var immutable = stored
        immutable.immutable = true
        let refuse = ManagedSecretPlan(
            rendered: RenderedSecret(data: renderingValues(["url": renderingCanary + "3"])), externalSecret: es,
            existing: immutable, fingerprintKey: renderingKey())

        for subject: Any in [create, same, update, refuse, create.action, update.action, refuse.action, rendered, additions] {
            let printed = renderingPrinted(subject)
            #expect(!printed.contains(renderingCanary), "leaked through \(type(of: subject))")
        }
        #expect(String(describing: create).contains("shop/db"))
        #expect(String(describing: update).contains("url"))
        if case .refuse = refuse.action {} else { Issue.record("expected refuse, got \(refuse.action)") }
    }
}
