import Foundation
import Testing
@testable import VaultEmulator
@testable import VaultProvider

@Suite("Vault emulator: ACL policies and the HTTP API")
struct VaultEmulatorTests {
    @Test("ACL: exact rules win, then the most specific glob; + matches one segment; deny overrides")
    func aclMatching() throws {
        let policy = try ACLPolicy.parse(name: "p", text: """
            # comment
            path "secret/data/*" { capabilities = ["read"] }
            path "secret/data/shop/*" { capabilities = ["read", "update"] }
            path "secret/data/+/team" { capabilities = ["list"] }
            path "secret/data/shop/locked" { capabilities = ["deny"] }
            path "secret/data/exact" { capabilities = ["create"] }
            """)
        let acl = ACL(policies: [policy], root: false)
        #expect(acl.capabilities(on: "secret/data/other") == [.read])
        #expect(acl.capabilities(on: "secret/data/shop/db") == [.read, .update])
        #expect(acl.capabilities(on: "secret/data/a/team") == [.list])
        #expect(acl.capabilities(on: "secret/data/shop/locked").isEmpty)
        #expect(acl.capabilities(on: "secret/data/exact") == [.create])
        #expect(acl.capabilities(on: "secret/metadata/x").isEmpty)
    }

    @Test("ACL: the JSON policy form and bad policies")
    func policyForms() throws {
        let json = try ACLPolicy.parse(name: "j", text: #"{"path": {"kv/+/db": {"capabilities": ["read"]}}}"#)
        let acl = ACL(policies: [json], root: false)
        #expect(acl.allows(.read, on: "kv/shop/db"))
        #expect(!acl.allows(.read, on: "kv/shop/x/db"))
        var failed = false
        do { _ = try ACLPolicy.parse(name: "bad", text: #"path "x" { capabilities = ["fly"] }"#) } catch { failed = true }
        #expect(failed)
    }

    @Test("resultant ACL: a narrow policy still grants reading under the mount")
    func resultantACLCoverage() {
        let narrow = VaultResponses.ResultantACL(root: false, exact: [:], globs: ["secret/data/shop/": ["read"]])
        let wide = VaultResponses.ResultantACL(root: false, exact: [:], globs: ["secret/": ["read", "list"]])
        let plus = VaultResponses.ResultantACL(root: false, exact: [:], globs: ["+/data/": ["read"]])
        let elsewhere = VaultResponses.ResultantACL(root: false, exact: ["auth/token/lookup-self": ["read"]], globs: ["kv/": ["read"]])
        let denied = VaultResponses.ResultantACL(root: false, exact: [:], globs: ["secret/data/": ["deny"]])
        #expect(narrow.grantsRead(under: "secret/data/"))
        #expect(wide.grantsRead(under: "secret/data/"))
        #expect(plus.grantsRead(under: "secret/data/"))
        #expect(!elsewhere.grantsRead(under: "secret/data/"))
        #expect(!denied.grantsRead(under: "secret/data/"))
    }

    @Test("the response envelope, errors, and LIST via ?list=true")
    func envelopeAndErrors() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "secret/data/a/b", ["data": ["k": "v"]])
            let read = try await f.call("GET", "secret/data/a/b")
            let list = try await f.call("LIST", "secret/metadata/a")
            let missing = try await f.call("GET", "secret/data/nope")
            let noToken = try await f.call("GET", "secret/data/a/b", token: "")
            let health = try await f.call("GET", "sys/health")
            let envelopeKeys = read.json?.objectValue?.keys.sorted() ?? []
            #expect(read.status == 200)
            #expect(envelopeKeys.contains("request_id") && envelopeKeys.contains("lease_id") && envelopeKeys.contains("wrap_info"))
            #expect(read.json?[path: ["data", "metadata", "version"]]?.intValue == 1)
            #expect(list.json?[path: ["data", "keys"]] == ["b"])
            #expect(missing.status == 404)
            #expect(missing.json?["errors"] == [])
            #expect(noToken.status == 403)
            #expect(health.json?["sealed"]?.boolValue == false)
        }
    }

