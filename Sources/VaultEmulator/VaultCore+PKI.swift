import Crypto
import Foundation
import JSONCore
import SwiftASN1
import X509
import _CryptoExtras

/// The state of one `pki` mount: its CA (one issuer) and its roles.
struct PKIEngine: Sendable {
    /// The mount's CA: what `root/generate` made and `issue` signs with.
    struct Issuer: Sendable {
        var certificate: Certificate
        var key: Certificate.PrivateKey
        var signatureAlgorithm: Certificate.SignatureAlgorithm
        var pem: String
        var der: [UInt8]
        var id: String
        var keyID: String
    }

    struct Role: Sendable {
        var allowedDomains: [String] = []
        var allowSubdomains = false
        var allowBareDomains = false
        var allowLocalhost = true
        var allowAnyName = false
        var allowIPSANs = true
        var enforceHostnames = true
        var ttl = 0
        var maxTTL = 0
        var keyType = "rsa"
        var keyBits = 0
    }

    var issuer: Issuer?
    var roles: [String: Role] = [:]
}

/// A request the PKI engine refuses, with the response to give.
struct PKIRefusal: Error {
    var response: VaultResponse
    init(_ message: String) { response = .badRequest(message) }
}

/// The PKI secrets engine: `root/generate/{internal,exported}`, `roles/<name>`,
/// `issue/<role>`, and the CA at `ca`, `ca/pem`, `cert/ca` (unauthenticated, as in Vault).
extension VaultCore {
    /// At most this many `alt_names` and `ip_sans` together (Vault sets no limit): bounded work.
    static let pkiMaxSANs = 100
    /// X.509's upper bound for a common name (`ub-common-name`).
    static let pkiMaxCommonName = 64
    /// Vault backdates certificates by 30 seconds (`not_before_duration`) for clock skew.
    static let pkiBackdate: TimeInterval = 30

    /// A request under a `pki` mount (`rest` is the path after it), ACL-checked here.
    ///
    /// Keys are made on the emulator's actor: an RSA key (Vault's default type) holds other
    /// requests for the tens of milliseconds it takes; tests that issue many use `ec`.
    func pki(_ context: inout RequestContext, mountKey: String, rest: String) -> VaultResponse {
        let ns = context.request.namespace
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // Roles have an existence check in Vault: writing a new one needs `create`.
        var capability = context.plainCapability
        if capability == .update, parts.first == "roles", namespaces[ns]?.mounts[mountKey]?.pki.roles[parts.dropFirst().joined(separator: "/")] == nil {
            capability = .create
        }
        guard context.allows(capability) else { return .permissionDenied }
        let method = context.method
        let body = context.body
        do throws(PKIRefusal) {
            switch (parts.first ?? "", parts.count) {
            case ("root", 3) where parts[1] == "generate" && (parts[2] == "internal" || parts[2] == "exported"):
                guard method == "POST" || method == "PUT" else { return .unsupportedOperation }
                return try generateRoot(body, exported: parts[2] == "exported", mountKey: mountKey, namespace: ns)
            case ("root", 1):
                guard method == "DELETE" else { return .unsupportedOperation }
                namespaces[ns]?.mounts[mountKey]?.pki.issuer = nil
                return .noContent
            case ("roles", _):
                return try pkiRole(method, name: parts.dropFirst().joined(separator: "/"), mountKey: mountKey, namespace: ns, body: body)
            case ("issue", 2):
                guard method == "POST" || method == "PUT" else { return .unsupportedOperation }
                return try issue(body, role: parts[1], mountKey: mountKey, namespace: ns)
            case ("ca", _), ("cert", _), ("ca_chain", _):
                return pkiCA(rest, mount: namespaces[ns]?.mounts[mountKey]) ?? .unsupportedPath(context.path)
            default:
                return .unsupportedPath(context.path)
            }
        } catch {
            return error.response
        }
    }

