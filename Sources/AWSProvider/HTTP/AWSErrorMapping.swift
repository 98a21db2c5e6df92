import Foundation
import SecretProviders

/// Turns an AWS error answer into a ``ProviderError``. Only the error code and the HTTP
/// status go into the message: AWS messages can quote request content.
enum AWSErrorMapping {
    /// The AWS error code of an answer: JSON `__type` (after `#`), the
    /// `x-amzn-ErrorType` header (before `:`), or an XML `<Code>` (STS, query protocol).
    static func errorCode(_ response: AWSHTTPResponse) -> String? {
        if let header = response.header("x-amzn-ErrorType"), !header.isEmpty {
            return String(header.split(separator: ":").first ?? Substring(header))
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] {
            if let type = (object["__type"] ?? object["code"] ?? object["Code"]) as? String {
                return String(type.split(separator: "#").last ?? Substring(type))
            }
        }
        if let code = XMLText.first("Code", in: response.body) { return code }
        return nil
    }

    /// The class of failure for an AWS error code (or the status when there is none).
    static func providerError(code: String?, status: Int, retryAfter: Duration? = nil, key: String? = nil, version: String? = nil) -> ProviderError {
        let detail = "AWS \(code ?? "error") (HTTP \(status))"
        switch code {
        case "ResourceNotFoundException", "ResourceNotFound", "ParameterNotFound", "ParameterVersionNotFound":
            return .notFound(key: key ?? "", version: version, detail: detail)
        case "AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidSignatureException",
            "SignatureDoesNotMatch", "IncompleteSignature", "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken",
            "MissingAuthenticationToken", "DecryptionFailure", "InvalidIdentityToken", "AuthFailure", "NotAuthorized",
            "InvalidKeyId":
            return .permissionDenied(key: key, version: version, detail: detail)
        case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceededException",
            "TooManyUpdates":
            return .throttled(retryAfter: retryAfter, key: key, detail: detail)
        case "ResourceExistsException", "ParameterAlreadyExists":
            return .conflict(key: key ?? "", version: version, detail: detail)
        case "InternalServiceError", "InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException":
            return .transient(key: key, version: version, detail: detail)
        case "InvalidRequestException", "InvalidParameterException", "ValidationException", "MalformedPolicyDocumentException",
            "InvalidNextTokenException", "PreconditionNotMetException":
            return .invalidRequest(key: key, version: version, detail: detail)
        default:
            break
        }
        if status == 429 { return .throttled(retryAfter: retryAfter, key: key, detail: detail) }
        if status >= 500 { return .transient(key: key, version: version, detail: detail) }
        if status == 401 || status == 403 { return .permissionDenied(key: key, version: version, detail: detail) }
        if code == nil { return .invalidResponse(key: key, version: version, detail: "AWS answered HTTP \(status) without an error code") }
        return .invalidRequest(key: key, version: version, detail: detail)
    }

    /// The ``ProviderError`` for a non-2xx answer.
    static func providerError(_ response: AWSHTTPResponse, key: String? = nil, version: String? = nil) -> ProviderError {
        providerError(code: errorCode(response), status: response.status, retryAfter: retryAfter(response), key: key, version: version)
    }

    /// `Retry-After` in seconds, when the endpoint sent a usable one, at most
    /// ``RetryAfter/maximum`` (`1e300`, `inf` or `NaN` never reach an integer conversion).
    static func retryAfter(_ response: AWSHTTPResponse) -> Duration? {
        RetryAfter.parse(response.header("Retry-After"))
    }
}

/// Minimal reading of the small XML documents STS answers with: the text of the first
/// element of a name, entities decoded. Enough for `<AccessKeyId>`, `<Code>`, ….
enum XMLText {
    static func first(_ element: String, in document: [UInt8]) -> String? {
        guard let text = String(validating: document, as: UTF8.self) else { return nil }
        return first(element, in: text)
    }

    static func first(_ element: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(element)>"),
            let close = text.range(of: "</\(element)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return decodeEntities(String(text[open.upperBound..<close.lowerBound])).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#xD;", with: "\r").replacingOccurrences(of: "&#xA;", with: "\n")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
