import Foundation
import JSONCore
import SecretProviders
import Testing

@testable import AWSProvider

/// `additionalRoles`, `role`, `externalID`, `sessionTags` and `transitiveTagKeys` on the wire,
/// against ``FakeSTS`` (moto checks none of them), and their validation as tenant input.
@Suite("AWS: AssumeRole chain, external ID and session tags")
struct AssumeRoleChainTests {
    static let hub = "arn:aws:iam::111111111111:role/hub"
    static let spoke = "arn:aws:iam::222222222222:role/spoke"
    static let target = "arn:aws:iam::333333333333:role/target"

    /// A store with keys in a Secret (`AKIABASE…`) and `extra` fields, STS at `sts`.
    static func provider(sts: String, auth: JSONValue = secretRefAuth, tokens: TestTokenIssuer? = nil, _ extra: [String: JSONValue]) throws(ProviderError)
        -> AWSSecretsManagerProvider
    {
        var config: [String: JSONValue] = [
            "region": "us-east-1", "auth": auth, "endpoint": .string(sts), "stsEndpoint": .string(sts), "insecureAllowHTTP": true,
        ]
        config.merge(extra) { $1 }
        let context = ProviderContext(
            storeName: "SecretStore/tenant/aws", config: .object(config),
            secrets: TestCredentialResolver(values: ["aws/access-key-id": "AKIABASE000000000000", "aws/secret-access-key": "base-secret"]),
            serviceAccountTokens: tokens)
        return try AWSProviderFactory(environment: { [:] }).makeAWSProvider(context)
    }

    static let tags: JSONValue = .array([
        .object(["key": "team", "value": "payments"]), .object(["key": "cost-center", "value": "4711 / eu"]),
    ])

    @Test("additionalRoles are assumed in order before role, each signed with the previous credentials; only role carries ExternalId and tags")
    func chainInOrder() async throws {
        try await FakeSTS.with { sts in
            let provider = try Self.provider(sts: sts.url, [
                "additionalRoles": .array([.string(Self.hub), .string(Self.spoke)]), "role": .string(Self.target),
                "externalID": "tenant-42:prod", "sessionTags": Self.tags, "transitiveTagKeys": .array(["team"]),
            ])
            let credentials = try await provider.credentials.credentials()
            #expect(credentials.accessKeyID == SecretValue(utf8: FakeSTS.accessKey(for: Self.target)))

            let calls = sts.calls
            try #require(calls.count == 3)
            #expect(calls.map(\.action) == ["AssumeRole", "AssumeRole", "AssumeRole"])
            #expect(calls.map(\.roleARN) == [Self.hub, Self.spoke, Self.target])
            #expect(calls.map(\.signingKey) == ["AKIABASE000000000000", FakeSTS.accessKey(for: Self.hub), FakeSTS.accessKey(for: Self.spoke)])
            let last = calls[2].parameters
            #expect(last["ExternalId"] == "tenant-42:prod")
            #expect(last["Tags.member.1.Key"] == "team")
            #expect(last["Tags.member.1.Value"] == "payments")
            #expect(last["Tags.member.2.Key"] == "cost-center")
            #expect(last["Tags.member.2.Value"] == "4711 / eu")
            #expect(last["TransitiveTagKeys.member.1"] == "team")
            #expect(last["Tags.member.3.Key"] == nil && last["TransitiveTagKeys.member.2"] == nil)
            for earlier in calls.prefix(2) {
                #expect(!earlier.parameters.keys.contains { $0 == "ExternalId" || $0.hasPrefix("Tags.") || $0.hasPrefix("TransitiveTagKeys.") })
            }
            // Cached: a second use asks STS nothing.
            _ = try await provider.credentials.credentials()
            #expect(sts.calls.count == 3)
        }
    }