    /// `GET <pki mount>/ca`, `ca/pem`, `ca_chain`, `cert/ca`: served without a token, as in Vault.
    func pkiUnauthenticated(_ request: VaultRequest) -> VaultResponse? {
        guard request.method == "GET" else { return nil }
        for suffix in ["/ca/pem", "/cert/ca", "/ca_chain", "/ca"] where request.path.hasSuffix(suffix) {
            let mountKey = String(request.path.dropLast(suffix.count)) + "/"
            guard let mount = namespaces[request.namespace]?.mounts[mountKey], mount.type == "pki" else { continue }
            return pkiCA(String(suffix.dropFirst()), mount: mount)
        }
        return nil
    }

    private func pkiCA(_ rest: String, mount: Mount?) -> VaultResponse? {
        guard let mount, mount.type == "pki" else { return nil }
        guard let issuer = mount.pki.issuer else {
            return rest == "cert/ca" ? .badRequest("no default issuer currently configured") : VaultResponse(status: 204, body: nil)
        }
        switch rest {
        case "ca": return VaultResponse(status: 200, body: nil, raw: (issuer.der, "application/pkix-cert"))
        case "ca/pem", "ca_chain": return VaultResponse(status: 200, body: nil, raw: (Array(issuer.pem.utf8), "application/pem-certificate-chain"))
        case "cert/ca":
            return .ok(data: [
                "certificate": .string(issuer.pem), "ca_chain": [.string(issuer.pem)], "issuer_id": .string(issuer.id),
                "revocation_time": 0, "revocation_time_rfc3339": "",
            ])
        default: return nil
        }
    }

    // MARK: Keys

    /// A new private key of Vault's `key_type` (`rsa`: 2048, 3072 or 4096 bits, default
    /// 2048; `ec`: P-256, P-384 or P-521, default 256), its PEM as Vault returns it
    /// (PKCS #1 for RSA, SEC 1 for EC), and the signature algorithm it signs with.
    static func pkiKey(type: String, bits: Int) throws(PKIRefusal) -> (Certificate.PrivateKey, pem: String, Certificate.SignatureAlgorithm) {
        switch type {
        case "rsa":
            let size: _RSA.Signing.KeySize
            switch bits {
            case 0, 2048: size = .bits2048
            case 3072: size = .bits3072
            case 4096: size = .bits4096
            default: throw PKIRefusal("unsupported bit length for RSA key: \(bits)")
            }
            guard let key = try? _RSA.Signing.PrivateKey(keySize: size) else { throw PKIRefusal("error generating RSA private key") }
            return (Certificate.PrivateKey(key), key.pemRepresentation, .sha256WithRSAEncryption)
        case "ec":
            switch bits {
            case 0, 256:
                let key = P256.Signing.PrivateKey()
                return (Certificate.PrivateKey(key), sec1PEM(key.rawRepresentation, key.publicKey.x963Representation, curve: [1, 2, 840, 10045, 3, 1, 7]), .ecdsaWithSHA256)
            case 384:
                let key = P384.Signing.PrivateKey()
                return (Certificate.PrivateKey(key), sec1PEM(key.rawRepresentation, key.publicKey.x963Representation, curve: [1, 3, 132, 0, 34]), .ecdsaWithSHA384)
            case 521:
                let key = P521.Signing.PrivateKey()
                return (Certificate.PrivateKey(key), sec1PEM(key.rawRepresentation, key.publicKey.x963Representation, curve: [1, 3, 132, 0, 35]), .ecdsaWithSHA512)
            default:
                throw PKIRefusal("unsupported bit length for EC key: \(bits)")
            }
        default:
            throw PKIRefusal("unknown key type: \(type.prefix(32))")
        }
    }

