import Foundation
import JSONCore
import SecretProviders
import Testing

@testable import AWSProvider

/// Parameter Store requests and answers (pure), the error codes of its API, and a hostile
/// endpoint that pages without end or sends more than it may.
struct ParameterStoreWireTests {
    static func object(_ body: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    @Test("ParameterStore wire: JSON 1.1 target AmazonSSM.<op>, selectors name:VERSION / name:LABEL, decrypted reads")
    func requests() throws {
        #expect(ParameterStoreWire.headers("GetParameters").map(\.value) == ["application/x-amz-json-1.1", "AmazonSSM.GetParameters"])
        #expect(ParameterStoreWire.selector(key: "/app/db", version: nil) == "/app/db")
        #expect(ParameterStoreWire.selector(key: "/app/db", version: "") == "/app/db")
        #expect(ParameterStoreWire.selector(key: "/app/db", version: "3") == "/app/db:3")
        #expect(ParameterStoreWire.selector(key: "/app/db", version: "prod") == "/app/db:prod")
        let get = Self.object(ParameterStoreWire.getParameter("/app/db:3"))
        #expect(get["Name"] as? String == "/app/db:3" && get["WithDecryption"] as? Bool == true)
        let batch = Self.object(ParameterStoreWire.getParameters(["/a", "/b"]))
        #expect(batch["Names"] as? [String] == ["/a", "/b"] && batch["WithDecryption"] as? Bool == true)
        let page = Self.object(ParameterStoreWire.getParametersByPath(path: "/team", pageSize: 100, nextToken: "t1"))
        #expect(page["Path"] as? String == "/team" && page["Recursive"] as? Bool == true && page["WithDecryption"] as? Bool == true)
        #expect(page["MaxResults"] as? Int == 10 && page["NextToken"] as? String == "t1")
        let put = Self.object(try ParameterStoreWire.putParameter(name: "/app/db", value: SecretValue(utf8: "{}"), overwrite: true))
        #expect(put["Type"] as? String == "SecureString" && put["Overwrite"] as? Bool == true && put["Value"] as? String == "{}")
    }

    @Test("ParameterStore wire: find path prefix → the hierarchy listed (up to the last /, else /)")
    func hierarchy() {
        #expect(ParameterStoreWire.hierarchy(forPrefix: nil) == "/")
        #expect(ParameterStoreWire.hierarchy(forPrefix: "/team-a/api-") == "/team-a")
        #expect(ParameterStoreWire.hierarchy(forPrefix: "/team-a/") == "/team-a")
        #expect(ParameterStoreWire.hierarchy(forPrefix: "/team") == "/")
        #expect(ParameterStoreWire.hierarchy(forPrefix: "team/a") == "/")
    }

    @Test("ParameterStore wire: GetParameters answers keep only asked names; InvalidParameters are not found; versions as text")
    func parseBatch() throws {
        let body = Array(#"""
            {"Parameters":[{"Name":"/a","Type":"SecureString","Value":"alpha-s3cr3t","Version":4},
            {"Name":"/intruder","Value":"x","Version":1},{"Name":"/c","Type":"String","Version":1}],
            "InvalidParameters":["/b","/not-asked"]}
            """#.utf8)
        let results = try ParameterStoreWire.parseParameters(body, names: ["/a", "/b", "/c", "/d"])
        #expect(results.keys.sorted() == ["/a", "/b", "/c"])
        #expect(try results["/a"]?.get() == RemoteSecret(value: SecretValue(utf8: "alpha-s3cr3t"), version: "4"))
        var missing: ProviderError?
        if case .failure(let error)? = results["/b"] { missing = error }
        #expect(missing?.class == .notFound && missing?.key == "/b")
        var noValue: ProviderError?
        if case .failure(let error)? = results["/c"] { noValue = error }
        #expect(noValue?.class == .invalidResponse)
        #expect(throws: ProviderError.self) { try ParameterStoreWire.parseParameters(Array("[]".utf8), names: ["/a"]) }
        #expect(try ParameterStoreWire.parsePut(Array(#"{"Version":7,"Tier":"Standard"}"#.utf8), key: "/a") == "7")
        #expect(throws: ProviderError.self) { try ParameterStoreWire.parsePut(Array(#"{"Version":1e300}"#.utf8), key: "/a") }
    }

    @Test("ParameterStore wire: its error codes map to classes, naming the code and never the message")
    func errorCodes() {
        let cases: [(String, ProviderError.Class)] = [
            ("ParameterNotFound", .notFound), ("ParameterVersionNotFound", .notFound), ("ThrottlingException", .throttled),
            ("AccessDeniedException", .permissionDenied), ("InvalidKeyId", .permissionDenied), ("ParameterAlreadyExists", .conflict),
            ("InternalServerError", .transient), ("TooManyUpdates", .throttled), ("InvalidNextToken", .invalidRequest),
        ]
        for (code, expected) in cases {
            let response = AWSHTTPResponse(status: 400, body: Array(#"{"__type":"\#(code)","message":"value leaked-s3cr3t"}"#.utf8))
            let error = AWSErrorMapping.providerError(response, key: "/k")
            #expect(error.class == expected, "\(code)")
            #expect(!"\(error)".contains("leaked-s3cr3t"))
        }
    }

    /// A `GetParametersByPath` endpoint that always has a next page.
    final class EndlessPages: AWSTransport, @unchecked Sendable {
        // @unchecked Sendable: `count` is only touched under `lock`.
        private let lock = NSLock()
        private var count = 0
        let perPage: Int
        init(perPage: Int) { self.perPage = perPage }

        func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
            let page = lock.withLock { () -> Int in
                count += 1
                return count
            }
            let parameters = (0..<perPage).map { #"{"Name":"/p/\#(page)-\#($0)","Value":"hostile-s3cr3t","Version":1}"# }
            return AWSHTTPResponse(status: 200, body: Array(#"{"Parameters":[\#(parameters.joined(separator: ","))],"NextToken":"again"}"#.utf8))
        }

        var requests: Int { lock.withLock { count } }
    }

    static func provider(_ transport: any AWSTransport) throws -> AWSParameterStoreProvider {
        var options = AWSProviderOptions()
        options.transport = transport
        options.maxParameterPages = 5
        options.requestsPerSecond = 10_000
        options.burst = 10_000
        let context = ProviderContext(
            storeName: "SecretStore/t/ssm", config: .object(["region": .string("eu-west-1"), "service": .string("ParameterStore")]),
            ambientIdentity: .cloudIdentity)
        let environment = ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"]
        return try AWSProviderFactory(options: options, environment: { environment }).makeParameterStoreProvider(context)
    }

    @Test("ParameterStore hostile endpoint: endless NextToken stops at maxParameterPages; an oversized page is refused; no value in errors")
    func hostilePaging() async throws {
        let endless = EndlessPages(perPage: 10)
        var error: ProviderError?
        do { _ = try await Self.provider(endless).find(FindQuery(path: "/p/")) } catch let caught as ProviderError { error = caught }
        #expect(error?.class == .invalidResponse)
        #expect(endless.requests == 5)
        #expect(error.map { "\($0)" }?.contains("hostile-s3cr3t") == false)

        let crowded = EndlessPages(perPage: 500)
        var crowdedError: ProviderError?
        do { _ = try await Self.provider(crowded).find(FindQuery()) } catch let caught as ProviderError { crowdedError = caught }
        #expect(crowdedError?.class == .invalidResponse)
        #expect(crowded.requests == 1)
    }

    /// Answers `GetParameters` over the batch cap and each `GetParameter` with a small value,
    /// but one name's value over the single-value cap.
    final class OversizeBatch: AWSTransport, @unchecked Sendable {
        // @unchecked Sendable: `seen` is only touched under `lock`.
        private let lock = NSLock()
        private var seen: [String] = []

        func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
            let target = request.headers.first { $0.name == "X-Amz-Target" }?.value ?? "?"
            lock.withLock { seen.append(target) }
            let name = (ParameterStoreWireTests.object(request.body)["Name"] as? String) ?? ""
            let size = target == "AmazonSSM.GetParameters" || name == "/big" ? request.maximumResponseBytes + 1 : 0
            if size > 0 { throw ResponseTooLarge(limit: request.maximumResponseBytes) }
            return AWSHTTPResponse(status: 200, body: Array(#"{"Parameter":{"Name":"\#(name)","Value":"small-s3cr3t","Version":2}}"#.utf8))
        }

        var operations: [String] { lock.withLock { seen } }
    }

    @Test("ParameterStore hostile endpoint: a GetParameters answer over its cap is read again name by name; the oversized one is named, not parsed")
    func oversizeBatchFallsBack() async throws {
        let transport = OversizeBatch()
        let provider = try Self.provider(transport)
        let ids = [RemoteSecretID(key: "/small"), RemoteSecretID(key: "/big")]
        let results = try await provider.read(ids)
        #expect(try results[ids[0]]?.get().value == SecretValue(utf8: "small-s3cr3t"))
        var big: ProviderError?
        if case .failure(let error)? = results[ids[1]] { big = error }
        #expect(big?.isAnswerTooLarge == true && big?.key == "/big")
        #expect(transport.operations.filter { $0 == "AmazonSSM.GetParameters" }.count == 1)
        #expect(transport.operations.filter { $0 == "AmazonSSM.GetParameter" }.count == 2)
    }

    @Test("ParameterStore: the factory picks the provider by service; tags in find are refused; an unknown service is refused")
    func factory() throws {
        let context = ProviderContext(
            storeName: "SecretStore/t/ssm", config: .object(["region": .string("eu-west-1"), "service": .string("ParameterStore")]),
            ambientIdentity: .cloudIdentity)
        let environment = ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"]
        let factory = AWSProviderFactory(environment: { environment })
        let provider = try factory.makeProvider(context)
        #expect(provider is AWSParameterStoreProvider)
        #expect(provider.capabilities.maxBatchSize == 10 && provider.capabilities.supportsFind && !provider.capabilities.supportsTags)
        let typed = try factory.makeParameterStoreProvider(context)
        #expect(typed.client.endpoint.host == "ssm.eu-west-1.amazonaws.com")
        #expect(typed.client.signer.service == "ssm")
        var unknown = context
        unknown.config = .object(["region": .string("eu-west-1"), "service": .string("AppConfig")])
        #expect(throws: ProviderError.self) { try factory.makeProvider(unknown) }
    }
}
