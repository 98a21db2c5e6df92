import Crypto
import Foundation
import JSONCore
import KubeAPI

/// Issues and verifies ServiceAccount tokens as the TokenRequest API does: ES256
/// JWTs with the audiences asked for, an expiry, and the ServiceAccount's identity.
/// TokenReview verifies them (signature, expiry, audience, the ServiceAccount still
/// existing with the same uid), which is how Vault's kubernetes auth checks a login.
struct ServiceAccountTokens: Sendable {
    static let issuer = "https://kubernetes.default.svc.cluster.local"
    /// The signing key's raw bytes (Crypto's key type is not Sendable).
    private let keyBytes: Data

    init() { keyBytes = P256.Signing.PrivateKey().rawRepresentation }

    private var key: P256.Signing.PrivateKey { try! P256.Signing.PrivateKey(rawRepresentation: keyBytes) }

    struct Claims: Sendable {
        var namespace: String
        var serviceAccountName: String
        var serviceAccountUID: String
        var audiences: [String]
        var expires: Date
        /// The token's `jti`: TokenReview names it as the user's credential id (`JTI=…`).
        var tokenID: String = ""
    }

    func issue(_ claims: Claims, now: Date) throws -> String {
        let header: JSONValue = ["alg": "ES256", "typ": "JWT", "kid": .string(keyID)]
        let payload: JSONValue = [
            "iss": .string(Self.issuer),
            "sub": .string("system:serviceaccount:\(claims.namespace):\(claims.serviceAccountName)"),
            "aud": .array(claims.audiences.map(JSONValue.string)),
            "iat": .int(Int64(now.timeIntervalSince1970)), "nbf": .int(Int64(now.timeIntervalSince1970)),
            "exp": .int(Int64(claims.expires.timeIntervalSince1970)),
            "jti": .string(claims.tokenID.isEmpty ? UUID().uuidString.lowercased() : claims.tokenID),
            "kubernetes.io": [
                "namespace": .string(claims.namespace),
                "serviceaccount": ["name": .string(claims.serviceAccountName), "uid": .string(claims.serviceAccountUID)],
            ],
        ]
        let signingInput = Base64URL.encode(header.serializedBytes()) + "." + Base64URL.encode(payload.serializedBytes())
        let signature = try key.signature(for: Data(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }

    /// The verified claims of a token, or a reason it is not valid.
    func verify(_ token: String, now: Date) -> Result<Claims, TokenError> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payloadBytes = Base64URL.decode(String(parts[1])),
            let signatureBytes = Base64URL.decode(String(parts[2])),
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes)
        else { return .failure(TokenError("invalid bearer token")) }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard key.publicKey.isValidSignature(signature, for: signingInput) else {
            return .failure(TokenError("invalid bearer token, square/go-jose: error in cryptographic primitive"))
        }
        guard let payload = try? JSONValue(parsing: payloadBytes), payload["iss"]?.stringValue == Self.issuer,
            let exp = payload["exp"]?.intValue, let namespace = payload[path: ["kubernetes.io", "namespace"]]?.stringValue,
            let name = payload[path: ["kubernetes.io", "serviceaccount", "name"]]?.stringValue,
            let uid = payload[path: ["kubernetes.io", "serviceaccount", "uid"]]?.stringValue
        else { return .failure(TokenError("invalid bearer token")) }
        if Double(exp) < now.timeIntervalSince1970 { return .failure(TokenError("invalid bearer token, Token has expired.")) }
        let audiences = payload["aud"]?.arrayValue?.compactMap(\.stringValue) ?? payload["aud"]?.stringValue.map { [$0] } ?? []
        return .success(Claims(
            namespace: namespace, serviceAccountName: name, serviceAccountUID: uid, audiences: audiences,
            expires: Date(timeIntervalSince1970: Double(exp)), tokenID: payload["jti"]?.stringValue ?? ""))
    }

    /// The PEM public key tokens are verified with (what a JWT auth method's
    /// `jwt_validation_pubkeys` takes, as a cluster's service-account issuer key would be).
    var publicKeyPEM: String { key.publicKey.pemRepresentation }

    private var keyID: String {
        SHA256.hash(data: key.publicKey.derRepresentation).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    struct TokenError: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }
}

enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }
}