    /// An EC private key as SEC 1 (`EC PRIVATE KEY`), the form Vault's `private_key` has.
    private static func sec1PEM(_ raw: Data, _ publicKey: Data, curve: ASN1ObjectIdentifier) -> String {
        var serializer = DER.Serializer()
        try? serializer.appendConstructedNode(identifier: .sequence) { c in
            try c.serialize(1)
            try c.serialize(ASN1OctetString(contentBytes: ArraySlice(raw)))
            try c.serialize(curve, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            try c.serialize(ASN1BitString(bytes: ArraySlice(publicKey)), explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
        }
        return PEMDocument(type: "EC PRIVATE KEY", derBytes: serializer.serializedBytes).pemString
    }

    static func serialText(_ serial: Certificate.SerialNumber) -> String {
        serial.bytes.map { String(format: "%02x", $0) }.joined(separator: ":")
    }

    private static func privateKeyType(_ type: String) -> String { type == "ec" ? "ec" : "rsa" }

    // MARK: Root

    private func generateRoot(_ body: JSONObject, exported: Bool, mountKey: String, namespace ns: String) throws(PKIRefusal) -> VaultResponse {
        guard let mount = namespaces[ns]?.mounts[mountKey] else { throw PKIRefusal("no mount") }
        let commonName = body["common_name"]?.stringValue ?? ""
        guard !commonName.isEmpty else {
            throw PKIRefusal("the common_name field is required, or must be provided in a CSR with \"use_csr_common_name\" set to true, unless \"require_cn\" is set to false")
        }
        guard commonName.count <= Self.pkiMaxCommonName else {
            throw PKIRefusal("common_name is longer than the \(Self.pkiMaxCommonName) characters X.509 allows")
        }
        let keyType = body["key_type"]?.stringValue ?? "rsa"
        let keyBits = try Self.intField(body, "key_bits")
        var warnings: [String] = []
        let ttl = try Self.certificateTTL(body, roleTTL: 0, maxTTL: mount.effectiveMaxTTL, mount: mount, warnings: &warnings)
        let (key, keyPEM, algorithm) = try Self.pkiKey(type: keyType, bits: keyBits)
        // Whole seconds: X.509 times have no fractions, and `expiration` must match the certificate's.
        let time = Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
        let notAfter = time.addingTimeInterval(TimeInterval(ttl))
        let certificate: Certificate
        do {
            let name = try DistinguishedName { CommonName(commonName) }
            let ski = SubjectKeyIdentifier(hash: key.publicKey)
            certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
                notValidBefore: time.addingTimeInterval(-Self.pkiBackdate), notValidAfter: notAfter, issuer: name, subject: name,
                signatureAlgorithm: algorithm,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                    ski
                    AuthorityKeyIdentifier(keyIdentifier: ski.keyIdentifier)
                },
                issuerPrivateKey: key)
        } catch {
            throw PKIRefusal("error creating the root certificate")
        }
        guard let pem = try? certificate.serializeAsPEM().pemString, let der = try? certificate.serializeAsPEM().derBytes else {
            throw PKIRefusal("error encoding the root certificate")
        }
        let issuer = PKIEngine.Issuer(
            certificate: certificate, key: key, signatureAlgorithm: algorithm, pem: pem, der: der, id: Self.randomID(), keyID: Self.randomID())
        // One issuer per mount: a new root replaces the previous one (Vault keeps both).
        namespaces[ns]?.mounts[mountKey]?.pki.issuer = issuer
        var data: JSONObject = [
            "certificate": .string(pem), "issuing_ca": .string(pem), "serial_number": .string(Self.serialText(certificate.serialNumber)),
            "expiration": .int(Int64(notAfter.timeIntervalSince1970)), "issuer_id": .string(issuer.id), "issuer_name": "",
            "key_id": .string(issuer.keyID), "key_name": "",
        ]
        if exported {
            data["private_key"] = .string(keyPEM)
            data["private_key_type"] = .string(Self.privateKeyType(keyType))
        }
        return .ok(data: .object(data), warnings: warnings.isEmpty ? nil : warnings)
    }

