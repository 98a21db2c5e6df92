import SecretProviders
import Testing

@Suite("ProviderError")
struct ProviderErrorTests {
    @Test("each class has a stable code and retryability")
    func classesAndCodes() {
        let cases: [(ProviderError, ProviderError.Class, String, Bool)] = [
            (.notFound(key: "k"), .notFound, "provider.notFound", false),
            (.propertyNotFound(key: "k", property: "p"), .notFound, "provider.propertyNotFound", false),
            (.permissionDenied(key: "k"), .permissionDenied, "provider.permissionDenied", false),
            (.throttled(retryAfter: .seconds(2)), .throttled, "provider.throttled", true),
            (.transient(), .transient, "provider.transient", true),
            (.invalidResponse(key: "k"), .invalidResponse, "provider.invalidResponse", false),
            (.invalidRequest(), .invalidRequest, "provider.invalidRequest", false),
            (.conflict(key: "k", version: "3"), .conflict, "provider.conflict", false),
            (.unsupported(), .unsupported, "provider.unsupported", false),
        ]
        for (error, errorClass, code, retryable) in cases {
            #expect(error.class == errorClass)
            #expect(error.code == code)
            #expect(error.isRetryable == retryable)
        }
        #expect(ProviderError.throttled(retryAfter: .seconds(2)).retryAfter == .seconds(2))
        #expect(ProviderError.transient().retryAfter == nil)
        #expect(ProviderError.notFound(key: "k").isSecretMissing)
        #expect(!ProviderError.permissionDenied(key: "k").isSecretMissing)
    }

    @Test("the message names store, key, property and version")
    func message() {
        let error = ProviderError.notFound(key: "shop/db", version: "7").inStore("SecretStore/shop/vault")
        #expect(error.description == #"provider.notFound: store SecretStore/shop/vault: key "shop/db" version 7: not found"#)
        #expect(error.store == "SecretStore/shop/vault")
        let missing = ProviderError.propertyNotFound(key: "shop/db", property: "password")
        #expect(missing.description.contains(#"property "password""#))
    }
}
