import Foundation
import JSONCore
import Mustache

/// The functions a template may call, with swift-mustache's transform syntax
/// `{{function(key)}}`; calls nest, innermost first: `{{b64enc(pemPrivateKey(bundle))}}`.
///
/// | function | result |
/// | --- | --- |
/// | `b64enc(x)` | the bytes of `x`, base64-encoded (standard alphabet, padded) |
/// | `b64dec(x)` | `x` base64-decoded (surrounding whitespace ignored); not base64 is an error |
/// | `json(x)` | `x` as a JSON string literal, quotes included, for building JSON by hand |
/// | `lowercased(x)`, `uppercased(x)` | `x` in lower or upper case |
/// | `pemCertificates(x)` | every `CERTIFICATE` block of the PEM text `x`, in order (for `tls.crt`); none is an error |
/// | `pemPrivateKey(x)` | the one `… PRIVATE KEY` block of `x` (for `tls.key`); none or several is an error |
/// | `dockerconfigjson(node)` | `{"auths":{REGISTRY:{"username":U,"password":P,"auth":base64(U:P)}}}` from the keys `registry`, `username`, `password` below `node` (`.` for the top level: `{{dockerconfigjson(.)}}`; `ghcr` for `ghcr.registry`, …) |
///
/// An unknown function, a failing function or a non-UTF-8 result used as text is a
/// `RenderError` naming the template key and the call (`b64dec(password)`), never a value.
///
/// Bounded against hostile templates and provider bytes: every function is one linear
/// pass over its input; an input or a result over ``SecretLimits/maximumDataBytes`` is an
/// error (so chains such as `b64enc(b64enc(…))` cannot grow without end); and one template
/// may make at most ``maximumCalls`` calls, so the work of a rendering is at most about
/// `maximumCalls` × 1 MiB × a small constant, whatever the template.
enum TemplateFunctions {
    /// The most function calls one template may make.
    static let maximumCalls = 256

    static let names: Set<String> = [
        "b64enc", "b64dec", "json", "lowercased", "uppercased", "pemCertificates", "pemPrivateKey", "dockerconfigjson",
    ]

    /// What a function failed on, for `RenderError`; never holds a value.
    struct Failure: Error {
        var reason: String
    }

    /// Applies `function` to a value's bytes (every function but `dockerconfigjson`).
    static func apply(_ function: String, to bytes: [UInt8]) throws(Failure) -> [UInt8] {
        guard bytes.count <= SecretLimits.maximumDataBytes else {
            throw Failure(reason: "its input is larger than \(SecretLimits.maximumDataBytes) bytes")
        }
        let output: [UInt8]
        switch function {
        case "b64enc":
            output = Array(Data(bytes).base64EncodedString().utf8)
        case "b64dec":
            let trimmed = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let decoded = Data(base64Encoded: trimmed) else { throw Failure(reason: "its input is not base64") }
            output = Array(decoded)
        case "json":
            output = JSONValue.string(try text(bytes)).serializedBytes()
        case "lowercased":
            output = Array(try text(bytes).lowercased().utf8)
        case "uppercased":
            output = Array(try text(bytes).uppercased().utf8)
        case "pemCertificates":
            let blocks = PEMBlocks.parse(try text(bytes)).filter { $0.label == "CERTIFICATE" }
            guard !blocks.isEmpty else { throw Failure(reason: "its input holds no PEM CERTIFICATE block") }
            output = Array(blocks.map(\.text).joined().utf8)
        case "pemPrivateKey":
            let blocks = PEMBlocks.parse(try text(bytes)).filter { $0.label.hasSuffix("PRIVATE KEY") }
            guard blocks.count == 1 else {
                throw Failure(reason: blocks.isEmpty ? "its input holds no PEM PRIVATE KEY block" : "its input holds \(blocks.count) PEM PRIVATE KEY blocks, not one")
            }
            output = Array(blocks[0].text.utf8)
        case "dockerconfigjson":
            throw Failure(reason: "dockerconfigjson takes a key prefix holding registry, username and password (or . for the top level), not a value")
        default:
            throw Failure(reason: "\(function) is not a template function (known: \(names.sorted().joined(separator: ", ")))")
        }
        guard output.count <= SecretLimits.maximumDataBytes else {
            throw Failure(reason: "its result would be larger than \(SecretLimits.maximumDataBytes) bytes")
        }
        return output
    }

    /// `{"auths":{REGISTRY:{"username":U,"password":P,"auth":base64("U:P")}}}`, the
    /// `.dockerconfigjson` of a `kubernetes.io/dockerconfigjson` Secret.
    static func dockerConfigJSON(registry: [UInt8], username: [UInt8], password: [UInt8]) throws(Failure) -> [UInt8] {
        guard registry.count + username.count + password.count <= SecretLimits.maximumDataBytes / 2 else {
            throw Failure(reason: "its input is larger than \(SecretLimits.maximumDataBytes / 2) bytes")
        }
        let auth = Data(username + Array(":".utf8) + password).base64EncodedString()
        let entry: JSONValue = [
            "username": .string(try text(username)), "password": .string(try text(password)), "auth": .string(auth),
        ]
        let config: JSONValue = ["auths": .object([try text(registry): entry])]
        return config.serializedBytes()
    }

    private static func text(_ bytes: [UInt8]) throws(Failure) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(reason: "its input is not UTF-8 text") }
        return text
    }
}

/// The blocks of a PEM text (`-----BEGIN LABEL-----` … `-----END LABEL-----`), found in
/// one pass over its lines; text between blocks (e.g. `openssl`'s `Bag Attributes`) is
/// skipped. Each block is given back normalised: its lines without `\r`, ending in `\n`.
/// PEM files concatenated without a final newline (`-----END A----------BEGIN B-----`)
/// are split where one block ends and the next begins.
enum PEMBlocks {
    struct Block {
        var label: String
        var text: String
    }

    static func parse(_ pem: String) -> [Block] {
        var blocks: [Block] = []
        // The open block's label and lines (kept apart so appending never copies).
        var openLabel: String?
        var lines: [Substring] = []
        let separated = pem.replacingOccurrences(of: "----------BEGIN ", with: "-----\n-----BEGIN ")
        for rawLine in separated.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if let label = openLabel {
                lines.append(line)
                if line.count == label.count + 14, line == "-----END \(label)-----" {
                    blocks.append(Block(label: label, text: lines.joined(separator: "\n") + "\n"))
                    openLabel = nil
                    lines.removeAll(keepingCapacity: true)
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                openLabel = String(line.dropFirst(11).dropLast(5))
                lines = [line]
            }
        }
        return blocks
    }
}