    private static func intField(_ body: JSONObject, _ field: String) throws(PKIRefusal) -> Int {
        guard let raw = body[field] else { return 0 }
        if let int = raw.intValue, (0...1_000_000).contains(int) { return Int(int) }
        if let text = raw.stringValue, let int = Int(text), (0...1_000_000).contains(int) { return int }
        throw PKIRefusal("error converting input for field \"\(field)\": invalid integer")
    }

    /// A duration field in seconds (absent: nil); refuses what does not parse.
    private static func durationField(_ body: JSONObject, _ field: String) throws(PKIRefusal) -> Int? {
        guard let raw = body[field] else { return nil }
        if raw.stringValue == "" { return 0 }
        guard let seconds = VaultDuration.seconds(raw), seconds >= 0 else {
            throw PKIRefusal("error converting input for field \"\(field)\": invalid duration")
        }
        return seconds
    }

    /// The certificate's lifetime: `ttl` asked, else the role's, else the mount's default;
    /// capped at `maxTTL` with Vault's warning.
    private static func certificateTTL(
        _ body: JSONObject, roleTTL: Int, maxTTL: Int, mount: Mount, warnings: inout [String]
    ) throws(PKIRefusal) -> Int {
        var ttl = try durationField(body, "ttl") ?? 0
        if ttl == 0 { ttl = roleTTL > 0 ? roleTTL : mount.effectiveDefaultTTL }
        if ttl > maxTTL {
            warnings.append("TTL \"\(goDuration(ttl))\" is longer than permitted maxTTL \"\(goDuration(maxTTL))\", so maxTTL is being used")
            ttl = maxTTL
        }
        return ttl
    }

    // MARK: Roles

    private func pkiRole(_ method: String, name: String, mountKey: String, namespace ns: String, body: JSONObject) throws(PKIRefusal) -> VaultResponse {
        if name.isEmpty || name.hasSuffix("/") {
            guard method == "LIST" else { return .unsupportedOperation }
            let keys = namespaces[ns]?.mounts[mountKey]?.pki.roles.keys.sorted() ?? []
            return keys.isEmpty ? .notFound : .ok(data: ["keys": .array(keys.map(JSONValue.string))])
        }
        switch method {
        case "GET":
            guard let role = namespaces[ns]?.mounts[mountKey]?.pki.roles[name] else { return .notFound }
            return .ok(data: [
                "allowed_domains": .array(role.allowedDomains.map(JSONValue.string)), "allow_subdomains": .bool(role.allowSubdomains),
                "allow_bare_domains": .bool(role.allowBareDomains), "allow_localhost": .bool(role.allowLocalhost),
                "allow_any_name": .bool(role.allowAnyName), "allow_ip_sans": .bool(role.allowIPSANs),
                "enforce_hostnames": .bool(role.enforceHostnames), "ttl": .int(Int64(role.ttl)), "max_ttl": .int(Int64(role.maxTTL)),
                "key_type": .string(role.keyType), "key_bits": .int(Int64(role.keyBits == 0 ? (role.keyType == "ec" ? 256 : 2048) : role.keyBits)),
                "server_flag": true, "client_flag": true, "require_cn": true, "generate_lease": false, "no_store": true,
                "key_usage": ["DigitalSignature", "KeyAgreement", "KeyEncipherment"], "ext_key_usage": [],
            ])
        case "POST", "PUT":
            // A write replaces the role: fields not given take their defaults, as in Vault.
            var role = PKIEngine.Role()
            if let domains = TokenSettings.strings(body["allowed_domains"]) {
                guard domains.count <= 1000 else { throw PKIRefusal("too many allowed_domains (at most 1000)") }
                role.allowedDomains = domains.map { $0.lowercased() }
            }
            if let v = body["allow_subdomains"]?.boolValue { role.allowSubdomains = v }
            if let v = body["allow_bare_domains"]?.boolValue { role.allowBareDomains = v }
            if let v = body["allow_localhost"]?.boolValue { role.allowLocalhost = v }
            if let v = body["allow_any_name"]?.boolValue { role.allowAnyName = v }
            if let v = body["allow_ip_sans"]?.boolValue { role.allowIPSANs = v }
            if let v = body["enforce_hostnames"]?.boolValue { role.enforceHostnames = v }
            role.ttl = try Self.durationField(body, "ttl") ?? 0
            role.maxTTL = try Self.durationField(body, "max_ttl") ?? 0
            if role.maxTTL > 0 && role.ttl > role.maxTTL { throw PKIRefusal("\"ttl\" value must be less than \"max_ttl\" value") }
            role.keyType = body["key_type"]?.stringValue ?? "rsa"
            role.keyBits = try Self.intField(body, "key_bits")
            // Refuse a key type or size `issue` could not make.
            switch (role.keyType, role.keyBits) {
            case ("rsa", 0), ("rsa", 2048), ("rsa", 3072), ("rsa", 4096), ("ec", 0), ("ec", 256), ("ec", 384), ("ec", 521): break
            case ("rsa", _): throw PKIRefusal("unsupported bit length for RSA key: \(role.keyBits)")
            case ("ec", _): throw PKIRefusal("unsupported bit length for EC key: \(role.keyBits)")
            default: throw PKIRefusal("unknown key type: \(role.keyType.prefix(32))")
            }
            namespaces[ns]?.mounts[mountKey]?.pki.roles[name] = role
            return .noContent
        case "DELETE":
            namespaces[ns]?.mounts[mountKey]?.pki.roles[name] = nil
            return .noContent
        default:
            return .unsupportedOperation
        }
    }

