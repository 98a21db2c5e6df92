import Foundation
import JSONCore
import MotoTestSupport
import SecretProviders

@testable import AWSProvider

/// Sets up moto for a test with our own signed client: secrets (Secrets Manager JSON API)
/// and IAM users, keys, roles and policies (query API).
struct MotoAdmin {
    let server: MotoServer
    /// Before authentication is enabled any key works; afterwards an admin user's.
    var credentials = AWSCredentials(accessKeyID: "AKIAROTORADMIN000000", secretAccessKey: "moto-admin-not-a-secret")
    static let account = "123456789012"

    private func client(service: String) throws -> AWSServiceClient {
        AWSServiceClient(
            endpoint: try AWSEndpoint(url: server.endpoint), signer: SigV4Signer(region: "us-east-1", service: service),
            transport: AsyncHTTPClientTransport(), policy: AWSCallPolicy(maxAttempts: 1), rateLimiter: nil, limiter: nil)
    }

    /// A Secrets Manager call; the answer's JSON object.
    @discardableResult
    func secretsManager(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        let response = try await client(service: "secretsmanager").post(
            operation: operation, headers: SecretsManagerWire.headers(operation), body: ProviderJSON.body(body),
            credentials: StaticCredentialSource(credentials))
        return try SecretsManagerWire.decodeObject(response.body, operation: operation)
    }

    /// An IAM call; the answer's XML text.
    @discardableResult
    func iam(_ action: String, _ parameters: [(String, String)]) async throws -> String {
        let body = STSWire.form([("Action", action), ("Version", "2010-05-08")] + parameters)
        let response = try await client(service: "iam").post(
            operation: action, headers: STSWire.headers, body: body, credentials: StaticCredentialSource(credentials))
        return String(decoding: response.body, as: UTF8.self)
    }

    /// A Systems Manager (Parameter Store) call; the answer's JSON object.
    @discardableResult
    func ssm(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        let response = try await client(service: "ssm").post(
            operation: operation, headers: ParameterStoreWire.headers(operation), body: ProviderJSON.body(body),
            credentials: StaticCredentialSource(credentials))
        return try ParameterStoreWire.decodeObject(response.body, operation: operation)
    }

    /// Writes a parameter (a new version when it exists); its version.
    @discardableResult
    func putParameter(_ name: String, _ value: String, type: String = "SecureString") async throws -> Int {
        let answer = try await ssm("PutParameter", ["Name": name, "Value": value, "Type": type, "Overwrite": true])
        return (answer["Version"] as? Int) ?? 0
    }

    func createSecret(_ name: String, string: String? = nil, binary: [UInt8]? = nil, tags: [String: String] = [:]) async throws {
        var body: [String: Any] = ["Name": name]
        if let string { body["SecretString"] = string }
        if let binary { body["SecretBinary"] = Data(binary).base64EncodedString() }
        if !tags.isEmpty { body["Tags"] = tags.sorted { $0.key < $1.key }.map { ["Key": $0.key, "Value": $0.value] } }
        try await secretsManager("CreateSecret", body)
    }

    /// Version ids of a secret (all stages).
    func versionIDs(_ name: String) async throws -> [String] {
        let answer = try await secretsManager("ListSecretVersionIds", ["SecretId": name])
        return (answer["Versions"] as? [[String: Any]] ?? []).compactMap { $0["VersionId"] as? String }
    }

