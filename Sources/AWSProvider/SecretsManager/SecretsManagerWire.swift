import Crypto
import Foundation
import SecretProviders

/// Request bodies and answers of the Secrets Manager JSON 1.1 API; pure, no I/O.
///
/// Answers can hold secret values: nothing parsed here is ever put into an error message
/// except names, version ids and AWS error codes.
enum SecretsManagerWire {
    /// `X-Amz-Target` and content type of an operation.
    static func headers(_ operation: String) -> [(name: String, value: String)] {
        [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.\(operation)")]
    }

    /// What `remoteRef.version` selects: `uuid/<id>` or a UUID-shaped value is a `VersionId`,
    /// anything else a `VersionStage` (`AWSCURRENT`, `AWSPREVIOUS`, a custom stage).
    static func versionSelector(_ version: String?) -> (versionID: String?, stage: String?) {
        guard let version, !version.isEmpty else { return (nil, nil) }
        if version.hasPrefix("uuid/") { return (String(version.dropFirst(5)), nil) }
        if UUID(uuidString: version) != nil { return (version, nil) }
        return (nil, version)
    }

    static func decodeObject(_ body: [UInt8], operation: String, key: String? = nil) throws(ProviderError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw ProviderError.invalidResponse(key: key, detail: "\(operation): the answer is not a JSON object")
        }
        return object
    }

    // MARK: GetSecretValue

    static func getSecretValue(_ id: RemoteSecretID) -> [UInt8] {
        var body: [String: Any] = ["SecretId": id.key]
        let selector = versionSelector(id.version)
        if let versionID = selector.versionID { body["VersionId"] = versionID }
        if let stage = selector.stage { body["VersionStage"] = stage }
        return ProviderJSON.body(body)
    }

    static func parseSecretValue(_ body: [UInt8], id: RemoteSecretID) throws(ProviderError) -> RemoteSecret {
        try secret(from: try decodeObject(body, operation: "GetSecretValue", key: id.key), id: id)
    }

    /// A secret entry (`GetSecretValue` answer, `BatchGetSecretValue` `SecretValues[]`).
    static func secret(from object: [String: Any], id: RemoteSecretID) throws(ProviderError) -> RemoteSecret {
        let version = object["VersionId"] as? String
        if let string = object["SecretString"] as? String {
            return RemoteSecret(value: SecretValue(utf8: string), version: version)
        }
        if let binary = object["SecretBinary"] as? String {
            guard let data = Data(base64Encoded: binary) else {
                throw ProviderError.invalidResponse(key: id.key, version: id.version, detail: "SecretBinary is not base64")
            }
            return RemoteSecret(value: SecretValue(bytes: data), version: version)
        }
        throw ProviderError.invalidResponse(key: id.key, version: id.version, detail: "the answer has neither SecretString nor SecretBinary")
    }

    // MARK: BatchGetSecretValue

    static func batchGetSecretValue(_ keys: [String]) -> [UInt8] {
        ProviderJSON.body(["SecretIdList": keys])
    }

    /// Per asked key: the secret, or its error. Keys the answer does not mention are left out
    /// (the caller asks for them one by one). Entries match by `Name` or `ARN`.
    static func parseBatch(_ body: [UInt8], keys: [String]) throws(ProviderError) -> [String: Result<RemoteSecret, ProviderError>] {
        let object = try decodeObject(body, operation: "BatchGetSecretValue")
        var byIdentifier: [String: [String: Any]] = [:]
        for entry in object["SecretValues"] as? [[String: Any]] ?? [] {
            if let name = entry["Name"] as? String { byIdentifier[name] = entry }
            if let arn = entry["ARN"] as? String { byIdentifier[arn] = entry }
        }
        var errors: [String: String] = [:]
        for entry in object["Errors"] as? [[String: Any]] ?? [] {
            if let id = entry["SecretId"] as? String { errors[id] = entry["ErrorCode"] as? String ?? "UnknownError" }
        }
        var results: [String: Result<RemoteSecret, ProviderError>] = [:]
        for key in keys {
            let id = RemoteSecretID(key: key)
            if let entry = byIdentifier[key] {
                do { results[key] = .success(try secret(from: entry, id: id)) } catch { results[key] = .failure(error) }
            } else if let code = errors[key] {
                results[key] = .failure(AWSErrorMapping.providerError(code: code, status: 400, key: key))
            }
        }
        return results
    }

