import RotorAPI
import RotorOperator
import Testing

/// Spec checks made before the store is looked up (found by `HostileSpecPropertyTests`:
/// an unknown deletionPolicy was ignored without a word, and a bad rotation block or
/// creationPolicy was hidden behind a missing store or a failing provider).
@Suite("Planning: spec validation before the store")
struct PlanningSpecValidationTests {
    static func spec(target: ExternalSecretTarget? = nil, rotation: ExternalSecretRotation? = nil) -> ExternalSecretSpec {
        ExternalSecretSpec(secretStoreRef: SecretStoreRef(name: "missing"), target: target, rotation: rotation)
    }

    @Test("an unknown deletionPolicy is InvalidSpec naming the field")
    func unknownDeletionPolicy() throws {
        let failure = try #require(SpecValidation.firstProblem(Self.spec(target: ExternalSecretTarget(deletionPolicy: "Shred"))))
        #expect(failure.reason == ExternalSecretConditions.Reason.invalidSpec)
        #expect(failure.message == #"spec.target.deletionPolicy: "Shred" is not one of Retain, Delete"#)
    }

    @Test("an unknown creationPolicy and a bad rotation block are found from the spec alone")
    func specOnlyProblems() throws {
        let creation = try #require(SpecValidation.firstProblem(Self.spec(target: ExternalSecretTarget(creationPolicy: "\r\n"))))
        #expect(creation.message.hasPrefix("spec.target.creationPolicy: "))
        let rotation = try #require(SpecValidation.firstProblem(Self.spec(rotation: ExternalSecretRotation(gracePeriod: "10m", previousSuffix: "<script>"))))
        #expect(rotation.message.hasPrefix("spec.rotation.previousSuffix: "))
        #expect(SpecValidation.firstProblem(Self.spec(target: ExternalSecretTarget(creationPolicy: .merge, deletionPolicy: .delete))) == nil)
    }
}
