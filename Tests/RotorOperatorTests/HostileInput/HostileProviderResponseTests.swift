@testable import AWSProvider
import Foundation
import HTTPServing
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import JSONCore
import RotorAPI
import RotorOperator
import SecretProviders
import Testing
@testable import VaultProvider

/// One generated answer of a provider: status, headers and body, shaped like the real
/// answer and then damaged (truncated, oversize, wrong types, extreme numbers, deep
/// nesting, hostile headers, missing fields). Described by its damage, never its bytes.
struct ProviderAnswer: Sendable, CustomStringConvertible {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var damage: [String]
    /// Whether the body is still the well-formed answer.
    var intact: Bool
    /// Whether the body is still a JSON document at all (a value may come out of it only then).
    var wellFormed = true

    var description: String { "HTTP \(status), headers \(headers.map { "\($0.name): \(Hostile.show($0.value))" }), \(body.count) bytes, damage \(damage)" }

    var retryAfter: String? { headers.first { $0.name.lowercased() == "retry-after" }?.value }

    /// The well-formed body, then damage. `shape` is the real answer for the call.
    static func make(_ r: inout FuzzRandom, shape: JSONValue) -> ProviderAnswer {
        var damage: [String] = []
        var value = shape
        var status = 200
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        var intact = true
        var wellFormed = true
        if r.oneIn(3) {
            status = r.pick([400, 401, 403, 404, 409, 412, 429, 500, 502, 503, 204, 301, 418])
            damage.append("status \(status)")
            intact = false
            if r.bool() {
                value = .object([
                    "__type": .string(r.pick(["ThrottlingException", "ResourceNotFoundException", "AccessDeniedException", "InternalServiceError", "#", "", Hostile.string(&r, allowHuge: false)])),
                    "errors": .array([.string(Hostile.string(&r, allowHuge: false)), .int(5), .null]),
                    "message": .string("fuzzcanary-message"),
                ])
            }
        }
        if r.oneIn(3) {
            let retry = r.pick(["inf", "-inf", "-1", "1e300", "9223372036854775807", "9223372036854775808", "NaN", "1.5", " 5 ", "0", "", "Wed, 21 Oct 2026 07:28:00 GMT", "\u{0663}", "1e-300", "18446744073709551616", Hostile.string(&r, allowHuge: false)])
            headers.append(("Retry-After", retry))
            damage.append("Retry-After \(Hostile.show(retry))")
        }
        if r.oneIn(6) {
            let type = r.pick(["ThrottlingException:http://x", ":", "", "ResourceNotFoundException", Hostile.string(&r, allowHuge: false)])
            headers.append(("x-amzn-ErrorType", type))
            damage.append("x-amzn-ErrorType \(Hostile.show(type))")
        }
        if r.oneIn(3) {
            // Wrong types and extreme numbers at a random place of the document.
            let replacement: JSONValue = r.pick([.double(1e300), .double(-1e300), .double(1e-300), .int(Int64.max), .int(Int64.min), .double(1.5), .int(-1), .null, .bool(true), .array([]), .object([:]), .string(""), .string("NaN"), .array([.double(1e300)])])
            value = replace(value, &r, with: replacement)
            damage.append("a field set to \(String(decoding: replacement.serializedBytes(), as: UTF8.self))")
            intact = false
        }
        if r.oneIn(6) {
            value = remove(value, &r)
            damage.append("a field removed")
            intact = false
        }
        var body = value.serializedBytes()
        switch r.int(0...15) {
        case 0:
            body = Array(body.prefix(r.int(0...max(0, body.count - 1))))
            damage.append("truncated to \(body.count) bytes")
            intact = false
            wellFormed = false
        case 1:
            let depth = r.pick([100, 600, 5_000])
            body = Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
            damage.append("arrays nested \(depth) deep")
            intact = false
            wellFormed = false
        case 2:
            body = Array(r.pick(["NaN", "Infinity", "-", "1e999999", "{\"a\":1e999999}", "{\"a\":NaN}", "\u{FEFF}{}", "null", "[]", "\"x\"", "{}{}", "{\"a\":\"\\ud800\"}"]).utf8)
            damage.append("body \(Hostile.show(String(decoding: body, as: UTF8.self)))")
            intact = false
            wellFormed = false
        case 3:
            body = [0xFF, 0xFE, 0x00, 0xC3, 0x28] + body
            damage.append("invalid UTF-8 before the JSON")
            intact = false
            wellFormed = false
        case 4:
            // Oversize: a huge string inside the well-formed document.
            let size = 1_100_000
            body = replaceStrings(value, with: String(repeating: "o", count: size)).serializedBytes()
            damage.append("strings of \(size) bytes")
            intact = false
        default:
            break
        }
        return ProviderAnswer(status: status, headers: headers, body: body, damage: damage, intact: intact && status == 200, wellFormed: wellFormed)
    }

