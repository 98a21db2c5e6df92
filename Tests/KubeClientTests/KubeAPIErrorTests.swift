import Foundation
import NIOCore
import NIOHTTP1
import JSONCore
import KubeAPI
import RotorAPI
import Testing

@testable import KubeClient

@Suite("API errors")
struct KubeAPIErrorTests {
    let getSecret = KubeRequestDescription(verb: "get", resource: "secrets", namespace: "shop", name: "db-creds")

    func error(_ code: Int, _ body: String, headers: [(String, String)] = [], request: KubeRequestDescription? = nil) -> KubeAPIError {
        HTTPKubernetesClient.error(
            status: HTTPResponseStatus(statusCode: code), headers: HTTPHeaders(headers),
            body: ByteBuffer(string: body), request: request ?? getSecret)
    }

    @Test("404 NotFound is .notFound and names the verb, object and server message")
    func notFound() {
        let e = error(
            404,
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets \"db-creds\" not found","reason":"NotFound","details":{"name":"db-creds","kind":"secrets"},"code":404}"#)
        #expect(e.kind == .notFound)
        #expect(e.code == "kube.notFound")
        #expect(e.httpStatus == 404)
        #expect(e.description.contains("get secrets shop/db-creds"))
        #expect(e.description.contains(#"secrets "db-creds" not found"#))
        #expect(!e.isTransient)
    }

    @Test("409 AlreadyExists and 409 Conflict are told apart by reason")
    func alreadyExistsVersusConflict() {
        let exists = error(
            409,
            #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"secrets \"db-creds\" already exists","reason":"AlreadyExists","details":{"name":"db-creds","kind":"secrets"},"code":409}"#)
        let conflict = error(
            409,
            #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Operation cannot be fulfilled on secrets \"db-creds\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"db-creds","kind":"secrets"},"code":409}"#)
        #expect(exists.kind == .alreadyExists)
        #expect(conflict.kind == .conflict)
    }

    @Test("a 409 without a reason is AlreadyExists on create and Conflict otherwise")
    func conflictWithoutReason() {
        let create = KubeRequestDescription(verb: "create", resource: "secrets", namespace: "shop", name: "x")
        #expect(error(409, "conflict", request: create).kind == .alreadyExists)
        #expect(error(409, "conflict").kind == .conflict)
    }

    @Test("410 Expired (a too old resourceVersion) is .gone")
    func expired() {
        let e = error(
            410,
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 100 (2000)","reason":"Expired","code":410}"#)
        #expect(e.kind == .gone)
        #expect(e.reason == "Expired")
    }

    @Test("422 Invalid carries the field causes")
    func invalid() {
        let e = error(
            422,
            #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"ExternalSecret.rotor.dev \"db\" is invalid: spec.refreshInterval: Invalid value: \"soon\": must be a duration","reason":"Invalid","details":{"name":"db","group":"rotor.dev","kind":"ExternalSecret","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"soon\": must be a duration","field":"spec.refreshInterval"},{"reason":"FieldValueRequired","message":"Required value","field":"spec.target.name"}]},"code":422}"#)
        #expect(e.kind == .invalid)
        #expect(e.causes.map(\.field) == ["spec.refreshInterval", "spec.target.name"])
        // The cause the message does not already mention is added to the description.
        #expect(e.description.contains("spec.target.name: Required value"))
    }

    @Test("429 carries the Retry-After delay from the header, or else from the Status details")
    func tooManyRequests() {
        let body = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429}"#
        let fromHeader = error(429, body, headers: [("Retry-After", "7")])
        #expect(fromHeader.kind == .tooManyRequests)
        #expect(fromHeader.retryAfter == .seconds(7))
        #expect(fromHeader.isTransient)
        #expect(error(429, body).retryAfter == .seconds(1))
        // apimachinery treats 429 as TooManyRequests whatever the reason.
        #expect(error(429, #"{"kind":"Status","reason":"Timeout","code":429}"#).kind == .tooManyRequests)
    }

    @Test("401 is .unauthorized and 403 is .forbidden with the RBAC message")
    func unauthorizedAndForbidden() {
        let unauthorized = error(
            401, #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#)
        let forbidden = error(
            403,
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets \"db-creds\" is forbidden: User \"system:serviceaccount:rotor:rotor\" cannot get resource \"secrets\" in API group \"\" in the namespace \"shop\"","reason":"Forbidden","details":{"name":"db-creds","kind":"secrets"},"code":403}"#)
        #expect(unauthorized.kind == .unauthorized)
        #expect(forbidden.kind == .forbidden)
        #expect(forbidden.description.contains("cannot get resource"))
    }

    @Test("500 InternalError and a non-JSON 503 from a proxy are .server and transient")
    func serverErrors() {
        let internalError = error(
            500, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Internal error occurred: etcdserver: request timed out","reason":"InternalError","code":500}"#)
        #expect(internalError.kind == .server)
        #expect(internalError.isTransient)
        let proxy = error(503, "<html>upstream connect error</html>")
        #expect(proxy.kind == .server)
        #expect(proxy.httpStatus == 503)
        #expect(proxy.message.contains("upstream connect error"))
    }

    @Test("the reason wins over the code, and an unknown reason falls back to the code")
    func reasonFirst() {
        #expect(error(400, #"{"kind":"Status","reason":"NotFound","code":400}"#).kind == .notFound)
        #expect(error(404, #"{"kind":"Status","reason":"SomethingNew","code":404}"#).kind == .notFound)
        #expect(error(400, #"{"kind":"Status","reason":"BadRequest","code":400}"#).kind == .badRequest)
        #expect(error(415, #"{"kind":"Status","reason":"UnsupportedMediaType","code":415}"#).kind == .badRequest)
    }

    @Test("a watch ERROR event with a 410 Status is thrown as .gone")
    func watchErrorEvent() throws {
        let line = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (55)","reason":"Expired","code":410}}"#
        let watch = KubeRequestDescription(verb: "watch", resource: "secrets", namespace: "shop")
        do {
            _ = try WatchEventDecoding.event(from: Array(line.utf8), request: watch)
            Issue.record("expected an error")
        } catch let error as KubeAPIError {
            #expect(error.kind == .gone)
            #expect(error.httpStatus == 410)
            #expect(error.description.contains("watch secrets in namespace shop"))
        }
    }

    @Test("an error about a write never contains the request body")
    func noRequestBodyInErrors() async throws {
        // A create whose body holds secret data, refused by the server.
        let body: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "db-creds"], "stringData": ["password": "hunter2-very-secret"]]
        let request = try APIRequest.create(TestTypes.secrets, namespace: "shop", body: body, options: WriteOptions())
        #expect(String(decoding: request.body ?? [], as: UTF8.self).contains("hunter2-very-secret"))
        let e = HTTPKubernetesClient.error(
            status: .conflict, headers: [:],
            body: ByteBuffer(string: #"{"kind":"Status","message":"secrets \"db-creds\" already exists","reason":"AlreadyExists","code":409}"#),
            request: request.description)
        let printed = "\(e) \(String(reflecting: e)) \(e.message) \(e.request.map { "\($0)" } ?? "")"
        #expect(!printed.contains("hunter2"))
        #expect(printed.contains("create secrets shop/db-creds"))
    }

    @Test("every kind has a distinct stable code")
    func stableCodes() {
        let codes = KubeAPIError.Kind.allCases.map { "kube.\($0.rawValue)" }
        #expect(Set(codes).count == KubeAPIError.Kind.allCases.count)
        #expect(KubeAPIError.transport("connection refused").code == "kube.transport")
    }
}