    @Test("the LIST HTTP method (curl -X LIST, hvac) works, also between requests with bodies on one kept-alive connection")
    func listMethod() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "secret/data/a/b", ["data": ["k": "v"]])
            let first = try await f.call("LIST-METHOD", "secret/metadata/a")
            try await f.call("POST", "secret/data/a/c", ["data": ["k": .string(String(repeating: "x", count: 70_000))]])
            let second = try await f.call("LIST-METHOD", "secret/metadata/a/")
            let read = try await f.call("GET", "secret/data/a/c")
            let withQuery = try await f.call("LIST-METHOD", "secret/metadata/a?foo=bar")
            #expect(first.status == 200)
            #expect(first.json?[path: ["data", "keys"]] == ["b"])
            #expect(second.json?[path: ["data", "keys"]] == ["b", "c"])
            #expect(read.json?[path: ["data", "data", "k"]]?.stringValue?.count == 70_000, "a body is passed on untouched")
            #expect(withQuery.json?[path: ["data", "keys"]] == ["b", "c"])
            #expect(f.vault.faults.requestCount(method: "LIST", pathPrefix: "secret/metadata/a") == 3)
        }
    }

    @Test("tokens: create with a TTL, lookup-self, renew-self, revoke-self; expiry on the injected clock")
    func tokenLifecycle() async throws {
        try await VaultFixture.with { f in
            let created = try await f.call("POST", "auth/token/create", ["policies": ["default"], "ttl": "10m", "explicit_max_ttl": "15m"])
            let token = created.json?[path: ["auth", "client_token"]]?.stringValue ?? ""
            let lease = created.json?[path: ["auth", "lease_duration"]]?.intValue
            let lookup = try await f.call("GET", "auth/token/lookup-self", token: token)
            f.clock.advance(.seconds(540))
            let renewed = try await f.call("POST", "auth/token/renew-self", ["increment": "10m"], token: token)
            let capped = renewed.json?[path: ["auth", "lease_duration"]]?.intValue
            f.clock.advance(.seconds(400))
            let expired = try await f.call("GET", "auth/token/lookup-self", token: token)
            let second = try await f.call("POST", "auth/token/create", ["policies": ["default"]])
            let other = second.json?[path: ["auth", "client_token"]]?.stringValue ?? ""
            let revoked = try await f.call("POST", "auth/token/revoke-self", token: other)
            let afterRevoke = try await f.call("GET", "auth/token/lookup-self", token: other)
            #expect(lease == 600)
            #expect(lookup.json?[path: ["data", "ttl"]]?.intValue == 600)
            #expect(capped == 360)
            #expect(renewed.json?["warnings"]?.arrayValue?.count == 1)
            #expect(expired.status == 403)
            #expect(revoked.status == 204)
            #expect(afterRevoke.status == 403)
        }
    }

    @Test("KV v2: destroy removes data for good; cas_required refuses writes without cas")
    func destroyAndCASRequired() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "secret/data/x", ["data": ["k": "1"]])
            try await f.call("PUT", "secret/destroy/x", ["versions": [1]])
            let destroyed = try await f.call("GET", "secret/data/x")
            try await f.call("POST", "secret/config", ["cas_required": true])
            let withoutCAS = try await f.call("POST", "secret/data/y", ["data": ["k": "1"]])
            let withCAS = try await f.call("POST", "secret/data/y", ["data": ["k": "1"], "options": ["cas": 0]])
            let stale = try await f.call("POST", "secret/data/y", ["data": ["k": "2"], "options": ["cas": 0]])
            #expect(destroyed.status == 404)
            #expect(destroyed.json?[path: ["data", "metadata", "destroyed"]]?.boolValue == true)
            #expect(withoutCAS.status == 400)
            #expect(withCAS.status == 200)
            #expect(stale.status == 400)
            #expect(stale.json?["errors"]?.arrayValue?.first?.stringValue == "check-and-set parameter did not match the current version")
        }
    }

    @Test("sys/mounts and sys/auth list what was enabled")
    func mountsAndAuthMethods() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "sys/mounts/kv1", ["type": "kv", "options": ["version": "1"]])
            try await f.call("POST", "sys/auth/approle", ["type": "approle"])
            let again = try await f.call("POST", "sys/mounts/kv1", ["type": "kv"])
            let mounts = try await f.call("GET", "sys/mounts")
            let auths = try await f.call("GET", "sys/auth")
            #expect(again.status == 400)
            #expect(mounts.json?[path: ["data", "kv1/", "options", "version"]]?.stringValue == "1")
            #expect(mounts.json?[path: ["data", "secret/", "options", "version"]]?.stringValue == "2")
            #expect(auths.json?[path: ["data", "approle/", "type"]]?.stringValue == "approle")
            #expect(auths.json?[path: ["data", "token/", "type"]]?.stringValue == "token")
        }
    }
}