    /// `value` with one of its leaves (or containers) replaced.
    static func replace(_ value: JSONValue, _ r: inout FuzzRandom, with replacement: JSONValue) -> JSONValue {
        switch value {
        case .object(var object) where !object.isEmpty && !r.oneIn(4):
            let key = r.pick(object.keys.sorted())
            object[key] = replace(object[key]!, &r, with: replacement)
            return .object(object)
        case .array(var items) where !items.isEmpty && !r.oneIn(4):
            let index = r.int(0...(items.count - 1))
            items[index] = replace(items[index], &r, with: replacement)
            return .array(items)
        default:
            return replacement
        }
    }

    static func remove(_ value: JSONValue, _ r: inout FuzzRandom) -> JSONValue {
        guard case .object(var object) = value, !object.isEmpty else { return value }
        let key = r.pick(object.keys.sorted())
        if r.bool(), let inner = object[key], case .object = inner {
            object[key] = remove(inner, &r)
        } else {
            object[key] = nil
        }
        return .object(object)
    }

    static func replaceStrings(_ value: JSONValue, with text: String) -> JSONValue {
        switch value {
        case .string: .string(text)
        case .object(let object): .object(object.mapValues { replaceStrings($0, with: text) })
        case .array(let items): .array(items.map { replaceStrings($0, with: text) })
        default: value
        }
    }
}

/// Serves generated answers to the real AWS provider through its transport seam.
final class ScriptedAWSTransport: AWSTransport, @unchecked Sendable {
    private let answer = NIOLockedValueBox<ProviderAnswer?>(nil)
    let requests = NIOLockedValueBox(0)

    func serve(_ next: ProviderAnswer) { answer.withLockedValue { $0 = next } }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        requests.withLockedValue { $0 += 1 }
        guard let answer = answer.withLockedValue({ $0 }) else { throw CancellationError() }
        return AWSHTTPResponse(status: answer.status, headers: answer.headers, body: answer.body)
    }
}

/// Credentials a store refers to, held in memory.
struct FuzzCredentials: CredentialResolver {
    func credential(name: String, key: String, namespace: String?) async throws -> SecretValue {
        SecretValue(utf8: "fuzz-\(name)-\(key)")
    }
}

@Suite("Hostile input: generated provider answers")
struct HostileProviderResponseTests {
    static let awsStore = StoreIdentity.secretStore(namespace: "fuzz", name: "aws")
    static let vaultStore = StoreIdentity.secretStore(namespace: "fuzz", name: "vault")