    @Test("role alone with externalID: one AssumeRole signed with the base keys, carrying ExternalId and no tags")
    func singleRoleWithExternalID() async throws {
        try await FakeSTS.with { sts in
            let provider = try Self.provider(sts: sts.url, ["role": .string(Self.target), "externalID": "abc=def,@x"])
            _ = try await provider.credentials.credentials()
            let calls = sts.calls
            try #require(calls.count == 1)
            #expect(calls[0].signingKey == "AKIABASE000000000000")
            #expect(calls[0].parameters["ExternalId"] == "abc=def,@x")
            #expect(!calls[0].parameters.keys.contains { $0.hasPrefix("Tags.") })
        }
    }

    @Test("with auth.jwt the web identity is exchanged for the first of additionalRoles, then role is assumed with its credentials")
    func jwtThenChain() async throws {
        try await FakeSTS.with { sts in
            let auth: JSONValue = .object(["jwt": .object(["serviceAccountRef": .object(["name": "app"])])])
            let provider = try Self.provider(
                sts: sts.url, auth: auth, tokens: TestTokenIssuer(),
                ["additionalRoles": .array([.string(Self.hub)]), "role": .string(Self.target), "externalID": "tenant-42"])
            _ = try await provider.credentials.credentials()
            let calls = sts.calls
            try #require(calls.count == 2)
            #expect(calls.map(\.action) == ["AssumeRoleWithWebIdentity", "AssumeRole"])
            #expect(calls.map(\.roleARN) == [Self.hub, Self.target])
            #expect(calls[0].signingKey == nil)
            #expect(calls[1].signingKey == FakeSTS.accessKey(for: Self.hub))
            #expect(calls[0].parameters["ExternalId"] == nil)
            #expect(calls[1].parameters["ExternalId"] == "tenant-42")
        }
    }

    // MARK: Tenant input

    static let longExternalID = String(repeating: "x", count: 2 << 20)

    /// Hostile or malformed fields, and the text the refusal must hold (the field's name).
    static let refusals: [(String, [String: JSONValue], String)] = [
        ("10,000 session tags", [
            "role": .string(target),
            "sessionTags": .array((0..<10_000).map { .object(["key": .string("k\($0)"), "value": "v"]) }),
        ], "sessionTags has 10000 tags"),
        ("a 2 MiB externalID", ["role": .string(target), "externalID": .string(longExternalID)], "externalID has"),
        ("a one-character externalID", ["role": .string(target), "externalID": "x"], "externalID has 1 characters"),
        ("an externalID with a space and a newline", ["role": .string(target), "externalID": "ab cd\nef"], "externalID may hold only"),
        ("a chain of 100 roles", [
            "role": .string(target), "additionalRoles": .array((0..<100).map { .string("arn:aws:iam::111111111111:role/r\($0)") }),
        ], "additionalRoles has 100 roles"),
        ("an additional role that is not a role ARN", [
            "role": .string(target), "additionalRoles": .array([.string(hub), "arn:aws:iam::111111111111:user/alice"]),
        ], "additionalRoles[1] is not an IAM role ARN"),
        ("a role ARN with an 11-digit account", ["role": "arn:aws:iam::11111111111:role/x"], "role is not an IAM role ARN"),
        ("a role ARN of another service", ["role": "arn:aws:s3:::111111111111:role/x"], "role is not an IAM role ARN"),
        ("a role ARN with a newline", ["role": "arn:aws:iam::111111111111:role/x\nHost: evil"], "role is not an IAM role ARN"),
        ("a 129-character tag key", [
            "role": .string(target), "sessionTags": .array([.object(["key": .string(String(repeating: "k", count: 129)), "value": "v"])]),
        ], "sessionTags[0].key has 129 characters"),
        ("a 257-character tag value", [
            "role": .string(target), "sessionTags": .array([.object(["key": "k", "value": .string(String(repeating: "v", count: 257))])]),
        ], "sessionTags[0].value has 257 characters"),
        ("a tag value with a control character", [
            "role": .string(target), "sessionTags": .array([.object(["key": "k", "value": "a\u{0}b"])]),
        ], "sessionTags[0] may hold only"),
        ("a tag key under aws:", ["role": .string(target), "sessionTags": .array([.object(["key": "aws:team", "value": "x"])])],
         "sessionTags[0].key starts with aws:"),
        ("two tag keys differing only in case", [
            "role": .string(target), "sessionTags": .array([.object(["key": "Team", "value": "a"]), .object(["key": "team", "value": "b"])]),
        ], "sessionTags[1].key repeats"),
        ("a transitive key that is not a session tag", [
            "role": .string(target), "sessionTags": tags, "transitiveTagKeys": .array(["owner"]),
        ], "transitiveTagKeys[0] is not the key"),
        ("10,000 transitive keys", [
            "role": .string(target), "transitiveTagKeys": .array((0..<10_000).map { .string("k\($0)") }),
        ], "transitiveTagKeys has 10000 keys"),
        ("externalID without role", ["externalID": "tenant-42"], "externalID needs role"),
        ("additionalRoles without role", ["additionalRoles": .array([.string(hub)])], "additionalRoles needs role"),
    ]

