import AsyncHTTPClient
import Foundation
import NIOCore
import SecretProviders

/// The container credentials endpoint: EKS Pod Identity (`AWS_CONTAINER_CREDENTIALS_FULL_URI`
/// with the agent's token in `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`), and ECS task roles
/// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`). Part of the operator pod's own identity, so
/// reached only through ``EnvironmentCredentialSource``: a store without `auth` that the
/// operator granted the pod's cloud identity.
///
/// Follows the AWS SDKs' rules: the relative URI goes to the ECS address `169.254.170.2`; a
/// full URI over `http://` must name a loopback address or the EKS Pod Identity agent
/// (`169.254.170.23`, `[fd00:ec2::23]`), so the token never crosses the network in cleartext
/// to anything else; the token file wins over `AWS_CONTAINER_AUTHORIZATION_TOKEN` and is read
/// afresh on every fetch (the kubelet rotates it); a token holding a line break is refused
/// (it would inject headers). Redirects are not followed, answers are bounded and the
/// timeouts short. Errors name the variables and the host, never the token or the keys.
struct ContainerCredentialSource: AWSCredentialSource, CustomStringConvertible, CustomReflectable {
    /// Where the authorization token comes from.
    enum Token: Sendable {
        /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`: read on every fetch.
        case file(String)
        /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
        case value(SecretValue)
        /// Neither (ECS without a token).
        case none
    }

    /// The largest answer read: an answer is about 1.5 KiB; more is refused unread.
    static let maximumAnswerBytes = 16 << 10
    /// The largest token file read.
    static let maximumTokenBytes = 16 << 10
    /// Attempts per fetch when the endpoint gives no answer or a 5xx / 429.
    static let attempts = 3
    /// ECS's endpoint, the host of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
    static let ecsHost = "169.254.170.2"
    /// Hosts an `http://` full URI may name besides loopback: ECS and EKS Pod Identity.
    static let linkLocalHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "fd00:ec2:0:0:0:0:0:23"]

    var url: String
    var token: Token
    var transport: any AWSTransport
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    var description: String { "ContainerCredentialSource(\(url))" }
    var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }

    /// The endpoint the environment names, or `nil` when it names none; a full URI that the
    /// SDK rules refuse is an error naming the variable.
    static func fromEnvironment(_ environment: [String: String], transport: any AWSTransport) throws(ProviderError) -> ContainerCredentialSource? {
        let token: Token
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            token = .file(file)
        } else if let value = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !value.isEmpty {
            token = .value(SecretValue(utf8: value))
        } else {
            token = .none
        }
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            let path = relative.hasPrefix("/") ? relative : "/" + relative
            return ContainerCredentialSource(url: "http://\(ecsHost)\(path)", token: token, transport: transport)
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty else { return nil }
        guard let components = URLComponents(string: full), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw ProviderError.invalidRequest(detail: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL")
        }
        if scheme == "http", !isAllowedCleartextHost(host) {
            throw ProviderError.permissionDenied(
                detail: "AWS_CONTAINER_CREDENTIALS_FULL_URI names host \(host) over http://: only loopback, the EKS Pod Identity agent (169.254.170.23, fd00:ec2::23) or ECS (169.254.170.2) may be reached without TLS")
        }
        return ContainerCredentialSource(url: full, token: token, transport: transport)
    }

    /// Loopback (`127.0.0.0/8`, `::1`, `localhost`) or a link-local address of ECS / EKS Pod
    /// Identity, written plainly (an address in another notation is refused, not guessed at).
    static func isAllowedCleartextHost(_ host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" || linkLocalHosts.contains(host) { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4,
            octets.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 })
        else { return false }
        return octets[0] == "127"
    }

    func credentials() async throws -> AWSCredentials {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let authorization = try readToken() { headers.append(("Authorization", authorization)) }
        let request = AWSHTTPRequest(method: "GET", url: url, headers: headers, body: [], maximumResponseBytes: Self.maximumAnswerBytes)
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let failure: ProviderError
            do {
                let response = try await transport.send(request)
                if response.status == 200 { return try Self.parse(response.body) }
                failure = Self.statusError(response.status)
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as ResponseTooLarge {
                throw ProviderError.invalidResponse(
                    detail: "container credentials endpoint: the answer is larger than \(error.limit) bytes")
            } catch let error as ProviderError {
                throw error
            } catch {
                // No answer: only the type is named (the request carries the token).
                failure = .transient(detail: "container credentials endpoint: no answer (\(type(of: error)))")
            }
            guard failure.isRetryable, attempt < Self.attempts else { throw failure }
            try await sleep(.milliseconds(100 << attempt))
        }
    }

    /// The `Authorization` header's value, read now (a rotated file is seen at once).
    private func readToken() throws(ProviderError) -> String? {
        let text: String
        switch token {
        case .none:
            return nil
        case .value(let value):
            text = value.revealedString() ?? ""
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ProviderError.invalidRequest(detail: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path)")
            }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: Self.maximumTokenBytes + 1)) ?? Data()
            guard data.count <= Self.maximumTokenBytes else {
                throw ProviderError.invalidRequest(
                    detail: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path) is larger than \(Self.maximumTokenBytes) bytes")
            }
            text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !text.isEmpty else { throw ProviderError.invalidRequest(detail: "the container authorization token is empty") }
        guard !text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            throw ProviderError.invalidRequest(detail: "the container authorization token holds a line break")
        }
        return text
    }

    /// An HTTP status other than 200: its number only (the body may echo the request).
    static func statusError(_ status: Int) -> ProviderError {
        let detail = "container credentials endpoint answered HTTP \(status)"
        switch status {
        case 429, 500...599: return .transient(detail: detail)
        case 401, 403: return .permissionDenied(detail: detail)
        default: return .invalidResponse(detail: detail)
        }
    }

    /// The answer: `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`.
    static func parse(_ body: [UInt8]) throws(ProviderError) -> AWSCredentials {
        struct Answer: Decodable {
            var AccessKeyId: String?
            var SecretAccessKey: String?
            var Token: String?
            var Expiration: String?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)) else {
            throw ProviderError.invalidResponse(detail: "container credentials endpoint: the answer is not the expected JSON object")
        }
        guard let id = answer.AccessKeyId, !id.isEmpty, let secret = answer.SecretAccessKey, !secret.isEmpty else {
            throw ProviderError.invalidResponse(detail: "container credentials endpoint: the answer lacks AccessKeyId or SecretAccessKey")
        }
        var expiration: Date?
        if let text = answer.Expiration, !text.isEmpty {
            guard let date = STSWire.parseTimestamp(text) else {
                throw ProviderError.invalidResponse(detail: "container credentials endpoint: Expiration is not an ISO 8601 time")
            }
            expiration = date
        }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: answer.Token.flatMap { $0.isEmpty ? nil : $0 }, expiration: expiration)
    }

    /// A client of its own: redirects never followed (one would carry the token elsewhere),
    /// short timeouts (the agent is on the node).
    static let httpClient = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(2), read: .seconds(5))))

    /// The default transport: ``httpClient``, 5 s per request, answers bounded.
    static var defaultTransport: any AWSTransport {
        AsyncHTTPClientTransport(client: httpClient, timeout: .seconds(5), maximumBodySize: maximumAnswerBytes)
    }
}