    // MARK: ListSecrets

    /// Filter values AWS accepts; a criterion that does not fit is applied on our side only.
    static func filterable(_ value: String) -> Bool {
        !value.isEmpty && value.count <= 512
            && value.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || " :_@/+=.-".unicodeScalars.contains($0) }
    }

    static func listSecrets(_ query: FindQuery, pageSize: Int, nextToken: String?) -> [UInt8] {
        var filters: [[String: Any]] = []
        if let path = query.path, filterable(path) { filters.append(["Key": "name", "Values": [path]]) }
        for (key, value) in query.tags.sorted(by: { $0.key < $1.key }) {
            if filterable(key) { filters.append(["Key": "tag-key", "Values": [key]]) }
            if filterable(value) { filters.append(["Key": "tag-value", "Values": [value]]) }
        }
        var body: [String: Any] = ["MaxResults": pageSize]
        if !filters.isEmpty { body["Filters"] = filters }
        if let nextToken { body["NextToken"] = nextToken }
        return ProviderJSON.body(body)
    }

    static func parseListSecrets(_ body: [UInt8]) throws(ProviderError) -> (entries: [(name: String, tags: [String: String])], nextToken: String?) {
        let object = try decodeObject(body, operation: "ListSecrets")
        var entries: [(name: String, tags: [String: String])] = []
        for secret in object["SecretList"] as? [[String: Any]] ?? [] {
            guard let name = secret["Name"] as? String else { continue }
            var tags: [String: String] = [:]
            for tag in secret["Tags"] as? [[String: Any]] ?? [] {
                if let key = tag["Key"] as? String { tags[key] = tag["Value"] as? String ?? "" }
            }
            entries.append((name, tags))
        }
        let token = (object["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return (entries, token)
    }

    // MARK: DescribeSecret / PutSecretValue

    static func describeSecret(_ key: String) -> [UInt8] { ProviderJSON.body(["SecretId": key]) }

    /// The version id holding `AWSCURRENT`.
    static func parseCurrentVersion(_ body: [UInt8], key: String) throws(ProviderError) -> String? {
        let object = try decodeObject(body, operation: "DescribeSecret", key: key)
        let stages = object["VersionIdsToStages"] as? [String: [String]] ?? [:]
        return stages.first { $0.value.contains("AWSCURRENT") }?.key
    }

    /// A `ClientRequestToken` (32–64 characters): the token itself when it fits, else its SHA-256 in hex.
    static func clientRequestToken(_ token: String) -> String {
        let allowed = token.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "-" }
        if allowed, (32...64).contains(token.count) { return token }
        return SigV4Signer.hex(Crypto.SHA256.hash(data: Array(token.utf8)))
    }

    static func putSecretValue(key: String, secretString: SecretValue, token: String) throws(ProviderError) -> [UInt8] {
        guard let text = secretString.revealedString() else {
            throw ProviderError.invalidRequest(key: key, detail: "the value to write is not UTF-8 text")
        }
        return ProviderJSON.body(["SecretId": key, "SecretString": text, "ClientRequestToken": token])
    }

    /// `CreateSecret` of `key` holding `secretString`: a document written for the first time
    /// (`PutSecretValue` needs the secret to exist).
    static func createSecret(key: String, secretString: SecretValue, token: String) throws(ProviderError) -> [UInt8] {
        guard let text = secretString.revealedString() else {
            throw ProviderError.invalidRequest(key: key, detail: "the value to write is not UTF-8 text")
        }
        return ProviderJSON.body(["Name": key, "SecretString": text, "ClientRequestToken": token])
    }

    static func parsePut(_ body: [UInt8], key: String) throws(ProviderError) -> String {
        let object = try decodeObject(body, operation: "PutSecretValue", key: key)
        guard let version = object["VersionId"] as? String else {
            throw ProviderError.invalidResponse(key: key, detail: "PutSecretValue: no VersionId in the answer")
        }
        return version
    }
}
