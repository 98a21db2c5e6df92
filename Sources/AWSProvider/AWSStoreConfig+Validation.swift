import JSONCore
import SecretProviders

extension AWSStoreConfig {
    /// The AWS audience a `jwt.serviceAccountRef` token gets when the store names none.
    static let defaultAudience = "sts.amazonaws.com"

    /// The roles assumed after the base credentials, in order: `additionalRoles`, then `role`
    /// (as External Secrets Operator orders them). With `auth.jwt` the first is assumed with
    /// the web identity, the others with AssumeRole.
    var roleChain: [String] {
        guard let role, !role.isEmpty else { return [] }
        return (additionalRoles ?? []) + [role]
    }

    /// What the AssumeRole of `role` (the chain's last) carries.
    var finalRoleParameters: AssumeRoleParameters {
        AssumeRoleParameters(externalID: externalID, sessionTags: sessionTags ?? [], transitiveTagKeys: transitiveTagKeys ?? [])
    }

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
        try validateRoleChain()
        return self
    }

    /// The roles assumed and what STS is given with `role`: tenant input, so bounded before
    /// anything is sent (STS's own limits, and a short chain). Errors name fields and
    /// positions, never values.
    private func validateRoleChain() throws(ProviderError) {
        let additionalRoles = additionalRoles ?? []
        let sessionTags = sessionTags ?? []
        let transitiveTagKeys = transitiveTagKeys ?? []
        let hasRole = !(role ?? "").isEmpty
        if !hasRole {
            for (field, set) in [
                ("additionalRoles", !additionalRoles.isEmpty), ("externalID", externalID != nil), ("sessionTags", !sessionTags.isEmpty),
                ("transitiveTagKeys", !transitiveTagKeys.isEmpty),
            ] where set {
                throw ProviderError.invalidRequest(detail: "aws: \(field) needs role (the role assumed last, with them)")
            }
            return
        }
        if auth?.jwt != nil, additionalRoles.isEmpty {
            // The web identity is exchanged for the first role of the chain, and
            // AssumeRoleWithWebIdentity takes neither an external ID nor session tags.
            for (field, set) in [("externalID", externalID != nil), ("sessionTags", !sessionTags.isEmpty), ("transitiveTagKeys", !transitiveTagKeys.isEmpty)]
            where set {
                throw ProviderError.invalidRequest(
                    detail: "aws: \(field) with auth.jwt needs additionalRoles (with jwt alone, role is assumed with the web identity, which takes no \(field))")
            }
        }
        if let role, !Self.isRoleARN(role) {
            throw ProviderError.invalidRequest(detail: "aws: role is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)")
        }
        guard additionalRoles.count <= Self.maxAdditionalRoles else {
            throw ProviderError.invalidRequest(
                detail: "aws: additionalRoles has \(additionalRoles.count) roles (at most \(Self.maxAdditionalRoles): each is one more STS call)")
        }
        for (index, arn) in additionalRoles.enumerated() where !Self.isRoleARN(arn) {
            throw ProviderError.invalidRequest(
                detail: "aws: additionalRoles[\(index)] is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)")
        }
        if let externalID {
            guard (2...Self.maxExternalIDLength).contains(externalID.utf8.count) else {
                throw ProviderError.invalidRequest(
                    detail: "aws: externalID has \(externalID.utf8.count) characters (2 to \(Self.maxExternalIDLength))")
            }
            guard externalID.utf8.allSatisfy(Self.isExternalIDByte) else {
                throw ProviderError.invalidRequest(detail: "aws: externalID may hold only letters, digits and _+=,.@:/-")
            }
        }
        guard sessionTags.count <= Self.maxSessionTags else {
            throw ProviderError.invalidRequest(detail: "aws: sessionTags has \(sessionTags.count) tags (STS takes at most \(Self.maxSessionTags))")
        }
        var keys = Set<String>()
        for (index, tag) in sessionTags.enumerated() {
            guard (1...AWSSessionTag.maxKeyLength).contains(tag.key.unicodeScalars.count) else {
                throw ProviderError.invalidRequest(
                    detail: "aws: sessionTags[\(index)].key has \(tag.key.unicodeScalars.count) characters (1 to \(AWSSessionTag.maxKeyLength))")
            }
            guard tag.value.unicodeScalars.count <= AWSSessionTag.maxValueLength else {
                throw ProviderError.invalidRequest(
                    detail: "aws: sessionTags[\(index)].value has \(tag.value.unicodeScalars.count) characters (at most \(AWSSessionTag.maxValueLength))")
            }
            guard Self.isTagText(tag.key), Self.isTagText(tag.value) else {
                throw ProviderError.invalidRequest(
                    detail: "aws: sessionTags[\(index)] may hold only letters, digits, spaces and _.:/=+-@")
            }
            guard !tag.key.lowercased().hasPrefix("aws:") else {
                throw ProviderError.invalidRequest(detail: "aws: sessionTags[\(index)].key starts with aws:, which AWS reserves")
            }
            // STS treats tag keys case-insensitively: two that differ only in case collide.
            guard keys.insert(tag.key.lowercased()).inserted else {
                throw ProviderError.invalidRequest(detail: "aws: sessionTags[\(index)].key repeats an earlier key (keys are case-insensitive)")
            }
        }
        guard transitiveTagKeys.count <= Self.maxSessionTags else {
            throw ProviderError.invalidRequest(
                detail: "aws: transitiveTagKeys has \(transitiveTagKeys.count) keys (STS takes at most \(Self.maxSessionTags))")
        }
        for (index, key) in transitiveTagKeys.enumerated() where !keys.contains(key.lowercased()) {
            throw ProviderError.invalidRequest(detail: "aws: transitiveTagKeys[\(index)] is not the key of one of sessionTags")
        }
    }

    /// `arn:<partition>:iam::<12-digit account>:role/<path/name>` in the partitions AWS has
    /// (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso…`), with IAM's name characters.
    static func isRoleARN(_ arn: String) -> Bool {
        guard arn.utf8.count <= maxRoleARNLength else { return false }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1] == "aws" || parts[1].hasPrefix("aws-"), parts[2] == "iam", parts[3].isEmpty else {
            return false
        }
        guard parts[1].utf8.allSatisfy({ (0x61...0x7A).contains($0) || $0 == 0x2D }) else { return false }
        guard parts[4].utf8.count == 12, parts[4].utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
        guard parts[5].hasPrefix("role/") else { return false }
        let name = parts[5].dropFirst("role/".count)
        // The last segment is the name (at least one character); before it, an optional path.
        guard let last = name.split(separator: "/", omittingEmptySubsequences: false).last, !last.isEmpty else { return false }
        return name.utf8.allSatisfy { isIAMNameByte($0) || $0 == 0x2F }
    }

    /// `[A-Za-z0-9_+=,.@-]`: IAM's role name characters.
    private static func isIAMNameByte(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || Array("_+=,.@-".utf8).contains(byte)
    }

    /// `[\w+=,.@:/-]` (ASCII `\w`): STS's external ID characters.
    private static func isExternalIDByte(_ byte: UInt8) -> Bool {
        isIAMNameByte(byte) || byte == 0x3A || byte == 0x2F
    }

    /// `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`: STS's tag key and value characters.
    private static func isTagText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .spaceSeparator, .lineSeparator, .paragraphSeparator, .decimalNumber, .letterNumber, .otherNumber:
                return true
            default:
                return "_.:/=+-@".unicodeScalars.contains(scalar)
            }
        }
    }
}
