import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

@Suite("Rendering: SecretRenderer")
struct RenderingSecretRendererTests {
    @Test("without a template the Secret data is the fetched values")
    func plainData() throws {
        let values = renderingValues(["user": "shop", "password": renderingCanary])
        let rendered = try SecretRenderer.render(externalSecret: renderingExternalSecret(), values: values)
        #expect(rendered.data == values)
        #expect(rendered.type == nil)
        #expect(rendered.labels.isEmpty && rendered.annotations.isEmpty)
    }

    @Test("binary values pass through untouched when nothing templates them")
    func binaryPassThrough() throws {
        let binary = SecretValue(bytes: [0xff, 0x00, 0xfe])
        let rendered = try SecretRenderer.render(externalSecret: renderingExternalSecret(), values: ["blob": binary])
        #expect(rendered.data["blob"]?.revealedBytes() == [0xff, 0x00, 0xfe])
    }

    @Test("a template puts the password into a URL without HTML escaping")
    func passwordIntoURL() throws {
        let password = #"p&<>"'=x"#
        let es = renderingExternalSecret(
            target: renderingTemplate([
                "DATABASE_URL": "postgres://{{user}}:{{password}}@db:5432/shop",
                "TRIPLE": "{{{password}}}",
                "AMPERSAND": "{{&password}}",
            ]))
        let rendered = try SecretRenderer.render(
            externalSecret: es, values: renderingValues(["user": "shop", "password": password]))
        #expect(renderingText(rendered.data["DATABASE_URL"]) == "postgres://shop:\(password)@db:5432/shop")
        #expect(renderingText(rendered.data["TRIPLE"]) == password)
        #expect(renderingText(rendered.data["AMPERSAND"]) == password)
    }

    @Test("template data replaces the fetched values (ESO mergePolicy Replace)")
    func templateReplacesValues() throws {
        let es = renderingExternalSecret(target: renderingTemplate(["url": "x://{{user}}"]))
        let rendered = try SecretRenderer.render(
            externalSecret: es, values: renderingValues(["user": "u", "password": "p"]))
        #expect(rendered.data.keys.sorted() == ["url"])
    }

    @Test("a template without data keeps the values and applies type, labels and annotations literally")
    func templateWithoutData() throws {
        let es = renderingExternalSecret(
            target: renderingTemplate(
                nil, type: SecretType.basicAuth, labels: ["team": "{{password}}"], annotations: ["note": "{{user}}"]))
        let values = renderingValues(["username": "u", "password": renderingCanary])
        let rendered = try SecretRenderer.render(externalSecret: es, values: values)
        #expect(rendered.data == values)
        #expect(rendered.type == SecretType.basicAuth)
        #expect(rendered.labels == ["team": "{{password}}"])
        #expect(rendered.annotations == ["note": "{{user}}"])
    }

    @Test("a value that looks like a template is inserted, not executed")
    func valueIsNotTemplate() throws {
        let es = renderingExternalSecret(
            target: renderingTemplate(["a": "[{{password}}]", "b": "[{{#key?}}password{{/key?}}]"]))
        let rendered = try SecretRenderer.render(
            externalSecret: es, values: renderingValues(["password": "{{user}}", "user": "nope"]))
        #expect(renderingText(rendered.data["a"]) == "[{{user}}]")
        #expect(renderingText(rendered.data["b"]) == "[{{user}}]")
    }

    @Test("whitespace and newlines of a template are kept, including a leading newline")
    func whitespaceKept() throws {
        let template = "\n  user={{user}}\n\tpass={{password}}\n"
        let es = renderingExternalSecret(target: renderingTemplate(["config": template]))
        let rendered = try SecretRenderer.render(
            externalSecret: es, values: renderingValues(["user": "u", "password": "p"]))
        #expect(renderingText(rendered.data["config"]) == "\n  user=u\n\tpass=p\n")
    }

    @Test("keys with dots are reachable by their plain name, also beside a shorter key")
    func dottedKeys() throws {
        let es = renderingExternalSecret(
            target: renderingTemplate([
                "bundle": "{{tls.crt}}|{{tls.key}}|{{tls}}|{{a-b_c}}",
                "scoped": "{{#tls}}{{crt}}+{{user}}{{/tls}}",
            ]))
        let rendered = try SecretRenderer.render(
            externalSecret: es,
            values: renderingValues(["tls.crt": "CRT", "tls.key": "KEY", "tls": "T", "a-b_c": "ABC", "user": "U"]))
        #expect(renderingText(rendered.data["bundle"]) == "CRT|KEY|T|ABC")
        #expect(renderingText(rendered.data["scoped"]) == "CRT+U")
    }

