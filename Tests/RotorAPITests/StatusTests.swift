import Foundation
import JSONCore
import KubeAPI
import Testing

@Suite("Status")
struct StatusTests {
    @Test("decodes the API server's 422 Invalid body with its field causes")
    func decodesInvalid() throws {
        let body = #"""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`]","reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"},{"reason":"FieldValueInvalid","message":"Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`","field":"spec.template.metadata.labels"}]},"code":422}
            """#
        let status = try KubeJSON.decoder.decode(Status.self, from: Data(body.utf8))
        #expect(status.code == 422)
        #expect(status.status == "Failure")
        #expect(status.reason == "Invalid")
        #expect(status.details?.kind == "Deployment")
        #expect(status.details?.group == "apps")
        #expect(status.details?.name == "web")
        #expect(status.details?.causes?.map(\.field) == ["spec.selector", "spec.template.metadata.labels"])
        #expect(status.details?.causes?.first?.reason == "FieldValueRequired")
        #expect(status.message?.hasPrefix("Deployment.apps \"web\" is invalid") == true)
    }

    @Test("decodes a 409 Conflict and a 429 with a retry hint")
    func decodesConflictAndThrottle() throws {
        let conflict = try KubeJSON.decoder.decode(Status.self, from: Data(#"""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on secrets \"db\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"db","kind":"secrets"},"code":409}
            """#.utf8))
        #expect(conflict.reason == "Conflict")
        #expect(conflict.details?.kind == "secrets")
        let throttled = try KubeJSON.decoder.decode(Status.self, from: Data(#"""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"causes":[{"message":"Too many requests, please try again later."}],"retryAfterSeconds":1},"code":429}
            """#.utf8))
        #expect(throttled.details?.retryAfterSeconds == 1)
    }

    @Test("a Status built in code encodes the way the API server writes one")
    func encodes() throws {
        let status = Status(
            message: "secrets \"db\" not found", reason: "NotFound",
            details: StatusDetails(name: "db", kind: "secrets"), code: 404)
        #expect(
            try JSONValue(encoding: status) == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                "message": "secrets \"db\" not found", "reason": "NotFound",
                "details": ["name": "db", "kind": "secrets"], "code": 404,
            ])
    }
}
