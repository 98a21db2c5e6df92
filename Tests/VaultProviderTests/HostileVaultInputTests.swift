import Foundation
import SecretProviders
import Testing

@testable import VaultProvider

/// Numbers and headers a Vault server (or anything claiming to be one) sends must never trap
/// the operator or park it for ever.
@Suite("Vault: hostile answers")
struct HostileVaultInputTests {
    static func response(_ status: Int, retryAfter: String? = nil, _ body: String = "{}") -> VaultHTTPResponse {
        VaultHTTPResponse(status: status, retryAfter: retryAfter, body: Array(body.utf8))
    }

    @Test("a Retry-After of 1e300, inf or 20 digits never traps: it is cut to 10 minutes or ignored", arguments: [
        ("1e300", Duration?.none), ("inf", nil), ("NaN", nil), ("-3", nil),
        ("99999999999999999999", RetryAfter.maximum), ("3", .seconds(3)),
    ])
    func retryAfter(header: String, expected: Duration?) {
        let error = VaultResponses.error(Self.response(429, retryAfter: header), store: "s", operation: "read")
        #expect(error.class == .throttled)
        #expect(error.retryAfter == expected)
    }

    @Test("a lease_duration or ttl of 1e300, -5 or 2.5 gives a bounded lease, never a trap", arguments: [
        ("1e300", VaultResponses.maximumLeaseSeconds), ("1e19", VaultResponses.maximumLeaseSeconds),
        ("9223372036854775807", VaultResponses.maximumLeaseSeconds), ("-5", 0), ("2.5", 2), ("3600", 3600), (#""7200""#, 7200),
    ])
    func leaseDuration(number: String, expected: Int) throws {
        let login = try VaultResponses.authGrant(
            Array(#"{"auth":{"client_token":"t","lease_duration":\#(number),"renewable":true}}"#.utf8), store: "s", operation: "login")
        #expect(login.leaseDuration == expected)
        let lookup = VaultResponses.lookup(Array(#"{"data":{"ttl":\#(number),"renewable":true}}"#.utf8))
        #expect(lookup?.ttl == expected)
    }

    @Test("a KV version of 1e300 is no version, not a trap")
    func hugeVersion() throws {
        let secret = try VaultResponses.secret(
            Array(#"{"data":{"data":{"password":"p"},"metadata":{"version":1e300}}}"#.utf8), kvVersion: 2, store: "s",
            id: RemoteSecretID(key: "db"))
        #expect(secret.version == nil)
        #expect(secret.properties?["password"] == SecretValue(utf8: "p"))
    }
}
