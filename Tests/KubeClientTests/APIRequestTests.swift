import JSONCore
import KubeAPI
import Testing

@testable import KubeClient

@Suite("request paths and queries")
struct APIRequestTests {
    @Test("namespaced, all-namespace and cluster-scoped collections get their paths")
    func collectionPaths() throws {
        #expect(try APIRequest.list(TestTypes.secrets, namespace: "shop", options: ListOptions()).pathAndQuery == "/api/v1/namespaces/shop/secrets")
        #expect(try APIRequest.list(TestTypes.secrets, namespace: nil, options: ListOptions()).pathAndQuery == "/api/v1/secrets")
        #expect(try APIRequest.list(TestTypes.deployments, namespace: "shop", options: ListOptions()).path == "/apis/apps/v1/namespaces/shop/deployments")
        // A namespace given for a cluster-scoped type is ignored.
        #expect(try APIRequest.get(TestTypes.namespaces, namespace: "shop", name: "kube-system", subresource: nil).path == "/api/v1/namespaces/kube-system")
    }

    @Test("subresources and the service-account token endpoint are addressed below the object")
    func subresources() throws {
        let status = try APIRequest.update(Widget.resourceType, namespace: "ns", name: "w", body: [:], subresource: "status", options: WriteOptions())
        #expect(status.method == .PUT)
        #expect(status.path == "/apis/test.rotor.dev/v1/namespaces/ns/widgets/w/status")
        let token = try APIRequest.createToken(serviceAccount: "vault-auth", namespace: "shop", request: ["kind": "TokenRequest"])
        #expect(token.method == .POST)
        #expect(token.path == "/api/v1/namespaces/shop/serviceaccounts/vault-auth/token")
        #expect(token.description.description == "create serviceaccounts/token shop/vault-auth")
    }

    @Test("label and field selectors are escaped so that set-based operators survive")
    func selectorEscaping() throws {
        let options = ListOptions(labelSelector: "app in (shop,cart),tier!=cache,owner", fieldSelector: "metadata.name=db creds")
        let query = try APIRequest.list(TestTypes.secrets, namespace: "shop", options: options).pathAndQuery
        #expect(query == "/api/v1/namespaces/shop/secrets?labelSelector=app%20in%20%28shop%2Ccart%29%2Ctier%21%3Dcache%2Cowner&fieldSelector=metadata.name%3Ddb%20creds")
    }

    @Test("continue tokens (base64 with + / =) and paging options round-trip unchanged")
    func continueTokens() throws {
        let token = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzLCJzdGFydCI6ImEvYiJ9+/=="
        let options = ListOptions(limit: 500, continue: token, resourceVersion: "0", resourceVersionMatch: .notOlderThan, timeoutSeconds: 30)
        let query = try APIRequest.list(TestTypes.secrets, namespace: nil, options: options).pathAndQuery
        #expect(query == "/api/v1/secrets?limit=500&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzLCJzdGFydCI6ImEvYiJ9%2B%2F%3D%3D&resourceVersion=0&resourceVersionMatch=NotOlderThan&timeoutSeconds=30")
    }

    @Test("a watch asks for bookmarks and resumes from its resourceVersion")
    func watchQuery() throws {
        let request = try APIRequest.watch(TestTypes.secrets, namespace: "shop", options: WatchOptions(resourceVersion: "42", timeoutSeconds: 300, labelSelector: "a=b"))
        #expect(request.isWatch)
        #expect(request.watchTimeoutSeconds == 300)
        #expect(request.pathAndQuery == "/api/v1/namespaces/shop/secrets?watch=true&labelSelector=a%3Db&resourceVersion=42&allowWatchBookmarks=true&timeoutSeconds=300")
    }

    @Test("patches send the content type of their format; apply names its field manager")
    func patchFormats() throws {
        func patch(_ p: Patch) throws -> APIRequest {
            try APIRequest.patch(TestTypes.secrets, namespace: "ns", name: "s", patch: p, subresource: nil, options: WriteOptions(fieldManager: "rotor"))
        }
        #expect(try patch(.merge(["data": nil])).contentType == "application/merge-patch+json")
        #expect(try patch(.merge(["data": nil])).body == Array(#"{"data":null}"#.utf8))
        #expect(try patch(.json([["op": "remove", "path": "/data/a"]])).contentType == "application/json-patch+json")
        #expect(try patch(.strategicMerge([:])).contentType == "application/strategic-merge-patch+json")
        let apply = try patch(.apply(["kind": "Secret"], fieldManager: "rotor-apply", force: true))
        #expect(apply.contentType == "application/apply-patch+yaml")
        #expect(apply.pathAndQuery == "/api/v1/namespaces/ns/secrets/s?fieldManager=rotor-apply&force=true")
    }

    @Test("delete sends DeleteOptions with preconditions and propagation policy as its body")
    func deleteBody() throws {
        let options = DeleteOptions(gracePeriodSeconds: 0, preconditions: .init(uid: "u-1", resourceVersion: "9"), propagationPolicy: .foreground)
        let request = try APIRequest.delete(TestTypes.secrets, namespace: "ns", name: "s", options: options)
        #expect(request.method == .DELETE)
        let body = try JSONValue(parsing: request.body ?? [])
        #expect(body["propagationPolicy"] == "Foreground")
        #expect(body[path: ["preconditions", "uid"]] == "u-1")
        #expect(body["gracePeriodSeconds"] == 0)
    }

    @Test("names that would change the path are refused; other characters are escaped")
    func pathSegments() throws {
        for bad in ["", ".", "..", "a/b", "a%2Fb"] {
            #expect(throws: KubeAPIError.self) { try APIRequest.get(TestTypes.secrets, namespace: "ns", name: bad, subresource: nil) }
        }
        #expect(throws: KubeAPIError.self) { try APIRequest.get(TestTypes.secrets, namespace: nil, name: "a", subresource: nil) }
        #expect(try APIRequest.get(TestTypes.secrets, namespace: "ns", name: "a b?c#d", subresource: nil).path == "/api/v1/namespaces/ns/secrets/a%20b%3Fc%23d")
        #expect(try APIRequest.get(TestTypes.namespaces, namespace: nil, name: "system:x", subresource: nil).path == "/api/v1/namespaces/system:x")
    }

    @Test("the server URL's path prefix and trailing slash are kept and not doubled")
    func serverPrefix() throws {
        let request = try APIRequest.get(TestTypes.secrets, namespace: "ns", name: "s", subresource: nil)
        #expect(request.url(server: "https://rancher.example/k8s/clusters/c-1/") == "https://rancher.example/k8s/clusters/c-1/api/v1/namespaces/ns/secrets/s")
    }
}
