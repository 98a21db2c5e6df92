import Foundation
import SecretProviders

/// Where a service is reached: `https://secretsmanager.eu-west-1.amazonaws.com`, or an override.
public struct AWSEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// Path prefix of the endpoint (usually empty; the request path is appended).
    public var basePath: String

    /// Parses `http(s)://host[:port][/path]`; ``ProviderError/Class/invalidRequest`` otherwise.
    public init(url: String) throws(ProviderError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            throw ProviderError.invalidRequest(detail: "endpoint \"\(url)\" is not an http(s) URL")
        }
        self.scheme = scheme
        self.host = host
        self.port = components.port
        let path = components.percentEncodedPath
        self.basePath = path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The regional endpoint of `service` (`secretsmanager`, `sts`). Built from its parts,
    /// not parsed, so no region text can make it fail (``AWSStoreConfig`` refuses regions
    /// that are not lowercase ASCII letters, digits and `-` before it is called).
    public static func regional(service: String, region: String) -> AWSEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(scheme: "https", host: "\(service).\(region).\(suffix)", port: nil, basePath: "")
    }

    private init(scheme: String, host: String, port: Int?, basePath: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// The `Host` header: the port only when not the scheme's default.
    public var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) else { return bracketed }
        return "\(bracketed):\(port)"
    }

    /// The full URL of `path` (wire form) and an optional encoded query.
    public func url(path: String, query: String = "") -> String {
        "\(scheme)://\(hostHeader)\(basePath)\(path)" + (query.isEmpty ? "" : "?\(query)")
    }

    public var description: String { url(path: "") }
}
