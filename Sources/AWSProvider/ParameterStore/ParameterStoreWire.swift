import Foundation
import SecretProviders

/// Request bodies and answers of the Systems Manager (Parameter Store) JSON 1.1 API; pure,
/// no I/O.
///
/// Answers hold parameter values (decrypted `SecureString`s): nothing parsed here is ever put
/// into an error message except names, versions, labels and AWS error codes.
enum ParameterStoreWire {
    /// Most names one `GetParameters` call takes (AWS limit).
    static let maxNamesPerCall = 10
    /// Most results one `GetParametersByPath` page holds (AWS allows 1–10).
    static let maxPageSize = 10

    /// `X-Amz-Target` (`AmazonSSM.<operation>`) and content type of an operation.
    static func headers(_ operation: String) -> [(name: String, value: String)] {
        [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AmazonSSM.\(operation)")]
    }

    /// The parameter reference `remoteRef.key` + `remoteRef.version` name: `name:VERSION` when
    /// the version is all digits, `name:LABEL` otherwise (Parameter Store selectors); the bare
    /// name without a version. AWS tells them apart itself: a label never begins with a digit.
    static func selector(key: String, version: String?) -> String {
        guard let version, !version.isEmpty else { return key }
        return "\(key):\(version)"
    }

    static func decodeObject(_ body: [UInt8], operation: String, key: String? = nil) throws(ProviderError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw ProviderError.invalidResponse(key: key, detail: "\(operation): the answer is not a JSON object")
        }
        return object
    }

    /// A `Parameter` object of an answer: its value (`Value`, the decrypted text of a
    /// `SecureString`) and `Version` as the secret's version.
    static func secret(from parameter: [String: Any], key: String, version: String?) throws(ProviderError) -> RemoteSecret {
        guard let value = parameter["Value"] as? String else {
            throw ProviderError.invalidResponse(key: key, version: version, detail: "the parameter has no Value")
        }
        return RemoteSecret(value: SecretValue(utf8: value), version: versionText(parameter["Version"]))
    }

    /// `Version` (a JSON number) as text; `nil` when absent or not a whole number.
    static func versionText(_ value: Any?) -> String? {
        if let number = value as? NSNumber, let exact = Int64(exactly: number.doubleValue) { return String(exact) }
        return nil
    }

    // MARK: GetParameter

    static func getParameter(_ name: String) -> [UInt8] {
        ProviderJSON.body(["Name": name, "WithDecryption": true])
    }

    static func parseParameter(_ body: [UInt8], key: String, version: String?) throws(ProviderError) -> RemoteSecret {
        let object = try decodeObject(body, operation: "GetParameter", key: key)
        guard let parameter = object["Parameter"] as? [String: Any] else {
            throw ProviderError.invalidResponse(key: key, version: version, detail: "GetParameter: no Parameter in the answer")
        }
        return try secret(from: parameter, key: key, version: version)
    }

    // MARK: GetParameters

    static func getParameters(_ names: [String]) -> [UInt8] {
        ProviderJSON.body(["Names": names, "WithDecryption": true])
    }

    /// Per asked name: the parameter, or not found when the answer lists it in
    /// `InvalidParameters`. Names the answer does not mention are left out (the caller asks for
    /// them one by one). Entries match by `Name` or `ARN`; only asked names are kept, so an
    /// answer cannot add parameters.
    static func parseParameters(_ body: [UInt8], names: [String]) throws(ProviderError) -> [String: Result<RemoteSecret, ProviderError>] {
        let object = try decodeObject(body, operation: "GetParameters")
        let asked = Set(names)
        var results: [String: Result<RemoteSecret, ProviderError>] = [:]
        for parameter in object["Parameters"] as? [[String: Any]] ?? [] {
            for field in ["Name", "ARN"] {
                guard let name = parameter[field] as? String, asked.contains(name), results[name] == nil else { continue }
                do { results[name] = .success(try secret(from: parameter, key: name, version: nil)) } catch { results[name] = .failure(error) }
            }
        }
        for name in object["InvalidParameters"] as? [String] ?? [] where asked.contains(name) && results[name] == nil {
            results[name] = .failure(.notFound(key: name, detail: "AWS ParameterNotFound (GetParameters InvalidParameters)"))
        }
        return results
    }

    // MARK: GetParametersByPath

    /// The hierarchy `GetParametersByPath` lists for a `find` path prefix: the prefix up to its
    /// last `/` (`/team-a/api-` → `/team-a`), or `/` (everything) when it has none. The prefix
    /// itself is then applied to the names on our side.
    static func hierarchy(forPrefix prefix: String?) -> String {
        guard let prefix, prefix.hasPrefix("/"), let slash = prefix.lastIndex(of: "/") else { return "/" }
        let path = String(prefix[..<slash])
        return path.isEmpty ? "/" : path
    }

    static func getParametersByPath(path: String, pageSize: Int, nextToken: String?) -> [UInt8] {
        var body: [String: Any] = [
            "Path": path, "Recursive": true, "WithDecryption": true, "MaxResults": max(1, min(maxPageSize, pageSize)),
        ]
        if let nextToken { body["NextToken"] = nextToken }
        return ProviderJSON.body(body)
    }

    /// One page: each parameter's name and value (or its error), and the token of the next page.
    static func parseParametersByPath(
        _ body: [UInt8]
    ) throws(ProviderError) -> (parameters: [(name: String, secret: Result<RemoteSecret, ProviderError>)], nextToken: String?) {
        let object = try decodeObject(body, operation: "GetParametersByPath")
        var parameters: [(name: String, secret: Result<RemoteSecret, ProviderError>)] = []
        for parameter in object["Parameters"] as? [[String: Any]] ?? [] {
            guard let name = parameter["Name"] as? String, !name.isEmpty else { continue }
            do { parameters.append((name, .success(try secret(from: parameter, key: name, version: nil)))) } catch {
                parameters.append((name, .failure(error)))
            }
        }
        let token = (object["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return (parameters, token)
    }

    // MARK: PutParameter

    /// A `SecureString` write. `overwrite: false` only when the parameter must not exist yet.
    static func putParameter(name: String, value: SecretValue, overwrite: Bool) throws(ProviderError) -> [UInt8] {
        guard let text = value.revealedString() else {
            throw ProviderError.invalidRequest(key: name, detail: "the value to write is not UTF-8 text")
        }
        return ProviderJSON.body(["Name": name, "Value": text, "Type": "SecureString", "Overwrite": overwrite])
    }

    /// The new version number of a `PutParameter` answer, as text.
    static func parsePut(_ body: [UInt8], key: String) throws(ProviderError) -> String {
        let object = try decodeObject(body, operation: "PutParameter", key: key)
        guard let version = versionText(object["Version"]) else {
            throw ProviderError.invalidResponse(key: key, detail: "PutParameter: no Version in the answer")
        }
        return version
    }

    // MARK: DescribeParameters

    /// The cheapest authenticated call: one parameter's metadata, no value.
    static func describeOne() -> [UInt8] { ProviderJSON.body(["MaxResults": 1]) }
}
