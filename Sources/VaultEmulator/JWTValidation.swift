import Crypto
import Foundation
import JSONCore
import _CryptoExtras

/// Checks a JWT as Vault's JWT auth method does with `jwt_validation_pubkeys`: the
/// signature (RS256 or ES256) against one of the configured PEM public keys, then `exp`,
/// `nbf` and `iat` with leeways, and `iss` against `bound_issuer`. Failures carry Vault's
/// wording (`error validating token: …`) and never the token.
enum JWTValidation {
    struct Failure: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// The leeways of a role, in seconds (Vault's defaults: 60, 150, 150).
    struct Leeways: Sendable {
        var clockSkew = 60
        var expiration = 150
        var notBefore = 150
    }

    /// Whether `pem` is a public key the emulator can check signatures with (ES256 or RS256).
    static func isSupportedKey(_ pem: String) -> Bool {
        (try? P256.Signing.PublicKey(pemRepresentation: pem)) != nil || (try? _RSA.Signing.PublicKey(pemRepresentation: pem)) != nil
    }

    /// The verified claims of `token`, or Vault's reason for refusing it.
    static func claims(of token: String, keys: [String], boundIssuer: String?, leeways: Leeways, now: Date) -> Result<JSONObject, Failure> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerBytes = base64URL(parts[0]), let payloadBytes = base64URL(parts[1]),
            let signature = base64URL(parts[2]), let header = try? JSONValue(parsing: headerBytes),
            let payload = (try? JSONValue(parsing: payloadBytes))?.objectValue
        else { return .failure(Failure("error validating token: malformed token")) }
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        let algorithm = header["alg"]?.stringValue ?? ""
        guard algorithm == "RS256" || algorithm == "ES256" else {
            return .failure(Failure("error validating token: unsupported signing algorithm \"\(algorithm)\""))
        }
        guard keys.contains(where: { verify(signature, of: signed, algorithm: algorithm, pem: $0) }) else {
            return .failure(Failure("error validating token: failed to verify signature: no known key successfully validated the token signature"))
        }
        let time = now.timeIntervalSince1970
        if let exp = payload["exp"]?.doubleValue ?? payload["exp"]?.intValue.map(Double.init),
            time > exp + Double(leeways.expiration + leeways.clockSkew)
        {
            return .failure(Failure("error validating token: token is expired (exp)"))
        }
        if let nbf = payload["nbf"]?.doubleValue ?? payload["nbf"]?.intValue.map(Double.init),
            time < nbf - Double(leeways.notBefore + leeways.clockSkew)
        {
            return .failure(Failure("error validating token: token not valid yet (nbf)"))
        }
        if let iat = payload["iat"]?.doubleValue ?? payload["iat"]?.intValue.map(Double.init), time < iat - Double(leeways.clockSkew) {
            return .failure(Failure("error validating token: token issued in the future (iat)"))
        }
        if let boundIssuer, !boundIssuer.isEmpty, payload["iss"]?.stringValue != boundIssuer {
            return .failure(Failure("error validating token: invalid issuer (iss) claim"))
        }
        return .success(payload)
    }

    /// The `aud` claim as a list (a string or an array).
    static func audiences(_ claims: JSONObject) -> [String] {
        if let one = claims["aud"]?.stringValue { return [one] }
        return claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    private static func verify(_ signature: [UInt8], of data: Data, algorithm: String, pem: String) -> Bool {
        switch algorithm {
        case "ES256":
            guard let key = try? P256.Signing.PublicKey(pemRepresentation: pem),
                let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return key.isValidSignature(ecdsa, for: data)
        default:
            guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: data, padding: .insecurePKCS1v1_5)
        }
    }

    static func base64URL(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }
}