    @Test("hostile or malformed chain fields are refused as invalidRequest naming the field, before any request", arguments: 0..<refusals.count)
    func refusal(index: Int) async throws {
        let (what, fields, expected) = Self.refusals[index]
        try await FakeSTS.with { sts in
            let result = Result { () throws(ProviderError) in try Self.provider(sts: sts.url, fields) }
            guard case .failure(let error) = result else {
                Issue.record("\(what) was accepted")
                return
            }
            #expect(error.class == .invalidRequest, "\(what)")
            let message = "\(error)"
            #expect(message.contains(expected), "\(what): \(message)")
            #expect(message.utf8.count < 1_000, "\(what): the message echoes the input")
            #expect(sts.calls.isEmpty, "\(what): STS was called")
        }
    }

    @Test("externalID or sessionTags with auth.jwt alone are refused: AssumeRoleWithWebIdentity takes neither")
    func jwtWithoutChainRefusesExternalID() async throws {
        let auth: JSONValue = .object(["jwt": .object(["serviceAccountRef": .object(["name": "app"])])])
        for extra: [String: JSONValue] in [["externalID": "tenant-42"], ["sessionTags": Self.tags]] {
            let result = Result { () throws(ProviderError) in
                try Self.provider(sts: "https://sts.example", auth: auth, tokens: TestTokenIssuer(), extra.merging(["role": .string(Self.target)]) { $1 })
            }
            guard case .failure(let error) = result else {
                Issue.record("accepted")
                continue
            }
            #expect(error.class == .invalidRequest)
            #expect("\(error)".contains("with auth.jwt needs additionalRoles"))
        }
    }

    @Test("the store schema bounds the new fields (maxItems, maxLength) and requires role with them")
    func schemaBounds() {
        let properties = AWSStoreConfig.openAPISchema["properties"]
        #expect(properties?["additionalRoles"]?["maxItems"] == .int(5))
        #expect(properties?["sessionTags"]?["maxItems"] == .int(50))
        #expect(properties?["transitiveTagKeys"]?["maxItems"] == .int(50))
        #expect(properties?["externalID"]?["maxLength"] == .int(1224))
        #expect(properties?["externalID"]?["minLength"] == .int(2))
        #expect(properties?["sessionTags"]?["items"]?["properties"]?["key"]?["maxLength"] == .int(128))
        #expect(properties?["sessionTags"]?["items"]?["properties"]?["value"]?["maxLength"] == .int(256))
        let rules = AWSStoreConfig.openAPISchema["x-kubernetes-validations"]?.arrayValue ?? []
        #expect(rules.contains { $0["message"] == "additionalRoles, externalID, sessionTags and transitiveTagKeys need role" })
    }
}
