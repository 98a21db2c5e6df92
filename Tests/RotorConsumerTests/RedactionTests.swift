import Foundation
import Testing
@testable import RotorConsumer

@Suite("redaction")
struct RedactionTests {
    let value = RedactedValue("hunter2-value")

    @Test func valueDescriptionsAreRedacted() {
        #expect(value.description == "<redacted>")
        #expect(value.debugDescription == "<redacted>")
        #expect(String(describing: value) == "<redacted>")
        #expect(String(reflecting: value) == "<redacted>")
        #expect("\(value)" == "<redacted>")
        #expect("key=\(value as Any)".contains("hunter2") == false)
        #expect(Mirror(reflecting: value).children.isEmpty)
    }

    @Test func dumpOfValueAndSnapshotNeverShowsValues() throws {
        var valueDump = ""
        dump(value, to: &valueDump)
        #expect(valueDump.contains("<redacted>"))
        #expect(!valueDump.contains("hunter2"))

        let dir = try MountedDirectoryFixture()
        try dir.publish(["password": "hunter2-value", "password_previous": "hunter1-value"], version: "..v1")
        let secret = try MountedSecret(directory: dir.url)
        var secretDump = ""
        dump(secret, to: &secretDump)
        let printed = [secretDump, "\(secret)", String(reflecting: secret), "\([secret.current("password")])"]
        for text in printed {
            #expect(!text.contains("hunter"), "leaked in: \(text)")
        }
        #expect("\(secret)".contains("password_previous"))
    }

    @Test func explicitAccessorsRevealTheValue() {
        #expect(value.revealString() == "hunter2-value")
        #expect(value.revealData() == Data("hunter2-value".utf8))
        #expect(value.revealBytes() == Array("hunter2-value".utf8))
        #expect(RedactedValue(bytes: [0xFF, 0xFE]).revealString() == nil)
    }

    @Test func loadErrorsNameKeysNotValues() throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["password": "hunter2-value"], version: "..v1")
        do {
            _ = try MountedSecret(directory: dir.url, options: .init(requiredKeys: ["api-key"]))
            Issue.record("expected a failure")
        } catch {
            #expect("\(error)".contains("api-key"))
            #expect(!"\(error)".contains("hunter"))
        }
    }
}
