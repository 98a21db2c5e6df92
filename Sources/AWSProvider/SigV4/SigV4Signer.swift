import Crypto
import Foundation
import SecretProviders

/// An HTTP request as AWS Signature Version 4 sees it.
///
/// `path` is the path exactly as it goes on the wire (already percent-encoded where the
/// caller needs it); `query` holds raw (unencoded) pairs, which the signer encodes and
/// sorts — send ``canonicalQueryString`` as the wire query so both agree.
public struct SigV4Request: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    /// Headers to send and sign; must include `host`. Names are case-insensitive;
    /// repeated names are signed as one comma-joined value, in order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), header flavour, as the AWS services
/// other than S3 expect it: the path is normalised (dot segments and repeated slashes
/// removed) and encoded once more for the canonical request, the payload is hashed.
///
/// Pure: the time is passed in. The steps are exposed for tests against AWS's published
/// test suite and botocore.
public struct SigV4Signer: Sendable {
    /// The signing region, e.g. `eu-west-1`.
    public var region: String
    /// The signing name of the service, e.g. `secretsmanager`, `sts`.
    public var service: String

    /// Headers never signed: hop-by-hop headers that proxies and HTTP clients may add or
    /// rewrite (botocore's list), and the signature itself.
    static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    public init(region: String, service: String) {
        self.region = region
        self.service = service
    }

    /// The headers to send: the request's own, plus `X-Amz-Date`, `X-Amz-Security-Token`
    /// (temporary credentials) and `Authorization`.
    public func sign(_ request: SigV4Request, credentials: AWSCredentials, date: Date) -> [(name: String, value: String)] {
        let amzDate = Self.amzDate(date)
        var headers = request.headers.filter {
            let name = $0.name.lowercased()
            return name != "x-amz-date" && name != "authorization" && name != "x-amz-security-token"
        }
        headers.append(("X-Amz-Date", amzDate))
        if let token = credentials.sessionToken {
            headers.append(("X-Amz-Security-Token", token.revealedString() ?? ""))
        }
        var signed = request
        signed.headers = headers
        let authorization = authorizationHeader(signed, credentials: credentials, amzDate: amzDate)
        headers.append(("Authorization", authorization))
        return headers
    }

    /// The `Authorization` value for a request whose headers already hold `X-Amz-Date`
    /// (and the security token, if any).
    public func authorizationHeader(_ request: SigV4Request, credentials: AWSCredentials, amzDate: String) -> String {
        let (canonical, signedHeaders) = Self.canonicalRequest(request)
        let scope = credentialScope(amzDate: amzDate)
        let toSign = Self.stringToSign(canonicalRequest: canonical, amzDate: amzDate, scope: scope)
        let key = signingKey(secretAccessKey: credentials.secretAccessKey, dateStamp: String(amzDate.prefix(8)))
        let signature = Self.hex(Self.hmac(key: key, Array(toSign.utf8)))
        let accessKeyID = credentials.accessKeyID.revealedString() ?? ""
        return "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// `YYYYMMDD/region/service/aws4_request`.
    public func credentialScope(amzDate: String) -> String {
        "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    public func signingKey(secretAccessKey: SecretValue, dateStamp: String) -> [UInt8] {
        let kDate = Self.hmac(key: Array("AWS4".utf8) + secretAccessKey.revealedBytes(), Array(dateStamp.utf8))
        let kRegion = Self.hmac(key: kDate, Array(region.utf8))
        let kService = Self.hmac(key: kRegion, Array(service.utf8))
        return Self.hmac(key: kService, Array("aws4_request".utf8))
    }

    /// The string to sign: algorithm, time, scope and the hash of the canonical request.
    public static func stringToSign(canonicalRequest: String, amzDate: String, scope: String) -> String {
        "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(hex(SHA256.hash(data: Array(canonicalRequest.utf8))))"
    }

    /// The canonical request and the signed-headers list.
    public static func canonicalRequest(_ request: SigV4Request) -> (canonical: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in request.headers {
            let lower = name.lowercased().trimmingCharacters(in: .whitespaces)
            guard !unsignedHeaders.contains(lower) else { continue }
            grouped[lower, default: []].append(trimAll(value))
        }
        let names = grouped.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let payloadHash = hex(SHA256.hash(data: request.body))
        let canonical = [
            request.method.uppercased(),
            canonicalURI(request.path),
            canonicalQueryString(request.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    /// The path normalised (no `.`/`..` segments, no empty segments) and URI-encoded,
    /// keeping `/`. A `%` of the wire form is encoded again, as AWS requires outside S3.
    public static func canonicalURI(_ path: String) -> String {
        let normalized = normalizePath(path)
        return uriEncode(normalized, keepSlash: true)
    }

    /// RFC 3986 dot-segment removal plus collapsing of repeated slashes (what AWS and botocore do).
    static func normalizePath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
                continue
            }
            output.append(segment)
        }
        let first = path.hasPrefix("/") ? "/" : ""
        let last = path.hasSuffix("/") && !output.isEmpty ? "/" : ""
        return first + output.joined(separator: "/") + last
    }

    /// Pairs encoded, sorted by encoded name then encoded value, joined with `&`.
    public static func canonicalQueryString(_ query: [(name: String, value: String)]) -> String {
        query.map { (uriEncode($0.name, keepSlash: false), uriEncode($0.value, keepSlash: false)) }
            .sorted { lhs, rhs in
                if lhs.0 != rhs.0 { return Array(lhs.0.utf8).lexicographicallyPrecedes(Array(rhs.0.utf8)) }
                return Array(lhs.1.utf8).lexicographicallyPrecedes(Array(rhs.1.utf8))
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Percent-encodes every byte but `A–Z a–z 0–9 - _ . ~` (and `/` when asked), upper-case hex.
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += "%" + hexDigits[Int(byte >> 4)] + hexDigits[Int(byte & 0x0F)]
            }
        }
        return out
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]

    /// Leading and trailing whitespace removed, inner runs collapsed to one space.
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .joined(separator: " ")
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SigV4Request: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(method) \(path) (\(body.count) bytes, headers redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