    @Test("keys Mustache cannot name are reachable through the key? lambda")
    func lambdaLookup() throws {
        let es = renderingExternalSecret(
            target: renderingTemplate([
                "cfg": "{{#key?}}db/pass word{{/key?}}|{{#key?}} .dockerconfigjson {{/key?}}|{{#key?}}a..b{{/key?}}"
            ]))
        let rendered = try SecretRenderer.render(
            externalSecret: es,
            values: renderingValues(["db/pass word": "P&W", ".dockerconfigjson": "{}", "a..b": "AB"]))
        #expect(renderingText(rendered.data["cfg"]) == "P&W|{}|AB")
    }

    @Test("a syntax error names the template key and position, never a value")
    func syntaxError() throws {
        let es = renderingExternalSecret(
            target: renderingTemplate(["DATABASE_URL": "postgres://{{user}}:{{#password}}@db", "ok": "{{user}}"]))
        let error = try #require(throws: RenderError.self) {
            try SecretRenderer.render(
                externalSecret: es, values: renderingValues(["user": renderingCanary, "password": renderingCanary]))
        }
        #expect(error.code == "templateSyntax")
        #expect(error.templateKey == "DATABASE_URL")
        #expect(error.conditionReason == ExternalSecretConditions.Reason.invalidSpec)
        #expect(error.description.contains("DATABASE_URL"))
        #expect(error.description.contains("line 1"))
        #expect(!renderingPrinted(error).contains(renderingCanary))
        #expect(!error.localizedDescription.contains(renderingCanary))
    }

    @Test("a syntax error on a later line reports that line")
    func syntaxErrorLine() throws {
        let es = renderingExternalSecret(target: renderingTemplate(["cfg": "a={{#user}}\nb={{/users}}\n"]))
        let error = try #require(throws: RenderError.self) {
            try SecretRenderer.render(externalSecret: es, values: renderingValues(["user": renderingCanary]))
        }
        #expect(error.description.contains("line 2"))
        #expect(!error.description.contains(renderingCanary))
    }

    @Test("a template ending inside a tag is a syntax error")
    func unfinishedTag() throws {
        let es = renderingExternalSecret(target: renderingTemplate(["cfg": "a={{user"]))
        let error = try #require(throws: RenderError.self) {
            try SecretRenderer.render(externalSecret: es, values: renderingValues(["user": renderingCanary]))
        }
        #expect(error.code == "templateSyntax")
        #expect(error.description.contains("unfinished"))
    }

    @Test("a reference to a key that was not fetched is an error naming both keys, never a value")
    func unknownKey() throws {
        let es = renderingExternalSecret(target: renderingTemplate(["url": "x://{{user}}:{{pasword}}@db"]))
        let error = try #require(throws: RenderError.self) {
            try SecretRenderer.render(
                externalSecret: es, values: renderingValues(["user": renderingCanary, "password": renderingCanary]))
        }
        #expect(error.code == "unknownTemplateKey")
        #expect(error.templateKey == "url")
        #expect(error.referencedKey == "pasword")
        #expect(!renderingPrinted(error).contains(renderingCanary))
    }

    @Test("a typo below an existing dotted prefix is an error too", arguments: [
        "{{tls.nope}}", "{{#tls}}{{nope}}{{/tls}}", "{{#key?}}missing{{/key?}}", "{{tls}}",
    ])
    func unknownDottedKey(template: String) throws {
        let es = renderingExternalSecret(target: renderingTemplate(["out": template]))
        let error = try #require(throws: RenderError.self) {
            try SecretRenderer.render(externalSecret: es, values: renderingValues(["tls.crt": renderingCanary]))
        }
        #expect(error.code == "unknownTemplateKey")
        #expect(!renderingPrinted(error).contains(renderingCanary))
    }

    @Test("a binary value used in a template is an error, not mangled text")
    func binaryInTemplate() throws {
        let es = renderingExternalSecret(target: renderingTemplate(["out": "{{blob}}"]))
        let error = try #require(throws: RenderError.self) {
            try SecretRenderer.render(externalSecret: es, values: ["blob": SecretValue(bytes: [0xff, 0xfe])])
        }
        #expect(error.code == "nonUTF8Value")
        #expect(error.referencedKey == "blob")
    }

    @Test("a rendered Secret prints keys only")
    func renderedRedacted() throws {
        let es = renderingExternalSecret(target: renderingTemplate(["url": "x://{{password}}"]))
        let rendered = try SecretRenderer.render(externalSecret: es, values: renderingValues(["password": renderingCanary]))
        let printed = renderingPrinted(rendered)
        #expect(printed.contains("url"))
        #expect(!printed.contains(renderingCanary))
    }
}
