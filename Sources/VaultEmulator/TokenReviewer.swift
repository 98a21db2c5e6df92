import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import JSONCore

/// Asks a Kubernetes API server whether a service-account JWT is valid, with the
/// `authentication.k8s.io/v1` TokenReview API — what Vault's kubernetes auth does with
/// `kubernetes_host`, `kubernetes_ca_cert` and `token_reviewer_jwt`.
final class TokenReviewer: Sendable {
    struct Review: Sendable {
        var authenticated: Bool
        var namespace: String?
        var serviceAccountName: String?
        var serviceAccountUID: String?
        var error: String?
    }

    struct Failure: Error { var message: String }

    /// One client per CA bundle (clients hold TLS configuration); shut down with the emulator.
    private let clients = NIOLockedValueBox<[String: HTTPClient]>([:])

    func review(host: String, caCertificatePEM: String?, reviewerJWT: String?, jwt: String, audiences: [String]) async throws(Failure) -> Review {
        let client: HTTPClient
        do {
            client = try self.client(for: caCertificatePEM ?? "")
        } catch {
            throw Failure(message: "invalid kubernetes_ca_cert")
        }
        var spec: JSONObject = ["token": .string(jwt)]
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map(JSONValue.string)) }
        let body: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": .object(spec)]
        let base = host.hasSuffix("/") ? String(host.dropLast()) : host
        var request = HTTPClientRequest(url: base + "/apis/authentication.k8s.io/v1/tokenreviews")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        // As Vault: the reviewer JWT when configured, otherwise the client's own JWT.
        request.headers.add(name: "Authorization", value: "Bearer \(reviewerJWT ?? jwt)")
        request.body = .bytes(ByteBuffer(bytes: body.serializedBytes()))
        let answer: JSONValue
        let status: UInt
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            status = response.status.code
            let bytes = try await response.body.collect(upTo: 1 << 20)
            answer = (try? JSONValue(parsing: Array(bytes.readableBytesView))) ?? .null
        } catch {
            throw Failure(message: "lookup failed: \(type(of: error))")
        }
        guard (200..<300).contains(status) else {
            throw Failure(message: "lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token (status \(status))")
        }
        let reviewStatus = answer["status"]
        let authenticated = reviewStatus?["authenticated"]?.boolValue ?? false
        var review = Review(authenticated: authenticated, error: reviewStatus?["error"]?.stringValue)
        if authenticated, let username = reviewStatus?[path: ["user", "username"]]?.stringValue {
            let parts = username.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" {
                review.namespace = String(parts[2])
                review.serviceAccountName = String(parts[3])
            }
            review.serviceAccountUID = reviewStatus?[path: ["user", "uid"]]?.stringValue
        }
        return review
    }

    private func client(for caPEM: String) throws -> HTTPClient {
        if let existing = clients.withLockedValue({ $0[caPEM] }) { return existing }
        var tls = TLSConfiguration.makeClientConfiguration()
        if !caPEM.isEmpty {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        }
        let made = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: .init(tlsConfiguration: tls))
        let (kept, extra) = clients.withLockedValue { clients -> (HTTPClient, HTTPClient?) in
            if let existing = clients[caPEM] { return (existing, made) }
            clients[caPEM] = made
            return (made, nil)
        }
        if let extra { Task { try? await extra.shutdown() } }
        return kept
    }

    func shutdown() async {
        let all = clients.withLockedValue { clients -> [HTTPClient] in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }
}
