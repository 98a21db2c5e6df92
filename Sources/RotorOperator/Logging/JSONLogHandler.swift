import Foundation
import Logging
import NIOConcurrencyHelpers
import JSONCore
import KubeAPI

/// A swift-log handler that writes one JSON object per line, as log collectors
/// (Loki, Cloud Logging, Elasticsearch) expect from a pod:
/// `{"ts":"…","level":"info","logger":"rotor.operator","msg":"…", …metadata}`.
///
/// Secret values never reach a logger in Rotor (they are ``SecretProviders/SecretValue``,
/// which prints `<redacted>`); this handler adds no guard of its own beyond that.
public struct JSONLogHandler: LogHandler {
    /// Where lines go; one lock per sink keeps lines whole across threads.
    public final class Sink: Sendable {
        private let write: @Sendable ([UInt8]) -> Void
        private let lock = NIOLock()

        public init(_ write: @escaping @Sendable ([UInt8]) -> Void) {
            self.write = write
        }

        /// Standard output, unbuffered: one write(2) per line, so nothing is lost on exit.
        public static let standardOutput = Sink { bytes in
            bytes.withUnsafeBufferPointer { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }

        func emit(_ line: [UInt8]) {
            lock.withLock { write(line) }
        }
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink

    public init(label: String, sink: Sink = .standardOutput, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: JSONValue] = [:]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        for (key, value) in merged { fields[key] = Self.json(value) }
        if let error = event.error, fields["error"] == nil { fields["error"] = .string("\(error)") }
        fields["ts"] = .string(Self.timestamp(Date()))
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["msg"] = .string(event.message.description)
        if event.level >= .error { fields["source"] = .string(event.source) }
        var bytes = JSONValue.object(fields).serializedBytes()
        bytes.append(UInt8(ascii: "\n"))
        sink.emit(bytes)
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let string): .string(string)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let dictionary): .object(dictionary.mapValues(json))
        }
    }

    /// RFC 3339 in UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        KubeMicroTime(date).description
    }
}
