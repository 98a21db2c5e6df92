import Foundation
import Logging
import NIOConcurrencyHelpers
import JSONCore
import RotorOperator
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "store not ready" }
    }

    /// A logger writing into memory, and the lines it wrote, parsed.
    static func capture(_ body: (Logger) -> Void) throws -> [JSONValue] {
        let written = NIOLockedValueBox<[UInt8]>([])
        let sink = JSONLogHandler.Sink { bytes in written.withLockedValue { $0 += bytes } }
        var logger = Logger(label: "rotor.test") { label in JSONLogHandler(label: label, sink: sink) }
        logger.logLevel = .debug
        logger[metadataKey: "controller"] = "externalsecret"
        body(logger)
        let text = String(decoding: written.withLockedValue { $0 }, as: UTF8.self)
        return try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
    }

    @Test("one JSON object per line: time, level, logger, message and metadata; errors also name their source and the error")
    func linesAreJSONObjects() throws {
        let lines = try Self.capture { logger in
            logger.info("synced", metadata: ["key": "shop/db"])
            logger.error("reconcile failed", error: Failure(), metadata: ["key": "shop/db"])
        }
        #expect(lines.count == 2)
        let info = try #require(lines.first)
        #expect(info["level"] == "info" && info["msg"] == "synced" && info["logger"] == "rotor.test")
        #expect(info["key"] == "shop/db" && info["controller"] == "externalsecret")
        #expect(info["ts"]?.stringValue?.hasSuffix("Z") == true)
        #expect(info["source"] == nil && info["error"] == nil)
        let error = try #require(lines.last)
        #expect(error["level"] == "error" && error["error"] == "store not ready")
        #expect(error["source"]?.stringValue?.isEmpty == false)
    }
}
