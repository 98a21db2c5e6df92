import Foundation
import JSONCore
import SecretProviders
import Testing

@testable import AWSProvider

/// What a tenant's store spec or an AWS-compatible endpoint sends must never trap the operator.
@Suite("AWS: hostile input")
struct HostileAWSInputTests {
    static func throttled(retryAfter: String) -> ProviderError {
        AWSErrorMapping.providerError(
            AWSHTTPResponse(status: 400, headers: [("Retry-After", retryAfter)], body: Array(#"{"__type":"ThrottlingException"}"#.utf8)),
            key: "k")
    }

    @Test("a Retry-After of 1e300, inf, NaN or 20 digits never traps: it is cut to 10 minutes or ignored", arguments: [
        ("1e300", Duration?.none), ("inf", nil), ("-inf", nil), ("NaN", nil), ("-1", nil), ("0x1p3", nil), ("soon", nil),
        ("99999999999999999999", RetryAfter.maximum), ("601", RetryAfter.maximum), ("1.5", .milliseconds(1500)), (" 2 ", .seconds(2)),
    ])
    func retryAfter(header: String, expected: Duration?) {
        let error = Self.throttled(retryAfter: header)
        #expect(error.class == .throttled)
        #expect(error.retryAfter == expected)
    }

    @Test("a region of non-ASCII digits or letters is refused as invalidRequest naming region (it used to reach a try!)", arguments: [
        "us-east-\u{0661}", "eu-west-\u{FF11}", "us-éast-1", "US-EAST-1", "us-east-1.evil.example/", String(repeating: "a", count: 65),
    ])
    func region(region: String) {
        let auth: JSONValue = .object([
            "secretRef": .object([
                "accessKeyIDSecretRef": .object(["name": .string("aws"), "key": .string("id")]),
                "secretAccessKeySecretRef": .object(["name": .string("aws"), "key": .string("secret")]),
            ])
        ])
        let result = Result { () throws(ProviderError) in
            try AWSProviderFactory(environment: { [:] }).makeAWSProvider(
                ProviderContext(storeName: "s", config: .object(["region": .string(region), "auth": auth])))
        }
        guard case .failure(let error) = result else {
            Issue.record("region \(region.debugDescription) was accepted")
            return
        }
        #expect(error.class == .invalidRequest)
        #expect("\(error)".contains("region"))
    }

    @Test("the regional endpoint is built without parsing, for any region text")
    func regionalEndpointNeverTraps() {
        #expect(AWSEndpoint.regional(service: "sts", region: "us-east-\u{0661}").host == "sts.us-east-\u{0661}.amazonaws.com")
    }
}
