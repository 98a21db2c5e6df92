import JSONCore
import SecretProviders

extension AWSStoreConfig {
    /// The AWS audience a `jwt.serviceAccountRef` token gets when the store names none.
    static let defaultAudience = "sts.amazonaws.com"

    /// Whether the store sets a custom endpoint of its own (`endpoint` or `stsEndpoint`).
    var hasCustomEndpoint: Bool {
        !(endpoint ?? "").isEmpty || !(stsEndpoint ?? "").isEmpty
    }

    /// The service the store reads: `service`, Secrets Manager when absent or empty.
    var effectiveService: AWSServiceType {
        guard let service, !service.rawValue.isEmpty else { return .secretsManager }
        return service
    }

    /// Decodes a store's `spec.provider.aws` block. Errors name fields, never values.
    public static func decode(_ config: JSONValue, store: String) throws(ProviderError) -> AWSStoreConfig {
        do {
            return try config.decodeStoreConfig(AWSStoreConfig.self, block: "spec.provider.aws")
        } catch {
            throw error.inStore(store)
        }
    }

    /// Checks what can be checked without the network. Errors name fields, never values.
    func validated() throws(ProviderError) -> AWSStoreConfig {
        if let service, !service.rawValue.isEmpty, !service.isKnown {
            throw ProviderError.invalidRequest(detail: "aws: service \"\(service)\" is not supported (SecretsManager or ParameterStore)")
        }
        guard !region.isEmpty else { throw ProviderError.invalidRequest(detail: "aws: region is required") }
        // ASCII only: `isNumber` also admits "١" (Arabic-Indic one), which no host name holds.
        guard region.utf8.count <= 64, region.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }) else {
            throw ProviderError.invalidRequest(detail: "aws: region \"\(region)\" is malformed")
        }
        for (field, url) in [("endpoint", endpoint), ("stsEndpoint", stsEndpoint)] {
            guard let url, url.lowercased().hasPrefix("http://") else { continue }
            guard insecureAllowHTTP == true else {
                throw ProviderError.invalidRequest(
                    detail: "aws: spec.provider.aws.\(field) is http:// (cleartext: signed requests and secret values would cross the network unencrypted); use https://, or set spec.provider.aws.insecureAllowHTTP: true")
            }
        }
        if auth?.secretRef != nil, auth?.jwt != nil {
            throw ProviderError.invalidRequest(detail: "aws: auth takes one of \(Self.authMethodFields.joined(separator: " and "))")
        }
        if auth?.jwt != nil, role?.isEmpty ?? true {
            throw ProviderError.invalidRequest(detail: "aws: auth.jwt needs role (the role assumed with the web identity)")
        }
        if let secretRef = auth?.secretRef {
            for (field, reference) in [
                ("accessKeyIDSecretRef", secretRef.accessKeyIDSecretRef), ("secretAccessKeySecretRef", secretRef.secretAccessKeySecretRef),
            ] where reference.name.isEmpty || reference.key.isEmpty {
                throw ProviderError.invalidRequest(detail: "aws: auth.secretRef.\(field) needs name and key")
            }
        }
        return self
    }
}
