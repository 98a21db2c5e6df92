import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// Templates a tenant writes to hurt the operator (found by `HostileSpecPropertyTests`).
@Suite("Rendering: hostile templates")
struct RenderingHostileTemplateTests {
    /// Renders `template` as the Secret key `out`, with the fetched key `x` = `1`.
    static func render(_ template: String) throws(RenderError) -> RenderedSecret {
        let es = renderingExternalSecret(target: renderingTemplate(["out": template]))
        return try SecretRenderer.render(externalSecret: es, values: renderingValues(["x": "1"]))
    }

    @Test("sections nested thousands deep are refused with a condition naming the field, not a stack overflow")
    func deeplyNestedSectionsAreRefused() throws {
        for template in [
            String(repeating: "{{#x}}", count: 2_000),
            String(repeating: "{{#x}}", count: 2_000) + String(repeating: "{{/x}}", count: 2_000),
            "{{=<% %>=}}" + String(repeating: "<%^x%>", count: 5_000),
            String(repeating: "{{$x}}", count: 65) + String(repeating: "{{/x}}", count: 65),
        ] {
            let error = try #require(throws: RenderError.self) { try Self.render(template) }
            #expect(error.code == "templateTooDeep")
            let failure = error.syncFailure
            #expect(failure.reason == ExternalSecretConditions.Reason.invalidSpec)
            #expect(failure.message.hasPrefix("spec.target.template.data: template for key 'out' nests sections more than 64 deep"))
        }
    }

    @Test("sections nested up to the limit still render")
    func nestingUpToTheLimitRenders() throws {
        let template = String(repeating: "{{#x}}", count: 64) + "{{x}}" + String(repeating: "{{/x}}", count: 64)
        let rendered = try Self.render(template)
        #expect(renderingText(rendered.data["out"]) == "1")
        // Many sections side by side are not nesting.
        let siblings = String(repeating: "{{#x}}a{{/x}}", count: 500)
        #expect(renderingText(try Self.render(siblings).data["out"]) == String(repeating: "a", count: 500))
    }

    @Test("every InvalidSpec from a template or a refused write names the spec field first")
    func renderAndRefusalFailuresNameTheField() throws {
        let error = try #require(throws: RenderError.self) { try Self.render("{{#x}}") }
        #expect(error.syncFailure.message.hasPrefix("spec.target.template.data: template for key 'out'"))

        var es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: CreationPolicy(rawValue: "Steal")))
        es.metadata.uid = "uid-1"
        let plan = ManagedSecretPlan(
            rendered: RenderedSecret(data: renderingValues(["a": "b"])), externalSecret: es, existing: nil, fingerprintKey: renderingKey())
        guard case .refuse(let refusal) = plan.action else {
            Issue.record("an unknown creationPolicy is refused, got \(plan.action)")
            return
        }
        #expect(refusal.syncFailure.reason == ExternalSecretConditions.Reason.invalidSpec)
        #expect(refusal.syncFailure.message.hasPrefix("spec.target.creationPolicy: creationPolicy Steal is not one of"))
    }
}
