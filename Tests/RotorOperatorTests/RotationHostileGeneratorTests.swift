import RotorAPI
import RotorOperator
import Testing

/// Generator settings a tenant writes to hurt the operator (found by `HostileSpecPropertyTests`).
@Suite("Rotation: hostile generator settings")
struct RotationHostileGeneratorTests {
    @Test("an extreme digits count is InvalidSpec naming the field, not an integer overflow", arguments: [Int.max, Int.max - 1, 4_097, 33, -1, Int.min])
    func extremeDigitsAreRefused(digits: Int) throws {
        let failure = try #require(SecretGenerator.validate([RotationGenerator(property: "password", length: 32, digits: digits)]))
        #expect(failure.reason == ExternalSecretConditions.Reason.invalidSpec)
        #expect(failure.message.hasPrefix("spec.rotation.generate[0].digits: \(digits) is outside 0-32"))
    }

    @Test("digits up to what the length can hold are accepted")
    func digitsWithinTheLengthAreAccepted() {
        #expect(SecretGenerator.validate([RotationGenerator(property: "password", length: 32, digits: 30)]) == nil)
        #expect(SecretGenerator.validate([RotationGenerator(property: "password", length: 32, digits: 31)]) != nil, "no room for a lower and an upper case letter")
    }
}
