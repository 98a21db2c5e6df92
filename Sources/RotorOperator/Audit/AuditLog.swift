import Foundation
import Logging
import NIOConcurrencyHelpers

/// Where audit events go, one JSON line each (``AuditEvent/line(operator:)``).
///
/// Off unless `rotor run --audit-log stdout|PATH` asks for it: at one line per provider
/// read and per Secret write, a large install would write millions of lines a day that
/// most clusters do not collect, and those who need an audit trail usually send it to
/// its own retention (a file on a volume, or stdout lines filtered on `"logger":"audit"`).
/// Writing never fails a reconcile: a failed write is a warning on the operator's log.
public struct AuditLog: Sendable {
    /// Receives whole lines; tests pass one that keeps them.
    public final class Sink: Sendable {
        private let write: @Sendable ([UInt8]) -> Void
        private let lock = NIOLock()

        public init(_ write: @escaping @Sendable ([UInt8]) -> Void) {
            self.write = write
        }

        func emit(_ line: [UInt8]) {
            lock.withLock { write(line) }
        }

        /// Standard output, beside the operator's own log lines (which it shares a writer
        /// with, so lines never interleave).
        public static var standardOutput: Sink {
            Sink { JSONLogHandler.Sink.standardOutput.emit($0) }
        }

        /// Appends to the file at `path` (created `0600` if missing), one write(2) per line.
        /// A failed open or write is a warning on `logger`, once until a write succeeds again.
        public static func file(path: String, logger: Logger) -> Sink {
            let file = AppendingFile(path: path, logger: logger)
            return Sink { file.append($0) }
        }
    }

    private let sink: Sink
    private let identity: String
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - operator: who acts, as written in each line's `operator` (the pod's identity).
    ///   - now: the time of each event.
    public init(operator identity: String, sink: Sink, now: @escaping @Sendable () -> Date = Date.init) {
        self.identity = identity
        self.sink = sink
        self.now = now
    }

    /// Writes `event`, its time set now, for the subject reconciled on this task.
    public func record(_ event: AuditEvent.Kind, result: String, _ fill: (inout AuditEvent) -> Void = { _ in }) {
        var entry = AuditEvent(time: now(), event: event, result: result)
        AuditSubject.current?.apply(to: &entry)
        fill(&entry)
        sink.emit(entry.line(operator: identity))
    }
}

/// A file opened for appending, reopened after a failure (a rotated or deleted file).
final class AppendingFile: Sendable {
    private let path: String
    private let logger: Logger
    /// The open descriptor (-1: none) and whether the last attempt failed; under the sink's lock.
    private let state = NIOLockedValueBox<(descriptor: Int32, failing: Bool)>((-1, false))

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    deinit {
        let descriptor = state.withLockedValue { $0.descriptor }
        if descriptor >= 0 { close(descriptor) }
    }

    func append(_ line: [UInt8]) {
        state.withLockedValue { state in
            if state.descriptor < 0 {
                state.descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            }
            var written = -1
            if state.descriptor >= 0 {
                written = line.withUnsafeBytes { Foundation.write(state.descriptor, $0.baseAddress, $0.count) }
            }
            if written == line.count {
                state.failing = false
                return
            }
            let code = errno
            if state.descriptor >= 0 {
                close(state.descriptor)
                state.descriptor = -1
            }
            if !state.failing {
                state.failing = true
                logger.warning(
                    "cannot write the audit log; audit events are lost until a write succeeds",
                    metadata: ["path": "\(path)", "errno": "\(code)", "error": "\(String(cString: strerror(code)))"])
            }
        }
    }
}
