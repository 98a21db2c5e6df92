import Foundation
import HTTPServing
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// The template functions users need for typed Secrets: base64, JSON, a dockerconfigjson
/// builder and PEM splitting; failures name the call, never a value.
@Suite("Rendering: template functions")
struct RenderingTemplateFunctionsTests {
    static func render(_ templates: [String: String], _ values: [String: String], type: String? = nil) throws(RenderError) -> [String: String] {
        let es = renderingExternalSecret(target: renderingTemplate(templates, type: type))
        let rendered = try SecretRenderer.render(externalSecret: es, values: renderingValues(values))
        return rendered.data.mapValues { renderingText($0) ?? "<binary>" }
    }

    static func failure(_ templates: [String: String], _ values: [String: String]) -> RenderError? {
        do {
            _ = try render(templates, values)
            return nil
        } catch {
            return error
        }
    }

    @Test("b64enc and b64dec encode and decode a value, and chain")
    func base64() throws {
        let out = try Self.render(
            ["encoded": "{{b64enc(password)}}", "decoded": "{{b64dec(blob)}}", "both": "{{b64dec(b64enc(password))}}"],
            ["password": "pa:ss", "blob": " cGEtc3M= \n"])
        #expect(out == ["encoded": "cGE6c3M=", "decoded": "pa-ss", "both": "pa:ss"])
    }

    @Test("json quotes a value as a JSON string, so hand-built JSON stays valid whatever the value holds")
    func jsonQuoting() throws {
        let out = try Self.render(["config": #"{"token":{{json(token)}}}"#], ["token": "a\"b\\c\nd"])
        let parsed = try JSONValue(parsing: try #require(out["config"]))
        #expect(parsed["token"]?.stringValue == "a\"b\\c\nd")
    }

    @Test("dockerconfigjson builds the auths object with username, password and the base64 auth, from the top level or a prefix")
    func dockerConfigJSON() throws {
        let out = try Self.render(
            [".dockerconfigjson": "{{dockerconfigjson(.)}}", "other": "{{dockerconfigjson(ghcr)}}"],
            [
                "registry": "registry.example:5000", "username": "robot", "password": "p\"w:1",
                "ghcr.registry": "ghcr.io", "ghcr.username": "u", "ghcr.password": "p",
            ])
        let config = try JSONValue(parsing: try #require(out[".dockerconfigjson"]))
        let entry = try #require(config["auths"]?["registry.example:5000"])
        #expect(entry["username"]?.stringValue == "robot")
        #expect(entry["password"]?.stringValue == "p\"w:1")
        #expect(entry["auth"]?.stringValue == Data("robot:p\"w:1".utf8).base64EncodedString())
        #expect(try JSONValue(parsing: try #require(out["other"]))["auths"]?["ghcr.io"]?["auth"]?.stringValue == "dTpw")
    }

    @Test("dockerconfigjson without one of its keys fails naming the call and the missing key")
    func dockerConfigJSONMissingKey() throws {
        let error = try #require(Self.failure([".dockerconfigjson": "{{dockerconfigjson(.)}}"], ["registry": "r", "username": renderingCanary]))
        #expect(error.code == "templateFunctionFailed")
        #expect(error.description.contains("dockerconfigjson(.)"))
        #expect(error.description.contains("'password'"))
        #expect(!error.description.contains(renderingCanary))
    }

    @Test("pemCertificates and pemPrivateKey split a PEM bundle into tls.crt (every certificate, in order) and tls.key")
    func pemSplitting() throws {
        let certificates = try ServingCertificates.generate()
        let bundle = certificates.serverKeyPEM + "\n" + certificates.serverCertificatePEM + certificates.caCertificatePEM
        let out = try Self.render(["tls.crt": "{{pemCertificates(bundle)}}", "tls.key": "{{pemPrivateKey(bundle)}}"], ["bundle": bundle])
        let crt = try #require(out["tls.crt"])
        let expected = [certificates.serverCertificatePEM, certificates.caCertificatePEM].map { $0.trimmingCharacters(in: .newlines) + "\n" }.joined()
        #expect(crt == expected, "each certificate whole, in order, each ending in a newline")
        let key = try #require(out["tls.key"])
        #expect(key.hasPrefix("-----BEGIN ") && key.contains("PRIVATE KEY-----\n"))
        #expect(!key.contains("CERTIFICATE"))
        #expect(key.trimmingCharacters(in: .newlines) == certificates.serverKeyPEM.trimmingCharacters(in: .newlines))
    }

    @Test("a bundle without a private key, or with two, fails naming the call, not the bundle")
    func pemWithoutOneKey() throws {
        let certificates = try ServingCertificates.generate()
        let none = try #require(Self.failure(["tls.key": "{{pemPrivateKey(bundle)}}"], ["bundle": certificates.caCertificatePEM]))
        #expect(none.description.contains("pemPrivateKey(bundle)"))
        #expect(none.description.contains("no PEM PRIVATE KEY"))
        let two = try #require(Self.failure(["tls.key": "{{pemPrivateKey(bundle)}}"], ["bundle": certificates.serverKeyPEM + "\n" + certificates.serverKeyPEM]))
        #expect(two.description.contains("2 PEM PRIVATE KEY blocks"))
        #expect(!renderingPrinted(two).contains("BEGIN"))
    }

    @Test("an unknown function is an error naming it, not an empty value")
    func unknownFunction() throws {
        let error = try #require(Self.failure(["x": "{{sha1(password)}}"], ["password": renderingCanary]))
        #expect(error.code == "templateFunctionFailed")
        #expect(error.description.contains("sha1 is not a template function"))
        #expect(error.syncFailure.reason == "InvalidSpec")
    }

    @Test("b64dec of something that is not base64, or to bytes that are not text, fails without showing the value")
    func badBase64() throws {
        let notBase64 = try #require(Self.failure(["x": "{{b64dec(password)}}"], ["password": renderingCanary + "!"]))
        #expect(notBase64.description.contains("not base64"))
        #expect(!renderingPrinted(notBase64).contains(renderingCanary))
        let binary = Data([0xff, 0xfe, 0x00]).base64EncodedString()
        let notText = try #require(Self.failure(["x": "{{b64dec(blob)}}"], ["blob": binary]))
        #expect(notText.code == "nonUTF8Value")
        #expect(notText.description.contains("b64dec(blob)"))
    }

    @Test("hostile: chained b64enc cannot grow past 1 MiB, calls cannot nest without end, nor repeat without end")
    func hostileChainsAreBounded() throws {
        let chain = String(repeating: "b64enc(", count: 30) + "v" + String(repeating: ")", count: 30)
        let grown = try #require(Self.failure(["x": "{{\(chain)}}"], ["v": String(repeating: "a", count: 100_000)]))
        #expect(grown.code == "templateFunctionFailed")
        #expect(grown.description.contains("larger than 1048576 bytes"))
        let deep = String(repeating: "b64enc(", count: 100_000) + "v" + String(repeating: ")", count: 100_000)
        #expect(Self.failure(["x": "{{\(deep)}}"], ["v": "a"])?.code == "templateCallsTooDeep")
        let many = try #require(Self.failure(["x": String(repeating: "{{b64enc(v)}}", count: 1000)], ["v": "a"]))
        #expect(many.code == "templateTooManyCalls")
    }
}