    /// What is wrong with the outcome of reading `key` from a store given `answer`.
    static func violations(
        _ outcome: Result<RemoteSecret, ProviderError>, key: String, store: StoreIdentity, answer: ProviderAnswer
    ) -> [String] {
        switch outcome {
        case .success:
            // A value comes only out of a JSON document (truncated or garbled bodies give none).
            return answer.wellFormed ? [] : ["a body that is not a JSON document gave a value"]
        case .failure(let error):
            let message = SyncFailure.provider(error, store: store).message
            var problems: [String] = []
            if !message.contains(store.description) { problems.append("the failure does not name the store: \(Hostile.show(message))") }
            if error.key == nil || (!key.isEmpty && !message.contains(key)) {
                problems.append("the failure does not name the key: \(Hostile.show(message))")
            }
            if message.contains("fuzzcanary") { problems.append("the failure quotes the answer's content") }
            return problems
        }
    }

    @Test("AWS: 1,500 generated Secrets Manager answers through the real provider: no trap, every failure names store and key")
    func awsAnswers() async throws {
        let seed = FuzzRandom.runSeed(default: 0xA5_13)
        let cases = FuzzRandom.caseCount(1_500)
        print("hostile AWS answers: seed \(seed), \(cases) cases")
        let transport = ScriptedAWSTransport()
        var options = AWSProviderOptions()
        options.transport = transport
        options.callPolicy = AWSCallPolicy(maxAttempts: 2, baseBackoff: .milliseconds(1), maxBackoff: .milliseconds(1))
        options.batchWindow = .milliseconds(1)
        options.requestsPerSecond = 1_000_000
        options.burst = 1_000_000
        let factory = AWSProviderFactory(options: options, environment: { [:] })
        let spec = AWSStoreConfig(
            region: "us-east-1", endpoint: "https://127.0.0.1:9",
            auth: AWSAuth(secretRef: AWSSecretRefAuth(
                accessKeyIDSecretRef: SecretKeySelector(name: "aws", key: "id"), secretAccessKeySecretRef: SecretKeySelector(name: "aws", key: "secret"))))
        let provider = try factory.makeAWSProvider(
            ProviderContext(storeName: Self.awsStore.description, config: try JSONValue(encoding: spec), secrets: FuzzCredentials()))
        var failures: [String] = []
        var values = 0
        for index in 0..<cases {
            // Let the other suites' tasks run: the cooperative pool has one thread per core.
            if index % 16 == 0 { await Task.yield() }
            var r = FuzzRandom(seed: FuzzRandom.caseSeed(run: seed, index: index))
            let key = r.pick(["app/db", "prod/api-key", "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf", Hostile.string(&r, allowHuge: false)])
            let operation = r.int(0...3)
            let shape: JSONValue = switch operation {
            case 0: ["Name": .string(key), "ARN": "arn:x", "SecretString": "fuzzcanary-value", "VersionId": "v1"]
            case 1: ["SecretValues": [["Name": .string(key), "ARN": "arn:x", "SecretString": "fuzzcanary-value", "VersionId": "v1"]], "Errors": []]
            case 2: ["SecretList": [["Name": .string(key), "Tags": [["Key": "team", "Value": "a"]]]], "NextToken": .null]
            default: ["SecretList": []]
            }
            let answer = ProviderAnswer.make(&r, shape: shape)
            if FuzzRandom.tracing { print("AWS case \(index): operation \(operation), key \(Hostile.show(key)), \(answer)") }
            transport.serve(answer)
            var problems: [String] = []
            switch operation {
            case 0, 1:
                let id = RemoteSecretID(key: key, version: operation == 0 ? "v1" : nil)
                let results = try await provider.read([id])
                guard let outcome = results[id] else {
                    problems.append("no result for the key asked")
                    break
                }
                if case .success = outcome { values += 1 }
                problems += Self.violations(outcome, key: key, store: Self.awsStore, answer: answer)
            case 2:
                do {
                    _ = try await provider.find(FindQuery(path: "app/", nameRegexp: ".*"))
                } catch let error as ProviderError {
                    let message = SyncFailure.provider(error, store: Self.awsStore).message
                    if !message.contains(Self.awsStore.description) { problems.append("a find failure does not name the store") }
                }
            default:
                do {
                    try await provider.validate()
                } catch let error as ProviderError {
                    let message = SyncFailure.provider(error, store: Self.awsStore).message
                    if !message.contains(Self.awsStore.description) { problems.append("a validation failure does not name the store") }
                }
            }
            if !problems.isEmpty, failures.count < 8 { failures.append("run seed \(seed) case \(index): \(answer): \(problems)") }
        }
        print("hostile AWS answers: \(values) values read")
        #expect(cases >= 1_500)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(values > cases / 20, "well-formed answers still give values")
    }

