import Foundation
import JSONCore
import SecretProviders
import Testing

@testable import AWSProvider

struct SecretsManagerWireTests {
    @Test("remoteRef.version: stages go to VersionStage, uuid/… and UUIDs to VersionId")
    func versionSelector() {
        #expect(SecretsManagerWire.versionSelector("AWSPREVIOUS").stage == "AWSPREVIOUS")
        #expect(SecretsManagerWire.versionSelector("AWSCURRENT").versionID == nil)
        #expect(SecretsManagerWire.versionSelector("uuid/abc").versionID == "abc")
        #expect(SecretsManagerWire.versionSelector("4c5f2a86-3f1b-4b0c-9a55-0c3d1c0a7f01").versionID == "4c5f2a86-3f1b-4b0c-9a55-0c3d1c0a7f01")
        #expect(SecretsManagerWire.versionSelector(nil).stage == nil)
        let body = String(decoding: SecretsManagerWire.getSecretValue(RemoteSecretID(key: "a/b", version: "AWSPREVIOUS")), as: UTF8.self)
        #expect(body == #"{"SecretId":"a\/b","VersionStage":"AWSPREVIOUS"}"# || body == #"{"SecretId":"a/b","VersionStage":"AWSPREVIOUS"}"#)
    }

    @Test("a BatchGetSecretValue answer maps to per-key outcomes by name or ARN, with per-key errors")
    func batchAnswer() throws {
        let answer = """
            {"SecretValues":[{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf","Name":"a","SecretString":"one","VersionId":"v1"},
            {"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:b-XyZ123","Name":"b","SecretBinary":"AAEC","VersionId":"v2"}],
            "Errors":[{"SecretId":"c","ErrorCode":"ResourceNotFoundException","Message":"not here"},{"SecretId":"d","ErrorCode":"DecryptionFailure","Message":"kms"}]}
            """
        let keys = ["a", "arn:aws:secretsmanager:us-east-1:123456789012:secret:b-XyZ123", "c", "d", "e"]
        let results = try SecretsManagerWire.parseBatch(Array(answer.utf8), keys: keys)
        #expect(try results["a"]?.get().value == SecretValue(utf8: "one"))
        #expect(try results["a"]?.get().version == "v1")
        #expect(try results[keys[1]]?.get().value == SecretValue(bytes: [0, 1, 2]))
        var missing: ProviderError?
        if case .failure(let error)? = results["c"] { missing = error }
        #expect(missing?.isSecretMissing == true)
        var denied: ProviderError?
        if case .failure(let error)? = results["d"] { denied = error }
        #expect(denied?.class == .permissionDenied)
        #expect(results["e"] == nil)
    }

    @Test("AWS error answers map to provider error classes; messages carry code and status only")
    func errorMapping() {
        func mapped(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> ProviderError {
            AWSErrorMapping.providerError(AWSHTTPResponse(status: status, headers: headers, body: Array(body.utf8)), key: "k")
        }
        #expect(mapped(400, #"{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}"#).class == .notFound)
        #expect(mapped(400, #"{"__type":"com.amazonaws.secretsmanager#AccessDeniedException","Message":"no"}"#).class == .permissionDenied)
        #expect(mapped(400, #"{"__type":"UnrecognizedClientException"}"#).class == .permissionDenied)
        #expect(mapped(403, #"{"__type":"InvalidSignatureException"}"#).class == .permissionDenied)
        let throttled = mapped(400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#, headers: [("Retry-After", "2")])
        #expect(throttled.class == .throttled)
        #expect(throttled.retryAfter == .seconds(2))
        #expect(mapped(429, "Too Many Requests").class == .throttled)
        #expect(mapped(503, "<html>down</html>").class == .transient)
        #expect(mapped(500, #"{"__type":"InternalServiceError"}"#).class == .transient)
        #expect(mapped(400, "", headers: [("x-amzn-ErrorType", "ResourceNotFoundException:http://internal")]).class == .notFound)
        #expect(mapped(403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error></ErrorResponse>").class == .permissionDenied)
        #expect(mapped(400, #"{"__type":"ResourceExistsException"}"#).class == .conflict)
        let text = "\(mapped(400, #"{"__type":"InvalidRequestException","message":"value hunter2 is bad"}"#))"
        #expect(!text.contains("hunter2"))
        #expect(text.contains("InvalidRequestException"))
    }

    @Test("a 2xx answer that is not JSON is an invalid response")
    func nonJSON() {
        var failure: ProviderError?
        do { _ = try SecretsManagerWire.parseSecretValue(Array("<html/>".utf8), id: RemoteSecretID(key: "k")) } catch { failure = error }
        #expect(failure?.class == .invalidResponse)
    }

    @Test("STS AssumeRole answers give temporary credentials with their expiry")
    func stsAnswer() throws {
        let xml = """
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
            <AccessKeyId>ASIAEXAMPLE123</AccessKeyId><SecretAccessKey>se/cr+et&amp;key</SecretAccessKey>
            <SessionToken>FwoGZXIvYXdzEXAMPLE==</SessionToken><Expiration>2026-11-29T17:00:00Z</Expiration>
            </Credentials></AssumeRoleResult></AssumeRoleResponse>
            """
        let credentials = try STSWire.parseCredentials(Array(xml.utf8), operation: "AssumeRole", role: "arn:aws:iam::1:role/r")
        #expect(credentials.accessKeyID == SecretValue(utf8: "ASIAEXAMPLE123"))
        #expect(credentials.secretAccessKey == SecretValue(utf8: "se/cr+et&key"))
        #expect(credentials.sessionToken == SecretValue(utf8: "FwoGZXIvYXdzEXAMPLE=="))
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_795_971_600))
    }