    // MARK: Issue

    /// Whether `name` is a DNS host name (labels of letters, digits and `-`, a leading `*.`
    /// wildcard allowed), as the role's `enforce_hostnames` requires.
    static func isHostname(_ name: String) -> Bool {
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" { labels.removeFirst() }
        guard !labels.isEmpty, name.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || $0 == 0x2d }
        }
    }

    /// Whether the role lets a certificate name `name`.
    static func roleAllows(_ role: PKIEngine.Role, _ name: String) -> Bool {
        let lower = name.lowercased()
        if role.enforceHostnames && !isHostname(lower) { return false }
        if role.allowAnyName { return true }
        if role.allowLocalhost && (lower == "localhost" || lower == "localdomain") { return true }
        for domain in role.allowedDomains {
            if role.allowBareDomains && lower == domain { return true }
            if role.allowSubdomains && lower.hasSuffix("." + domain) { return true }
        }
        return false
    }

    /// An IP address in text (IPv4 dotted quad or IPv6) as its bytes.
    static func ipBytes(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func list(_ value: JSONValue?, field: String, limit: Int) throws(PKIRefusal) -> [String] {
        guard let value else { return [] }
        // Counted before anything is split or checked: 10,000 names cost one pass.
        if let text = value.stringValue, text.utf8.reduce(0, { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }) >= limit {
            throw PKIRefusal("too many \(field) (at most \(limit) names in alt_names and ip_sans together)")
        }
        if let array = value.arrayValue, array.count > limit {
            throw PKIRefusal("too many \(field) (at most \(limit) names in alt_names and ip_sans together)")
        }
        return TokenSettings.strings(value) ?? []
    }

    private func issue(_ body: JSONObject, role roleName: String, mountKey: String, namespace ns: String) throws(PKIRefusal) -> VaultResponse {
        guard let mount = namespaces[ns]?.mounts[mountKey] else { throw PKIRefusal("no mount") }
        guard let role = mount.pki.roles[roleName] else { throw PKIRefusal("unknown role: \(roleName)") }
        guard let issuer = mount.pki.issuer else { throw PKIRefusal("no default issuer currently configured") }
        let commonName = body["common_name"]?.stringValue ?? ""
        guard !commonName.isEmpty else {
            throw PKIRefusal("the common_name field is required, or must be provided in a CSR with \"use_csr_common_name\" set to true, unless \"require_cn\" is set to false")
        }
        guard commonName.count <= Self.pkiMaxCommonName else {
            throw PKIRefusal("common_name is longer than the \(Self.pkiMaxCommonName) characters X.509 allows")
        }
        guard Self.roleAllows(role, commonName) else { throw PKIRefusal("common name \(commonName) not allowed by this role") }
        let altNames = try Self.list(body["alt_names"], field: "alt_names", limit: Self.pkiMaxSANs)
        let ipTexts = try Self.list(body["ip_sans"], field: "ip_sans", limit: Self.pkiMaxSANs)
        guard altNames.count + ipTexts.count <= Self.pkiMaxSANs else {
            throw PKIRefusal("too many alt_names and ip_sans (at most \(Self.pkiMaxSANs) together)")
        }
        for name in altNames where name.utf8.count > 253 || !Self.roleAllows(role, name) {
            throw PKIRefusal("subject alternate name \(name.prefix(253)) not allowed by this role")
        }
        var ips: [[UInt8]] = []
        for text in ipTexts {
            guard role.allowIPSANs else { throw PKIRefusal("IP Subject Alternative Names are not allowed in this role, but was provided \(text.prefix(45))") }
            guard let bytes = Self.ipBytes(text) else { throw PKIRefusal("the value \"\(text.prefix(45))\" is not a valid IP address") }
            ips.append(bytes)
        }
        var warnings: [String] = []
        let maxTTL = role.maxTTL > 0 ? min(role.maxTTL, mount.effectiveMaxTTL) : mount.effectiveMaxTTL
        let ttl = try Self.certificateTTL(body, roleTTL: role.ttl, maxTTL: maxTTL, mount: mount, warnings: &warnings)
        // Whole seconds: X.509 times have no fractions, and `expiration` must match the certificate's.
        let time = Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
        let notAfter = time.addingTimeInterval(TimeInterval(ttl))
        guard notAfter <= issuer.certificate.notValidAfter else {
            throw PKIRefusal(
                "cannot satisfy request, as TTL would result in notAfter of \(VaultTime.format(notAfter)) that is beyond the expiration of the CA certificate at \(VaultTime.format(issuer.certificate.notValidAfter))")
        }
        let (key, keyPEM, _) = try Self.pkiKey(type: role.keyType, bits: role.keyBits)
        var dnsNames: [String] = []
        for name in [commonName] + altNames where Self.isHostname(name.lowercased()) && !dnsNames.contains(name) { dnsNames.append(name) }
        let sans = dnsNames.map { GeneralName.dnsName($0) } + ips.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) }
        let certificate: Certificate
        do {
            let issuerSKI = try issuer.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
                notValidBefore: time.addingTimeInterval(-Self.pkiBackdate), notValidAfter: notAfter, issuer: issuer.certificate.subject,
                subject: try DistinguishedName { CommonName(commonName) }, signatureAlgorithm: issuer.signatureAlgorithm,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyAgreement: true))
                    try ExtendedKeyUsage([.serverAuth, .clientAuth])
                    SubjectKeyIdentifier(hash: key.publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: issuerSKI)
                    if !sans.isEmpty { SubjectAlternativeNames(sans) }
                },
                issuerPrivateKey: issuer.key)
        } catch {
            throw PKIRefusal("error creating the certificate")
        }
        guard let pem = try? certificate.serializeAsPEM().pemString else { throw PKIRefusal("error encoding the certificate") }
        return .ok(
            data: [
                "certificate": .string(pem), "issuing_ca": .string(issuer.pem), "ca_chain": [.string(issuer.pem)],
                "private_key": .string(keyPEM), "private_key_type": .string(Self.privateKeyType(role.keyType)),
                "serial_number": .string(Self.serialText(certificate.serialNumber)),
                "expiration": .int(Int64(notAfter.timeIntervalSince1970)),
            ],
            warnings: warnings.isEmpty ? nil : warnings)
    }
}