    @Test("Vault: 3,000 generated answers through the response parsers: no trap, every failure names store and key")
    func vaultAnswersParsed() throws {
        let seed = FuzzRandom.runSeed(default: 0x7A_13)
        let cases = FuzzRandom.caseCount(3_000)
        print("hostile Vault answers (parsers): seed \(seed), \(cases) cases")
        let store = Self.vaultStore.description
        var failures: [String] = []
        var values = 0
        for index in 0..<cases {
            var r = FuzzRandom(seed: FuzzRandom.caseSeed(run: seed, index: index))
            let key = r.pick(["app/db", "team/api", Hostile.string(&r, allowHuge: false)])
            let kv = r.pick([1, 2])
            let operation = r.int(0...4)
            let shape: JSONValue = switch operation {
            case 0: kv == 2 ? ["data": ["data": ["password": "fuzzcanary-value"], "metadata": ["version": 3]]] : ["data": ["password": "fuzzcanary-value"]]
            case 1: ["auth": ["client_token": "fuzzcanary-token", "lease_duration": 3600, "renewable": true]]
            case 2: ["data": ["keys": ["a", "b/", .string(Hostile.string(&r, allowHuge: false))]]]
            case 3: ["data": ["ttl": 3600, "renewable": true]]
            default: ["root": false, "exact_paths": ["secret/data/": ["capabilities": ["read"]]], "glob_paths": ["secret/": ["capabilities": ["list"]]]]
            }
            let answer = ProviderAnswer.make(&r, shape: shape)
            if FuzzRandom.tracing { print("Vault case \(index): operation \(operation), \(answer)") }
            var problems: [String] = []
            let id = RemoteSecretID(key: key)
            // Non-success statuses go through the error mapping, as the provider does.
            if answer.status != 200 {
                let error = VaultResponses.error(
                    VaultHTTPResponse(status: answer.status, retryAfter: answer.retryAfter, body: answer.body), store: store, key: key, operation: "read")
                problems += Self.violations(.failure(error), key: key, store: Self.vaultStore, answer: answer)
            } else {
                switch operation {
                case 0:
                    let outcome = Result { () throws(ProviderError) in try VaultResponses.secret(answer.body, kvVersion: kv, store: store, id: id) }
                    if case .success(let secret) = outcome {
                        values += 1
                        _ = try? secret.extract(for: RemoteSecretID(key: key))
                    }
                    problems += Self.violations(outcome, key: key, store: Self.vaultStore, answer: answer)
                case 1:
                    if let grant = try? VaultResponses.authGrant(answer.body, store: store, operation: "login") {
                        _ = Duration.seconds(grant.leaseDuration)
                    }
                case 2:
                    _ = try? VaultResponses.keys(answer.body, store: store)
                case 3:
                    _ = VaultResponses.lookup(answer.body)
                default:
                    _ = VaultResponses.resultantACL(answer.body)?.grantsRead(under: "secret/data/")
                    _ = VaultResponses.capabilities(answer.body, path: "secret/data/")
                }
            }
            _ = VaultResponses.retryAfter(answer.retryAfter)
            if !problems.isEmpty, failures.count < 8 { failures.append("run seed \(seed) case \(index): \(answer): \(problems)") }
        }
        #expect(cases >= 3_000)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(values > cases / 40)
    }