    @Test("ClientRequestToken: a fitting token is kept, others become their SHA-256")
    func clientRequestToken() {
        let fitting = "0123456789abcdef0123456789abcdef"
        #expect(SecretsManagerWire.clientRequestToken(fitting) == fitting)
        let short = SecretsManagerWire.clientRequestToken("pending-1")
        #expect(short.count == 64)
        #expect(short == SecretsManagerWire.clientRequestToken("pending-1"))
    }

    @Test("store configuration errors name the field, not values")
    func configErrors() {
        func error(_ config: [String: JSONValue], grant: AmbientIdentity = []) -> ProviderError? {
            let result = Result { () throws(ProviderError) in
                try AWSProviderFactory(environment: { [:] }).makeAWSProvider(
                    ProviderContext(storeName: "s", config: .object(config), ambientIdentity: grant))
            }
            if case .failure(let failure) = result { return failure }
            return nil
        }
        #expect(error(["region": .string("")])?.class == .invalidRequest)
        // ParameterStore is a service of its own now (ParameterStoreWireTests); others are refused.
        #expect(error(["region": .string("eu-west-1"), "service": .string("AppConfig")])?.class == .invalidRequest)
        #expect(error(["region": .string("eu-west-1"), "endpoint": .string("ftp://x")])?.class == .invalidRequest)
        let jwt: JSONValue = .object(["jwt": .object(["serviceAccountRef": .object(["name": .string("app")])])])
        #expect(error(["region": .string("eu-west-1"), "auth": jwt])?.class == .invalidRequest)
        // No auth: the pod's own identity, only when the operator granted it (an allowed ClusterSecretStore).
        #expect(error(["region": .string("eu-west-1")])?.class == .permissionDenied)
        #expect(error(["region": .string("eu-west-1")], grant: .cloudIdentity) == nil)
        let custom = error(["region": .string("eu-west-1"), "endpoint": .string("https://127.0.0.1:1")], grant: .cloudIdentity)
        #expect(custom?.class == .permissionDenied && custom?.detail?.contains("spec.provider.aws.endpoint") == true)
        let cleartext = error(["region": .string("eu-west-1"), "endpoint": .string("http://127.0.0.1:1"), "auth": .object(["secretRef": .object([
            "accessKeyIDSecretRef": .object(["name": .string("a"), "key": .string("id")]),
            "secretAccessKeySecretRef": .object(["name": .string("a"), "key": .string("secret")]),
        ])])])
        #expect(cleartext?.class == .invalidRequest && cleartext?.detail?.contains("insecureAllowHTTP") == true)
    }

    @Test("regional endpoints")
    func endpoints() throws {
        #expect(AWSEndpoint.regional(service: "secretsmanager", region: "eu-west-1").url(path: "/") == "https://secretsmanager.eu-west-1.amazonaws.com/")
        #expect(AWSEndpoint.regional(service: "sts", region: "cn-north-1").hostHeader == "sts.cn-north-1.amazonaws.com.cn")
        #expect(try AWSEndpoint(url: "http://127.0.0.1:5000").hostHeader == "127.0.0.1:5000")
        #expect(try AWSEndpoint(url: "https://vpce.example:443/").hostHeader == "vpce.example")
    }

    @Test("backoff grows with attempts, stays under the cap and honours a larger hint")
    func backoff() {
        let policy = AWSCallPolicy(maxAttempts: 6, baseBackoff: .milliseconds(100), maxBackoff: .seconds(5))
        #expect(policy.backoff(afterAttempt: 0, hint: nil, random: 1) == .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 3, hint: nil, random: 1) == .milliseconds(800))
        #expect(policy.backoff(afterAttempt: 10, hint: nil, random: 1) == .seconds(5))
        #expect(policy.backoff(afterAttempt: 0, hint: .seconds(2), random: 1) == .seconds(2))
    }
}

struct RedactionTests {
    @Test("requests and answers print without headers or bodies")
    func wireTypesRedacted() {
        let body = ProviderJSON.body(["SecretId": "k", "SecretString": "canary-value-77"])
        let request = AWSHTTPRequest(
            method: "POST", url: "https://secretsmanager.eu-west-1.amazonaws.com/",
            headers: [("X-Amz-Security-Token", "canary-token-77"), ("Authorization", "AWS4-HMAC-SHA256 canary-signature")], body: body)
        let response = AWSHTTPResponse(status: 200, body: body)
        let signing = SigV4Request(method: "POST", path: "/", headers: [("X-Amz-Security-Token", "canary-token-77")], body: body)
        var dumped = ""
        dump(request, to: &dumped)
        dump(response, to: &dumped)
        dump(signing, to: &dumped)
        let texts = ["\(request)", "\(response)", "\(signing)", String(reflecting: request), "\([response])", dumped]
        let leaked = texts.contains { $0.contains("canary") }
        #expect(!leaked)
    }
}