    static func policy(allow actions: [String], deny: [String] = []) -> String {
        var statements = [["Effect": "Allow", "Action": actions, "Resource": "*"] as [String: Any]]
        if !deny.isEmpty { statements.append(["Effect": "Deny", "Action": deny, "Resource": "*"]) }
        let data = try! JSONSerialization.data(withJSONObject: ["Version": "2012-10-17", "Statement": statements], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// An IAM user with `policy`; its new access key.
    func createUser(_ name: String, policy: String) async throws -> AWSCredentials {
        try await iam("CreateUser", [("UserName", name)])
        try await iam("PutUserPolicy", [("UserName", name), ("PolicyName", "\(name)-policy"), ("PolicyDocument", policy)])
        let answer = try await iam("CreateAccessKey", [("UserName", name)])
        guard let id = XMLText.first("AccessKeyId", in: answer), let secret = XMLText.first("SecretAccessKey", in: answer) else {
            throw MotoServer.MotoError.failedToStart("CreateAccessKey answered without a key")
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret)
    }

    /// A role anyone in the account may assume, with `policy`; its ARN.
    func createRole(_ name: String, policy: String) async throws -> String {
        let trust = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},\
            {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::\(Self.account):oidc-provider/kubernetes"},"Action":"sts:AssumeRoleWithWebIdentity"}]}
            """
        try await iam("CreateRole", [("RoleName", name), ("AssumeRolePolicyDocument", trust)])
        try await iam("PutRolePolicy", [("RoleName", name), ("PolicyName", "\(name)-policy"), ("PolicyDocument", policy)])
        return "arn:aws:iam::\(Self.account):role/\(name)"
    }
}

/// Credentials a store refers to, by `name/key`.
struct TestCredentialResolver: CredentialResolver {
    var values: [String: String]

    func credential(name: String, key: String, namespace: String?) async throws -> SecretValue {
        guard let value = values["\(name)/\(key)"] else { throw ProviderError.notFound(key: "\(name)/\(key)") }
        return SecretValue(utf8: value)
    }
}

/// Issues made-up service-account tokens and records the audiences asked for.
final class TestTokenIssuer: ServiceAccountTokenIssuer, @unchecked Sendable {
    // @unchecked Sendable: `requests` is only touched under `lock`.
    private let lock = NSLock()
    private var requests: [(account: String, audiences: [String])] = []

    func token(serviceAccount: String, namespace: String?, audiences: [String]) async throws -> SecretValue {
        lock.withLock { requests.append((serviceAccount, audiences)) }
        return SecretValue(utf8: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDphcHAifQ.c2lnbmF0dXJl")
    }

    var recorded: [(account: String, audiences: [String])] { lock.withLock { requests } }
}

/// Counts requests per operation (the provider's `onRequest`).
final class RequestCounter: @unchecked Sendable {
    // @unchecked Sendable: `counts` is only touched under `lock`.
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func record(_ operation: String) { lock.withLock { counts[operation, default: 0] += 1 } }
    subscript(_ operation: String) -> Int { lock.withLock { counts[operation, default: 0] } }
    var total: Int { lock.withLock { counts.values.reduce(0, +) } }
}

/// A provider for a store at `endpoint`.
func makeProvider(
    endpoint: String, auth: JSONValue? = nil, role: String? = nil, secrets: [String: String] = [:],
    tokens: TestTokenIssuer? = nil, environment: [String: String] = [:], counter: RequestCounter? = nil,
    configure: (inout AWSProviderOptions) -> Void = { _ in }
) throws -> AWSSecretsManagerProvider {
    let (factory, context) = makeFactory(
        service: "SecretsManager", endpoint: endpoint, auth: auth, role: role, secrets: secrets, tokens: tokens, environment: environment,
        counter: counter, configure: configure)
    return try factory.makeAWSProvider(context)
}

/// A `service: ParameterStore` provider for a store at `endpoint`.
func makeParameterStoreProvider(
    endpoint: String, auth: JSONValue? = nil, role: String? = nil, secrets: [String: String] = [:],
    environment: [String: String] = [:], counter: RequestCounter? = nil, configure: (inout AWSProviderOptions) -> Void = { _ in }
) throws -> AWSParameterStoreProvider {
    let (factory, context) = makeFactory(
        service: "ParameterStore", endpoint: endpoint, auth: auth, role: role, secrets: secrets, tokens: nil, environment: environment,
        counter: counter, configure: configure)
    return try factory.makeParameterStoreProvider(context)
}

/// The factory and store context of a store of `service` at `endpoint`.
func makeFactory(
    service: String, endpoint: String, auth: JSONValue?, role: String?, secrets: [String: String],
    tokens: TestTokenIssuer?, environment: [String: String], counter: RequestCounter?,
    configure: (inout AWSProviderOptions) -> Void
) -> (AWSProviderFactory, ProviderContext) {
    var config: [String: JSONValue] = ["service": .string(service), "region": .string("us-east-1")]
    var environment = environment
    var ambient: AmbientIdentity = []
    if let auth {
        // The store's own credentials may go to the store's endpoints (cleartext moto: opted in).
        config["auth"] = auth
        config["endpoint"] = .string(endpoint)
        config["stsEndpoint"] = .string(endpoint)
        config["insecureAllowHTTP"] = .bool(true)
    } else {
        // The pod's own identity, as granted to an allowed ClusterSecretStore: it goes only
        // where the admin's environment points (never to a store-chosen endpoint).
        environment["AWS_ENDPOINT_URL"] = environment["AWS_ENDPOINT_URL"] ?? endpoint
        ambient = .cloudIdentity
    }
    if let role { config["role"] = .string(role) }
    var options = AWSProviderOptions()
    options.callPolicy = AWSCallPolicy(maxAttempts: 8, baseBackoff: .milliseconds(5), maxBackoff: .milliseconds(100))
    if let counter { options.onRequest = { counter.record($0) } }
    configure(&options)
    let context = ProviderContext(
        storeName: "SecretStore/test/aws", config: .object(config), secrets: TestCredentialResolver(values: secrets), serviceAccountTokens: tokens,
        ambientIdentity: ambient)
    let processEnvironment = environment
    return (AWSProviderFactory(options: options, environment: { processEnvironment }), context)
}

/// `auth.secretRef` pointing at `aws/access-key-id` and `aws/secret-access-key`.
let secretRefAuth: JSONValue = .object([
    "secretRef": .object([
        "accessKeyIDSecretRef": .object(["name": .string("aws"), "key": .string("access-key-id")]),
        "secretAccessKeySecretRef": .object(["name": .string("aws"), "key": .string("secret-access-key")]),
    ])
])

func keySecrets(_ credentials: AWSCredentials) -> [String: String] {
    ["aws/access-key-id": credentials.accessKeyID.revealedString()!, "aws/secret-access-key": credentials.secretAccessKey.revealedString()!]
}