    @Test("Vault numbers beyond Int (ttl, lease_duration of ±1e300) are clamped to 0…10 years instead of trapping")
    func vaultExtremeNumbers() throws {
        for number in ["1e300", "-1e300", "9.3e18", "1e19"] {
            let ttl = VaultResponses.lookup(Array(#"{"data":{"ttl":\#(number),"renewable":true}}"#.utf8))?.ttl
            #expect(ttl.map { (0...315_360_000).contains($0) } == true)
            let grant = try VaultResponses.authGrant(
                Array(#"{"auth":{"client_token":"t","lease_duration":\#(number)}}"#.utf8), store: Self.vaultStore.description, operation: "login")
            #expect((0...315_360_000).contains(grant.leaseDuration))
        }
        #expect(VaultResponses.lookup(Array(#"{"data":{"ttl":3600.0}}"#.utf8))?.ttl == 3600)
    }

    @Test("Vault: 60 generated answers from a loopback server through the real provider: no trap, failures name store and key")
    func vaultAnswersOverTheWire() async throws {
        let seed = FuzzRandom.runSeed(default: 0x7B_13)
        let cases = 60
        let certificates = try ServingCertificates.generate()
        let current = NIOLockedValueBox<ProviderAnswer?>(nil)
        let server = try await HTTPServer(
            host: "127.0.0.1", port: 0, tls: try certificates.makeServerContext(), group: MultiThreadedEventLoopGroup.singleton,
            logger: .init(label: "fuzz-vault", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { _ in
            guard let answer = current.withLockedValue({ $0 }) else { return .bytes([], status: .serviceUnavailable, contentType: "application/json") }
            let headers = answer.headers.filter { $0.value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }.map { ($0.name, $0.value) }
            return HTTPServerResponse(status: .init(statusCode: answer.status), headers: headers, body: .bytes(answer.body))
        }
        var failures: [String] = []
        do {
            for index in 0..<cases {
                var r = FuzzRandom(seed: FuzzRandom.caseSeed(run: seed, index: index))
                let kv = r.pick([1, 2])
                let key = r.pick(["app/db", "team/api", Hostile.string(&r, allowHuge: false)])
                let shape: JSONValue = kv == 2
                    ? ["data": ["data": ["password": "fuzzcanary-value"], "metadata": ["version": 3]]] : ["data": ["password": "fuzzcanary-value"]]
                let answer = ProviderAnswer.make(&r, shape: shape)
                if FuzzRandom.tracing { print("Vault wire case \(index): kv \(kv), \(answer)") }
                current.withLockedValue { $0 = answer }
                // A new provider per case: its token (the tokenSecretRef) is used as is, no login.
                let spec = VaultStoreConfig(
                    server: "https://127.0.0.1:\(server.port)", version: kv == 2 ? .v2 : .v1,
                    caBundle: Data(certificates.caCertificatePEM.utf8).base64EncodedString(),
                    auth: VaultAuth(tokenSecretRef: SecretKeySelector(name: "vault", key: "token")))
                let provider = try VaultProviderFactory().makeVaultProvider(
                    ProviderContext(storeName: Self.vaultStore.description, config: try JSONValue(encoding: spec), secrets: FuzzCredentials()))
                let id = RemoteSecretID(key: key)
                var problems: [String] = []
                do {
                    let results = try await provider.read([id])
                    if let outcome = results[id] {
                        problems += Self.violations(outcome, key: key, store: Self.vaultStore, answer: answer)
                    } else {
                        problems.append("no result for the key asked")
                    }
                } catch let error as ProviderError {
                    // A failure of the store as a whole (its token lookup): it names the store.
                    let message = SyncFailure.provider(error, store: Self.vaultStore).message
                    if !message.contains(Self.vaultStore.description) { problems.append("a store failure does not name the store") }
                    if message.contains("fuzzcanary") { problems.append("the failure quotes the answer's content") }
                }
                if !problems.isEmpty, failures.count < 8 { failures.append("run seed \(seed) case \(index): \(answer): \(problems)") }
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
