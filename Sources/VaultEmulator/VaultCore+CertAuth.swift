import Foundation
import JSONCore
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// The TLS certificate auth method as Vault documents it, kept to CA-verified roles:
/// `auth/MOUNT/certs/NAME` (`certificate`, `allowed_common_names`, `display_name`, token
/// settings) and `auth/MOUNT/login` with the client certificate of the TLS handshake.
extension VaultCore {
    struct CertRole: Sendable {
        /// The PEM CA (or certificate) a client certificate must chain to.
        var certificatePEM: String
        var allowedCommonNames: [String] = []
        var displayName = ""
        var token = TokenSettings()
    }

    /// `auth/MOUNT/certs[/NAME]`.
    func certRole(_ method: String, name: String, mountKey: String, namespace ns: String, body: JSONObject) -> VaultResponse {
        if name.isEmpty {
            guard method == "LIST" else { return .unsupportedOperation }
            let keys = namespaces[ns]!.auths[mountKey]!.certRoles.keys.sorted()
            return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
        }
        switch method {
        case "GET":
            guard let role = namespaces[ns]!.auths[mountKey]!.certRoles[name] else { return .notFound }
            var data = role.token.json
            data["certificate"] = .string(role.certificatePEM)
            data["allowed_common_names"] = .array(role.allowedCommonNames.map(JSONValue.string))
            data["display_name"] = .string(role.displayName)
            return .ok(data: .object(data))
        case "POST", "PUT":
            let existing = namespaces[ns]!.auths[mountKey]!.certRoles[name]
            guard let pem = body["certificate"]?.stringValue ?? existing?.certificatePEM, !pem.isEmpty else {
                return .badRequest("missing certificate")
            }
            guard let parsed = try? Self.certificates(pem), !parsed.isEmpty else {
                return .badRequest("failed to parse certificate")
            }
            var role = existing ?? CertRole(certificatePEM: pem)
            role.certificatePEM = pem
            if let names = TokenSettings.strings(body["allowed_common_names"]) { role.allowedCommonNames = names }
            if let display = body["display_name"]?.stringValue { role.displayName = display }
            role.token.apply(body)
            namespaces[ns]!.auths[mountKey]!.certRoles[name] = role
            return .noContent
        case "DELETE":
            namespaces[ns]!.auths[mountKey]!.certRoles[name] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    /// `POST auth/MOUNT/login [{name}]`: the handshake's certificate must chain to a role's
    /// certificate (that role only, with `name`) and match its allowed common names.
    func certLogin(_ body: JSONObject, clientCertificateDER: [UInt8]?, mountKey: String, auth: AuthMount, namespace ns: String) async -> VaultResponse {
        let invalid = VaultResponse.badRequest("invalid certificate or no client certificate supplied")
        guard let der = clientCertificateDER, let leaf = try? Certificate(derEncoded: der) else { return invalid }
        var roles = auth.certRoles
        if let name = body["name"]?.stringValue, !name.isEmpty {
            roles = roles.filter { $0.key == name }
        }
        var trusted: [(String, CertRole)] = []
        let time = now()
        for (name, role) in roles.sorted(by: { $0.key < $1.key }) {
            guard let anchors = try? Self.certificates(role.certificatePEM) else { continue }
            var verifier = Verifier(rootCertificates: CertificateStore(anchors)) { RFC5280Policy(fixedExpiryValidationTime: time) }
            if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) {
                trusted.append((name, role))
            }
        }
        guard !trusted.isEmpty else { return invalid }
        let commonName = Self.commonName(of: leaf)
        guard let (name, role) = trusted.first(where: { Self.allows($0.1.allowedCommonNames, commonName) }) else {
            return .badRequest("no chain matching all constraints could be found for this login certificate")
        }
        // The mount may have changed while the chain was being verified.
        guard namespaces[ns]?.auths[mountKey] != nil else { return .permissionDenied }
        let token = issueToken(
            namespace: ns, policies: role.token.policies, settings: role.token,
            meta: ["cert_name": name, "common_name": commonName ?? "", "serial_number": "\(leaf.serialNumber)"],
            displayName: "\(mountKey.dropLast())-\(role.displayName.isEmpty ? name : role.displayName)", path: "auth/\(mountKey)login")
        return .ok(data: nil, auth: authBlock(token))
    }

    private static func certificates(_ pem: String) throws -> [Certificate] {
        try PEMDocument.parseMultiple(pemString: pem).filter { $0.discriminator == "CERTIFICATE" }.map { try Certificate(pemDocument: $0) }
    }

    private static func commonName(of certificate: Certificate) -> String? {
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName { return "\(attribute.value)" }
        }
        return nil
    }

    /// No list allows any name; `*` in a pattern matches any run of characters.
    private static func allows(_ patterns: [String], _ name: String?) -> Bool {
        guard !patterns.isEmpty else { return true }
        guard let name else { return false }
        return patterns.contains { pattern in
            guard pattern.contains("*") else { return pattern == name }
            let pieces = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
            guard name.hasPrefix(pieces[0]), name.hasSuffix(pieces[pieces.count - 1]) else { return false }
            var rest = Substring(name.dropFirst(pieces[0].count))
            for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
                guard let range = rest.range(of: piece) else { return false }
                rest = rest[range.upperBound...]
            }
            return rest.count >= pieces[pieces.count - 1].count
        }
    }
}
