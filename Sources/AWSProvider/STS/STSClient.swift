import Foundation
import SecretProviders

/// What an `AssumeRole` carries besides the role: the external ID the role's trust policy
/// may demand, and session tags (some transitive). Empty for the roles of a chain before the
/// last.
struct AssumeRoleParameters: Sendable, Hashable {
    var externalID: String?
    var sessionTags: [AWSSessionTag] = []
    var transitiveTagKeys: [String] = []

    /// The query parameters, in the order STS documents them (lists as `.member.N`, from 1).
    var formPairs: [(String, String)] {
        var pairs: [(String, String)] = []
        for (index, tag) in sessionTags.enumerated() {
            pairs.append(("Tags.member.\(index + 1).Key", tag.key))
            pairs.append(("Tags.member.\(index + 1).Value", tag.value))
        }
        for (index, key) in transitiveTagKeys.enumerated() {
            pairs.append(("TransitiveTagKeys.member.\(index + 1)", key))
        }
        if let externalID { pairs.append(("ExternalId", externalID)) }
        return pairs
    }
}

/// The two STS calls a store needs (query protocol, XML answers).
struct STSClient: Sendable {
    var client: AWSServiceClient

    /// `AssumeRole` signed with `credentials`, with `parameters` (external ID, session tags).
    func assumeRole(
        roleARN: String, sessionName: String, credentials: any AWSCredentialSource, parameters: AssumeRoleParameters = AssumeRoleParameters()
    ) async throws -> AWSCredentials {
        let body = STSWire.form(
            [
                ("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleARN), ("RoleSessionName", sessionName),
                ("DurationSeconds", "3600"),
            ] + parameters.formPairs)
        let response = try await client.post(operation: "AssumeRole", headers: STSWire.headers, body: body, credentials: credentials)
        return try STSWire.parseCredentials(response.body, operation: "AssumeRole", role: roleARN)
    }

    /// `AssumeRoleWithWebIdentity`: unsigned, the token is the proof.
    func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, token: SecretValue) async throws -> AWSCredentials {
        let body = STSWire.form([
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName), ("DurationSeconds", "3600"), ("WebIdentityToken", token.revealedString() ?? ""),
        ])
        let response = try await client.post(operation: "AssumeRoleWithWebIdentity", headers: STSWire.headers, body: body, credentials: nil)
        return try STSWire.parseCredentials(response.body, operation: "AssumeRoleWithWebIdentity", role: roleARN)
    }
}

/// Request bodies and answers of STS; pure.
enum STSWire {
    static let headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]

    /// `application/x-www-form-urlencoded` with AWS's encoding (unreserved characters kept).
    static func form(_ pairs: [(String, String)]) -> [UInt8] {
        Array(pairs.map { "\(SigV4Signer.uriEncode($0.0, keepSlash: false))=\(SigV4Signer.uriEncode($0.1, keepSlash: false))" }
            .joined(separator: "&").utf8)
    }

    /// The `<Credentials>` of an AssumeRole* answer.
    static func parseCredentials(_ body: [UInt8], operation: String, role: String) throws -> AWSCredentials {
        guard let text = String(validating: body, as: UTF8.self) else {
            throw ProviderError.invalidResponse(detail: "STS \(operation) for \(role): the answer is not text")
        }
        guard let section = text.range(of: "<Credentials>"), let end = text.range(of: "</Credentials>", range: section.upperBound..<text.endIndex) else {
            throw ProviderError.invalidResponse(detail: "STS \(operation) for \(role): no credentials in the answer")
        }
        let inner = String(text[section.upperBound..<end.lowerBound])
        guard let id = XMLText.first("AccessKeyId", in: inner), let secret = XMLText.first("SecretAccessKey", in: inner) else {
            throw ProviderError.invalidResponse(detail: "STS \(operation) for \(role): incomplete credentials in the answer")
        }
        let token = XMLText.first("SessionToken", in: inner)
        let expiration = XMLText.first("Expiration", in: inner).flatMap(parseTimestamp)
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    /// ISO 8601 with or without fractional seconds.
    static func parseTimestamp(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
