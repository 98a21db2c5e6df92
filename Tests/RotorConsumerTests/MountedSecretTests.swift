import Foundation
import Testing
@testable import RotorConsumer

@Suite("MountedSecret")
struct MountedSecretTests {
    @Test func readsKubeletAtomicWriterLayoutFromTheVersionDataPointsAt() throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["username": "app", "password": "s3cret"], version: "..2026_11_29_10_00_00.123")

        let secret = try MountedSecret(directory: dir.url)

        #expect(secret.keys == ["password", "username"])
        #expect(secret.version == "..2026_11_29_10_00_00.123")
        #expect(secret.current("password")?.revealString() == "s3cret")
        #expect(secret["username"]?.revealString() == "app")
    }

    @Test func readsAPlainDirectoryOfFiles() throws {
        let dir = try MountedDirectoryFixture()
        try dir.writePlain("token", "abc")
        try dir.writePlain(".dockerconfigjson", "{}")

        let secret = try MountedSecret(directory: dir.url)

        #expect(secret.version == nil)
        #expect(secret.keys == [".dockerconfigjson", "token"])
        #expect(secret.current("token")?.revealString() == "abc")
    }

    @Test func trimsTrailingWhitespaceAndNewlinesByDefaultButKeepsLeadingBytes() throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["password": "  s3cret \t\r\n\n"], version: "..2026_11_29_10_00_00.123")

        #expect(try MountedSecret(directory: dir.url).current("password")?.revealString() == "  s3cret")
        #expect(try MountedSecret(directory: dir.url, options: .init(trimming: .trailingNewlines))
            .current("password")?.revealString() == "  s3cret \t")
        #expect(try MountedSecret(directory: dir.url, options: .init(trimming: .none))
            .current("password")?.revealString() == "  s3cret \t\r\n\n")
    }

    @Test func previousValueIsTheKeyWithThePreviousSuffix() throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["password": "new", "password_previous": "old", "user": "app"], version: "..v1")

        let secret = try MountedSecret(directory: dir.url)

        #expect(secret.current("password")?.revealString() == "new")
        #expect(secret.previous("password")?.revealString() == "old")
        #expect(secret.isInOverlap("password"))
        #expect(secret.previous("user") == nil)
        #expect(!secret.isInOverlap("user"))
    }

    @Test func previousSuffixIsConfigurable() throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["password": "new", "password.old": "old", "password_previous": "ignored"], version: "..v1")

        let secret = try MountedSecret(directory: dir.url, options: .init(previousSuffix: ".old"))

        #expect(secret.previous("password")?.revealString() == "old")
    }

    @Test func missingDirectoryFailsToLoad() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/rotor-\(UUID().uuidString)")
        #expect(throws: MountedSecretError.notADirectory(path: missing.path)) {
            try MountedSecret(directory: missing)
        }
    }

    @Test func missingOrEmptyRequiredKeyFailsToLoad() throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["user": "app", "password": "\n"], version: "..v1")

        #expect(throws: MountedSecretError.missingRequiredKeys(["api-key", "password"])) {
            try MountedSecret(directory: dir.url, options: .init(requiredKeys: ["user", "password", "api-key"]))
        }
    }

    @Test func danglingDataLinkFailsToLoad() throws {
        let dir = try MountedDirectoryFixture()
        try dir.swapDataLink(to: "..2026_11_29_10_00_00.999")

        #expect(throws: MountedSecretError.brokenDataLink(path: dir.url.path, target: "..2026_11_29_10_00_00.999")) {
            try MountedSecret(directory: dir.url)
        }
    }
}
