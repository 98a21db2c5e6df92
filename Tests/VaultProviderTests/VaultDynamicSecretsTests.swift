import Foundation
import JSONCore
import Testing
import VaultEmulator
import X509

/// The emulator's dynamic secrets over HTTP: leases (`sys/leases/*`), the database engine
/// with its plugin, and the PKI engine.
@Suite("Vault emulator: leases, database credentials and PKI")
struct VaultDynamicSecretsTests {
    static let creation = #"CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"#

    /// A fixture with a recording plugin, `database/` mounted, a connection `app` and a role `readonly`.
    static func withDatabase(
        defaultTTL: String = "1h", maxTTL: String = "3h", _ body: (VaultFixture, RecordingDatabasePlugin) async throws -> Void
    ) async throws {
        let plugin = RecordingDatabasePlugin()
        try await VaultFixture.with({ $0.databasePlugins = ["postgresql-database-plugin": plugin] }) { f in
            #expect(try await f.call("POST", "sys/mounts/database", ["type": "database"]).status == 204)
            let config = try await f.call("POST", "database/config/app", [
                "plugin_name": "postgresql-database-plugin", "allowed_roles": "readonly",
                "connection_url": "postgresql://{{username}}:{{password}}@db:5432/app", "username": "vaultadmin",
                "password": "admin-secret-pw",
            ])
            #expect(config.status == 204)
            let role = try await f.call("POST", "database/roles/readonly", [
                "db_name": "app", "creation_statements": [.string(creation)],
                "revocation_statements": [#"DROP ROLE IF EXISTS "{{name}}";"#], "default_ttl": .string(defaultTTL), "max_ttl": .string(maxTTL),
            ])
            #expect(role.status == 204)
            try await body(f, plugin)
        }
    }

    static func creds(_ f: VaultFixture, token: String? = nil) async throws -> (leaseID: String, username: String, password: String, json: JSONValue?) {
        let answer = try await f.call("GET", "database/creds/readonly", token: token)
        #expect(answer.status == 200)
        return (
            answer.json?["lease_id"]?.stringValue ?? "", answer.json?[path: ["data", "username"]]?.stringValue ?? "",
            answer.json?[path: ["data", "password"]]?.stringValue ?? "", answer.json
        )
    }

    @Test("database creds: a Vault-shaped user on a lease, renewed up to max_ttl with Vault's warning, revoked through the plugin")
    func credsLifecycle() async throws {
        try await Self.withDatabase { f, plugin in
            let config = try await f.call("GET", "database/config/app")
            let configText = String(decoding: config.json?.serializedBytes() ?? [], as: UTF8.self)
            #expect(config.json?[path: ["data", "connection_details", "username"]]?.stringValue == "vaultadmin")
            #expect(!configText.contains("admin-secret-pw"), "the admin password is never echoed")

            let start = f.clock.serverNow()
            let (leaseID, username, password, json) = try await Self.creds(f)
            #expect(leaseID.hasPrefix("database/creds/readonly/") && leaseID.count == "database/creds/readonly/".count + 24)
            #expect(json?["lease_duration"]?.intValue == 3600)
            #expect(json?["renewable"]?.boolValue == true)
            #expect(json?["mount_type"]?.stringValue == "database")
            #expect(username.hasPrefix("v-root-readonly-") && username.count <= 63)
            #expect(username.hasSuffix("-\(Int(start.timeIntervalSince1970))"))
            #expect(password.count == 20 && password.contains("-"))
            let created = plugin.calls.last
            #expect(created?.operation == .create && created?.username == username)
            let expiration = DatabaseStatements.expiration(start.addingTimeInterval(3600))
            #expect(created?.statements == [#"CREATE ROLE "\#(username)" WITH LOGIN PASSWORD '\#(password)' VALID UNTIL '\#(expiration)';"#])
            #expect(plugin.users[username] != nil)

            let lookup = try await f.call("PUT", "sys/leases/lookup", ["lease_id": .string(leaseID)])
            #expect(lookup.json?[path: ["data", "ttl"]]?.intValue == 3600)
            #expect(lookup.json?[path: ["data", "renewable"]]?.boolValue == true)
            #expect(lookup.json?[path: ["data", "last_renewal"]] == .null)

            f.clock.advance(.seconds(1800))
            let renewed = try await f.call("PUT", "sys/leases/renew", ["lease_id": .string(leaseID), "increment": "2h"])
            #expect(renewed.status == 200)
            #expect(renewed.json?["lease_id"]?.stringValue == leaseID)
            #expect(renewed.json?["lease_duration"]?.intValue == 7200)
            #expect(renewed.json?["warnings"] == .null)
            #expect(plugin.calls.last?.operation == .renew)
            #expect(plugin.calls.last?.expiration == start.addingTimeInterval(1800 + 7200))

            // 2h after issue, one hour is left of the 3h max_ttl.
            f.clock.advance(.seconds(5400))
            let capped = try await f.call("PUT", "sys/leases/renew", ["lease_id": .string(leaseID), "increment": "2h"])
            #expect(capped.json?["lease_duration"]?.intValue == 3600)
            #expect(capped.json?["warnings"] == [
                #"TTL of "2h0m0s" exceeded the effective max_ttl of "1h0m0s"; TTL value is capped accordingly"#
            ])
            #expect(plugin.users[username] == start.addingTimeInterval(3 * 3600))

            let revoked = try await f.call("PUT", "sys/leases/revoke", ["lease_id": .string(leaseID)])
            #expect(revoked.status == 204)
            #expect(plugin.calls.last?.operation == .revoke)
            #expect(plugin.calls.last?.statements == [#"DROP ROLE IF EXISTS "\#(username)";"#])
            #expect(plugin.users.isEmpty)
            let again = try await f.call("PUT", "sys/leases/renew", ["lease_id": .string(leaseID)])
            #expect(again.status == 400)
            #expect(again.json?["errors"] == ["lease not found or lease is not renewable"])
            let gone = try await f.call("PUT", "sys/leases/lookup", ["lease_id": .string(leaseID)])
            #expect(gone.status == 400)
            #expect(gone.json?["errors"] == ["invalid lease"])
            let twice = try await f.call("PUT", "sys/leases/revoke", ["lease_id": .string(leaseID)])
            #expect(twice.status == 204, "revoking a lease that is gone is not an error")
        }
    }

    @Test("an expired lease is revoked on the emulator's clock, and the plugin drops the user")
    func expiryRevokes() async throws {
        try await Self.withDatabase(defaultTTL: "10m", maxTTL: "1h") { f, plugin in
            let first = try await Self.creds(f)
            let second = try await Self.creds(f)
            f.clock.advance(.seconds(9 * 60))
            let renewed = try await f.call("PUT", "sys/leases/renew", ["lease_id": .string(second.leaseID)])
            #expect(renewed.json?["lease_duration"]?.intValue == 600, "no increment: the role's default_ttl")
            f.clock.advance(.seconds(2 * 60))
            // No request yet: the emulator has no timer. The next request (or expireLeases) sweeps.
            #expect(plugin.users.count == 2)
            let lookup = try await f.call("PUT", "sys/leases/lookup", ["lease_id": .string(first.leaseID)])
            #expect(lookup.status == 400)
            #expect(plugin.users.keys.sorted() == [second.username])
            #expect(plugin.calls.filter { $0.operation == .revoke }.map(\.username) == [first.username])
            let expired = try await f.call("PUT", "sys/leases/renew", ["lease_id": .string(first.leaseID)])
            #expect(expired.json?["errors"] == ["lease not found or lease is not renewable"])
            f.clock.advance(.seconds(10 * 60))
            await f.vault.expireLeases()
            #expect(plugin.users.isEmpty)
        }
    }

    @Test("disabling the database mount revokes its leases through the plugin; revoke-prefix needs sudo")
    func unmountRevokes() async throws {
        try await Self.withDatabase { f, plugin in
            try await f.putPolicy("leases", #"path "sys/leases/*" { capabilities = ["update"] }"#)
            let token = await f.vault.createToken(policies: ["leases"])
            let prefix = try await f.call("PUT", "sys/leases/revoke-prefix/database/creds/readonly", token: token)
            #expect(prefix.status == 403)
            _ = try await Self.creds(f)
            _ = try await Self.creds(f)
            #expect(plugin.users.count == 2)
            #expect(try await f.call("DELETE", "sys/mounts/database").status == 204)
            #expect(plugin.users.isEmpty)
            #expect(plugin.calls.filter { $0.operation == .revoke }.count == 2)
        }
    }

    @Test("revoking a token revokes the leases it created: revoke-self, revoke by another token, and the token's expiry")
    func tokenRevocationRevokesLeases() async throws {
        try await Self.withDatabase { f, plugin in
            try await f.putPolicy("db", """
                path "database/creds/readonly" { capabilities = ["read"] }
                path "sys/leases/*" { capabilities = ["update"] }
                """)
            let a = await f.vault.createToken(policies: ["db"])
            let b = await f.vault.createToken(policies: ["db"])
            let c = await f.vault.createToken(policies: ["db"], ttl: .seconds(300))
            let fromA = try await Self.creds(f, token: a)
            let fromB = try await Self.creds(f, token: b)
            let fromC = try await Self.creds(f, token: c)
            #expect(fromA.username.hasPrefix("v-token-readonly-"))
            let lookupByA = try await f.call("PUT", "sys/leases/lookup", ["lease_id": .string(fromA.leaseID)], token: a)
            #expect(lookupByA.status == 200)

            #expect(try await f.call("POST", "auth/token/revoke-self", token: a).status == 204)
            #expect(plugin.users[fromA.username] == nil)
            #expect(plugin.users[fromB.username] != nil)

            #expect(try await f.call("POST", "auth/token/revoke", ["token": .string(b)]).status == 204)
            #expect(plugin.users[fromB.username] == nil)

            f.clock.advance(.seconds(301))
            let lookup = try await f.call("PUT", "sys/leases/lookup", ["lease_id": .string(fromC.leaseID)])
            #expect(lookup.status == 400, "the lease (1h) went with its token (5m)")
            #expect(plugin.users.isEmpty)
        }
    }

    @Test("ACL: creds need read on their path, sys/leases/* needs update; a role the connection does not allow is refused")
    func aclAndAllowedRoles() async throws {
        try await Self.withDatabase { f, _ in
            try await f.putPolicy("creds-only", #"path "database/creds/readonly" { capabilities = ["read"] }"#)
            let token = await f.vault.createToken(policies: ["creds-only"])
            let lease = try await Self.creds(f, token: token)
            let renew = try await f.call("PUT", "sys/leases/renew", ["lease_id": .string(lease.leaseID)], token: token)
            #expect(renew.status == 403)
            let config = try await f.call("GET", "database/config/app", token: token)
            #expect(config.status == 403)

            try await f.call("POST", "database/roles/admin", ["db_name": "app", "creation_statements": [.string(Self.creation)]])
            let refused = try await f.call("GET", "database/creds/admin")
            #expect(refused.status == 500)
            #expect(refused.json?["errors"] == ["1 error occurred:\n\t* \"admin\" is not an allowed role\n\n"])
            let unknown = try await f.call("GET", "database/creds/nope")
            #expect(unknown.json?["errors"] == ["unknown role: nope"])

            // Roles have an existence check: `update` changes one, only `create` makes one.
            try await f.putPolicy("roles-update", #"path "database/roles/*" { capabilities = ["update"] }"#)
            let updater = await f.vault.createToken(policies: ["roles-update"])
            let role: JSONValue = ["db_name": "app", "creation_statements": [.string(Self.creation)], "default_ttl": "5m"]
            #expect(try await f.call("POST", "database/roles/new", role, token: updater).status == 403)
            #expect(try await f.call("POST", "database/roles/readonly", role, token: updater).status == 204)
        }
    }

    // MARK: PKI

    /// `pki/` mounted with a ten-year maximum, an EC root, and a role `web` for example.com.
    static func withPKI(keyType: String = "ec", _ body: (VaultFixture, String) async throws -> Void) async throws {
        try await VaultFixture.with { f in
            #expect(try await f.call("POST", "sys/mounts/pki", ["type": "pki", "config": ["max_lease_ttl": "87600h"]]).status == 204)
            let root = try await f.call("POST", "pki/root/generate/internal", [
                "common_name": "Rotor Test Root", "ttl": "87600h", "key_type": .string(keyType),
            ])
            #expect(root.status == 200)
            #expect(root.json?[path: ["data", "private_key"]] == nil, "internal: the key stays in Vault")
            let role = try await f.call("POST", "pki/roles/web", [
                "allowed_domains": "example.com", "allow_subdomains": true, "max_ttl": "72h", "key_type": .string(keyType),
            ])
            #expect(role.status == 204)
            try await body(f, root.json?[path: ["data", "certificate"]]?.stringValue ?? "")
        }
    }

    /// Whether `leafPEM` chains to `caPEM` under RFC 5280 rules, at the current time (the
    /// fixture's clock starts at it and these tests do not move it).
    static func verify(_ leafPEM: String, against caPEM: String) async throws -> Bool {
        let ca = try Certificate(pemEncoded: caPEM)
        let leaf = try Certificate(pemEncoded: leafPEM)
        var verifier = Verifier(rootCertificates: CertificateStore([ca])) { RFC5280Policy() }
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) { return true }
        return false
    }

    @Test("PKI: an issued certificate verifies against the mount's CA, with the names and key asked for", arguments: ["ec", "rsa"])
    func issueVerifies(keyType: String) async throws {
        try await Self.withPKI(keyType: keyType) { f, rootPEM in
            let issued = try await f.call("POST", "pki/issue/web", [
                "common_name": "api.example.com", "alt_names": "www.example.com,*.apps.example.com", "ip_sans": "10.0.0.1,::1", "ttl": "24h",
            ])
            #expect(issued.status == 200)
            let data = issued.json?["data"]
            let pem = data?["certificate"]?.stringValue ?? ""
            #expect(data?["issuing_ca"]?.stringValue == rootPEM)
            #expect(data?["ca_chain"] == [.string(rootPEM)])
            #expect(data?["private_key_type"]?.stringValue == keyType)
            #expect(try await Self.verify(pem, against: rootPEM))
            let certificate = try Certificate(pemEncoded: pem)
            let keyPEM = data?["private_key"]?.stringValue ?? ""
            let key = try Certificate.PrivateKey(pemEncoded: keyPEM)
            #expect(key.publicKey == certificate.publicKey)
            let header = keyType == "ec" ? "-----BEGIN EC PRIVATE KEY-----" : "-----BEGIN RSA PRIVATE KEY-----"
            #expect(keyPEM.hasPrefix(header), "Vault's forms: SEC 1 for EC, PKCS #1 for RSA")
            let sans = try certificate.extensions.subjectAlternativeNames.map(Array.init) ?? []
            #expect(sans.contains(.dnsName("api.example.com")) && sans.contains(.dnsName("*.apps.example.com")))
            #expect(sans.count == 5)
            let serial = certificate.serialNumber.bytes.map { String(format: "%02x", $0) }.joined(separator: ":")
            #expect(data?["serial_number"]?.stringValue == serial)
            #expect(data?["expiration"]?.intValue == Int64(certificate.notValidAfter.timeIntervalSince1970))
            let lifetime = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore)
            #expect(abs(lifetime - (24 * 3600 + 30)) <= 1)

            // The CA, without a token, as Vault serves it.
            let caPEM = try await f.call("GET", "pki/cert/ca", token: "")
            #expect(caPEM.json?[path: ["data", "certificate"]]?.stringValue == rootPEM)
            let raw = try await f.rawGet("pki/ca/pem")
            #expect(raw.status == 200 && raw.contentType == "application/pem-certificate-chain")
            #expect(raw.text == rootPEM)
        }
    }

    @Test("PKI: a name outside the role is 400 with Vault's wording; ttl is capped at the role's max_ttl")
    func roleRefusalsAndCap() async throws {
        try await Self.withPKI { f, rootPEM in
            let outside = try await f.call("POST", "pki/issue/web", ["common_name": "evil.com"])
            #expect(outside.status == 400)
            #expect(outside.json?["errors"] == ["common name evil.com not allowed by this role"])
            let bare = try await f.call("POST", "pki/issue/web", ["common_name": "example.com"])
            #expect(bare.json?["errors"] == ["common name example.com not allowed by this role"], "allow_bare_domains is false")
            let alt = try await f.call("POST", "pki/issue/web", ["common_name": "a.example.com", "alt_names": "x.other.org"])
            #expect(alt.json?["errors"] == ["subject alternate name x.other.org not allowed by this role"])
            let ip = try await f.call("POST", "pki/issue/web", ["common_name": "a.example.com", "ip_sans": "300.1.1.1"])
            #expect(ip.status == 400)
            let unknown = try await f.call("POST", "pki/issue/nope", ["common_name": "a.example.com"])
            #expect(unknown.json?["errors"] == ["unknown role: nope"])

            let long = try await f.call("POST", "pki/issue/web", ["common_name": "a.example.com", "ttl": "1000h"])
            #expect(long.status == 200)
            #expect(long.json?["warnings"] == [#"TTL "1000h0m0s" is longer than permitted maxTTL "72h0m0s", so maxTTL is being used"#])
            let pem = long.json?[path: ["data", "certificate"]]?.stringValue ?? ""
            let certificate = try Certificate(pemEncoded: pem)
            #expect(abs(certificate.notValidAfter.timeIntervalSince(f.clock.serverNow()) - 72 * 3600) <= 1)
            #expect(try await Self.verify(pem, against: rootPEM))
        }
    }

    @Test("hostile input: huge ttl strings, 10,000 alt_names, overlong names and key sizes are 400s with bounded work, never a crash")
    func hostileInputs() async throws {
        try await Self.withPKI { f, _ in
            let tenThousand = (0..<10_000).map { "h\($0).example.com" }.joined(separator: ",")
            let cases: [(String, JSONValue)] = [
                ("pki/issue/web", ["common_name": "a.example.com", "ttl": .string(String(repeating: "9", count: 400) + "h")]),
                ("pki/issue/web", ["common_name": "a.example.com", "ttl": "99999999999999999999h"]),
                ("pki/issue/web", ["common_name": "a.example.com", "ttl": .double(1e300)]),
                ("pki/issue/web", ["common_name": "a.example.com", "alt_names": .string(tenThousand)]),
                ("pki/issue/web", ["common_name": "a.example.com", "alt_names": .array((0..<10_000).map { .string("h\($0).example.com") })]),
                ("pki/issue/web", ["common_name": .string(String(repeating: "a", count: 100_000) + ".example.com")]),
                ("pki/issue/web", ["common_name": .string(String(repeating: "a", count: 70) + ".example.com")]),
                ("pki/issue/web", ["common_name": "a.example.com", "alt_names": .string(String(repeating: "b", count: 300) + ".example.com")]),
                ("pki/roles/bad", ["allowed_domains": "example.com", "key_type": "rsa", "key_bits": 999_999_999]),
                ("pki/roles/bad", ["allowed_domains": "example.com", "max_ttl": "1e300h"]),
                ("pki/root/generate/internal", ["common_name": "x", "key_type": "dsa"]),
                ("sys/mounts/pki2", ["type": "pki", "config": ["max_lease_ttl": "99999999999999h"]]),
                ("sys/leases/renew", ["lease_id": "database/creds/x/y", "increment": "99999999999999999999999h"]),
            ]
            // Bounded work is shown by the answer itself (a 400 before any key, certificate or
            // duration is made from the input), never by timing it: tests assert no speed.
            for (path, body) in cases {
                let answer = try await f.call("POST", path, body)
                #expect(answer.status == 400, "\(path) \(String(decoding: body.serializedBytes().prefix(80), as: UTF8.self))")
                let message = String(decoding: answer.json?.serializedBytes() ?? [], as: UTF8.self)
                #expect(message.count < 2000, "errors do not echo hostile input in full")
            }
            #expect(try await f.call("GET", "sys/health").status == 200)
        }
    }
}
