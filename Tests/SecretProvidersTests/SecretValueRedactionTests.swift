import Foundation
import SecretProviders
import Testing

/// A type that (wrongly) declares Codable around a secret: encoding must fail, not leak.
private struct CarelessHolder: Codable {
    var password: SecretValue
}

@Suite("SecretValue never shows its bytes")
struct SecretValueRedactionTests {
    let canary = "hunter2-CANARY-7f3a"
    var value: SecretValue { SecretValue(utf8: canary) }

    func assertRedacted(_ text: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains(canary), comment, sourceLocation: sourceLocation)
        #expect(!text.contains("hunter2"), comment, sourceLocation: sourceLocation)
    }

    @Test("interpolation, description and debugDescription print <redacted>")
    func directRendering() {
        #expect("\(value)" == "<redacted>")
        #expect(value.description == "<redacted>")
        #expect(value.debugDescription == "<redacted>")
        #expect(String(describing: value) == "<redacted>")
        #expect(String(reflecting: value) == "<redacted>")
        assertRedacted("secret is \(value)!")
    }

    @Test("dump shows no bytes")
    func dumpIsRedacted() {
        var output = ""
        dump(value, to: &output)
        assertRedacted(output)
        #expect(output.contains("<redacted>"))
        let mirror = Mirror(reflecting: value)
        #expect(mirror.children.isEmpty)
    }

    @Test("inside arrays, dictionaries, optionals and structs it stays redacted")
    func containersAreRedacted() {
        let optional: SecretValue? = value
        let array = [value, value]
        let dictionary = ["password": value]
        let secret = RemoteSecret(value: value, version: "3", properties: ["p": value])
        for text in [
            "\(optional as Any)", String(describing: optional), String(reflecting: optional),
            "\(array)", String(reflecting: array), "\(dictionary)", String(reflecting: dictionary),
            "\(secret)", String(reflecting: secret), "\([RemoteRef(key: "k"): Result<SecretValue, ProviderError>.success(value)])",
        ] {
            assertRedacted(text)
            #expect(text.contains("<redacted>"))
        }
        for subject in [optional as Any, array, dictionary, secret] {
            var output = ""
            dump(subject, to: &output)
            assertRedacted(output, "dump of \(type(of: subject))")
        }
    }

    @Test("the bytes come out only through the explicit accessors")
    func explicitAccess() {
        #expect(value.revealedString() == canary)
        #expect(value.revealedBytes() == Array(canary.utf8))
        #expect(value.withUnsafeBytes { Array($0) } == Array(canary.utf8))
        #expect(value.count == canary.utf8.count)
        #expect(SecretValue(bytes: [0xff, 0xfe]).revealedString() == nil)
    }

    @Test("a Codable type holding a SecretValue fails to encode instead of writing it")
    func encodingRefused() {
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(CarelessHolder(password: value)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CarelessHolder.self, from: Data(#"{"password":"x"}"#.utf8)) }
    }

    @Test("errors about a secret name the key and property, never the value")
    func errorsDoNotCarryValues() throws {
        let json = SecretValue(utf8: #"{"user":"admin","password":"\#(canary)"}"#)
        let error = #expect(throws: ProviderError.self) { try json.property("pasword", key: "shop/db") }
        let text = "\(try #require(error))"
        #expect(text.contains("shop/db"))
        #expect(text.contains("pasword"))
        assertRedacted(text)
        assertRedacted(String(reflecting: error))

        let notJSON = SecretValue(utf8: canary)
        let parseError = #expect(throws: ProviderError.self) { try notJSON.property("password", key: "shop/db") }
        assertRedacted("\(String(describing: parseError))")
        #expect(parseError?.class == .invalidResponse)
    }
}
